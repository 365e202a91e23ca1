// The research export as data: the variables of a study's dataset (names, labels, value labels, missing
// codes, measure levels, formats) and one row per respondent, built from the questionnaire and the
// stored interviews. The writers (SPSS, Stata, CSV with a codebook; tools/cati/export_*) only lay this
// out in their format, so every format carries the same variables and values.
//
// Variables, in order:
//   respondent_id, questionnaire_version, interviewer_id (a pseudonym code, labelled INT07: the user id
//   of the interviewer whose call ended the interview, as `cati report --by interviewer` credits it),
//   interview_language (the language it ended in), start_language (the one it started in: they differ when
//   a takeover or a resumption went on in another language; "" for interviews stored before it was kept),
//   start_time, end_time, duration (active minutes: suspensions left out),
//   elapsed (end minus start, suspensions included), attempts (calls to the firm up to the end),
//   resumed (1 when the interview was suspended and taken up again)
//   [partial]                                  with include_partials: 1 for a partial interview (a
//                                              break-off past the study's partial_after, AAPOR 1.2)
//   [firm_id and the contact frame variables]  only with include_contact
//   the research frame variables               a coded frame variable is numbered 1..n in frame order
//   per question (notes have none):
//     single choice   one numeric variable, the choice code
//     multiple choice `<q>` a text variable of the codes picked ("1 3"), and `<q>_<code>` 0/1 per choice,
//                     grouped as the multiple-response set `<q>`
//     randomised      also `<q>_order`: the choice codes in the order they were read out (paradata)
//     integer/decimal one numeric variable; text: one text variable (other-specify text included)
//   [weight]                                   with weights
// Variable labels are the question's export_label (else its text, fills shown as [company]); a label
// longer than SPSS's 256 bytes is cut on a character boundary and export_dataset::warnings says so.
// Measures: the question's `measure`, else nominal for choices and scale for numbers. Text widths come
// from the schema (codes of a multiple choice, the study's languages, 255 for free text), so the exports
// of two waves declare the same widths; a longer value widens its variable and is warned about.
// Three kinds of "no answer" are kept apart in every numeric question variable: not asked (the question
// was not on the respondent's route: code -1), asked but no answer (-2), and a choice marked missing in
// the questionnaire (don't know, 98): all three are declared missing values (SPSS user-missing; the
// Stata writer maps them to .a, .b and .c on). Text variables hold "" for the first two.
//
// Pure: no I/O. Thread-safe to call.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/ports/clock.hpp"
#include "core/calling/outcome.hpp"
#include "core/questionnaire/questionnaire.hpp"
#include "core/util/result.hpp"

namespace cati::core {

enum class measure_level { nominal, ordinal, scale };
enum class storage_type { number, text };
enum class display_format { integer, decimal, datetime, text };

// Why a question variable has no value in a row.
enum class absence { none, not_asked, no_answer };
inline constexpr double not_asked_code = -1;
inline constexpr double no_answer_code = -2;

struct value_label {
  double code = 0;
  std::string label;
};

enum class variable_group { meta, contact, frame, question, weight };

struct export_variable {
  std::string name;   // ^[a-z][a-z0-9_]{0,31}$, not an SPSS reserved word
  std::string label;  // in the export's language
  storage_type type = storage_type::number;
  display_format format = display_format::integer;
  measure_level measure = measure_level::nominal;
  int width = 8;      // numbers: display width; text: the longest value in UTF-8 bytes (set by build_dataset)
  int decimals = 0;
  std::vector<value_label> values;      // value labels, codes ascending; missing codes included
  std::vector<double> missing_choices;  // codes of choices marked missing (don't know), ascending
  bool has_absence = false;  // a question variable: may be not asked (-1) or asked without answer (-2)
  variable_group group = variable_group::meta;
  std::string question;  // the question it comes from; "" for others
  std::string text;      // the question's full text (fills as [name]) for the codebook; "" for others
  std::string base;      // who it applies to, for the codebook: "all respondents", "relevant: <expression>"

  // Every code declared missing: -2, -1 (when has_absence) and the missing choices, ascending.
  std::vector<double> missing_codes() const;
};

struct export_cell {
  absence why = absence::none;   // not_asked / no_answer: no value (numbers read as the codes above)
  std::optional<double> number;  // numeric variables; nullopt and why == none: system-missing
  std::string text;              // text variables

  // The value of a numeric cell, absences as their codes; nullopt for system-missing.
  std::optional<double> numeric() const;
};

// A multiple-choice question's dichotomies, for SPSS's MRSETS and the codebook.
struct response_set {
  std::string name;   // the question's name
  std::string label;
  std::vector<std::string> variables;  // `<q>_<code>` in choice order
};

struct export_dataset {
  std::string label;  // "ai_barometer_2025 2025.1"
  std::vector<export_variable> variables;
  std::vector<std::vector<export_cell>> rows;  // each has variables.size() cells
  std::vector<response_set> sets;
  // What a reader must know and the writers cannot say in a variable: labels cut, widths widened. The
  // caller prints them; the codebook lists them.
  std::vector<std::string> warnings;
  // Free text for the codebook and the .sav's documents: the weight's documentation, the partial rule.
  std::vector<std::string> notes;

