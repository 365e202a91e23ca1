// `cati users add NAME --role interviewer|supervisor|admin [--languages nl,fr] [--skills converter] --db F`:
// --skills converter lets the interviewer call soft refusals back (refusal conversion). The password is
// read from the terminal without echo (asked twice), or from the first line of stdin when stdin is not a
// terminal; never from the command line, where other users and the shell history would see it. The file
// must exist (a mistyped --db is an error, not a new empty fieldwork); an interviewer's languages default
// to the study's (kept in the file) and must be languages of the study; the name is a login name
// (letters, digits, '.', '_', '-'). Adding a user is audited.
// `cati users list --db F`, `cati users disable NAME --db F`, `cati users enable NAME --db F` (logging in
// again), `cati users password NAME --db F` (a new password, read as for add). Each change is audited.
// Exit 0 done, 1 refused (name taken, unknown user, bad password), 2 bad options.
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <memory>

#include "core/util/redact.hpp"
#include "commands.hpp"
#include "fieldwork_read.hpp"
#include "core/ports/clock.hpp"
#include "core/util/result.hpp"
#include "store/error.hpp"
#include "store/fieldwork_store.hpp"
#include "store/password.hpp"
#include "store/user_repo.hpp"

namespace cati::tool {
namespace {

// Turns terminal echo off for its lifetime (and back on when an exception passes).
class echo_off {
 public:
  echo_off() {
    if (tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~echo_off() {
    if (active_) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  echo_off(const echo_off&) = delete;
  echo_off& operator=(const echo_off&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

std::optional<std::string> read_line() {
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::optional<std::string> prompt_hidden(const std::string& prompt) {
  std::cerr << prompt << std::flush;
  echo_off quiet;
  auto line = read_line();
  std::cerr << "\n";
  return line;
}

core::result<std::string> read_new_password(const std::string& name) {
  std::optional<std::string> password;
  if (isatty(STDIN_FILENO)) {
    password = prompt_hidden("Password for " + name + ": ");
    auto again = prompt_hidden("Repeat the password: ");
    if (password && again && *password != *again) return core::error{"the passwords differ"};
  } else {
    password = read_line();
  }
  if (!password) return core::error{"no password given (stdin ended)"};
  if (auto problem = store::password_problem(*password)) return core::error{*problem};
  return *password;
}

// "nl,fr" -> {"nl", "fr"}; "" -> {}; nullopt when malformed.
std::optional<std::vector<std::string>> parse_languages(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::size_t start = 0;
  while (true) {
    auto comma = text.find(',', start);
    std::string code = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    bool letters = !code.empty() && code.size() <= 3 &&
                   std::all_of(code.begin(), code.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    if (!letters) return std::nullopt;
    out.push_back(code);
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::string utc_date(core::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &tm);
  return text;
}

// Why `name` cannot be a login name, or nullopt.
std::optional<std::string> name_problem(const std::string& name) {
  if (name.empty() || name.size() > 32) return "a login name has 1 to 32 characters";
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return "'" + name + "' is not a login name: use letters, digits, '.', '_' or '-' (no spaces)";
  }
  return std::nullopt;
}

// The languages of the study kept in the file; empty when none is loaded yet or it does not load.
std::vector<std::string> stored_languages(const std::string& db) {
  try {
    return load_stored_study_context(db).study->languages;
  } catch (const std::exception&) {
    return {};
  }
}

std::string joined(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& l : list) out += (out.empty() ? "" : ",") + l;
  return out;
}

struct add_options {
  std::string db, name, role, languages;
  std::vector<std::string> skills;
};

int run_add(const add_options& o) {
  auto role = store::role_from_string(o.role);
  if (auto why = name_problem(o.name)) {
    std::cerr << "cati users add: " << *why << "\n";
    return 1;
  }
  auto languages = parse_languages(o.languages);
  if (!languages) {
    std::cerr << "cati users add: --languages: expected language codes separated by commas (nl,fr)\n";
    return 1;
  }
  // Checked before the password is asked for, so nobody types one for nothing. Never creates the file:
  // `cati sample import` does, with the study.
  const auto study_languages = stored_languages(o.db);  // before the file is held open here
  store::fieldwork_store fieldwork({.path = o.db, .create = false});
  for (const auto& l : *languages)
    if (!study_languages.empty() && std::find(study_languages.begin(), study_languages.end(), l) == study_languages.end()) {
      std::cerr << "cati users add: --languages: '" << l << "' is not a language of the study (" << joined(study_languages)
                << ")\n";
      return 1;
    }
  if (*role == store::user_role::interviewer && languages->empty()) {
    if (study_languages.empty()) {
      std::cerr << "cati users add: an interviewer needs --languages (e.g. nl,fr): " << o.db
                << " has no study loaded yet to take them from\n";
      return 1;
    }
    *languages = study_languages;
  }
  if (fieldwork.find_user(o.name)) {
    std::cerr << "cati users add: user '" << o.name << "' already exists\n";
    return 1;
  }
  auto password = read_new_password(o.name);
  if (!password) {
    std::cerr << "cati users add: " << password.err().message << "\n";
    return 1;
  }
  auto now = core::real_clock().now();
  fieldwork.add_user({o.name, *role, *languages, store::hash_password(*password), now, o.skills}).get();
  fieldwork.append_audit({now, std::nullopt, "user_add", o.name + ": " + o.role +
                                                          (languages->empty() ? "" : ", languages " + joined(*languages))})
      .get();
  std::cout << "added " << o.role << " " << o.name << (languages->empty() ? "" : " (" + joined(*languages) + ")") << "\n";
  return 0;
}

int run_list(const std::string& db) {
  store::fieldwork_store fieldwork({.path = db, .create = false, .read_only = true});
  auto users = fieldwork.list_users();
  std::cout << std::left << std::setw(20) << "NAME" << std::setw(12) << "ROLE" << std::setw(11) << "LANGUAGES"
            << std::setw(10) << "STATUS" << std::setw(11) << "SKILLS" << "CREATED (UTC)\n";
  for (const auto& u : users) {
    std::string langs;
    for (const auto& l : u.languages) langs += (langs.empty() ? "" : ",") + l;
    std::cout << std::setw(20) << u.name << std::setw(12) << store::to_string(u.role) << std::setw(11)
              << (langs.empty() ? "-" : langs) << std::setw(10) << (u.disabled ? "disabled" : "active");
    std::string skills;
    for (const auto& k : u.skills) skills += (skills.empty() ? "" : ",") + k;
    std::cout << std::setw(11) << (skills.empty() ? "-" : skills) << utc_date(u.created_at) << "\n";
  }
  return 0;
}

int run_disable(const std::string& db, const std::string& name) {
  store::fieldwork_store fieldwork({.path = db, .create = false});
  fieldwork.disable_user(name, core::real_clock().now(), std::nullopt).get();
  std::cout << "disabled " << name << "\n";
  return 0;
}

int run_enable(const std::string& db, const std::string& name) {
  store::fieldwork_store fieldwork({.path = db, .create = false});
  fieldwork.enable_user(name, core::real_clock().now(), std::nullopt).get();
  std::cout << "enabled " << name << "\n";
  return 0;
}

int run_password(const std::string& db, const std::string& name) {
  store::fieldwork_store fieldwork({.path = db, .create = false});
  if (!fieldwork.find_user(name)) {  // before the password is asked for
    std::cerr << "cati users password: no user '" << name << "'\n";
    return 1;
  }
  auto password = read_new_password(name);
  if (!password) {
    std::cerr << "cati users password: " << password.err().message << "\n";
    return 1;
  }
  fieldwork.set_password(name, store::hash_password(*password), core::real_clock().now(), std::nullopt).get();
  std::cout << "new password set for " << name << "\n";
  return 0;
}

template <class F>
auto reporting_errors(const char* name, int& exit_code, F body) {
  return [name, &exit_code, body] {
    try {
      exit_code = body();
    } catch (const std::runtime_error& e) {  // store_error, or a file that cannot be opened
      std::cerr << "cati users " << name << ": " << core::redact_passwords(e.what()) << "\n";
      exit_code = 1;
    }
  };
}

}  // namespace

void add_users_command(CLI::App& app, int& exit_code) {
  auto* users = app.add_subcommand("users", "manage the fieldwork's users");
  users->require_subcommand(1);

  auto add = std::make_shared<add_options>();
  auto* add_cmd = users->add_subcommand("add", "add a user; the password is read from the terminal or stdin");
  add_cmd->add_option("name", add->name, "login name")->required();
  add_cmd->add_option("--role", add->role, "interviewer, supervisor or admin")
      ->required()
      ->check(CLI::IsMember({"interviewer", "supervisor", "admin"}));
  add_cmd->add_option("--languages", add->languages, "interview languages, e.g. nl,fr (default: the study's)");
  add_cmd->add_option("--skills", add->skills, "converter: calls soft refusals back (refusal conversion)")
      ->delimiter(',')
      ->check(CLI::IsMember({"converter"}));
  add_cmd->add_option("--db", add->db, "the fieldwork file (made by `cati sample import`)")->required();
  add_cmd->callback(reporting_errors("add", exit_code, [add] { return run_add(*add); }));

  auto db = std::make_shared<std::string>();
  auto* list_cmd = users->add_subcommand("list", "list the users");
  list_cmd->add_option("--db", *db, "the fieldwork file")->required();
  list_cmd->callback(reporting_errors("list", exit_code, [db] { return run_list(*db); }));

  auto target = std::make_shared<std::pair<std::string, std::string>>();
  auto* disable_cmd = users->add_subcommand("disable", "stop a user from logging in (history is kept)");
  disable_cmd->add_option("name", target->second, "login name")->required();
  disable_cmd->add_option("--db", target->first, "the fieldwork file")->required();
  disable_cmd->callback(reporting_errors("disable", exit_code, [target] { return run_disable(target->first, target->second); }));

  auto enabled = std::make_shared<std::pair<std::string, std::string>>();
  auto* enable_cmd = users->add_subcommand("enable", "let a disabled user log in again");
  enable_cmd->add_option("name", enabled->second, "login name")->required();
  enable_cmd->add_option("--db", enabled->first, "the fieldwork file")->required();
  enable_cmd->callback(reporting_errors("enable", exit_code, [enabled] { return run_enable(enabled->first, enabled->second); }));

  auto reset = std::make_shared<std::pair<std::string, std::string>>();
  auto* password_cmd =
      users->add_subcommand("password", "set a new password; read from the terminal or stdin, as for add");
  password_cmd->add_option("name", reset->second, "login name")->required();
  password_cmd->add_option("--db", reset->first, "the fieldwork file")->required();
  password_cmd->callback(reporting_errors("password", exit_code, [reset] { return run_password(reset->first, reset->second); }));
}

}  // namespace cati::tool
