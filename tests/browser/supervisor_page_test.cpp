// The supervisor page in a real headless Chromium against the real cati-server (port 0, a fresh SQLite
// file prepared with the real `cati` commands): a supervisor logs in, the page shows the quota grid, an
// interview completes through a real WebSocket client, and the page's numbers change without a reload;
// a quota action with a confirmation, and a refused one, show the server's answer. `cati-term
// --supervisor` shows the same grid. A screenshot is kept in the build directory:
// tests/browser/supervisor_page.png.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "browser/child_process.hpp"
#include "browser/devtools.hpp"
#include "net/ws_test_client.hpp"

namespace fs = std::filesystem;
namespace v1 = cati::v1;
using cati::browser_test::child_process;
using cati::browser_test::headless_chromium;
using cati::net::test::ws_test_client;
using namespace std::chrono_literals;

namespace {

const std::string bin = CATI_BINARY_DIR;
const std::string study = std::string(CATI_SOURCE_DIR) + "/schema/ai_barometer_2025";

int run(const std::string& cmd) { return WEXITSTATUS(std::system((cmd + " >/dev/null 2>&1").c_str())); }

struct fieldwork_dir {
  fs::path dir = fs::temp_directory_path() / ("cati-browser-" + std::to_string(::getpid()));
  fs::path db = dir / "fieldwork.db";
  fieldwork_dir() {
    fs::remove_all(dir);
    fs::create_directories(dir);
    const auto frame = (dir / "frame.csv").string();
    const auto cati = bin + "/tools/cati";
    EXPECT_EQ(run(cati + " sample generate --study " + study + " --count 60 --seed 7 --out " + frame), 0);
    EXPECT_EQ(run(cati + " sample import --db " + db.string() + " --study " + study + " " + frame), 0);
    EXPECT_EQ(run("printf 'sara-secret-1\\n' | " + cati + " users add sara --role supervisor --db " + db.string()), 0);
    EXPECT_EQ(run("printf 'tom-secret-1\\n' | " + cati + " users add tom --role supervisor --db " + db.string()), 0);
    EXPECT_EQ(run("printf 'anna-secret-1\\n' | " + cati + " users add anna --role interviewer --languages nl,fr,en --db " +
                  db.string()),
              0);
  }
  ~fieldwork_dir() { fs::remove_all(dir); }
};

std::uint16_t port_of(child_process& server) {
  auto line = server.wait_for_line([](const std::string& l) { return l.find("listening on 127.0.0.1:") != std::string::npos; },
                                   120s);
  if (!line) return 0;
  return static_cast<std::uint16_t>(std::stoi(line->substr(line->find("127.0.0.1:") + 10)));
}

// The interviewer's side: a whole interview of the seed study over the wire, answered by question name.
class interviewer {
 public:
  explicit interviewer(std::uint16_t port) { EXPECT_TRUE(client_.connect(port)) << client_.error(); }

  v1::ServerMessage ask(v1::ClientMessage m) {
    m.set_request_id(next_++);
    EXPECT_TRUE(client_.send(m));
    return receive();
  }
  v1::ServerMessage receive() {
    auto r = client_.receive(60s);
    EXPECT_TRUE(r.has_value()) << client_.error();
    return r.value_or(v1::ServerMessage{});
  }

  // Logs in and takes a case; returns the first screen of its interview.
  v1::Screen begin() {
    v1::ClientMessage login;
    login.mutable_login()->set_user("anna");
    login.mutable_login()->set_password("anna-secret-1");
    EXPECT_TRUE(ask(login).has_login_ok());
    logged_in_ = true;
    v1::ClientMessage next;
    next.mutable_next_case();
    auto card = ask(next);
    EXPECT_TRUE(card.has_case_card()) << card.DebugString();
    v1::ClientMessage start;
    start.mutable_start_interview()->set_case_id(card.case_card().case_id());
    auto screen = ask(start);
    EXPECT_TRUE(screen.has_screen()) << screen.DebugString();
    return screen.screen();
  }

