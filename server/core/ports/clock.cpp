#include "core/ports/clock.hpp"

namespace cati::core {

time_point real_clock::now() const {
  return std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
}

shifted_clock::shifted_clock(time_point start) : offset_(start - real_clock().now()) {}

time_point shifted_clock::now() const { return real_clock().now() + offset_; }

}  // namespace cati::core
