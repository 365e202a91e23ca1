#include "net/fieldwork_app.hpp"

#include <boost/asio/post.hpp>
#include <date/tz.h>

#include <algorithm>

#include "net/log.hpp"

namespace cati::net {

namespace asio = boost::asio;

fieldwork_app::fieldwork_app(asio::io_context& ioc, std::shared_ptr<const core::questionnaire> study,
                             const core::calendar& cal, core::clock& clock, core::fieldwork_source& source,
                             core::fieldwork_journal& journal, metrics_registry& metrics, app_options options)
    : strand_(asio::make_strand(ioc)),
      tick_timer_(strand_),
      cases_timer_(strand_),
      status_timer_(strand_),
      study_(std::move(study)),
      calendar_(cal),
      clock_(clock),
      source_(source),
      journal_(journal),
      metrics_(metrics),
      options_(std::move(options)),
      commit_seconds_(metrics.add_histogram("cati_commit_seconds", "time from a request's changes to their commit",
                                            {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5})) {
  zone_ = date::locate_zone(study_->time_zone);
  auto opened = core::open_fieldwork(study_, calendar_, source_, options_.fieldwork, clock_.now());
  fieldwork_ = std::move(opened.service);
  for (const auto& [id, why] : opened.not_restored) log_warn("interview ", id, " cannot be resumed: ", why);
  replicates_ = source_.replicates();
  log_info("fieldwork loaded: ", fieldwork_->case_count(), " cases, study ", study_->id, " ", study_->version);
}

fieldwork_app::~fieldwork_app() {
  // The journal finishes what it was given (the store's writer commits its queue) and calls back; those
  // callbacks must find nothing here to touch. Wait for them, then close the pipeline to any late one.
  std::unique_lock lock(pipeline_->mutex);
  pipeline_->idle.wait(lock, [&] { return pipeline_->outstanding == 0; });
  pipeline_->open = false;
}

void fieldwork_app::start() {
  asio::post(strand_, [this] {
    schedule_tick();
    schedule_new_cases();
  });
}

void fieldwork_app::schedule_tick() {
  tick_timer_.expires_after(options_.tick);
  tick_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    auto changes = fieldwork_->tick(clock_.now());
    if (!changes.empty()) {
      commit_then(std::move(changes), [] {});
      status_changed();
    }
    schedule_tick();
  });
}

void fieldwork_app::schedule_new_cases() {
  cases_timer_.expires_after(options_.new_cases);
  cases_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    try {
      // By id, not "above the largest id": a released replicate's cases were imported long before.
      std::vector<core::case_id> known;
      known.reserve(fieldwork_->case_count());
      for (const auto& c : fieldwork_->cases()) known.push_back(c.id);
      std::sort(known.begin(), known.end());
      auto cases = source_.cases_not_in(known);
      if (!cases.empty()) {
        const auto added = cases.size();
        fieldwork_->load_cases(std::move(cases));
        replicates_ = source_.replicates();  // a replicate released: its row says so now
        const auto at = std::chrono::time_point_cast<std::chrono::seconds>(clock_.now());
        sample_added_ = std::to_string(added) + " cases at " +
                        date::format("%FT%T%Ez", date::zoned_time<std::chrono::seconds>(zone_, at));
        log_info("sample added while running (an import, or a replicate released): ", sample_added_, "; ",
                 fieldwork_->case_count(), " cases in the field");
        status_changed();
      }
    } catch (const std::exception& e) {
      log_error("reading new cases: ", e.what());
    }
    schedule_new_cases();
  });
}

void fieldwork_app::drain(std::function<void()> done) {
  asio::post(strand_, [this, done = std::move(done)] {
    draining_ = true;
    stopped_ = true;
    tick_timer_.cancel();
    cases_timer_.cancel();
    status_timer_.cancel();
    drained_ = done;
    finish_drain_if_idle();
  });
}

void fieldwork_app::finish_drain_if_idle() {
  if (draining_ && in_flight_ == 0 && drained_) {
    auto done = std::move(drained_);
    drained_ = nullptr;
    done();
  }
}

void fieldwork_app::commit_then(core::change_list changes, std::function<void()> reply) {
  if (changes.empty() && in_flight_ == 0) {
    if (!storage_failed_) reply();
    return;
  }
  ++in_flight_;
  {
    const std::lock_guard lock(pipeline_->mutex);
    ++pipeline_->outstanding;
  }
  const auto started = std::chrono::steady_clock::now();
  journal_.commit(std::move(changes), [this, pipe = pipeline_, reply = std::move(reply),
                                       started](std::optional<std::string> err) {
    // On the writer thread. Posting under the lock: the destructor cannot finish between the check and
    // the post (post never runs the handler here).
    const std::lock_guard lock(pipe->mutex);
    if (pipe->open) {
      asio::post(strand_, [this, pipe, reply, err, started] {
        {
          const std::lock_guard inner(pipe->mutex);  // an app destroyed before its io_context stopped
          if (!pipe->open) return;
        }
        --in_flight_;
        commit_seconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        if (err) {
          // The change is not on disk: the terminal must not be told it is. The in-memory state is ahead
          // of the file now, so no later reply can be trusted either: fail stop (see app_options).
          log_error("commit failed: ", *err);
          metrics_.add_counter("cati_commit_failures_total", "commits that failed").inc();
          if (!storage_failed_) {
            storage_failed_ = true;
            if (options_.on_storage_failure) options_.on_storage_failure(*err);
          }
        } else if (!storage_failed_) {
          reply();
        }
        finish_drain_if_idle();
      });
    }
    --pipe->outstanding;
    pipe->idle.notify_all();
  });
}

void fieldwork_app::status_changed() {
  if (status_pending_ || stopped_) return;
  status_pending_ = true;
  status_timer_.expires_after(options_.status_push);
  status_timer_.async_wait([this](boost::system::error_code ec) {
    status_pending_ = false;
    if (ec || stopped_) return;
    if (push_status_) push_status_();
  });
}

}  // namespace cati::net
