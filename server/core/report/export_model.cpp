#include "core/report/export_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "core/expr/value.hpp"
#include "core/questionnaire/choice_order.hpp"

namespace cati::core {
namespace {

struct builtin {
  std::string_view key, en, nl, fr;
};
// The export's own words: meta variables and the codes every question variable shares.
constexpr std::array<builtin, 23> builtins = {{
    {"respondent_id", "Respondent id", "Respondentnummer", "Identifiant du répondant"},
    {"questionnaire_version", "Questionnaire version", "Versie van de vragenlijst", "Version du questionnaire"},
    {"interviewer_id", "Interviewer (pseudonym)", "Interviewer (pseudoniem)", "Enquêteur (pseudonyme)"},
    {"interview_language", "Language the interview ended in", "Taal waarin het interview eindigde",
     "Langue de fin de l'entretien"},
    {"start_language", "Language the interview started in", "Taal waarin het interview begon",
     "Langue de début de l'entretien"},
    {"start_time", "Start of the interview (UTC)", "Begin van het interview (UTC)", "Début de l'entretien (UTC)"},
    {"end_time", "End of the interview (UTC)", "Einde van het interview (UTC)", "Fin de l'entretien (UTC)"},
    {"duration", "Active duration (minutes, suspensions left out)", "Actieve duur (minuten, zonder onderbrekingen)",
     "Durée active (minutes, hors interruptions)"},
    {"elapsed", "Elapsed time from start to end (minutes)", "Verstreken tijd van begin tot einde (minuten)",
     "Temps écoulé du début à la fin (minutes)"},
    {"attempts", "Call attempts to the firm", "Belpogingen naar het bedrijf", "Tentatives d'appel à l'entreprise"},
    {"resumed", "Interview suspended and resumed", "Interview onderbroken en hervat", "Entretien interrompu et repris"},
    {"resumed_0", "no", "nee", "non"},
    {"resumed_1", "yes", "ja", "oui"},
    {"partial", "Partial interview (broken off)", "Onvolledig interview (afgebroken)", "Entretien partiel (interrompu)"},
    {"partial_0", "complete", "volledig", "complet"},
    {"partial_1", "partial", "onvolledig", "partiel"},
    {"firm_id", "Firm id (sample)", "Bedrijfsnummer (steekproef)", "Identifiant de l'entreprise (échantillon)"},
    {"weight", "Raking weight (quota margins), mean 1", "Weegfactor (raking op de quotamarges), gemiddelde 1",
     "Pondération (calage sur les marges des quotas), moyenne 1"},
    {"not_asked", "not asked", "niet gevraagd", "non posée"},
    {"no_answer", "no answer", "geen antwoord", "sans réponse"},
    {"selected_0", "not selected", "niet gekozen", "non cité"},
    {"selected_1", "selected", "gekozen", "cité"},
}};

constexpr std::array<std::string_view, 13> spss_reserved = {"all", "and", "by", "eq", "ge", "gt", "le",
                                                              "lt", "ne", "not", "or", "to", "with"};

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 32 || name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return std::find(spss_reserved.begin(), spss_reserved.end(), name) == spss_reserved.end();
}

export_variable number_variable(std::string name, std::string label, variable_group group,
                                display_format format = display_format::integer,
                                measure_level measure = measure_level::scale) {
  export_variable v;
  v.name = std::move(name);
  v.label = std::move(label);
  v.group = group;
  v.format = format;
  v.measure = measure;
  v.width = format == display_format::datetime ? 20 : 8;
  v.decimals = format == display_format::decimal ? 2 : 0;
  return v;
}

export_variable text_variable(std::string name, std::string label, variable_group group) {
  export_variable v;
  v.name = std::move(name);
  v.label = std::move(label);
  v.group = group;
  v.type = storage_type::text;
  v.format = display_format::text;
  v.width = 0;  // no declared width: the data's (fit_text_widths)
  return v;
}

std::string base_of(const question& q) {
  std::string base;
  if (!q.specify_of.empty())
    base = "picked " + std::to_string(q.specify_code) + " in " + q.specify_of;
  if (!q.relevant.is_empty()) base += (base.empty() ? "relevant: " : "; relevant: ") + q.relevant.source();
  return base.empty() ? "all respondents" : base;
}

// A question text with its fills shown as [name]: "${company}" would read as if the fill were missing.
std::string with_fill_names(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto open = text.find("${", i);
    const auto close = open == std::string_view::npos ? std::string_view::npos : text.find('}', open);
    if (close == std::string_view::npos) {
      out += text.substr(i);
      break;
    }
    out += std::string(text.substr(i, open - i)) + "[" + std::string(text.substr(open + 2, close - open - 2)) + "]";
    i = close + 1;
  }
  return out;
}

