#include "schema/lint.hpp"

#include "core/quota/margins.hpp"

#include <date/tz.h>

#include <map>
#include <set>
#include <sstream>

#include "core/expr/expression.hpp"
#include "schema/mapping.hpp"

namespace cati::schema {

namespace v1 = cati::v1;
using core::expr_type;
using core::name_info;

namespace {

// What an expression may refer to at a given point of the questionnaire.
struct known_name {
  name_info info;
  int question_index = -1;  // -1: a frame variable, known before the interview starts
  bool is_note = false;
};

class linter {
 public:
  linter(const v1::Questionnaire& q, const source_node& root, const source_text& src, const std::string& file,
         std::vector<diagnostic>& out)
      : q_(q), root_(root), src_(src), file_(file), out_(out) {}

  void run() {
    check_header();
    check_fieldwork();
    check_call_rules();
    check_frame();
    check_choice_lists();
    collect_questions();
    check_questions();
    check_quotas();
  }

 private:
  void error(position p, std::string message) {
    out_.push_back({file_, p.line, p.column, std::move(message), false});
  }
  void warn(position p, std::string message) {
    out_.push_back({file_, p.line, p.column, std::move(message), true});
  }

  // --- header -------------------------------------------------------------------------------------
  void check_header() {
    if (q_.id().empty()) error(root_.where(), "the study has no id");
    if (q_.version().empty()) error(root_.where(), "the study has no version (it is stamped into every interview)");
    if (q_.languages().empty()) error(root_.where(), "the study names no languages");
    // Without questions every interview would end at once as a complete with no data.
    if (q_.questions().empty()) error(root_.where(), "the study has no questions");
    std::set<std::string> seen;
    for (int i = 0; i < q_.languages_size(); ++i)
      if (!seen.insert(q_.languages(i)).second)
        error(root_.at("languages", i), "language '" + q_.languages(i) + "' is listed twice");
    if (!q_.default_language().empty() && !seen.count(q_.default_language()))
      error(root_.at("default_language"),
            "default_language '" + q_.default_language() + "' is not one of the study's languages");
    if (q_.time_zone().empty()) {
      error(root_.where(), "the study has no time_zone (calling hours are local time)");
    } else {
      try {
        (void)date::locate_zone(q_.time_zone());
      } catch (const std::exception&) {
        error(root_.at("time_zone"), "unknown time zone '" + q_.time_zone() + "' (expected e.g. Europe/Brussels)");
      }
    }
    if (q_.target_completes() < 0) error(root_.at("target_completes"), "target_completes cannot be negative");
  }

  void check_fieldwork() {
    const auto& fw = q_.fieldwork();
    auto node = root_.child("fieldwork");
    if (!is_valid_date(fw.start_date()))
      error(node.at("start_date"), "start_date '" + fw.start_date() + "' is not a date YYYY-MM-DD");
    if (!is_valid_date(fw.end_date()))
      error(node.at("end_date"), "end_date '" + fw.end_date() + "' is not a date YYYY-MM-DD");
    if (is_valid_date(fw.start_date()) && is_valid_date(fw.end_date()) && fw.end_date() < fw.start_date())
      error(node.at("end_date"), "end_date " + fw.end_date() + " is before start_date " + fw.start_date());
    if (fw.calling_hours().empty()) error(node.where(), "the fieldwork has no calling_hours");
    for (int i = 0; i < fw.calling_hours_size(); ++i) {
      const auto& p = fw.calling_hours(i);
      auto pn = node.child("calling_hours", i);
      int from = parse_clock_time(p.from()), to = parse_clock_time(p.to());
      if (from < 0) error(pn.at("from"), "from '" + p.from() + "' is not a time HH:MM");
      if (to < 0) error(pn.at("to"), "to '" + p.to() + "' is not a time HH:MM");
      if (from >= 0 && to >= 0 && to <= from) error(pn.at("to"), "calling period ends before it starts");
      if (p.days().empty()) error(pn.where(), "calling period has no days");
      for (int d = 0; d < p.days_size(); ++d)
        if (p.days(d) == v1::WEEKDAY_UNSPECIFIED) error(pn.at("days", d), "calling period day is not set");
    }
  }

