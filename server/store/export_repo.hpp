// What `cati export` reads from a fieldwork: the questionnaire version loaded, every interview with its
// current answers and its case's frame (and, when asked, contact) values, and for the dispositions
// export every case with its whole call history. All of it is read on one connection inside the
// caller's read transaction (fieldwork_store::read), so it is one consistent snapshot even while
// interviews are being written: the rows counted are the rows written.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/report/export_dispositions.hpp"
#include "core/report/export_model.hpp"
#include "store/records.hpp"

namespace SQLite {
class Database;
}

namespace cati::store {

struct export_request {
  bool contact = false;  // read contact data (company, names, phones) too
  bool cases = false;    // read every case with its call history (the dispositions export)
  // The name the phone numbers go under in the contact values (the study's phone frame variable),
  // joined by ';' in dialling order.
  std::string phone_variable = "phone";
};

struct export_snapshot {
  std::optional<study_record> study;                // the questionnaire version last loaded
  std::vector<core::export_respondent> interviews;  // every interview, open ones too, by id
  std::vector<core::disposition_case> cases;        // by case id, when export_request::cases
};

export_snapshot read_export(SQLite::Database& db, const export_request& request);

}  // namespace cati::store
