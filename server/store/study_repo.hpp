// The questionnaire versions loaded into a fieldwork. A fieldwork belongs to one study; its questionnaire
// may be corrected during fieldwork (a new version), and every version used stays on record.
//
// Functions take a connection: writes run as writer jobs, reads on a reader (see fieldwork_store).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/records.hpp"

namespace cati::store::sql {
class connection;
}

namespace cati::store {

// BLAKE2b-256 of a questionnaire's text, in hex: tells versions apart even when `version` was not bumped.
std::string study_hash(std::string_view questionnaire_text);

// Records `study` unless the current version has the same hash. Returns whether a row was added.
// Throws store_error(conflict) when the fieldwork belongs to another study id.
bool register_study(sql::connection& db, const study_record& study);
std::optional<study_record> current_study(sql::connection& db);

// A server about to run `next` on a file that last ran `current` (cati-server at start): nullopt when the
// questionnaire is the same; a line for the log when a new version replaces the one the file ran (it is
// recorded: interviews say which version they followed). A questionnaire whose text changed under the same
// version is refused (store_error conflict, saying both digests): the data could not tell which text an
// interview followed, so the change needs a new `version`. Another study is register_study's refusal.
std::optional<std::string> study_change(const std::optional<study_record>& current, const study_record& next,
                                        const std::string& file);

}  // namespace cati::store