  void check_call_rules() {
    auto node = root_.child("call_rules");
    std::set<int> seen;
    const auto& cr = q_.call_rules();
    for (int i = 0; i < cr.rules_size(); ++i) {
      const auto& r = cr.rules(i);
      auto rn = node.child("rules", i);
      if (r.outcome() == v1::OUTCOME_UNSPECIFIED) error(rn.where(), "call rule has no outcome");
      else if (!seen.insert(r.outcome()).second)
        error(rn.at("outcome"), "a second call rule for outcome " + v1::Outcome_Name(r.outcome()));
      if (r.retry_after_minutes() < 0) error(rn.at("retry_after_minutes"), "retry_after_minutes cannot be negative");
      if (r.final() && r.retry_after_minutes() > 0)
        error(rn.at("retry_after_minutes"), "a final outcome is never retried: drop retry_after_minutes");
    }
    if (cr.max_attempts() < 0) error(node.at("max_attempts"), "max_attempts cannot be negative");
  }

  // --- translations -------------------------------------------------------------------------------
  template <class Repeated>
  void check_translations(const Repeated& texts, const source_node& owner, std::string_view field,
                          const std::string& what, bool needed) {
    std::set<std::string> have;
    for (int i = 0; i < texts.size(); ++i) {
      const auto& t = texts.Get(i);
      if (!is_language(t.lang()))
        error(owner.at(field, i), what + " in '" + t.lang() + "', which is not a language of the study");
      else if (!have.insert(t.lang()).second)
        error(owner.at(field, i), what + " has two texts in '" + t.lang() + "'");
      else if (t.text().empty())
        error(owner.at(field, i), what + " in '" + t.lang() + "' is empty");
    }
    if (!needed && texts.empty()) return;
    for (const auto& lang : q_.languages())
      if (!have.count(lang))
        error(texts.empty() ? owner.where() : owner.at(field, 0), what + " has no '" + lang + "' translation");
  }

  bool is_language(const std::string& lang) const {
    for (const auto& l : q_.languages())
      if (l == lang) return true;
    return false;
  }

  // --- frame --------------------------------------------------------------------------------------
  void check_frame() {
    for (int i = 0; i < q_.frame_size(); ++i) {
      const auto& f = q_.frame(i);
      auto fn = root_.child("frame", i);
      if (!check_name(f.name(), fn)) continue;
      if (f.type() == v1::VARIABLE_TYPE_UNSPECIFIED) error(fn.where(), "frame variable '" + f.name() + "' has no type");
      if (f.type() == v1::CODE && f.codes().empty())
        error(fn.where(), "frame variable '" + f.name() + "' is a CODE without codes");
      std::set<std::string> codes;
      for (int c = 0; c < f.codes_size(); ++c) {
        auto cn = fn.child("codes", c);
        if (!codes.insert(f.codes(c).value()).second)
          error(cn.at("value"), "code '" + f.codes(c).value() + "' of '" + f.name() + "' is listed twice");
        check_translations(f.codes(c).label(), cn, "label", "label of " + f.name() + "=" + f.codes(c).value(), false);
      }
      name_info info;
      info.type = f.type() == v1::INTEGER ? expr_type::number : expr_type::text;
      names_[f.name()] = {info, -1, false};
      frame_codes_[f.name()] = codes;
      if (f.type() == v1::LANGUAGE)
        frame_codes_[f.name()] = std::set<std::string>(q_.languages().begin(), q_.languages().end());
      frame_types_[f.name()] = f.type();
    }
  }

  // A name must look like a variable and be unique among frame variables and questions.
  bool check_name(const std::string& name, const source_node& node) {
    if (name.empty()) {
      error(node.where(), "missing name");
      return false;
    }
    bool ok = (name[0] >= 'a' && name[0] <= 'z') && name.size() <= 32;
    for (char c : name) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    if (!ok) error(node.at("name"), "name '" + name + "' must be lower-case letters, digits and _, start with a letter, at most 32 characters");
    if (auto it = name_pos_.find(name); it != name_pos_.end()) {
      error(node.at("name"), "duplicate name '" + name + "' (first defined at line " +
                                 std::to_string(it->second.line) + ")");
      return false;
    }
    name_pos_[name] = node.at("name");
    return true;
  }