measure_level measure_of(const question& q) {
  switch (q.measure) {
    case question_measure::nominal: return measure_level::nominal;
    case question_measure::ordinal: return measure_level::ordinal;
    case question_measure::scale: return measure_level::scale;
    case question_measure::unspecified: break;
  }
  return q.has_choices() ? measure_level::nominal : measure_level::scale;
}

// "1 2 3 4 5 6": the longest text of a multiple choice's codes.
int codes_width(const question& q) {
  std::size_t w = 0;
  for (const auto& c : q.choices) w += std::to_string(c.code).size() + (w ? 1 : 0);
  return static_cast<int>(std::max<std::size_t>(w, 1));
}

// A free-text answer is kept to this many bytes in the exports' declared width (wider answers widen it).
constexpr int free_text_width = 255;

// The question's variables, as the header describes them.
void add_question_variables(const questionnaire& study, const question& q, std::string_view lang,
                            std::vector<export_variable>& out, std::vector<response_set>& sets) {
  const std::string label = question_variable_label(study, q, lang);
  const std::string full_text = with_fill_names(q.label.get(lang, study.default_language));
  auto question_var = [&](export_variable v) {
    v.question = q.name;
    v.text = full_text;
    v.base = base_of(q);
    v.group = variable_group::question;
    return v;
  };
  auto absences = [&](export_variable& v) {
    v.has_absence = true;
    v.values.push_back({no_answer_code, builtin_label("no_answer", lang)});
    v.values.push_back({not_asked_code, builtin_label("not_asked", lang)});
  };
  switch (q.type) {
    case question_type::note:
      return;
    case question_type::single: {
      auto v = question_var(number_variable(q.name, label, variable_group::question, display_format::integer,
                                            measure_of(q)));
      absences(v);
      for (const auto& c : q.choices) {
        v.values.push_back({static_cast<double>(c.code), c.label.get(lang, study.default_language)});
        if (c.missing) v.missing_choices.push_back(static_cast<double>(c.code));
      }
      out.push_back(std::move(v));
      return;
    }
    case question_type::multiple: {
      auto codes = question_var(text_variable(q.name, label + " (codes)", variable_group::question));
      codes.width = codes_width(q);
      out.push_back(std::move(codes));
      response_set set{q.name, label, {}};
      for (const auto& c : q.choices) {
        auto v = question_var(number_variable(q.name + "_" + std::to_string(c.code),
                                              label + ": " + c.label.get(lang, study.default_language),
                                              variable_group::question, display_format::integer,
                                              measure_level::nominal));
        absences(v);
        v.values.push_back({0, builtin_label("selected_0", lang)});
        v.values.push_back({1, builtin_label("selected_1", lang)});
        set.variables.push_back(v.name);
        out.push_back(std::move(v));
      }
      sets.push_back(std::move(set));
      return;
    }
    case question_type::integer:
    case question_type::decimal: {
      auto v = question_var(number_variable(
          q.name, label, variable_group::question,
          q.type == question_type::integer ? display_format::integer : display_format::decimal, measure_of(q)));
      absences(v);
      out.push_back(std::move(v));
      return;
    }
    case question_type::text: {
      auto v = question_var(text_variable(q.name, label, variable_group::question));
      v.width = q.max_length > 0 ? q.max_length : free_text_width;
      out.push_back(std::move(v));
      return;
    }
  }
}

// Paradata of a randomised question: the order its choices were read out.
void add_order_variable(const question& q, const std::string& label, std::vector<export_variable>& out) {
  auto v = text_variable(q.name + "_order", label + " (order read, codes)", variable_group::question);
  v.question = q.name;
  v.base = "asked: " + base_of(q);
  v.width = codes_width(q);
  out.push_back(std::move(v));
}

