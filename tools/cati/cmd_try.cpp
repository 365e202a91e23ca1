// `cati try schema/<study>`: walks the questionnaire on the terminal without a server or a store.
// One answer per line on stdin ("<" goes back); quota checks are always granted, with the cells an
// interview would take printed. Exit codes: 0 the interview ended, 1 the study does not load,
// 2 bad options, 3 input ended before the interview did.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include "core/questionnaire/engine.hpp"
#include "schema/loader.hpp"

namespace cati::tool {
namespace {

struct try_options {
  std::string study;
  std::string lang;
  std::string frame;
  std::uint64_t seed = 1;
};

// Placeholders so that fills and quota variables have something to show when --frame leaves them out.
std::string placeholder(const core::frame_variable& f, const std::string& lang) {
  if (f.name == "company") return "Test BV";
  if (f.name == "contact_name") return "Test Contact";
  switch (f.type) {
    case core::variable_type::code: return f.codes.empty() ? "" : f.codes.front().value;
    case core::variable_type::integer: return "5";
    case core::variable_type::phone: return "+3220000000";
    case core::variable_type::language: return lang;
    case core::variable_type::text: break;
  }
  return "Test " + f.name;
}

// "region=WAL,sector_frame=commerce" over the placeholders; an error message when it does not fit.
std::string read_frame(const core::questionnaire& q, const std::string& spec, const std::string& lang,
                       core::frame_values& frame) {
  for (const auto& f : q.frame) frame[f.name] = placeholder(f, lang);
  std::size_t pos = 0;
  while (pos < spec.size()) {
    auto comma = spec.find(',', pos);
    if (comma == std::string::npos) comma = spec.size();
    const std::string item = spec.substr(pos, comma - pos);
    pos = comma + 1;
    if (item.empty()) continue;
    const auto eq = item.find('=');
    if (eq == std::string::npos) return "--frame: expected name=value, got \"" + item + "\"";
    const std::string name = item.substr(0, eq);
    const std::string value = item.substr(eq + 1);
    const core::frame_variable* f = q.find_frame(name);
    if (!f) return "--frame: " + name + " is not a frame variable of " + q.id;
    if (f->type == core::variable_type::code && !f->codes.empty()) {
      std::string codes;
      bool known = false;
      for (const auto& c : f->codes) {
        known = known || c.value == value;
        codes += (codes.empty() ? "" : ", ") + c.value;
      }
      if (!known) return "--frame: " + name + " must be one of " + codes + ", got \"" + value + "\"";
    }
    frame[name] = value;
  }
  return {};
}

void print_screen(std::ostream& out, const core::screen& s) {
  out << "\n[" << s.number << "/" << s.count << "] " << s.name << "\n";
  if (!s.label.empty()) out << s.label << "\n";
  if (!s.hint.empty()) out << "[" << s.hint << "]\n";
  for (const auto& c : s.choices) out << "  " << c.code << "  " << c.label << "\n";
  if (s.type == core::question_type::multiple) out << "(one or more codes, separated by spaces)\n";
  if (s.type == core::question_type::note) out << "(press Enter)\n";
  if (s.current_answer) out << "current answer: " << s.current_answer->to_string() << "\n";
}

void print_dropped(std::ostream& out, const core::step& s) {
  for (const auto& d : s.dropped) out << "dropped: " << d.name << " = " << d.old_value.to_string() << "\n";
}

// No store here: say which cells the interview would take a lease on, then grant.
void print_quota_check(std::ostream& out, const core::engine& e, const core::step& s, const std::string& lang) {
  out << "quota check:";
  for (const auto& v : s.quota_values) out << " " << v.variable << "=" << v.value;
  out << "\n";
  const auto& quotas = e.study().quotas;
  const auto cells = e.matching_cells(s.quota_values);
  for (std::size_t qi = 0; qi < quotas.size(); ++qi) {
    const auto& quota = quotas[qi];
    const std::string& quota_label = quota.label.get(lang, e.study().default_language);
    const std::string quota_name = quota_label.empty() ? quota.name : quota_label;
    bool any = false;
    for (const auto& ref : cells) {
      if (ref.quota != qi) continue;
      const auto& cell = quota.cells[ref.cell];
      std::string values;
      for (const auto& v : cell.values) values += (values.empty() ? "" : "/") + v;
      out << "  would take " << quota_name << ": " << (cell.label.empty() ? values : cell.label)
          << " (target " << cell.target << ")\n";
      any = true;
    }
    if (!any) out << "  no cell of " << quota_name << " matches\n";
  }
  out << "quota granted (cati try has no store)\n";
}

void print_end(std::ostream& out, const core::engine& e, const core::interview_state& state,
               const std::string& lang) {
  switch (state.result) {
    case core::outcome::complete: out << "\ncomplete\n"; break;
    case core::outcome::over_quota: out << "\nover quota\n"; break;
    default: {
      out << "\nscreened out: " << core::to_string(state.result) << "\n";
      if (auto message = e.end_message(state, lang); !message.empty()) out << message << "\n";
    }
  }
  out << "\nanswers:\n";
  for (const auto& [name, text] : e.save(state).answers) out << name << " = " << text << "\n";
}

int run_try(const try_options& opts, std::istream& in, std::ostream& out, std::ostream& err) {
  const auto report = schema::load_study(opts.study);
  for (const auto& d : report.diagnostics) err << d.to_string() << "\n";
  if (!report.ok()) return 1;
  const core::engine e(report.study);
  const auto& q = e.study();

  const std::string lang = opts.lang.empty() ? q.default_language : opts.lang;
  if (!opts.lang.empty() && !q.languages.empty() &&
      std::find(q.languages.begin(), q.languages.end(), opts.lang) == q.languages.end()) {
    err << "cati try: --lang " << opts.lang << " is not a language of " << q.id << "\n";
    return 2;
  }
  core::frame_values frame;
  if (auto problem = read_frame(q, opts.frame, lang, frame); !problem.empty()) {
    err << "cati try: " << problem << "\n";
    return 2;
  }

  // Piped input is echoed after the prompt, so that a transcript reads like a session.
  const bool echo = !isatty(fileno(stdin));
  out << q.id << " " << q.version << ", language " << lang << ", seed " << opts.seed
      << "; one answer per line, < goes back\n";
  auto state = e.start(std::move(frame), opts.seed);
  bool show = true;
  while (state.status == core::interview_status::in_progress) {
    if (show) print_screen(out, e.current_screen(state, lang));
    out << "> " << std::flush;
    std::string line;
    if (!std::getline(in, line)) {
      out << "\nstopped at " << q.questions[state.current].name << "\n";
      return 3;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (echo) out << line << "\n";

    auto moved = line == "<" ? e.back(state) : e.answer(state, line, lang);
    show = moved.has_value();
    if (!moved) {
      out << "invalid: " << moved.err().message << "\n";
      continue;
    }
    print_dropped(out, *moved);
    if (moved->kind == core::step_kind::quota_check) {
      print_quota_check(out, e, *moved, lang);
      if (auto granted = e.quota_decision(state, true, lang)) print_dropped(out, *granted);
    }
  }
  print_end(out, e, state, lang);
  return 0;
}

}  // namespace

void add_try_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<try_options>();
  auto* cmd = app.add_subcommand("try", "walk a questionnaire on the terminal, without a server");
  cmd->add_option("study", opts->study, "study folder, e.g. schema/ai_barometer_2025")->required();
  cmd->add_option("--lang", opts->lang, "language of the screens (default: the study's default)");
  cmd->add_option("--frame", opts->frame, "frame values, e.g. region=WAL,sector_frame=commerce");
  cmd->add_option("--seed", opts->seed, "case seed for randomised choice orders (default 1)");
  cmd->callback([opts, &exit_code] { exit_code = run_try(*opts, std::cin, std::cout, std::cerr); });
}

}  // namespace cati::tool