  // --- choices ------------------------------------------------------------------------------------
  void check_choice_lists() {
    for (int i = 0; i < q_.choice_lists_size(); ++i) {
      const auto& list = q_.choice_lists(i);
      auto ln = root_.child("choice_lists", i);
      if (!lists_.emplace(list.name(), i).second)
        error(ln.at("name"), "duplicate choice list '" + list.name() + "'");
      check_choices(list.choices(), ln, "choice list " + list.name());
    }
  }

  template <class Repeated>
  void check_choices(const Repeated& choices, const source_node& owner, const std::string& what) {
    std::set<std::int64_t> codes;
    for (int c = 0; c < choices.size(); ++c) {
      const auto& ch = choices.Get(c);
      auto cn = owner.child("choices", c);
      if (!codes.insert(ch.code()).second)
        error(cn.at("code"), "code " + std::to_string(ch.code()) + " appears twice in " + what);
      check_translations(ch.label(), cn, "label", "label of choice " + std::to_string(ch.code()) + " in " + what, true);
    }
  }

  // The choices a question ends up with (inline or from its list).
  const google::protobuf::RepeatedPtrField<v1::Choice>* choices_of(const v1::Question& qu) const {
    if (qu.choice_list().empty()) return &qu.choices();
    auto it = lists_.find(qu.choice_list());
    return it == lists_.end() ? nullptr : &q_.choice_lists(it->second).choices();
  }

  // --- questions ----------------------------------------------------------------------------------
  // First pass: every question's name and type, so references to later questions can say so.
  void collect_questions() {
    for (int i = 0; i < q_.questions_size(); ++i) {
      const auto& qu = q_.questions(i);
      auto qn = root_.child("questions", i);
      if (!check_name(qu.name(), qn)) continue;
      known_name k;
      k.question_index = i;
      switch (qu.type()) {
        case v1::SINGLE: k.info.type = expr_type::number; k.info.single_choice = true; break;
        case v1::MULTIPLE: k.info.type = expr_type::selection; break;
        case v1::INTEGER_NUMBER:
        case v1::DECIMAL_NUMBER: k.info.type = expr_type::number; break;
        case v1::FREE_TEXT: k.info.type = expr_type::text; break;
        case v1::NOTE: k.is_note = true; break;
        default: break;
      }
      if (const auto* ch = choices_of(qu))
        for (const auto& c : *ch) k.info.codes.push_back(c.code());
      names_[qu.name()] = k;
    }
  }

