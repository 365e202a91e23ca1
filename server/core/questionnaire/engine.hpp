// The questionnaire engine: given a questionnaire and an interview's state, it says which screen to show,
// whether an answer is valid, where routing goes next, and when and how the interview ends.
//
// Routing is by relevance only: the next question is the next one in questionnaire order whose
// `relevant` holds (and, for a `specify` follow-up, whose parent choice is selected). The path of an
// interview is therefore the relevant questions before the current one, and going back (`back`) moves to
// the last of them. Changing an earlier answer re-evaluates the relevance of the questions that depend
// on it; answers of questions no longer relevant are dropped from the record and listed in the step.
//
// Quotas: once the interview moves past `quota_check_after`, the step says "quota check needed" with
// the value of every quota variable; the caller takes the leases and reports back with quota_decision
// (granted: continue; refused: the interview ends over quota). The state remembers the values the
// granted check was for. Going back over the quota point is allowed; whenever the interview moves past
// the quota point again with different quota values (an answer changed, or was dropped), a new check is
// needed, so the caller can swap the lease. Unchanged values pass without a new check.
//
// Endings: a screen-out condition of the answered question that holds ends the interview with its
// outcome; answering the last relevant question completes it; a refused quota check ends it over quota.
// Answers of questions after the one that ended it (left from going back) are dropped. A finished
// interview stays finished.
//
// Thread-safety: an engine is immutable after construction; its const members may be called from many
// threads over one shared questionnaire. An interview_state belongs to one interview (one thread at a
// time). Failed calls (invalid answer, back at the first question, ...) leave the state unchanged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/questionnaire/interview.hpp"
#include "core/questionnaire/questionnaire.hpp"
#include "core/util/result.hpp"
#include "core/expr/value.hpp"

namespace cati::core {

struct screen_choice {
  std::int64_t code = 0;
  std::string label;  // in the screen's language, fills applied
  bool missing = false;
};

// A question as the interviewer sees it, in one language.
struct screen {
  std::string name;
  question_type type = question_type::note;
  std::string label;  // fills applied
  std::string hint;   // for the interviewer, not read out; fills applied
  std::vector<screen_choice> choices;  // in this case's order
  bool required = false;
  std::string constraint_message;
  std::size_t number = 0;  // 1-based position of the question in the questionnaire
  std::size_t count = 0;   // questions in the questionnaire
  std::optional<value> current_answer;  // the recorded answer, when the question was answered before
  bool can_go_back = false;
};

enum class step_kind {
  next_screen,  // a question is on screen: call current_screen
  quota_check,  // call quota_decision with the caller's verdict on `quota_values`
  finished,     // the interview ended with `result`
};

struct dropped_answer {
  std::string name;
  value old_value;
};

// What an answer, a back or a quota decision did.
struct step {
  step_kind kind = step_kind::next_screen;
  std::vector<dropped_answer> dropped;     // answers removed from the record, for the audit trail
  std::vector<quota_value> quota_values;   // kind == quota_check: every quota variable of the study
  outcome result = outcome::unspecified;   // kind == finished
  std::string message;                     // kind == finished by a screen-out: its message
};

// A quota cell by position: questionnaire::quotas[quota].cells[cell].
struct quota_cell_ref {
  std::size_t quota = 0;
  std::size_t cell = 0;
  bool operator==(const quota_cell_ref&) const = default;
};

class engine {
 public:
  explicit engine(std::shared_ptr<const questionnaire> study);

  const questionnaire& study() const { return *study_; }
  std::optional<std::size_t> question_index(std::string_view name) const;

  // A new interview at the first relevant question (finished as complete if none is).
  interview_state start(frame_values frame, std::uint64_t seed) const;

  // The screen for state.current in `lang` (fallback: the study's default language).
  // Precondition: state.status == in_progress.
  screen current_screen(const interview_state& state, std::string_view lang) const;

