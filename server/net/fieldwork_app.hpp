// fieldwork_app: the fieldwork application. Owns the core::fieldwork and the strand on which it changes
// (one request at a time), the commit pipeline (a request's changes go to the journal; its reply runs
// on the strand only after they are stored, and replies keep the order of the commits), the periodic
// work (lease sweeps, cases imported meanwhile, coalesced status pushes) and the graceful drain.
// It knows nothing of the wire: the protocol adapter (net/protocol_adapter.hpp) maps messages onto it.
//
// Thread-safety: drain() and start() may be called from any thread; everything else on strand().
// Lifetime: the destructor waits until every commit handed to the journal has come back from it, and
// from then on no journal callback reaches this object (they are dropped). So the journal (the store's
// writer) must outlive the app, and components stop in reverse order of their start: network, access,
// app, store (server/main.cpp).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/calling/calendar.hpp"
#include "core/fieldwork/fieldwork.hpp"
#include "core/ports/clock.hpp"
#include "core/ports/fieldwork_ports.hpp"
#include "net/metrics.hpp"

namespace date {
class time_zone;
}

namespace cati::net {

struct app_options {
  core::milliseconds tick = std::chrono::seconds(5);                // lease sweeps
  core::milliseconds new_cases = std::chrono::seconds(10);          // firms imported, replicates released
  core::milliseconds status_push = std::chrono::milliseconds(500);  // supervisor pushes, coalesced
  core::fieldwork_options fieldwork;
  // Called once, on the strand, when a commit fails (disk full, I/O error). The in-memory fieldwork is
  // then ahead of the file, so no reply is sent any more (storage_failed()) and the owner should stop
  // the server: a restart reloads the truth from the file, and the terminals resend from their journals
  // what was never acknowledged.
  std::function<void(const std::string& why)> on_storage_failure;
};

class fieldwork_app {
 public:
  using strand_type = boost::asio::strand<boost::asio::io_context::executor_type>;

  // Loads the fieldwork from `source` now (throws on a broken store or study).
  fieldwork_app(boost::asio::io_context& ioc, std::shared_ptr<const core::questionnaire> study,
                const core::calendar& cal, core::clock& clock, core::fieldwork_source& source,
                core::fieldwork_journal& journal, metrics_registry& metrics, app_options options = {});
  ~fieldwork_app();
  fieldwork_app(const fieldwork_app&) = delete;
  fieldwork_app& operator=(const fieldwork_app&) = delete;

  // Starts the periodic work. Call once the server runs.
  void start();
  // Graceful stop: no more periodic work; done() runs (on the strand) once no commit is in flight.
  void drain(std::function<void()> done);

  strand_type& strand() { return strand_; }
  core::fieldwork& fieldwork() { return *fieldwork_; }
  const core::questionnaire& study() const { return *study_; }
  const core::calendar& calendar() const { return calendar_; }
  core::clock& clock() { return clock_; }
  // Accounts and sessions as stored (reads; any thread).
  core::fieldwork_source& fieldwork_source() { return source_; }
  const date::time_zone* zone() const { return zone_; }
  bool draining() const { return draining_; }
  // The last sample that came into the field while the server ran ("400 cases at
  // 2025-10-14T10:42:00+02:00"), for the supervisors; empty until some did.
  const std::string& sample_added() const { return sample_added_; }
  // The sample's replicates, released or not, as the file held them when the server started or sample last
  // came into the field (a release brings its cases in). On the strand.
  const std::vector<core::fieldwork_source::sample_replicate>& replicates() const { return replicates_; }
  bool storage_failed() const { return storage_failed_; }

  // Commits `changes` (or, when there are none, waits behind the commits in flight) and then runs
  // `reply` on the strand. Replies run in the order commit_then was called. A failed commit runs no
  // reply (see app_options::on_storage_failure).
  void commit_then(core::change_list changes, std::function<void()> reply);

  // Supervisors' view changed: `push` (set once by the adapter) runs on the strand after status_push,
  // once for all the changes meanwhile.
  void on_status_due(std::function<void()> push) { push_status_ = std::move(push); }
  void status_changed();

 private:
  // What the journal's callbacks share with the app: they may run on the writer thread after the app is
  // gone, so they reach it only through this, under its lock, and only while it is open.
  struct pipeline {
    std::mutex mutex;
    std::condition_variable idle;
    int outstanding = 0;  // commits handed to the journal and not yet back
    bool open = true;
  };

  void schedule_tick();
  void schedule_new_cases();
  void finish_drain_if_idle();

  strand_type strand_;
  boost::asio::steady_timer tick_timer_, cases_timer_, status_timer_;
  std::shared_ptr<const core::questionnaire> study_;
  const core::calendar& calendar_;
  core::clock& clock_;
  const date::time_zone* zone_ = nullptr;
  core::fieldwork_source& source_;
  core::fieldwork_journal& journal_;
  metrics_registry& metrics_;
  app_options options_;
  histogram& commit_seconds_;  // registered once: observed on every commit
  std::unique_ptr<core::fieldwork> fieldwork_;
  std::string sample_added_;  // the last cases that came into the field while running (sample_added())
  std::vector<core::fieldwork_source::sample_replicate> replicates_;  // replicates()
  std::shared_ptr<pipeline> pipeline_ = std::make_shared<pipeline>();
  std::function<void()> push_status_;

  int in_flight_ = 0;
  bool status_pending_ = false;
  bool draining_ = false;
  std::function<void()> drained_;
  bool stopped_ = false;
  bool storage_failed_ = false;
};

}  // namespace cati::net