  void check_questions() {
    for (int i = 0; i < q_.questions_size(); ++i) {
      const auto& qu = q_.questions(i);
      auto qn = root_.child("questions", i);
      const std::string what = "question " + qu.name();
      if (qu.type() == v1::QUESTION_TYPE_UNSPECIFIED) error(qn.where(), what + " has no type");
      check_translations(qu.label(), qn, "label", "label of " + qu.name(), true);
      check_translations(qu.hint(), qn, "hint", "hint of " + qu.name(), false);
      check_translations(qu.constraint_message(), qn, "constraint_message", "constraint_message of " + qu.name(), false);
      check_fills(qu.label(), qn, "label", i);
      check_export_label(qu, qn, what);

      bool has_choices = qu.type() == v1::SINGLE || qu.type() == v1::MULTIPLE;
      if (!qu.choice_list().empty() && !qu.choices().empty())
        error(qn.at("choice_list"), what + " has both choices and a choice_list: keep one");
      if (!qu.choice_list().empty() && !lists_.count(qu.choice_list()))
        error(qn.at("choice_list"), what + " uses unknown choice list '" + qu.choice_list() + "'");
      if (has_choices && qu.choices().empty() && qu.choice_list().empty())
        error(qn.where(), what + " is a choice question without choices");
      if (!has_choices && (!qu.choices().empty() || !qu.choice_list().empty()))
        error(qn.at(qu.choices().empty() ? "choice_list" : "choices", 0), what + " is not a choice question but has choices");
      if (qu.randomize() && !has_choices) error(qn.at("randomize"), what + ": only choices can be randomised");
      if (qu.type() == v1::NOTE && qu.required()) error(qn.at("required"), what + " is a note: it cannot be required");
      check_choices(qu.choices(), qn, what);
      check_specify(qu, qn, i);

      check_expression(qu.relevant(), qn, "relevant", i, expr_type::unknown);
      if (!qu.constraint().empty()) {
        if (qu.type() == v1::NOTE) error(qn.at("constraint"), what + " is a note: it has no answer to constrain");
        check_expression(qu.constraint(), qn, "constraint", i, names_[qu.name()].info.type);
      }
      for (int s = 0; s < qu.screen_out_size(); ++s) {
        const auto& so = qu.screen_out(s);
        auto sn = qn.child("screen_out", s);
        // A screen-out is judged right after its own question is answered: it may use that answer.
        check_expression(so.condition(), sn, "condition", i + 1, expr_type::unknown);
        if (so.condition().empty()) error(sn.where(), what + ": screen_out without a condition");
        if (so.outcome() == v1::OUTCOME_UNSPECIFIED) error(sn.where(), what + ": screen_out without an outcome");
        check_translations(so.message(), sn, "message", "screen_out message of " + qu.name(), false);
      }
    }
    if (!q_.partial_after().empty()) {
      auto it = names_.find(q_.partial_after());
      if (it == names_.end() || it->second.question_index < 0 || it->second.is_note)
        error(root_.at("partial_after"), "partial_after names unknown question '" + q_.partial_after() +
                                             "' (it must be a question with an answer, not a note)");
    }
    if (!q_.quota_check_after().empty()) {
      auto it = names_.find(q_.quota_check_after());
      if (it == names_.end() || it->second.question_index < 0)
        error(root_.at("quota_check_after"), "quota_check_after names unknown question '" + q_.quota_check_after() + "'");
    }
  }

  // The export's variable label: SPSS keeps 256 bytes of a variable label and cuts the rest silently,
  // so a longer one is refused; over 120 bytes it no longer fits the column of most tabulation tools.
  // Missing, the export falls back on the question text, which is long and has unfilled ${...}.
  void check_export_label(const v1::Question& qu, const source_node& qn, const std::string& what) {
    if (qu.type() == v1::NOTE) {
      if (!qu.export_label().empty()) error(qn.at("export_label", 0), what + " is a note: it is not exported");
      if (qu.measure() != v1::MEASURE_UNSPECIFIED) error(qn.at("measure"), what + " is a note: it has no measure");
      return;
    }
    check_translations(qu.export_label(), qn, "export_label", "export_label of " + qu.name(), false);
    if (qu.export_label().empty())
      warn(qn.where(), what + " has no export_label: exports use the question text as the variable label");
    for (int i = 0; i < qu.export_label_size(); ++i) {
      const auto& t = qu.export_label(i);
      if (t.text().size() > 256)
        error(qn.at("export_label", i), "export_label of " + qu.name() + " in '" + t.lang() + "' is " +
                                            std::to_string(t.text().size()) + " bytes: SPSS keeps at most 256");
      else if (t.text().size() > 120)
        warn(qn.at("export_label", i), "export_label of " + qu.name() + " in '" + t.lang() + "' is " +
                                           std::to_string(t.text().size()) + " bytes: keep it under 120");
      if (t.text().find("${") != std::string::npos)
        error(qn.at("export_label", i), "export_label of " + qu.name() + " has a fill: it labels every respondent");
    }
    const bool numeric = qu.type() == v1::INTEGER_NUMBER || qu.type() == v1::DECIMAL_NUMBER;
    if (qu.max_length() != 0 && qu.type() != v1::FREE_TEXT)
      error(qn.at("max_length"), what + " is not free text: max_length is the length of a text answer");
    else if (qu.max_length() < 0 || qu.max_length() > 2045)
      error(qn.at("max_length"), what + ": max_length " + std::to_string(qu.max_length()) +
                                     " is outside 1..2045 (Stata's longest text variable)");
    if (qu.measure() != v1::MEASURE_UNSPECIFIED && qu.type() == v1::FREE_TEXT)
      error(qn.at("measure"), what + " is free text: it has no measure");
    if (qu.measure() == v1::SCALE && !numeric)
      error(qn.at("measure"), what + ": only numbers are SCALE; ordered choices are ORDINAL");
    if (qu.measure() == v1::ORDINAL && qu.type() == v1::MULTIPLE)
      error(qn.at("measure"), what + ": a multiple choice is a set of yes/no variables, not ordinal");
  }