  // Whether `text` (the terminal's form: "2", "1 3 5", "12", "3.5", free text, "" to skip or pass a
  // note) is a valid answer to the current question; the parsed answer, or the reason in `lang`.
  result<value> check_answer(const interview_state& state, std::string_view text, std::string_view lang) const;

  // Records the answer to the current question and moves on. Invalid answers change nothing.
  result<step> answer(interview_state& state, std::string_view text, std::string_view lang) const;
  // The same with an already typed answer (a number, a selection, a text, or empty).
  result<step> answer_value(interview_state& state, value answer, std::string_view lang) const;

  // Moves to the previous question on the path; its recorded answer stays until it is answered again.
  result<step> back(interview_state& state) const;

  // The caller's verdict on the pending quota check; an error when no check is pending.
  result<step> quota_decision(interview_state& state, bool granted, std::string_view lang) const;

  bool is_relevant(const interview_state& state, std::size_t question) const;
  // The relevant questions before the current one (all of them, up to the ending, once finished).
  std::vector<std::size_t> path(const interview_state& state) const;
  // Every quota variable of the study (in quota order, each once) with this interview's value.
  std::vector<quota_value> quota_values(const interview_state& state) const;
  // The cells these values fall in: per quota, the cells whose values all match.
  std::vector<quota_cell_ref> matching_cells(const std::vector<quota_value>& values) const;
  // The message of the screen-out that ended the interview ("" for other endings), in `lang`.
  std::string end_message(const interview_state& state, std::string_view lang) const;
  // `text` with every ${name} replaced by its fill in `lang`.
  std::string apply_fills(std::string_view text, const interview_state& state, std::string_view lang) const;

  // The saved form of a state, and back. restore replays the answers in question order through the
  // engine (with the case's frame values and seed, which the store keeps with the case) and checks that
  // it lands where the saved interview stood; an error says what differs (e.g. the questionnaire changed).
  saved_interview save(const interview_state& state) const;
  result<interview_state> restore(const saved_interview& saved, frame_values frame, std::uint64_t seed) const;

 private:
  class context;  // the eval_context over a state (engine_context.hpp)

  std::string_view fallback_lang() const { return study_->default_language; }
  const std::string& text_in(const localized& text, std::string_view lang) const;
  value frame_value(std::string_view name, const std::string& raw) const;
  std::string fill_of(std::string_view name, const interview_state& state, std::string_view lang) const;

  status<> parse_text(const question& q, std::string_view text, value& out) const;
  status<> check_value(const question& q, const value& answer, const interview_state& state,
                       std::string_view lang) const;

  // The first relevant question at or after `from`; the count when there is none.
  std::size_t first_relevant(const interview_state& state, std::size_t from) const;
  std::optional<std::size_t> previous_relevant(const interview_state& state, std::size_t before) const;
  void drop_irrelevant(interview_state& state, std::size_t changed, std::vector<dropped_answer>& dropped) const;
  void drop_after(interview_state& state, std::size_t last, std::vector<dropped_answer>& dropped) const;
  step advance(interview_state& state, std::vector<dropped_answer> dropped) const;
  void move_to(interview_state& state, std::size_t next, step& s) const;
  void finish(interview_state& state, outcome result, std::optional<std::size_t> rule, step& s,
              std::string_view lang) const;

  // restore: puts back saved answers past a pending quota check (see engine_restore.cpp).
  void reinstate_later(interview_state& state, const std::map<std::string_view, std::string_view>& texts) const;

  std::shared_ptr<const questionnaire> study_;
  std::map<std::string, std::size_t, std::less<>> index_;         // question name -> index
  std::map<std::string, variable_type, std::less<>> frame_types_;  // frame variable -> type
  std::vector<std::optional<std::size_t>> specify_parent_;        // per question: its specify_of
  // Per question: the questions whose relevance depends on it, directly or through others, in order.
  std::vector<std::vector<std::size_t>> dependents_;
  std::vector<std::string> quota_variables_;  // each once, in quota order
  std::optional<std::size_t> quota_point_;    // index of quota_check_after
};

}  // namespace cati::core
