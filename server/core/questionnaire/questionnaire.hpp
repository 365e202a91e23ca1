// The questionnaire as the domain sees it: loaded and checked by server/schema from a study's
// questionnaire.textproto, immutable afterwards and shared by every interview (thread-safe to read).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/expr/expression.hpp"
#include "core/calling/outcome.hpp"

namespace cati::core {

// A text per language code ("nl", "fr", "en").
struct localized {
  std::map<std::string, std::string, std::less<>> by_lang;
  // The text in `lang`, else in `fallback`, else any; "" when there is none.
  const std::string& get(std::string_view lang, std::string_view fallback = {}) const;
  bool empty() const { return by_lang.empty(); }
};

enum class question_type { single, multiple, integer, decimal, text, note };
enum class variable_type { text, code, integer, phone, language };
enum class cell_policy { normal, allow_over, count_only };
// The measurement level exports declare (SPSS measure, Stata's codebook); unspecified: by type.
enum class question_measure { unspecified, nominal, ordinal, scale };

struct choice {
  std::int64_t code = 0;
  localized label;
  bool missing = false;     // don't know / refused
  std::string specify;      // follow-up text question when picked
  bool fixed = false;       // keeps its place under randomisation
};

struct screen_out {
  expression condition;
  outcome result = outcome::not_eligible;
  localized message;
};

struct question {
  std::string name;
  question_type type = question_type::note;
  localized label;
  localized hint;
  std::vector<choice> choices;
  bool required = false;
  expression relevant;
  expression constraint;
  localized constraint_message;
  bool randomize = false;
  std::vector<screen_out> screen_outs;
  localized export_label;  // the short variable label of exports; empty: the label is used
  question_measure measure = question_measure::unspecified;
  int max_length = 0;  // free text: the longest answer in bytes; 0: no limit (exports: 255 wide)
  // Set at load: the question whose choice names this one as its `specify` follow-up, and that code.
  std::string specify_of;
  std::int64_t specify_code = 0;

  const choice* find_choice(std::int64_t code) const;
  bool has_choices() const { return type == question_type::single || type == question_type::multiple; }
};

struct frame_code {
  std::string value;
  localized label;
};

struct frame_variable {
  std::string name;
  variable_type type = variable_type::text;
  bool contact_data = false;
  bool optional = false;
  std::vector<frame_code> codes;
  localized label;
};

struct quota_cell {
  std::vector<std::string> values;  // one per quota variable
  int target = 0;
  cell_policy policy = cell_policy::normal;
  std::string label;
};

struct quota {
  std::string name;
  std::vector<std::string> variables;
  std::vector<quota_cell> cells;
  localized label;
};

struct calling_period {
  std::vector<int> weekdays;  // 1 = Monday .. 7 = Sunday
  int from_minute = 0;        // minutes after local midnight
  int to_minute = 0;
  std::string name;
};

struct call_rule {
  outcome result = outcome::unspecified;
  int retry_after_minutes = 0;
  int consecutive_per_attempt = 1;
  bool other_day_part = false;
  int max_per_case = 0;
  bool final = false;
  bool by_supervisor_choice = false;
};

struct call_rules {
  std::vector<call_rule> rules;
  int max_attempts = 8;
  int min_days = 3;
  bool both_day_parts = true;
  int missed_appointment_retry_minutes = 30;
  int appointment_grace_minutes = 15;
  int case_lock_minutes = 30;
  const call_rule* find(outcome o) const;
};

struct questionnaire {
  std::string id;
  std::string title;
  std::string version;
  std::vector<std::string> languages;
  std::string default_language;
  std::string time_zone;
  std::string start_date;  // YYYY-MM-DD, local
  std::string end_date;    // inclusive
  std::vector<calling_period> calling_hours;
  call_rules rules;
  int target_completes = 0;
  std::vector<frame_variable> frame;
  std::vector<question> questions;
  std::vector<quota> quotas;
  std::string quota_check_after;
  // A break-off past this question is a partial interview (AAPOR 1.2); "" = none is.
  std::string partial_after;

  const question* find_question(std::string_view name) const;
  std::optional<std::size_t> question_index(std::string_view name) const;
  const frame_variable* find_frame(std::string_view name) const;
};

}  // namespace cati::core
