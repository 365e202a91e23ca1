// The crash test's child: writes through the store from several threads until it is killed, and prints
// one framed line per acknowledged write ("ack <thread> <seq>\n") to stdout (a pipe to the parent).
//
//   store_crash_writer <db> <threads>
//
// Each thread owns one interview. A write is one writer job that appends the next answer, bumps the
// thread's counter cell and appends an audit row: so the parent can tell a half-written job from a whole
// one. On start each thread first resends its last answer, as a terminal does after a lost ack; the
// store must recognise it (a "dup" line) and not store it again. Exit 3 on any surprise.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/sql/sql.hpp"
#include "crash_payload.hpp"
#include "store/audit_repo.hpp"
#include "store/case_repo.hpp"
#include "store/fieldwork_store.hpp"
#include "store/interview_repo.hpp"
#include "store/quota_repo.hpp"
#include "store/user_repo.hpp"

namespace {

using namespace cati;

std::mutex out_mutex;

// One write(2) per line: the parent never sees two lines interleaved, and a line either arrives whole
// or (killed mid-write, which a pipe write of this size cannot be) not at all.
void say(const std::string& line) {
  std::lock_guard lock(out_mutex);
  std::string framed = line + "\n";
  if (::write(STDOUT_FILENO, framed.data(), framed.size()) != static_cast<ssize_t>(framed.size())) std::_Exit(3);
}

[[noreturn]] void fail(const std::string& why) {
  std::cerr << "crash_writer: " << why << std::endl;
  std::_Exit(3);
}

struct setup_result {
  store::row_id user = 0;
  std::vector<store::row_id> interviews;  // one per thread
};

setup_result setup(store::fieldwork_store& fw, int threads) {
  return fw.submit([threads](store::sql::connection& db) {
             auto t0 = core::time_point{};
             auto user = store::find_user(db, "crash");
             store::row_id user_id = user ? user->id : store::add_user(db, {"crash", store::user_role::interviewer, {"nl"}, "x", t0});
             auto case_id = store::find_case(db, "CRASH");
             if (!case_id) {
               core::sample_frame frame;
               frame.cases.push_back({2, "CRASH", "nl", {"+3220000001"}, {}, {}});
               if (!store::import_sample(db, frame, {"crash", t0, std::nullopt}).ok()) fail("import");
               case_id = store::find_case(db, "CRASH");
             }
             auto interviews = store::interviews_of_case(db, *case_id);
             while (static_cast<int>(interviews.size()) < threads)
               interviews.push_back(store::create_interview(db, {*case_id, user_id, "1", "nl", t0}));
             core::quota_state cells;
             for (int t = 0; t < threads; ++t) cells.cells[{"crash", {std::to_string(t)}}] = {1000000, 0, false};
             store::ensure_quota_cells(db, cells);
             setup_result out{user_id, {}};
             for (int t = 0; t < threads; ++t) out.interviews.push_back(interviews[static_cast<std::size_t>(t)].id);
             return out;
           })
      .get();
}

void run_thread(store::fieldwork_store& fw, int thread, store::row_id interview, store::row_id user) {
  auto last = static_cast<std::int64_t>(fw.answer_history(interview).size());
  auto write = [&](std::int64_t seq) {
    store::answer a{interview, seq, "q", store::answer_kind::set, test::crash_payload(thread, seq), core::time_point{}, user};
    return fw.submit([a, thread](store::sql::connection& db) {
               auto ack = store::append_answer(db, a);
               if (ack.repeated) return ack;
               store::sql::statement bump(db,
                                      "UPDATE quota_cells SET completes = completes + 1"
                                      " WHERE quota = 'crash' AND cell_values = ?");
               bump.bind(1, std::to_string(thread));
               if (bump.exec() != 1) throw std::runtime_error("no counter cell");
               store::append_audit(db, {core::time_point{}, std::nullopt, "crash",
                                        std::to_string(thread) + ":" + std::to_string(a.seq)});
               return ack;
             })
        .get();
  };
  if (last > 0) {
    if (!write(last).repeated) fail("a resent answer was stored again");
    say("dup " + std::to_string(thread) + " " + std::to_string(last));
  }
  for (std::int64_t seq = last + 1;; ++seq) {
    auto ack = write(seq);
    if (ack.repeated) fail("a new answer was taken for a repeat");
    say("ack " + std::to_string(thread) + " " + std::to_string(seq));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) fail("usage: store_crash_writer <db> <threads>");
  int threads = std::atoi(argv[2]);
  try {
    store::open_options options;
    options.path = argv[1];
    store::fieldwork_store fw(options);
    auto ready = setup(fw, threads);
    say("ready");
    std::vector<std::thread> writers;
    for (int t = 0; t < threads; ++t)
      writers.emplace_back([&, t] {
        try {
          run_thread(fw, t, ready.interviews[static_cast<std::size_t>(t)], ready.user);
        } catch (const std::exception& e) {
          fail(e.what());
        }
      });
    for (auto& w : writers) w.join();
  } catch (const std::exception& e) {
    fail(e.what());
  }
}