struct study_layout {
  std::vector<export_variable> variables;
  std::vector<response_set> sets;
};

study_layout layout(const questionnaire& study, const export_settings& s) {
  study_layout l;
  auto& v = l.variables;
  const auto& lang = s.lang;
  auto fixed_text = [&](std::string name, int width) {
    auto t = text_variable(name, builtin_label(name, lang), variable_group::meta);
    t.width = width;
    v.push_back(std::move(t));
  };
  std::size_t language_width = 1;
  for (const auto& code : study.languages) language_width = std::max(language_width, code.size());
  fixed_text("respondent_id", 11);  // "R" and ten characters (the fieldwork's random_respondent_id)
  fixed_text("questionnaire_version", std::max(16, static_cast<int>(study.version.size())));
  v.push_back(number_variable("interviewer_id", builtin_label("interviewer_id", lang), variable_group::meta,
                              display_format::integer, measure_level::nominal));
  fixed_text("interview_language", static_cast<int>(language_width));
  fixed_text("start_language", static_cast<int>(language_width));
  v.push_back(number_variable("start_time", builtin_label("start_time", lang), variable_group::meta,
                              display_format::datetime));
  v.push_back(number_variable("end_time", builtin_label("end_time", lang), variable_group::meta,
                              display_format::datetime));
  v.push_back(number_variable("duration", builtin_label("duration", lang), variable_group::meta,
                              display_format::decimal));
  v.push_back(number_variable("elapsed", builtin_label("elapsed", lang), variable_group::meta,
                              display_format::decimal));
  v.push_back(number_variable("attempts", builtin_label("attempts", lang), variable_group::meta));
  {
    auto r = number_variable("resumed", builtin_label("resumed", lang), variable_group::meta, display_format::integer,
                             measure_level::nominal);
    r.values = {{0, builtin_label("resumed_0", lang)}, {1, builtin_label("resumed_1", lang)}};
    v.push_back(std::move(r));
  }
  if (s.include_partials) {
    auto p = number_variable("partial", builtin_label("partial", lang), variable_group::meta,
                             display_format::integer, measure_level::nominal);
    p.values = {{0, builtin_label("partial_0", lang)}, {1, builtin_label("partial_1", lang)}};
    v.push_back(std::move(p));
  }
  for (auto& f : frame_variables(study, s)) v.push_back(std::move(f));
  for (const auto& q : study.questions) {
    add_question_variables(study, q, lang, v, l.sets);
    if (q.randomize && q.has_choices()) add_order_variable(q, question_variable_label(study, q, lang), v);
  }
  if (s.weights) {
    auto w = number_variable("weight", builtin_label("weight", lang), variable_group::weight, display_format::decimal);
    w.decimals = 6;  // the CSV prints what the codebook declares: enough for shares exact to 1e-6
    w.width = 12;
    v.push_back(std::move(w));
  }
  return l;
}

std::string who_of(const export_respondent& r) { return "respondent " + r.respondent_id; }

std::optional<std::int64_t> whole_number(std::string_view text) {
  auto n = parse_number(text);
  if (!n || std::trunc(*n) != *n || std::abs(*n) > 9.0e15) return std::nullopt;
  return static_cast<std::int64_t>(*n);
}

double unix_seconds(time_point t) { return static_cast<double>(t.time_since_epoch().count()) / 1000.0; }

