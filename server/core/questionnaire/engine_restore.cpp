// Rebuilding an interview from its saved form by replaying the answers through the engine. Replaying
// (rather than trusting the saved fields) re-checks every answer against the questionnaire in use, and
// derives what the saved form leaves out (relevance, the screen-out that ended it).
#include <algorithm>
#include <map>

#include "core/questionnaire/engine.hpp"

namespace cati::core {
namespace {

std::string describe(const saved_interview& s) {
  std::string out = std::string(to_string(s.status));
  if (!s.current.empty()) out += " at " + s.current;
  if (s.status == interview_status::finished) out += " (" + std::string(to_string(s.result)) + ")";
  return out;
}

// What differs between the saved interview and its replay, for the error message.
std::string difference(const saved_interview& saved, const saved_interview& replayed) {
  for (const auto& [name, text] : saved.answers) {
    auto it = std::find_if(replayed.answers.begin(), replayed.answers.end(),
                           [&n = name](const auto& a) { return a.first == n; });  // clang 15: no binding captures
    if (it == replayed.answers.end()) return "the answer to " + name + " is not reached or no longer relevant";
    if (it->second != text) return "the answer to " + name + " replays as \"" + it->second + "\"";
  }
  for (const auto& [name, text] : replayed.answers)
    if (std::none_of(saved.answers.begin(), saved.answers.end(), [&n = name](const auto& a) { return a.first == n; }))
      return "the replay records " + name + ", which the saved interview does not";
  if (saved.quota_granted != replayed.quota_granted) return "the granted quota values differ";
  return "the replay ends " + describe(replayed) + ", the saved interview is " + describe(saved);
}

}  // namespace

void engine::reinstate_later(interview_state& state,
                             const std::map<std::string_view, std::string_view>& texts) const {
  for (std::size_t i = state.current + 1; i < study_->questions.size(); ++i) {
    const question& q = study_->questions[i];
    auto text = texts.find(q.name);
    if (text == texts.end() || !is_relevant(state, i)) continue;
    value parsed;
    if (parse_text(q, text->second, parsed) && check_value(q, parsed, state, fallback_lang()))
      state.answers[q.name] = std::move(parsed);
  }
}

result<interview_state> engine::restore(const saved_interview& saved, frame_values frame,
                                        std::uint64_t seed) const {
  const auto& questions = study_->questions;
  std::map<std::string_view, std::string_view> texts;
  std::size_t stop = questions.size();
  if (!saved.current.empty()) {
    auto i = question_index(saved.current);
    if (!i) return error{"saved interview: unknown question " + saved.current};
    stop = *i;
  }
  const std::size_t saved_current = stop;
  // Replay up to the saved question, and past every saved answer (it may have gone back from there).
  for (const auto& [name, text] : saved.answers) {
    auto i = question_index(name);
    if (!i) return error{"saved interview: unknown question " + name};
    texts.emplace(name, text);
    stop = std::max(stop, *i + 1);
  }

  interview_state state = start(std::move(frame), seed);
  state.quota_granted = saved.quota_granted;
  const std::string_view lang = fallback_lang();
  while (state.status != interview_status::finished) {
    if (state.status == interview_status::quota_check) {
      if (state.current == saved_current && saved.status == interview_status::quota_check) break;
      const bool refused = state.current == saved_current && saved.status == interview_status::finished &&
                           saved.result == outcome::over_quota;
      if (!refused && !saved.quota_granted)
        return error{"saved interview: past the quota point at " + questions[state.current].name +
                     " without a granted quota check"};
      (void)quota_decision(state, !refused, lang);
      // A grant on the way is only a pass: the lease the store holds is the saved one.
      state.quota_granted = saved.quota_granted;
      continue;
    }
    if (state.current >= stop) break;
    const question& q = questions[state.current];
    std::string_view text;
    if (q.type != question_type::note) {
      auto it = texts.find(q.name);
      if (it == texts.end()) break;
      text = it->second;
    }
    if (auto r = answer(state, text, lang); !r)
      return error{"saved interview: " + q.name + " = \"" + std::string(text) + "\" replays as invalid: " +
                   r.err().message};
  }
  while (state.status == interview_status::in_progress && state.current > saved_current)
    if (!back(state)) break;
  // A check pending after going back (a quota answer changed) stops the replay at the quota point, and
  // so does a question the saved interview has no answer for (it went back and took another branch: the
  // question is new on its route); the answers recorded further on before going back are still part of
  // the record. (Found by the restart-equivalence test: such an interview could not be resumed.)
  if (state.status != interview_status::finished) reinstate_later(state, texts);

  const saved_interview replayed = save(state);
  if (replayed != saved) return error{"saved interview does not replay: " + difference(saved, replayed)};
  return state;
}

}  // namespace cati::core
