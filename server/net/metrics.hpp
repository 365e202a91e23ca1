// A registry of Prometheus metrics: counters, gauges and histograms that any part of the server can
// register and update, rendered in the Prometheus text format (0.0.4) for GET /metrics.
//
// Thread-safety: registering and rendering take a lock; updating a series (inc, set, observe) is a
// lock-free atomic operation, so the hot paths (every frame, every commit) never contend on it.
// Ownership: the registry owns every series; the references it hands out stay valid for its lifetime.
// This header is free of Asio and Beast: the domain service includes it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cati::net {

// Label pairs of one series, e.g. {{"type", "login"}}. Order is kept as given.
using metric_labels = std::vector<std::pair<std::string, std::string>>;

// Only goes up (requests, messages, errors).
class counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// Goes up and down (open connections, queue depth, quota cells open).
class gauge {
 public:
  void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void add(double v) noexcept { value_.fetch_add(v, std::memory_order_relaxed); }
  void inc() noexcept { add(1.0); }
  void dec() noexcept { add(-1.0); }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Observations in cumulative buckets (commit batch size, commit latency in seconds).
class histogram {
 public:
  // `upper_bounds` ascending; "+Inf" is implicit.
  explicit histogram(std::vector<double> upper_bounds);
  void observe(double v) noexcept;

  const std::vector<double>& upper_bounds() const noexcept { return bounds_; }
  // Non-cumulative count of bucket i (i == upper_bounds().size() is the +Inf bucket).
  std::uint64_t bucket_count(std::size_t i) const noexcept { return counts_[i].load(std::memory_order_relaxed); }
  std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
  double sum() const noexcept { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

class metrics_registry {
 public:
  // Appends complete text-format lines (with their own # HELP / # TYPE) at scrape time, for values that
  // are cheaper to compute on demand than to keep current. Called on the scraping connection's strand,
  // from any thread: it must be thread-safe and must not block for long.
  using collector = std::function<void(std::string& out)>;

  metrics_registry() = default;
  metrics_registry(const metrics_registry&) = delete;
  metrics_registry& operator=(const metrics_registry&) = delete;

  // Registers the series name{labels}, or returns it when it exists already (so code that only knows
  // the name can find it). `name` must match [a-zA-Z_:][a-zA-Z0-9_:]*. A name used before for another
  // kind of metric, or a histogram with other bounds, is a programming error: std::logic_error.
  counter& add_counter(std::string_view name, std::string_view help, const metric_labels& labels = {});
  gauge& add_gauge(std::string_view name, std::string_view help, const metric_labels& labels = {});
  histogram& add_histogram(std::string_view name, std::string_view help, std::vector<double> upper_bounds,
                           const metric_labels& labels = {});

  void add_collector(collector c);

  // The whole exposition: families sorted by name, then the collectors' output.
  std::string render() const;

  // The current value of a counter or gauge series (of a histogram: its count), for tests and
  // diagnostics; false when the series does not exist.
  bool read(std::string_view name, const metric_labels& labels, double& value) const;

 private:
  enum class kind { counter, gauge, histogram };
  struct series {
    std::string labels;  // rendered: {a="x",b="y"} or empty
    std::unique_ptr<counter> c;
    std::unique_ptr<gauge> g;
    std::unique_ptr<histogram> h;
  };
  struct family {
    kind k;
    std::string help;
    std::map<std::string, series> by_labels;
  };

  series& find_or_add(std::string_view name, std::string_view help, kind k, const metric_labels& labels,
                      bool& created);

  mutable std::mutex mutex_;
  std::map<std::string, family, std::less<>> families_;
  std::vector<collector> collectors_;
};

// Formats a sample value the way Prometheus reads it: integers without a fraction, +Inf/-Inf/NaN.
std::string format_metric_value(double v);

}  // namespace cati::net