// The cells of question `q` (as many as its variables) for one respondent.
status<> question_cells(const question& q, const export_respondent& r, std::vector<export_cell>& row) {
  if (q.type == question_type::note) return ok;
  const std::size_t count = q.type == question_type::multiple ? q.choices.size() + 1 : 1;
  auto it = r.answers.find(q.name);
  const bool asked = it != r.answers.end();
  if (!asked || !it->second || it->second->empty()) {
    export_cell c;
    c.why = asked ? absence::no_answer : absence::not_asked;
    row.insert(row.end(), count, c);
    return ok;
  }
  const std::string& text = *it->second;
  auto bad = [&](const std::string& what) {
    return error{who_of(r) + ": question " + q.name + ": stored value '" + text + "' " + what};
  };
  switch (q.type) {
    case question_type::single: {
      auto code = whole_number(text);
      if (!code || !q.find_choice(*code)) return bad("is not one of its choice codes");
      row.push_back({absence::none, static_cast<double>(*code), {}});
      return ok;
    }
    case question_type::multiple: {
      std::set<std::int64_t> picked;
      std::istringstream words(text);
      for (std::string w; words >> w;) {
        auto code = whole_number(w);
        if (!code || !q.find_choice(*code)) return bad("has '" + w + "', which is not one of its choice codes");
        picked.insert(*code);
      }
      row.push_back({absence::none, std::nullopt, text});
      for (const auto& c : q.choices) row.push_back({absence::none, picked.contains(c.code) ? 1.0 : 0.0, {}});
      return ok;
    }
    case question_type::integer:
    case question_type::decimal: {
      auto n = parse_number(text);
      if (!n) return bad("is not a number");
      row.push_back({absence::none, *n, {}});
      return ok;
    }
    case question_type::text:
      row.push_back({absence::none, std::nullopt, text});
      return ok;
    case question_type::note:
      break;
  }
  return ok;
}

result<std::vector<export_cell>> respondent_row(const questionnaire& study, const export_settings& s,
                                                const export_respondent& r) {
  std::vector<export_cell> row;
  auto number = [](std::optional<double> n) { return export_cell{absence::none, n, {}}; };
  auto text = [](std::string t) { return export_cell{absence::none, std::nullopt, std::move(t)}; };
  row.push_back(text(r.respondent_id));
  row.push_back(text(r.questionnaire_version));
  row.push_back(number(static_cast<double>(r.interviewer_id)));
  row.push_back(text(r.language));
  row.push_back(text(r.start_language));
  row.push_back(number(unix_seconds(r.started_at)));
  row.push_back(number(r.ended_at ? std::optional<double>(unix_seconds(*r.ended_at)) : std::nullopt));
  std::optional<double> active, elapsed;
  if (r.ended_at) {
    elapsed = (unix_seconds(*r.ended_at) - unix_seconds(r.started_at)) / 60.0;
    active = r.active_minutes;
  }
  row.push_back(number(active));
  row.push_back(number(elapsed));
  row.push_back(number(static_cast<double>(r.attempts)));
  row.push_back(number(r.resumed ? 1.0 : 0.0));
  if (s.include_partials) row.push_back(number(r.final_state == outcome::complete ? 0.0 : 1.0));
  auto frame = frame_cells(study, s, r.firm_id, r.frame, r.contact, who_of(r));
  if (!frame) return frame.err();
  for (auto& c : *frame) row.push_back(std::move(c));
  for (const auto& q : study.questions) {
    if (auto st = question_cells(q, r, row); !st) return st.err();
    if (q.randomize && q.has_choices()) {
      std::string order;
      if (r.answers.contains(q.name))  // only when it was asked: then it was read out in this order
        for (auto i : choice_order(q, r.seed)) order += (order.empty() ? "" : " ") + std::to_string(q.choices[i].code);
      row.push_back(text(std::move(order)));
    }
  }
  if (s.weights) row.push_back(number(r.weight));
  return row;
}

}  // namespace

std::vector<double> export_variable::missing_codes() const {
  std::vector<double> out;
  if (has_absence) out = {no_answer_code, not_asked_code};
  out.insert(out.end(), missing_choices.begin(), missing_choices.end());
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<double> export_cell::numeric() const {
  if (why == absence::not_asked) return not_asked_code;
  if (why == absence::no_answer) return no_answer_code;
  return number;
}

std::optional<std::size_t> export_dataset::find(std::string_view name) const {
  for (std::size_t i = 0; i < variables.size(); ++i)
    if (variables[i].name == name) return i;
  return std::nullopt;
}

std::string builtin_label(std::string_view key, std::string_view lang) {
  for (const auto& b : builtins)
    if (b.key == key) return std::string(lang == "nl" ? b.nl : lang == "fr" ? b.fr : b.en);
  return std::string(key);
}

std::string interviewer_pseudonym(std::int64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "INT%02lld", static_cast<long long>(id));
  return buf;
}

