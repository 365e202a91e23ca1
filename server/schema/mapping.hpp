// Maps a parsed (and linted: no errors) cati.v1.Questionnaire into the domain model.
#pragma once

#include "cati/v1/questionnaire.pb.h"
#include "core/questionnaire/questionnaire.hpp"

namespace cati::schema {

// Precondition: lint_questionnaire reported no error for `q` (expressions parse, names resolve).
core::questionnaire to_domain(const cati::v1::Questionnaire& q);

// "HH:MM" -> minutes after midnight, or -1.
int parse_clock_time(std::string_view hhmm);
// "YYYY-MM-DD" is a valid calendar date.
bool is_valid_date(std::string_view ymd);

}  // namespace cati::schema
