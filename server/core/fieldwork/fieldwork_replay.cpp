// At start, the plain answers an interview's snapshot does not hold. A plain answer (fieldwork::answer: it
// only moved the interview on to its next question) writes its answer row with the request's sequence
// number and fingerprint, and no snapshot; every other sequenced request writes the snapshot. So the
// rows numbered after the snapshot's sequence number are exactly the plain answers since, in order, and
// answering them again through the engine gives the state the server had before it stopped. Each step is
// checked against what was logged (the question on screen, the value recorded, that it stayed plain): a
// replay that lands elsewhere (the questionnaire changed under the file) is refused, not guessed.
#include "core/fieldwork/fieldwork.hpp"

namespace cati::core {

status<> fieldwork::replay_answers(live_interview& iv, const std::vector<sequenced_answer>& rows) const {
  for (const auto& row : rows) {
    if (row.seq <= iv.last_seq) continue;  // applied before the snapshot was written: it holds it
    const std::string which =
        "the answer with sequence number " + std::to_string(row.seq) + " (" + row.question + ")";
    if (row.seq != iv.last_seq + 1)
      return error{which + " does not follow the snapshot's " + std::to_string(iv.last_seq)};
    if (iv.state.status != interview_status::in_progress || study_->questions[iv.state.current].name != row.question)
      return error{which + " does not replay: the interview is not at that question"};
    auto step = engine_.answer(iv.state, row.value.value_or(""), iv.language);
    if (!step) return error{which + " replays as invalid: " + step.err().message};
    if (step->kind != step_kind::next_screen) return error{which + " no longer leads to a next question"};
    const auto recorded = iv.state.answers.find(row.question);
    if (recorded == iv.state.answers.end() || row_value(recorded->second) != row.value)
      return error{which + " replays as another value"};
    iv.last_seq = row.seq;
    iv.prints[row.seq] = row.print;
  }
  forget_old_prints(iv);
  return ok;
}

}  // namespace cati::core
