// result<T>: a value or an error, for fallible domain calls (C++20 has no std::expected).
// Errors carry a code-free message; callers that need to branch on the kind use their own enum in E.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace cati::core {

// The default error: a human-readable message that says where and what.
struct error {
  std::string message;
};

template <class T, class E = error>
class result {
 public:
  result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  result(E err) : v_(std::in_place_index<1>, std::move(err)) {}      // NOLINT: implicit by design

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(v_); }
  const T& value() const& { assert(has_value()); return std::get<0>(v_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& err() const { assert(!has_value()); return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

// For calls that return nothing on success.
struct ok_t {};
inline constexpr ok_t ok{};
template <class E = error>
using status = result<ok_t, E>;

}  // namespace cati::core
