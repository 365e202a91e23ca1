// Internal to core/fieldwork: the text form of an interview's saved state, as snapshot_saved carries it:
// the terminal's last sequence number, the fingerprint of each recent sequenced request, why it ended
// over quota (the quota book's words, which the engine cannot say again after a restart), then the
// engine's saved form. A restarted server reads it back to resume at the same screen and to recognise
// repeats. Snapshots written before fingerprints existed have no seq-print lines.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/questionnaire/engine.hpp"
#include "core/util/result.hpp"

namespace cati::core::detail {

// A fingerprint of one sequenced request (what it was and its fields), so that a repeated sequence
// number can be told apart from a different request that reuses it. FNV-1a 64, as hex: one short line.
std::string request_print(std::string_view kind, std::string_view a = {}, std::string_view b = {});

std::string snapshot_text(std::uint32_t last_seq, const std::map<std::uint32_t, std::string>& prints,
                          const std::string& end_message, const std::string& saved);

struct parsed_snapshot {
  std::uint32_t last_seq = 0;
  std::map<std::uint32_t, std::string> prints;
  std::string end_message;
  saved_interview saved;
};

result<parsed_snapshot> parse_snapshot(const std::string& text);

}  // namespace cati::core::detail