std::string utf8_prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  // Back off continuation bytes (10xxxxxx) so that the cut falls before a character's first byte.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

std::vector<export_variable> frame_variables(const questionnaire& study, const export_settings& s) {
  std::vector<export_variable> out;
  const auto& lang = s.lang;
  if (s.include_contact) {
    out.push_back(text_variable("firm_id", builtin_label("firm_id", lang), variable_group::contact));
    for (const auto& f : study.frame)
      if (f.contact_data)
        out.push_back(text_variable(f.name, f.label.get(lang, study.default_language), variable_group::contact));
  }
  for (const auto& f : study.frame) {
    if (f.contact_data) continue;
    const std::string label = f.label.get(lang, study.default_language);
    if (f.type == variable_type::code) {
      auto v = number_variable(f.name, label, variable_group::frame, display_format::integer, measure_level::nominal);
      for (std::size_t i = 0; i < f.codes.size(); ++i) {
        const auto& l = f.codes[i].label.get(lang, study.default_language);
        v.values.push_back({static_cast<double>(i + 1), l.empty() ? f.codes[i].value : l});
      }
      v.base = "sample frame";
      out.push_back(std::move(v));
    } else if (f.type == variable_type::integer) {
      auto v = number_variable(f.name, label, variable_group::frame);
      v.base = "sample frame";
      out.push_back(std::move(v));
    } else {
      auto v = text_variable(f.name, label, variable_group::frame);
      v.base = "sample frame";
      out.push_back(std::move(v));
    }
  }
  for (auto& v : out)
    if (v.base.empty()) v.base = "sample frame (contact data)";
  return out;
}

result<std::vector<export_cell>> frame_cells(const questionnaire& study, const export_settings& s,
                                             const std::string& firm_id,
                                             const std::map<std::string, std::string, std::less<>>& frame,
                                             const std::map<std::string, std::string, std::less<>>& contact,
                                             const std::string& who) {
  std::vector<export_cell> out;
  if (s.include_contact) {
    out.push_back({absence::none, std::nullopt, firm_id});
    for (const auto& f : study.frame) {
      if (!f.contact_data) continue;
      auto it = contact.find(f.name);
      out.push_back({absence::none, std::nullopt, it == contact.end() ? "" : it->second});
    }
  }
  for (const auto& f : study.frame) {
    if (f.contact_data) continue;
    auto it = frame.find(f.name);
    const bool has = it != frame.end() && !it->second.empty();
    if (f.type == variable_type::code) {
      std::optional<double> code;
      if (has) {
        auto c = std::find_if(f.codes.begin(), f.codes.end(), [&](const frame_code& fc) { return fc.value == it->second; });
        if (c == f.codes.end())
          return error{who + ": frame variable " + f.name + ": '" + it->second + "' is not one of its codes"};
        code = static_cast<double>(c - f.codes.begin() + 1);
      }
      out.push_back({absence::none, code, {}});
    } else if (f.type == variable_type::integer) {
      std::optional<double> n;
      if (has) {
        n = parse_number(it->second);
        if (!n) return error{who + ": frame variable " + f.name + ": '" + it->second + "' is not a number"};
      }
      out.push_back({absence::none, n, {}});
    } else {
      out.push_back({absence::none, std::nullopt, has ? it->second : ""});
    }
  }
  return out;
}

status<> check_names(std::span<const export_variable> variables) {
  std::set<std::string, std::less<>> seen;
  for (const auto& v : variables) {
    if (!valid_name(v.name))
      return error{"variable '" + v.name +
                   "': not a name SPSS and Stata both take (a-z first, then a-z, 0-9 or _, at most 32, not a "
                   "reserved word)" + (v.question.empty() ? "" : "; it comes from question " + v.question)};
    if (!seen.insert(v.name).second)
      return error{"variable '" + v.name + "' would appear twice" +
                   (v.question.empty() ? "" : " (from question " + v.question + ")") + ": rename the question"};
  }
  return ok;
}