  void check_specify(const v1::Question& qu, const source_node& qn, int index) {
    for (int c = 0; c < qu.choices_size(); ++c) {
      const auto& spec = qu.choices(c).specify();
      if (spec.empty()) continue;
      auto at = qn.child("choices", c).at("specify");
      auto it = names_.find(spec);
      if (it == names_.end() || it->second.question_index < 0) {
        error(at, "specify names unknown question '" + spec + "'");
      } else if (it->second.question_index <= index) {
        error(at, "specify follow-up '" + spec + "' must come after " + qu.name());
      } else if (q_.questions(it->second.question_index).type() != v1::FREE_TEXT) {
        error(at, "specify follow-up '" + spec + "' must be a FREE_TEXT question");
      }
    }
  }

  // `${name}` fills in labels: the name must exist and be known by the time the text is shown.
  template <class Repeated>
  void check_fills(const Repeated& texts, const source_node& owner, std::string_view field, int index) {
    for (int t = 0; t < texts.size(); ++t) {
      const std::string& s = texts.Get(t).text();
      for (std::size_t p = s.find("${"); p != std::string::npos; p = s.find("${", p + 2)) {
        auto end = s.find('}', p);
        // From the `text` field of the t-th translation: from the translation's start, the first string
        // would be its `lang`, and a label split over lines would point at the wrong one.
        auto where = src_.in_string_value(owner.child(field, t).at("text"), p);
        if (end == std::string::npos) {
          error(where, "unclosed fill '${' in " + std::string(field));
          break;
        }
        check_reference(s.substr(p + 2, end - p - 2), index, where, "fill");
      }
    }
  }

  void check_reference(const std::string& name, int index, position where, const std::string& what) {
    auto it = names_.find(name);
    if (it == names_.end()) {
      error(where, what + " refers to unknown name ${" + name + "}");
    } else if (it->second.question_index >= index) {
      error(where, what + " refers to ${" + name + "}, which is asked later (or is this question itself)");
    } else if (it->second.is_note) {
      error(where, what + " refers to ${" + name + "}, a note, which has no answer");
    }
  }

  // Parses and type-checks an expression in field `field` of `owner`; names must be asked before
  // question `index` (frame variables always are).
  void check_expression(const std::string& text, const source_node& owner, std::string_view field, int index,
                        expr_type current) {
    if (text.empty()) return;
    auto start = owner.at(field);
    auto parsed = core::expression::parse(text);
    if (!parsed) {
      error(src_.in_string_value(start, parsed.err().offset), "in " + std::string(field) + ": " + parsed.err().message);
      return;
    }
    // References first, each once, then types (check() skips what lookup() does not know).
    std::set<std::string> bad;
    for (const auto& name : parsed->references()) {
      auto before = out_.size();
      auto off = text.find("${" + name + "}");
      check_reference(name, index, src_.in_string_value(start, off == std::string::npos ? 0 : off), std::string(field));
      if (out_.size() != before) bad.insert(name);
    }
    if (parsed->uses_current() && current == expr_type::unknown)
      error(start, "'.' (the current answer) can only be used in a constraint");
    auto lookup = [&](std::string_view name) -> const name_info* {
      auto it = names_.find(std::string(name));
      if (it == names_.end() || bad.count(it->first)) return nullptr;
      return &it->second.info;
    };
    for (const auto& e : parsed->check(lookup, current)) {
      if (e.message.find("unknown name") != std::string::npos) continue;  // reported above
      error(src_.in_string_value(start, e.offset), "in " + std::string(field) + ": " + e.message);
    }
  }

