#include "lib/error.hpp"

#include <boost/throw_exception.hpp>

#include "cati/v1/wire.pb.h"

namespace cati::client {

std::string_view to_string(errc code) {
  const int n = static_cast<int>(code);
  if (n < 100) {
    // The generated names are the stable wire names; they outlive this process, so a view is safe.
    const std::string& name = v1::Error::Code_Name(static_cast<v1::Error::Code>(n));
    return name.empty() ? std::string_view("UNKNOWN") : std::string_view(name);
  }
  switch (code) {
    case errc::timeout: return "TIMEOUT";
    case errc::no_case: return "NO_CASE";
    case errc::no_interview: return "NO_INTERVIEW";
    case errc::dropped: return "DROPPED";
    case errc::journal_io: return "JOURNAL_IO";
    case errc::journal_locked: return "JOURNAL_LOCKED";
    case errc::bad_url: return "BAD_URL";
    case errc::connect_failed: return "CONNECT_FAILED";
    case errc::connection_lost: return "CONNECTION_LOST";
    case errc::protocol: return "PROTOCOL";
    case errc::stopped: return "STOPPED";
    case errc::bad_input: return "BAD_INPUT";
    default: return "UNKNOWN";
  }
}

error from_wire(const v1::Error& e) {
  return error{static_cast<errc>(e.code()), e.message(), e.retry_after_seconds()};
}

bool is_refusal(errc code) {
  switch (code) {
    case errc::malformed:
    case errc::forbidden:
    case errc::not_your_case:
    case errc::invalid_answer:
    case errc::stale_sequence:
    case errc::future_sequence:
    case errc::wrong_question:
    case errc::invalid_request:
    case errc::not_allowed:
    case errc::unspecified:
      return true;
    default:
      return false;
  }
}

void throw_exception_from_error(const error& e, const boost::source_location& loc) {
  boost::throw_exception(error_exception(e), loc);
}

}  // namespace cati::client
