// The metrics registry and its Prometheus text rendering, without a server.
#include "net/metrics.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>
#include <vector>

namespace cati::net {
namespace {

TEST(NetMetricsTest, RendersCountersAndGaugesGroupedByFamily) {
  metrics_registry r;
  r.add_counter("cati_messages_in_total", "Messages in.", {{"type", "login"}}).inc(2);
  r.add_gauge("cati_connections", "Open connections.").set(3);
  r.add_counter("cati_messages_in_total", "Messages in.", {{"type", "answer"}}).inc();
  // The same name and labels give the same series.
  r.add_counter("cati_messages_in_total", "Messages in.", {{"type", "login"}}).inc();

  EXPECT_EQ(r.render(),
            "# HELP cati_connections Open connections.\n"
            "# TYPE cati_connections gauge\n"
            "cati_connections 3\n"
            "# HELP cati_messages_in_total Messages in.\n"
            "# TYPE cati_messages_in_total counter\n"
            "cati_messages_in_total{type=\"answer\"} 1\n"
            "cati_messages_in_total{type=\"login\"} 3\n");
}

TEST(NetMetricsTest, RendersHistograms) {
  metrics_registry r;
  auto& h = r.add_histogram("cati_commit_batch_size", "Answers per commit.", {1, 4, 16});
  for (double v : {1.0, 2.0, 3.0, 20.0}) h.observe(v);
  EXPECT_EQ(r.render(),
            "# HELP cati_commit_batch_size Answers per commit.\n"
            "# TYPE cati_commit_batch_size histogram\n"
            "cati_commit_batch_size_bucket{le=\"1\"} 1\n"
            "cati_commit_batch_size_bucket{le=\"4\"} 3\n"
            "cati_commit_batch_size_bucket{le=\"16\"} 3\n"
            "cati_commit_batch_size_bucket{le=\"+Inf\"} 4\n"
            "cati_commit_batch_size_sum 26\n"
            "cati_commit_batch_size_count 4\n");
}

TEST(NetMetricsTest, LabelledHistogramAndFractionalValues) {
  metrics_registry r;
  r.add_histogram("cati_commit_seconds", "Commit latency.", {0.005, 0.25}, {{"db", "main"}}).observe(0.001);
  r.add_gauge("cati_rate", "A rate.").set(0.5);
  const auto text = r.render();
  EXPECT_NE(text.find("cati_commit_seconds_bucket{db=\"main\",le=\"0.005\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("cati_commit_seconds_sum{db=\"main\"} 0.001\n"), std::string::npos) << text;
  EXPECT_NE(text.find("cati_rate 0.5\n"), std::string::npos) << text;
}

TEST(NetMetricsTest, EscapesLabelValues) {
  metrics_registry r;
  r.add_counter("c_total", "Help with \\ and\nnewline.", {{"v", "a\"b\\c\nd"}}).inc();
  const auto text = r.render();
  EXPECT_NE(text.find("# HELP c_total Help with \\\\ and\\nnewline.\n"), std::string::npos) << text;
  EXPECT_NE(text.find("c_total{v=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos) << text;
}

TEST(NetMetricsTest, MisuseIsALogicError) {
  metrics_registry r;
  r.add_counter("x_total", "X.");
  EXPECT_THROW(r.add_gauge("x_total", "X."), std::logic_error);
  EXPECT_THROW(r.add_counter("bad name", "X."), std::logic_error);
  EXPECT_THROW(r.add_counter("ok_total", "X.", {{"bad-label", "v"}}), std::logic_error);
  r.add_histogram("h", "H.", {1, 2});
  EXPECT_THROW(r.add_histogram("h", "H.", {1, 3}), std::logic_error);
  EXPECT_THROW(r.add_histogram("h2", "H.", {2, 1}), std::logic_error);
}

TEST(NetMetricsTest, CollectorsAppendAtScrapeTime) {
  metrics_registry r;
  int scrapes = 0;
  r.add_collector([&](std::string& out) { out += "# TYPE cati_quota_left gauge\ncati_quota_left " + std::to_string(++scrapes) + "\n"; });
  EXPECT_NE(r.render().find("cati_quota_left 1\n"), std::string::npos);
  EXPECT_NE(r.render().find("cati_quota_left 2\n"), std::string::npos);
}

TEST(NetMetricsTest, ConcurrentUpdatesAreNotLost) {
  metrics_registry r;
  auto& c = r.add_counter("n_total", "N.");
  auto& g = r.add_gauge("g", "G.");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.inc();
        g.inc();
        r.add_counter("n_total", "N.");  // registration races with updates and with itself
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000U);
  EXPECT_EQ(g.value(), 40000.0);
  double v = 0;
  ASSERT_TRUE(r.read("n_total", {}, v));
  EXPECT_EQ(v, 40000.0);
  EXPECT_FALSE(r.read("nope", {}, v));
}

TEST(NetMetricsTest, FormatsValues) {
  EXPECT_EQ(format_metric_value(3), "3");
  EXPECT_EQ(format_metric_value(-2), "-2");
  EXPECT_EQ(format_metric_value(0.25), "0.25");
  EXPECT_EQ(format_metric_value(1.0 / 0.0), "+Inf");
}

}  // namespace
}  // namespace cati::net
