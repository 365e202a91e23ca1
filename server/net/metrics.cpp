#include "net/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace cati::net {
namespace {

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'; };
  if (!alpha(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); });
}

void append_escaped(std::string& out, std::string_view value, bool quote) {
  for (const char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (quote && c == '"') out += "\\\"";
    else out += c;
  }
}

// {a="x",b="y"}, plus an extra trailing pair (the histogram's le) when given.
std::string render_labels(const metric_labels& labels, std::string_view extra_name = {},
                          std::string_view extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return {};
  std::string out = "{";
  bool first = true;
  auto pair = [&](std::string_view k, std::string_view v) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    append_escaped(out, v, true);
    out += '"';
  };
  for (const auto& [k, v] : labels) {
    if (!valid_name(k)) throw std::logic_error("metric label name '" + k + "' is not valid");
    pair(k, v);
  }
  if (!extra_name.empty()) pair(extra_name, extra_value);
  out += '}';
  return out;
}

// Inserts le="..." into an already rendered label set.
std::string with_le(const std::string& rendered, std::string_view le) {
  std::string pair = "le=\"" + std::string(le) + "\"";
  if (rendered.empty()) return "{" + pair + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + pair + "}";
}

std::string_view type_name(int k) {
  switch (k) {
    case 0: return "counter";
    case 1: return "gauge";
    default: return "histogram";
  }
}

}  // namespace

std::string format_metric_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::nearbyint(v) == v && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<long long>(v));
  }
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

histogram::histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end())) throw std::logic_error("histogram bounds must ascend");
  for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void histogram::observe(double v) noexcept {
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  counts_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

metrics_registry::series& metrics_registry::find_or_add(std::string_view name, std::string_view help, kind k,
                                                        const metric_labels& labels, bool& created) {
  if (!valid_name(name)) throw std::logic_error("metric name '" + std::string(name) + "' is not valid");
  const std::string rendered = render_labels(labels);
  auto fam = families_.find(name);
  if (fam == families_.end()) {
    fam = families_.emplace(std::string(name), family{k, std::string(help), {}}).first;
  } else if (fam->second.k != k) {
    throw std::logic_error("metric '" + std::string(name) + "' was registered as another kind");
  }
  auto [it, inserted] = fam->second.by_labels.try_emplace(rendered);
  if (inserted) it->second.labels = rendered;
  created = inserted;
  return it->second;
}

counter& metrics_registry::add_counter(std::string_view name, std::string_view help, const metric_labels& labels) {
  const std::lock_guard lock(mutex_);
  bool created = false;
  auto& s = find_or_add(name, help, kind::counter, labels, created);
  if (created) s.c = std::make_unique<counter>();
  return *s.c;
}

gauge& metrics_registry::add_gauge(std::string_view name, std::string_view help, const metric_labels& labels) {
  const std::lock_guard lock(mutex_);
  bool created = false;
  auto& s = find_or_add(name, help, kind::gauge, labels, created);
  if (created) s.g = std::make_unique<gauge>();
  return *s.g;
}

histogram& metrics_registry::add_histogram(std::string_view name, std::string_view help,
                                           std::vector<double> upper_bounds, const metric_labels& labels) {
  const std::lock_guard lock(mutex_);
  bool created = false;
  auto& s = find_or_add(name, help, kind::histogram, labels, created);
  if (created) {
    s.h = std::make_unique<histogram>(std::move(upper_bounds));
  } else if (s.h->upper_bounds() != upper_bounds) {
    throw std::logic_error("histogram '" + std::string(name) + "' was registered with other bounds");
  }
  return *s.h;
}

void metrics_registry::add_collector(collector c) {
  const std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(c));
}

bool metrics_registry::read(std::string_view name, const metric_labels& labels, double& value) const {
  const std::string rendered = render_labels(labels);
  const std::lock_guard lock(mutex_);
  const auto fam = families_.find(name);
  if (fam == families_.end()) return false;
  const auto it = fam->second.by_labels.find(rendered);
  if (it == fam->second.by_labels.end()) return false;
  if (it->second.c) value = static_cast<double>(it->second.c->value());
  else if (it->second.g) value = it->second.g->value();
  else value = static_cast<double>(it->second.h->count());
  return true;
}

std::string metrics_registry::render() const {
  std::vector<collector> collectors;
  std::string out;
  {
    const std::lock_guard lock(mutex_);
    for (const auto& [name, fam] : families_) {
      out += "# HELP ";
      out += name;
      out += ' ';
      append_escaped(out, fam.help, false);
      out += "\n# TYPE ";
      out += name;
      out += ' ';
      out += type_name(static_cast<int>(fam.k));
      out += '\n';
      for (const auto& [labels, s] : fam.by_labels) {
        if (s.c || s.g) {
          out += name;
          out += labels;
          out += ' ';
          out += s.c ? std::to_string(s.c->value()) : format_metric_value(s.g->value());
          out += '\n';
          continue;
        }
        const histogram& h = *s.h;
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i <= h.upper_bounds().size(); ++i) {
          cumulative += h.bucket_count(i);
          const std::string le =
              i < h.upper_bounds().size() ? format_metric_value(h.upper_bounds()[i]) : std::string("+Inf");
          out += name + "_bucket" + with_le(labels, le) + ' ' + std::to_string(cumulative) + '\n';
        }
        out += name + "_sum" + labels + ' ' + format_metric_value(h.sum()) + '\n';
        out += name + "_count" + labels + ' ' + std::to_string(h.count()) + '\n';
      }
    }
    collectors = collectors_;
  }
  // Collectors run outside the lock: they may register series of their own.
  for (const auto& c : collectors) c(out);
  return out;
}

}  // namespace cati::net