void fit_text_widths(export_dataset& data) {
  for (std::size_t i = 0; i < data.variables.size(); ++i) {
    auto& v = data.variables[i];
    if (v.type != storage_type::text) continue;
    std::size_t widest = 1;
    for (const auto& row : data.rows) widest = std::max(widest, row[i].text.size());
    if (v.width <= 0) {
      v.width = static_cast<int>(widest);
    } else if (widest > static_cast<std::size_t>(v.width)) {
      data.warnings.push_back("variable " + v.name + ": a value of " + std::to_string(widest) +
                              " bytes is wider than its declared width " + std::to_string(v.width) +
                              ": widened, so this export's width differs from other waves'");
      v.width = static_cast<int>(widest);
    }
  }
}

std::string question_variable_label(const questionnaire& study, const question& q, std::string_view lang) {
  const std::string& label = q.export_label.get(lang, study.default_language);
  return label.empty() ? with_fill_names(q.label.get(lang, study.default_language)) : label;
}

std::vector<export_respondent> select_respondents(std::vector<export_respondent> interviews, bool include_partials) {
  // Per respondent the best interview: a complete over a partial, the later over the earlier.
  std::map<std::string, export_respondent> best;
  auto rank = [](const export_respondent& r) { return r.final_state == outcome::complete ? 2 : 1; };
  for (auto& i : interviews) {
    const bool complete = i.final_state == outcome::complete;
    const bool partial = include_partials && i.partial;
    if (!complete && !partial) continue;
    auto it = best.find(i.respondent_id);
    if (it == best.end()) {
      best.emplace(i.respondent_id, std::move(i));
    } else if (rank(i) > rank(it->second) || (rank(i) == rank(it->second) && i.interview_id > it->second.interview_id)) {
      it->second = std::move(i);
    }
  }
  std::vector<export_respondent> out;
  for (auto& [id, r] : best) out.push_back(std::move(r));
  return out;
}

result<std::vector<export_variable>> export_variables(const questionnaire& study, const export_settings& settings) {
  auto l = layout(study, settings);
  if (auto st = check_names(l.variables); !st) return st.err();
  return std::move(l.variables);
}

result<export_dataset> build_dataset(const questionnaire& study, const export_settings& settings,
                                     std::span<const export_respondent> respondents) {
  auto l = layout(study, settings);
  if (auto st = check_names(l.variables); !st) return st.err();
  export_dataset data;
  data.label = study.id + " " + study.version;
  data.variables = std::move(l.variables);
  data.sets = std::move(l.sets);
  std::set<std::int64_t> interviewers;
  for (const auto& r : respondents) {
    auto row = respondent_row(study, settings, r);
    if (!row) return row.err();
    data.rows.push_back(std::move(row).value());
    interviewers.insert(r.interviewer_id);
  }
  if (auto i = data.find("interviewer_id")) {
    for (auto id : interviewers) data.variables[*i].values.push_back({static_cast<double>(id), interviewer_pseudonym(id)});
  }
  for (auto& v : data.variables) {
    if (v.label.size() <= max_variable_label_bytes) continue;
    data.warnings.push_back("variable " + v.name + ": its label is " + std::to_string(v.label.size()) +
                            " bytes, cut to SPSS's " + std::to_string(max_variable_label_bytes) +
                            (v.question.empty() ? std::string() : ": give question " + v.question + " an export_label"));
    v.label = utf8_prefix(v.label, max_variable_label_bytes);
  }
  if (!study.partial_after.empty())
    data.notes.push_back("A partial interview (AAPOR 1.2) is a break-off after question " + study.partial_after +
                         " was answered, as the fieldwork recorded it when the interview broke off"
                         " (call_attempts.partial); an earlier break-off is 2.12 and is not exported.");
  fit_text_widths(data);
  return data;
}

std::map<std::string, std::string, std::less<>> quota_values_of(
    const questionnaire& study, const std::map<std::string, std::string, std::less<>>& frame,
    const std::map<std::string, std::optional<std::string>, std::less<>>& answers) {
  std::map<std::string, std::string, std::less<>> out;
  for (const auto& q : study.quotas)
    for (const auto& name : q.variables) {
      if (auto f = frame.find(name); f != frame.end()) {
        out[name] = f->second;
      } else if (auto a = answers.find(name); a != answers.end() && a->second && !a->second->empty()) {
        out[name] = *a->second;
      }
    }
  return out;
}

}  // namespace cati::core