  std::optional<std::size_t> find(std::string_view name) const;
};

struct export_settings {
  std::string lang;               // labels in this language (else the study's default)
  bool include_contact = false;   // firm id and contact frame variables
  bool include_partials = false;  // broken-off interviews too, with a `partial` flag
  bool weights = false;           // a `weight` variable (export_respondent::weight)
};

// One interview as stored, with what the export needs of its case.
struct export_respondent {
  std::int64_t interview_id = 0;
  std::string respondent_id;
  std::string questionnaire_version;
  std::int64_t interviewer_id = 0;
  std::string language;        // the language the interview ended in (the last owner's)
  std::string start_language;  // the language it started in; "" when stored before schema version 7
  time_point started_at{};
  std::optional<time_point> ended_at;
  std::optional<outcome> final_state;  // nullopt: still open
  // The interview's last call broke it off (it stays open, to be resumed) and it had reached the study's
  // partial point (questionnaire::partial_after): a partial interview, AAPOR 1.2.
  bool partial = false;
  double active_minutes = 0;  // time spent in the interview, suspensions left out
  int attempts = 0;           // calls to the firm up to the interview's end
  bool resumed = false;       // suspended (break-off, callback, appointment) and taken up again
  std::uint64_t seed = 0;     // the interview's seed: the order its randomised choices were read in
  std::string firm_id;
  std::map<std::string, std::string, std::less<>> frame;    // research frame values
  std::map<std::string, std::string, std::less<>> contact;  // contact frame values ("phone": "a;b")
  // Current answers: question -> value in value::to_string() form, nullopt when asked and left
  // unanswered. A question absent from the map was not asked (not on the route).
  std::map<std::string, std::optional<std::string>, std::less<>> answers;
  std::optional<double> weight;
};

// The interviews an export has rows for: per respondent, its complete interview (the latest, should
// there be more), else, with include_partials, its latest partial one (export_respondent::partial). Open
// interviews and those that ended otherwise (screened out, over quota, a break-off before the partial
// point) are left out. Ordered by respondent id.
std::vector<export_respondent> select_respondents(std::vector<export_respondent> interviews, bool include_partials);

// The variables of the study's dataset. Refused, naming the variable, when a name does not fit the
// rule above or two variables would share a name (a question called `weight`, say).
result<std::vector<export_variable>> export_variables(const questionnaire& study, const export_settings& settings);

// The whole dataset. Refused with a message naming the respondent and question for a stored value the
// questionnaire cannot read (a code that is not a choice, a number that is not one).
result<export_dataset> build_dataset(const questionnaire& study, const export_settings& settings,
                                     std::span<const export_respondent> respondents);

// The respondent's values for the variables of the study's quotas (frame codes as in the frame, answer
// codes as text), as quota_book::cells_for takes them: what places a respondent in a weighting cell.
std::map<std::string, std::string, std::less<>> quota_values_of(
    const questionnaire& study, const std::map<std::string, std::string, std::less<>>& frame,
    const std::map<std::string, std::optional<std::string>, std::less<>>& answers);

// The parts of the dataset the dispositions export shares (export_dispositions.hpp): the contact and
// research frame variables, and a case's cells for them. `who` names the row in messages.
std::vector<export_variable> frame_variables(const questionnaire& study, const export_settings& settings);
result<std::vector<export_cell>> frame_cells(const questionnaire& study, const export_settings& settings,
                                             const std::string& firm_id,
                                             const std::map<std::string, std::string, std::less<>>& frame,
                                             const std::map<std::string, std::string, std::less<>>& contact,
                                             const std::string& who);
// Checks names (the rule above) and that none repeats.
status<> check_names(std::span<const export_variable> variables);
// Widens a text variable whose values are longer than its declared width (and warns), and gives the
// width of the data to those declared 0 (no schema width).
void fit_text_widths(export_dataset& data);
// SPSS keeps 256 bytes of a variable label.
inline constexpr std::size_t max_variable_label_bytes = 256;
// A question's variable label in `lang`: its export_label, else its text with fills as [name].
std::string question_variable_label(const questionnaire& study, const question& q, std::string_view lang);
// A label in `lang` from the export's own small dictionary (meta variables, absence codes): "not_asked",
// "no_answer", ... Unknown languages get English.
std::string builtin_label(std::string_view key, std::string_view lang);

// "INT07": the label an interviewer's code (their user id) carries in every export.
std::string interviewer_pseudonym(std::int64_t id);

// The longest prefix of `text` that is at most `max_bytes` long and ends on a UTF-8 character boundary.
std::string utf8_prefix(std::string_view text, std::size_t max_bytes);

}  // namespace cati::core
