#include "store/study_repo.hpp"

#include "store/sodium_detail.hpp"

#include "store/sql_detail.hpp"

namespace cati::store {

using namespace detail;

std::string study_hash(std::string_view text) {
  ensure_sodium();
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                     nullptr, 0);
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

bool register_study(sql::connection& db, const study_record& study) {
  if (auto current = current_study(db)) {
    if (current->study_id != study.study_id)
      throw store_error(store_errc::conflict, "this fieldwork is for study '" + current->study_id + "', not '" +
                                                  study.study_id + "'");
    if (current->questionnaire_hash == study.questionnaire_hash) return false;
  }
  sql::statement insert(db,
                           "INSERT INTO study (study_id, version, questionnaire_hash, questionnaire_text, loaded_at)"
                           " VALUES (?, ?, ?, ?, ?)");
  insert.bind(1, study.study_id);
  insert.bind(2, study.version);
  insert.bind(3, study.questionnaire_hash);
  insert.bind(4, study.questionnaire_text);
  insert.bind(5, to_ms(study.loaded_at));
  insert.exec();
  return true;
}

std::optional<std::string> study_change(const std::optional<study_record>& current, const study_record& next,
                                        const std::string& file) {
  if (!current || current->study_id != next.study_id || current->questionnaire_hash == next.questionnaire_hash)
    return std::nullopt;
  const auto digest = [](const std::string& hash) { return hash.substr(0, 12); };
  if (current->version == next.version)
    throw store_error(store_errc::conflict,
                      "the questionnaire differs from version " + current->version + " that " + file +
                          " ran (digest " + digest(current->questionnaire_hash) + ", now " +
                          digest(next.questionnaire_hash) +
                          ") but keeps its version: give it a new `version` so that every interview says which "
                          "questionnaire it followed");
  return "questionnaire " + next.study_id + " " + next.version + " (digest " + digest(next.questionnaire_hash) +
         ") replaces " + current->version + " (digest " + digest(current->questionnaire_hash) + ") that " + file +
         " ran: recorded; open interviews go on under " + next.version;
}

std::optional<study_record> current_study(sql::connection& db) {
  sql::statement q(db,
                      "SELECT study_id, version, questionnaire_hash, questionnaire_text, loaded_at FROM study"
                      " ORDER BY seq DESC LIMIT 1");
  if (!q.executeStep()) return std::nullopt;
  return study_record{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                      q.getColumn(3).getString(), from_ms(q.getColumn(4).getInt64())};
}

}  // namespace cati::store
