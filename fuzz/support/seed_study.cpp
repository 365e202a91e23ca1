#include "support/seed_study.hpp"

#include "schema/loader.hpp"

namespace cati::fuzz {

std::string seed_study_dir() { return std::string(CATI_SOURCE_DIR) + "/schema/ai_barometer_2025"; }

const std::shared_ptr<const core::questionnaire>& seed_study() {
  static const std::shared_ptr<const core::questionnaire> study = schema::load_study_or_throw(seed_study_dir());
  return study;
}

}  // namespace cati::fuzz

namespace cati::fuzz {

std::vector<std::string> protocol_words() {
  std::vector<std::string> words = {"", "1", "2", "3", "5", "9", "99", "1 2", "0", "-1", " 1", "01", "1e3",
                                    "9223372036854775808", "anna", "bert", "sue", "nl", "fr", "en", "de",
                                    "region", "sector", "VLA", "WAL", "BRU", "+3292000001", "+32920000011",
                                    "2025-10-13T09:30:00+02:00", "2025-10-14T16:00:00+02:00",
                                    "2025-10-13T07:00:00.000Z", "2025-10-18T09:00:00+02:00", "not a time",
                                    "\xE2\x80\xAE", "cati-term 0.1"};
  for (const auto& q : seed_study()->questions) {
    words.push_back(q.name);
    for (const auto& c : q.choices) words.push_back(std::to_string(c.code));
  }
  for (const auto& quota : seed_study()->quotas) words.push_back(quota.name);
  return words;
}

}  // namespace cati::fuzz
