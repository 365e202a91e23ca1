// The form of an answer, checked before it is sent: codes that are among the screen's choices, a whole
// number, a decimal number. The server checks everything again (constraints, required); checking the
// form here tells the interviewer at once, and keeps a malformed answer out of the offline journal,
// where it would only be refused later.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cati/v1/wire.pb.h"

namespace cati::term {

// The answer as it goes on the wire (spaces normalised), or the reason it has the wrong form.
struct checked_answer {
  std::string value;
  std::string problem;  // empty: the value is fine
};

checked_answer check_answer(const v1::Screen& screen, std::string_view typed);

}  // namespace cati::term