  // --- quotas -------------------------------------------------------------------------------------
  void check_quotas() {
    std::set<std::string> quota_names;
    int check_after = -1;
    if (auto it = names_.find(q_.quota_check_after()); it != names_.end()) check_after = it->second.question_index;
    for (int i = 0; i < q_.quotas_size(); ++i) {
      const auto& quota = q_.quotas(i);
      auto node = root_.child("quotas", i);
      const std::string what = "quota '" + quota.name() + "'";
      if (quota.name().empty()) error(node.where(), "quota without a name");
      else if (!quota_names.insert(quota.name()).second) error(node.at("name"), "duplicate quota '" + quota.name() + "'");
      if (quota.variables().empty()) error(node.where(), what + " has no variables");
      check_translations(quota.label(), node, "label", "label of " + what, false);

      // What each variable's valid values are.
      std::vector<std::set<std::string>> valid(static_cast<std::size_t>(quota.variables_size()));
      bool vars_ok = true;
      for (int v = 0; v < quota.variables_size(); ++v) {
        const auto& var = quota.variables(v);
        auto at = node.at("variables", v);
        auto& codes = valid[static_cast<std::size_t>(v)];
        if (auto f = frame_codes_.find(var); f != frame_codes_.end()) {
          if (frame_types_[var] != v1::CODE && frame_types_[var] != v1::LANGUAGE) {
            error(at, what + ": frame variable '" + var + "' is not a CODE or LANGUAGE variable");
            vars_ok = false;
          }
          codes = f->second;
          continue;
        }
        auto it = names_.find(var);
        if (it == names_.end() || it->second.question_index < 0) {
          error(at, what + " is on unknown variable '" + var + "'");
          vars_ok = false;
          continue;
        }
        if (!it->second.info.single_choice) {
          error(at, what + ": question '" + var + "' is not a single-choice question");
          vars_ok = false;
        }
        if (q_.quota_check_after().empty())
          error(at, what + " uses question '" + var + "': set quota_check_after to the question after which it is known");
        else if (check_after >= 0 && it->second.question_index > check_after)
          error(at, what + ": question '" + var + "' is asked after quota_check_after '" + q_.quota_check_after() + "'");
        for (auto c : it->second.info.codes) codes.insert(std::to_string(c));
      }

      std::set<std::vector<std::string>> cells;
      long long sum = 0;
      bool all_targeted = true;
      for (int c = 0; c < quota.cells_size(); ++c) {
        const auto& cell = quota.cells(c);
        auto cn = node.child("cells", c);
        std::vector<std::string> key(cell.values().begin(), cell.values().end());
        if (cell.values_size() != quota.variables_size()) {
          error(cn.where(), what + ": a cell needs " + std::to_string(quota.variables_size()) + " value(s), one per variable; it has " +
                                std::to_string(cell.values_size()));
          continue;
        }
        if (!cells.insert(key).second) error(cn.where(), what + ": the same cell is defined twice");
        for (int v = 0; vars_ok && v < cell.values_size(); ++v)
          if (!valid[static_cast<std::size_t>(v)].count(cell.values(v)))
            error(cn.at("values", v), what + ": '" + cell.values(v) + "' is not a code of " + quota.variables(v));
        if (cell.policy() == v1::COUNT_ONLY) {
          all_targeted = false;
        } else if (cell.target() <= 0) {
          error(cn.at("target"), what + ": a cell with a target policy needs a target above 0");
        }
        sum += cell.target();
      }
      if (quota.cells().empty()) error(node.where(), what + " has no cells");
      // Margins must agree with the study's size, or the quotas cannot all be met at once.
      if (all_targeted && !quota.cells().empty())
        if (auto why = core::margin_problem(sum, q_.target_completes()))
          error(node.where(), what + ": " + *why + ": make the margins agree (round the shares so that they add up)");
    }
  }

  const v1::Questionnaire& q_;
  const source_node& root_;
  const source_text& src_;
  const std::string& file_;
  std::vector<diagnostic>& out_;
  std::map<std::string, known_name, std::less<>> names_;
  std::map<std::string, position> name_pos_;
  std::map<std::string, int> lists_;
  std::map<std::string, std::set<std::string>> frame_codes_;
  std::map<std::string, v1::VariableType> frame_types_;
};

}  // namespace

void lint_questionnaire(const v1::Questionnaire& q, const source_node& root, const source_text& src,
                        const std::string& file, std::vector<diagnostic>& out) {
  linter(q, root, src, file, out).run();
}

}  // namespace cati::schema