  // Logs in (once) and takes the next case, which is reported as a disconnected number; returns its case id
  // (0 when there was none).
  std::int64_t dial_dead_number() {
    if (!logged_in_) {
      v1::ClientMessage login;
      login.mutable_login()->set_user("anna");
      login.mutable_login()->set_password("anna-secret-1");
      EXPECT_TRUE(ask(login).has_login_ok());
      logged_in_ = true;
    }
    v1::ClientMessage next;
    next.mutable_next_case();
    auto card = ask(next);
    if (!card.has_case_card()) return 0;
    v1::ClientMessage call;
    call.mutable_call_result()->set_case_id(card.case_card().case_id());
    call.mutable_call_result()->set_outcome(v1::DISCONNECTED);
    call.mutable_call_result()->set_number(card.case_card().number_to_dial());
    auto ack = ask(call);
    EXPECT_FALSE(ack.has_error()) << ack.DebugString();
    return card.case_card().case_id();
  }

  // Answers until the interview ends; true when it ended complete.
  bool finish(v1::Screen s) {
    // An eligible firm that uses AI: every question of the seed study gets an answer that keeps it in.
    static const std::map<std::string, std::string> answers = {
        {"intro", ""},         {"s1_decider", "1"},   {"s2_fte", "4"},         {"s3_sector", "1"},
        {"q1_market", "1"},    {"q2_ai_use", "3"},    {"q3_ai_areas", "1 2"},  {"q3_other", "x"},
        {"q4_ai_tasks", "1"},  {"q5_potential", "1"}, {"q6_attitude", "2"},    {"q7_fin_value", "1"},
        {"q8_bank_ai", "1"},   {"q9_bank_domains", "1 2"}, {"end", ""}};
    for (int guard = 0; guard < 50; ++guard) {
      auto it = answers.find(s.question());
      if (it == answers.end()) {
        ADD_FAILURE() << "no answer for " << s.question();
        return false;
      }
      v1::ClientMessage m;
      auto* a = m.mutable_answer();
      a->set_interview_id(s.interview_id());
      a->set_seq(s.next_seq());
      a->set_question(s.question());
      a->set_value(it->second);
      auto ack = ask(m);
      EXPECT_TRUE(ack.has_answer_ack()) << ack.DebugString();
      auto next = receive();
      if (next.has_interview_end()) return next.interview_end().outcome() == v1::COMPLETE;
      if (!next.has_screen()) {
        ADD_FAILURE() << next.DebugString();
        return false;
      }
      s = next.screen();
    }
    return false;
  }

 private:
  ws_test_client client_;
  std::uint64_t next_ = 1;
  bool logged_in_ = false;
};

// Runs a shell command; its stdout.
std::string output_of(const std::string& cmd) {
  std::string out;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  ::pclose(pipe);
  return out;
}

// The value of `rate` in the "all" column of `cati report --by overall`'s rate table ("RR3     0.0500"):
// "0.0500", "n/a", or "(no RR3 ...)".
std::string report_rate(const std::string& report, const std::string& rate) {
  std::istringstream lines(report);
  bool in_rates = false;  // the rate table comes after its title, "Rates, overall"
  for (std::string line; std::getline(lines, line);) {
    in_rates = in_rates || line.rfind("Rates", 0) == 0;
    std::istringstream words(line);
    std::string name, value;
    if (in_rates && (words >> name >> value) && name == rate) return value;
  }
  return "(no " + rate + " in the report)";
}

// Whether the page's "6.3%" is the report's "0.0625" as the page rounds it (one decimal of a percent;
// JavaScript rounds a half up, printf to even: within half a unit of the last place either way).
bool same_rate(const std::string& page, const std::string& report) {
  if (page == "n/a" || report == "n/a") return page == report;
  if (page.empty() || page.back() != '%' || report.empty() || report[0] == '(') return false;
  return std::abs(std::stod(page.substr(0, page.size() - 1)) - 100 * std::stod(report)) <= 0.05 + 1e-9;
}

// JavaScript: the text of the first element matching a selector ("" when none).
std::string text_of(const std::string& selector) {
  return "(document.querySelector(\"" + selector + "\") || {textContent: ''}).textContent";
}

}  // namespace

