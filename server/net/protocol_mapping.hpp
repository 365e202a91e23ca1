// The mapping between the fieldwork service's domain replies and the wire messages (cati.v1). One place
// where domain types meet Protobuf types for the terminal protocol; the service calls only these.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cati/v1/wire.pb.h"
#include "core/fieldwork/fieldwork.hpp"

namespace date {
class time_zone;
}

namespace cati::net {

// RFC 3339 in the study's time zone: "2025-10-13T09:00:00+02:00".
std::string format_local(core::time_point t, const date::time_zone* zone);
// An RFC 3339 instant with its offset; nullopt for "" or a malformed one.
std::optional<core::time_point> parse_wire_time(std::string_view text);

cati::v1::Outcome to_wire(core::outcome o);
core::outcome from_wire(cati::v1::Outcome o);

cati::v1::Error to_wire(const core::fault& f);
cati::v1::Counters to_wire(const core::counters& c);
void fill(cati::v1::CaseCard& card, const core::case_offer& offer, const date::time_zone* zone);
void fill(cati::v1::NoCase& out, const core::idle& why, const date::time_zone* zone);
// A view in progress becomes a Screen; an ended one an InterviewEnd. Sets the body of `out`.
void fill(cati::v1::ServerMessage& out, const core::interview_view& view, const core::counters& today);
void fill(cati::v1::QuotaCellStatus& out, const core::quota_row& row);

// The name of a ClientMessage's body ("answer", "login"), for metrics and logs.
std::string_view body_name(const cati::v1::ClientMessage& m);

}  // namespace cati::net
