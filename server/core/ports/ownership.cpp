#include "core/ports/ownership.hpp"

#include <date/date.h>

namespace cati::core {

std::string describe(const ownership_record& r) {
  return "host " + r.holder.host + " (pid " + std::to_string(r.holder.pid) + ", listening on " +
         (r.holder.address.empty() ? std::string("?") : r.holder.address) + ", since " +
         date::format("%FT%TZ", std::chrono::floor<std::chrono::seconds>(r.since)) + ", epoch " +
         std::to_string(r.epoch) + ")";
}

}  // namespace cati::core