TEST(SupervisorPage, LiveQuotaGridProgressRatesAndActionsInHeadlessChromium) {
  const auto chromium = cati::browser_test::find_on_path("chromium");
  ASSERT_FALSE(chromium.empty()) << "chromium is not installed (tools/setup installs Debian's chromium)";
  fieldwork_dir fw;
  child_process server({bin + "/server/cati-server", "--study", study, "--db", fw.db.string(), "--listen", "127.0.0.1:0",
                        "--clock", "from:2025-10-14T10:00:00+02:00", "--log-level", "warn"});
  const auto port = port_of(server);
  ASSERT_NE(port, 0) << server.output();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";

  headless_chromium page(chromium, fs::path(bin) / "tests" / "browser" / "chromium-profile");
  page.navigate(url);
  EXPECT_EQ(page.eval("document.title"), "cati supervisor");

  // A wrong password: the server's refusal is shown on the form.
  page.eval("document.getElementById('user').value = 'sara';"
            "document.getElementById('password').value = 'wrong';"
            "document.getElementById('login-button').click(); true");
  ASSERT_TRUE(page.wait_until(text_of("#login-error") + " !== ''", 60s));
  EXPECT_EQ(page.eval(text_of("#login-error")), "unknown user or wrong password");

  page.eval("document.getElementById('password').value = 'sara-secret-1';"
            "document.getElementById('login-button').click(); true");
  ASSERT_TRUE(page.wait_until("document.querySelectorAll('table.quota tr[data-cell]').length === 6", 60s))
      << page.eval(text_of("#login-error"));
  EXPECT_EQ(page.eval("document.getElementById('login-view').hidden"), "true");
  EXPECT_EQ(page.eval("getComputedStyle(document.getElementById('login-view')).display"), "none");  // seen, not only flagged
  EXPECT_EQ(page.eval(text_of("#completes")), "0");
  EXPECT_EQ(page.eval(text_of("#target")), "225");
  EXPECT_EQ(page.eval(text_of("tr[data-cell='region=VLA'] .target")), "131");
  EXPECT_EQ(page.eval(text_of("tr[data-cell='sector=1'] .completes")), "0");
  EXPECT_EQ(page.eval("document.querySelectorAll('#progress-chart .plan').length"), "1");
  EXPECT_EQ(page.eval(text_of("#rates-table tr[data-rate='RR3'] td:nth-child(2)")), "n/a");

  // Firms imported from another process while the server runs reach the page (issue 15 item 10).
  EXPECT_EQ(page.eval(text_of("#sample")), "60 cases in the field");
  const auto more = (fw.dir / "more.csv").string();
  ASSERT_EQ(run(bin + "/tools/cati sample generate --study " + study + " --count 5 --seed 77 --first 9001 --out " + more), 0);
  ASSERT_EQ(run(bin + "/tools/cati sample import --db " + fw.db.string() + " --study " + study + " " + more), 0);
  ASSERT_TRUE(page.wait_until(text_of("#sample") + ".startsWith('65 cases in the field (last added: 5 cases at 2025-10-14T')", 60s))
      << page.eval(text_of("#sample"));

  // An interview through a real client; the page follows without a reload.
  page.eval("window.loadedOnce = true; true");  // gone if the page reloaded
  interviewer anna(port);
  auto first = anna.begin();
  ASSERT_TRUE(page.wait_until(text_of("tr[data-user='anna'] td:nth-child(3)") + " === 'interviewing'", 60s))
      << page.eval("document.getElementById('interviewers').textContent");
  ASSERT_TRUE(anna.finish(first));
  ASSERT_TRUE(page.wait_until(text_of("#completes") + " === '1'", 60s)) << page.eval(text_of("#completes"));
  EXPECT_EQ(page.eval("window.loadedOnce === true"), "true");
  EXPECT_EQ(page.eval(text_of("tr[data-cell='sector=1'] .completes")), "1");
  EXPECT_EQ(page.eval(text_of("tr[data-cell='sector=1'] .left")), "96");
  EXPECT_EQ(page.eval("[...document.querySelectorAll('table.quota[data-quota=region] .completes')]"
                      ".reduce((n, td) => n + Number(td.textContent), 0)"),
            "1");
  EXPECT_EQ(page.eval(text_of("#rates-table tr[data-rate='interviews'] td:nth-child(2)")), "1");
  EXPECT_EQ(page.eval(text_of("tr[data-user='anna'] td:nth-child(5)")), "1");       // completes today
  EXPECT_NE(page.eval(text_of("tr[data-user='anna'] td:nth-child(8)")), "—");       // a mean length
  EXPECT_EQ(page.eval("document.querySelectorAll('#progress-chart .day-bar').length"), "1");

  // Close a cell: the confirmation dialog, then the server's answer and the new state.
  page.eval("document.querySelector(\"tr[data-cell='region=BRU'] td.actions button\").click(); true");
  ASSERT_EQ(page.eval("document.getElementById('confirm').open"), "true");
  EXPECT_EQ(page.eval(text_of("#confirm-text")), "Close region=BRU (Brussels)?");
  page.eval("document.getElementById('confirm-ok').click(); true");
  ASSERT_TRUE(page.wait_until(text_of("tr[data-cell='region=BRU'] .state-closed") + " === 'closed'", 60s));
  EXPECT_EQ(page.eval(text_of("#action-result")), "done: close region=BRU (Brussels)");

  // A target the server refuses (below the cell's one complete): the refusal is shown, nothing changes.
  page.eval("document.querySelectorAll(\"tr[data-cell='sector=1'] td.actions button\")[1].click();"
            "document.getElementById('confirm-target').value = '0';"
            "document.getElementById('confirm-ok').click(); true");
  ASSERT_TRUE(page.wait_until(text_of("#action-result") + ".startsWith('refused')", 60s))
      << page.eval(text_of("#action-result"));
  EXPECT_NE(page.eval(text_of("#action-result")).find("target 0 is below the 1"), std::string::npos)
      << page.eval(text_of("#action-result"));
  EXPECT_EQ(page.eval(text_of("tr[data-cell='sector=1'] .target")), "97");

  // The screenshot, kept as the test's artifact.
  const auto shot = fs::path(bin) / "tests" / "browser" / "supervisor_page.png";
  const auto png = page.screenshot_png();
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(1, 3), "PNG");
  std::ofstream(shot, std::ios::binary) << png;
  std::cout << "screenshot: " << shot.string() << "\n";

  // cati-term --supervisor shows the same numbers in text.
  child_process term({bin + "/client/cati-term", "--supervisor", "--server", "ws://127.0.0.1:" + std::to_string(port),
                      "--user", "tom"},  // sara is logged in on the page
                     false, "tom-secret-1\n");
  auto closed = term.wait_for_line([](const std::string& l) { return l.rfind("region  BRU Brussels", 0) == 0; }, 60s);
  ASSERT_TRUE(closed) << term.output();
  EXPECT_NE(closed->find("CLOSED"), std::string::npos) << *closed;
  EXPECT_NE(term.output().find("completes 1 / 225"), std::string::npos) << term.output();
  EXPECT_EQ(term.stop(SIGTERM), 0);
  // Every row fits 80 columns (a pipe gets the 80-column layout), dispositions say what they mean.
  std::istringstream lines(term.output());
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 80u) << line;
  EXPECT_NE(term.output().find("1.1 complete interview"), std::string::npos) << term.output();
}

// What a supervisor trips over on the page: a target out of range gets an answer (never "sent..." for
// ever), Cancel closes whatever is typed, a target that breaks the margins is warned about in the words
// of `cati lint` with the page's cell names, the dispositions say what they mean, rates are shown over
// released and worked cases, reach uses `cati quota`'s words, and Log out ends the session.
TEST(SupervisorPage, TargetsOutOfRangeCancelMarginWarningsDispositionsAndLogOut) {
  const auto chromium = cati::browser_test::find_on_path("chromium");
  ASSERT_FALSE(chromium.empty()) << "chromium is not installed (tools/setup installs Debian's chromium)";
  fieldwork_dir fw;
  child_process server({bin + "/server/cati-server", "--study", study, "--db", fw.db.string(), "--listen", "127.0.0.1:0",
                        "--clock", "from:2025-10-14T10:00:00+02:00", "--log-level", "warn"});
  const auto port = port_of(server);
  ASSERT_NE(port, 0) << server.output();
  headless_chromium page(chromium, fs::path(bin) / "tests" / "browser" / "chromium-profile-2");
  page.navigate("http://127.0.0.1:" + std::to_string(port) + "/");
  const auto log_in = [&] {
    page.eval("document.getElementById('user').value = 'sara';"
              "document.getElementById('password').value = 'sara-secret-1';"
              "document.getElementById('login-button').click(); true");
    return page.wait_until("document.querySelectorAll('table.quota tr[data-cell]').length === 6", 60s);
  };
  ASSERT_TRUE(log_in()) << page.eval(text_of("#login-error"));
  ASSERT_TRUE(page.wait_until("!document.getElementById('logout').hidden", 10s));

  // An interview ends, so there is a disposition to describe and a worked case.
  interviewer anna(port);
  ASSERT_TRUE(anna.finish(anna.begin()));
  ASSERT_TRUE(page.wait_until(text_of("#completes") + " === '1'", 60s));
  EXPECT_EQ(page.eval(text_of("#dispositions-table tr[data-code='1.1'] td.description")), "complete interview");
  EXPECT_EQ(page.eval("document.querySelectorAll('#rates-table tr[data-rate=RR3] td.worked').length > 0"), "true");
  EXPECT_NE(page.eval(text_of("#rates-note")).find("Over worked cases"), std::string::npos);
  const std::string reach = page.eval(text_of("tr[data-cell='sector=1'] td:nth-child(9)"));
  EXPECT_TRUE(reach == "unknown" || reach == "on track" || reach == "at risk" || reach == "impossible" ||
              reach == "reached")
      << reach;

  const auto open_target = [&](const std::string& value) {
    page.eval("document.querySelectorAll(\"tr[data-cell='sector=1'] td.actions button\")[1].click();"
              "document.getElementById('confirm-target').value = '" + value + "'; true");
    return page.eval("document.getElementById('confirm').open") == "true";
  };
  // "-5": Confirm says why and stays open; Cancel closes it, nothing sent.
  page.eval("document.getElementById('action-result').textContent = ''; true");
  ASSERT_TRUE(open_target("-5"));
  page.eval("document.getElementById('confirm-ok').click(); true");
  EXPECT_EQ(page.eval("document.getElementById('confirm').open"), "true");
  EXPECT_NE(page.eval(text_of("#confirm-error")).find("whole number from 0 to 225"), std::string::npos)
      << page.eval(text_of("#confirm-error"));
  page.eval("document.getElementById('confirm-cancel').click(); true");
  ASSERT_TRUE(page.wait_until("document.getElementById('confirm').open === false", 10s));
  EXPECT_EQ(page.eval(text_of("#action-result")), "");
  // 64000000000 from the dialog: refused there, above the study's target.
  ASSERT_TRUE(open_target("64000000000"));
  page.eval("document.getElementById('confirm-ok').click(); true");
  EXPECT_NE(page.eval(text_of("#confirm-error")).find("above the study's target of 225"), std::string::npos);
  page.eval("document.getElementById('confirm-cancel').click(); true");
  // The same frame sent as it is: the server answers it with a typed error that reaches the request.
  page.eval("window.reply = null; send({ quotaAction: { kind: 'SET_TARGET', quota: 'sector', values: ['1'],"
            " target: 64000000000 } }, (m) => { window.reply = m; }); true");
  ASSERT_TRUE(page.wait_until("window.reply !== null", 30s));
  EXPECT_EQ(page.eval("window.reply.error && window.reply.error.code"), "MALFORMED") << page.eval("JSON.stringify(window.reply)");
  // 5000, within int32: the server refuses it in the page's words.
  page.eval("window.reply = null; send({ quotaAction: { kind: 'SET_TARGET', quota: 'sector', values: ['1'],"
            " target: 5000 } }, (m) => { window.reply = m; }); true");
  ASSERT_TRUE(page.wait_until("window.reply !== null", 30s));
  EXPECT_EQ(page.eval("window.reply.error.message"),
            "sector=1 (Services): target 5000 is above the study's target of 225 completes");
  // 98 is taken, with the margin warning of `cati lint`; back to 97, the warning goes.
  ASSERT_TRUE(open_target("98"));
  page.eval("document.getElementById('confirm-ok').click(); true");
  ASSERT_TRUE(page.wait_until(text_of("tr[data-cell='sector=1'] .target") + " === '98'", 30s))
      << page.eval(text_of("#action-result"));
  ASSERT_TRUE(page.wait_until(text_of("#warnings") + ".includes('add up to 226, but target_completes is 225')", 30s))
      << page.eval(text_of("#warnings"));
  EXPECT_NE(page.eval(text_of("#warnings")).find("quota 'sector'"), std::string::npos);
  ASSERT_TRUE(open_target("97"));
  page.eval("document.getElementById('confirm-ok').click(); true");
  ASSERT_TRUE(page.wait_until(text_of("#warnings") + " === ''", 30s)) << page.eval(text_of("#warnings"));

  // The screenshot with the new parts, then Log out: back to the login form, and in again.
  std::ofstream(fs::path(bin) / "tests" / "browser" / "supervisor_page_rates.png", std::ios::binary)
      << page.screenshot_png();
  page.eval("document.getElementById('logout').click(); true");
  ASSERT_TRUE(page.wait_until("!document.getElementById('login-view').hidden", 10s));
  EXPECT_EQ(page.eval(text_of("#login-error")), "logged out");
  EXPECT_EQ(page.eval("document.getElementById('main-view').hidden"), "true");
  ASSERT_TRUE(log_in()) << page.eval(text_of("#login-error"));
}

// Sample released in replicates, and the eligibility choices of `cati report` on the page: the replicate
// table shows the released replicate's cases, called, worked out and left, and the replicates not released
// yet with their cases, all left, as `cati quota` lists them; the rates under each choice
// equal `cati report --quota-filled --dead-number` on the same file, and the dead-number choice moves e.
TEST(SupervisorPage, ReplicatesAndTheEligibilityChoicesAsCatiReportComputesThem) {
  const auto chromium = cati::browser_test::find_on_path("chromium");
  ASSERT_FALSE(chromium.empty()) << "chromium is not installed (tools/setup installs Debian's chromium)";
  fieldwork_dir fw;
  const auto cati = bin + "/tools/cati";
  const auto db_study = " --db " + fw.db.string() + " --study " + study;
  ASSERT_EQ(run(cati + " sample release" + db_study + " --replicates 3 --seed 5"), 0);
  ASSERT_EQ(run(cati + " sample release" + db_study + " --next"), 0);
  child_process server({bin + "/server/cati-server", "--study", study, "--db", fw.db.string(), "--listen", "127.0.0.1:0",
                        "--clock", "from:2025-10-14T10:00:00+02:00", "--log-level", "warn"});
  const auto port = port_of(server);
  ASSERT_NE(port, 0) << server.output();
  headless_chromium page(chromium, fs::path(bin) / "tests" / "browser" / "chromium-profile-3");
  page.navigate("http://127.0.0.1:" + std::to_string(port) + "/");
  page.eval("document.getElementById('user').value = 'sara';"
            "document.getElementById('password').value = 'sara-secret-1';"
            "document.getElementById('login-button').click(); true");
  ASSERT_TRUE(page.wait_until("document.querySelectorAll('table.quota tr[data-cell]').length === 6", 60s));

  // One complete, then numbers that turn out dead, until some firm has no number left.
  interviewer anna(port);
  ASSERT_TRUE(anna.finish(anna.begin()));
  std::set<std::int64_t> dialled;
  for (int i = 0; i < 6; ++i)
    if (auto id = anna.dial_dead_number()) dialled.insert(id);
  const int called = static_cast<int>(dialled.size()) + 1;  // and the complete's case
  ASSERT_TRUE(page.wait_until(text_of("#replicates-table tr[data-replicate='1'] td:nth-child(2)") + " === '20'", 60s))
      << page.eval("document.getElementById('replicates').textContent");
  EXPECT_EQ(page.eval("document.getElementById('replicates-section').hidden"), "false");
  EXPECT_EQ(page.eval("document.querySelectorAll('#replicates-table tr[data-replicate]').length"), "3")
      << page.eval("document.getElementById('replicates').textContent");
  EXPECT_EQ(page.eval("document.querySelectorAll('#replicates-table tr[data-released=\"yes\"]').length"), "1")
      << "one replicate released, two held back";
  ASSERT_TRUE(page.wait_until(text_of("#replicates-table tr[data-replicate='1'] td:nth-child(4)") + " === '" +
                                  std::to_string(called) + "'", 60s))
      << page.eval("document.getElementById('replicates').textContent");
  EXPECT_NE(page.eval(text_of("#replicates-table tr[data-replicate='1'] td:nth-child(3)")), "no");  // released when
  EXPECT_EQ(page.eval(text_of("#replicates-table tr[data-replicate='1'] td:nth-child(7)")), "1");  // completes
  const int worked_out = std::stoi(page.eval(text_of("#replicates-table tr[data-replicate='1'] td:nth-child(5)")));
  const int left = std::stoi(page.eval(text_of("#replicates-table tr[data-replicate='1'] td:nth-child(6)")));
  EXPECT_EQ(worked_out + left, 20);
  EXPECT_GE(worked_out, 1);  // the complete at least
  // The unreleased replicates: their cases as `cati quota` counts them, released "no", nothing called, all left.
  const auto quota = output_of(cati + " quota" + db_study + " 2>&1");
  for (const char* r : {"2", "3"}) {
    const std::string row = std::string("#replicates-table tr[data-replicate='") + r + "'] ";
    const auto cases = page.eval(text_of(row + "td:nth-child(2)"));
    EXPECT_TRUE(std::regex_search(quota, std::regex(std::string("\\n *") + r + " +" + cases + " +no ")))
        << "replicate " << r << " with " << cases << " cases, not released\n" << quota;
    EXPECT_EQ(page.eval(text_of(row + "td:nth-child(3)")), "no");
    EXPECT_EQ(page.eval(text_of(row + "td:nth-child(4)")), "—");
    EXPECT_EQ(page.eval(text_of(row + "td:nth-child(6)")), cases) << "all left";
  }

  // Each choice on the page against `cati report` on the same file (released sample: 20 cases).
  std::map<std::string, std::string> e_of;
  for (const char* qf : {"not-eligible", "eligible"})
    for (const char* dn : {"unknown", "not-eligible"}) {
      page.eval(std::string("document.getElementById('quota-filled').value = '") + qf + "';"
                "document.getElementById('dead-number').value = '" + dn + "';"
                "document.getElementById('dead-number').dispatchEvent(new Event('change')); true");
      const auto report = output_of(cati + " report --db " + fw.db.string() + " --study " + study +
                                    " --by overall --quota-filled " + qf + " --dead-number " + dn + " 2>&1");
      for (const char* rate : {"e", "RR3", "COOP1", "REF1", "CON1"}) {
        const auto shown = page.eval(text_of(std::string("#rates-table tr[data-rate='") + rate + "'] td:nth-child(2)"));
        EXPECT_TRUE(same_rate(shown, report_rate(report, rate)))
            << qf << " " << dn << " " << rate << ": page " << shown << ", report " << report_rate(report, rate) << "\n"
            << report;
      }
      e_of[std::string(qf) + "/" + dn] = page.eval(text_of("#rates-table tr[data-rate='e'] td:nth-child(2)"));
    }
  EXPECT_NE(e_of["not-eligible/unknown"], e_of["not-eligible/not-eligible"])
      << "a firm without a working number is of unknown eligibility by default, not eligible on demand";
  std::ofstream(fs::path(bin) / "tests" / "browser" / "supervisor_page_replicates.png", std::ios::binary)
      << page.screenshot_png();
}
