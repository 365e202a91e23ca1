// What `cati export` reads from a fieldwork: the questionnaire version loaded, every interview with its
// current answers and its case's frame (and, when asked, contact) values, and for the dispositions
// export every case with its whole call history. All of it is read on one connection inside the
// caller's read transaction (fieldwork_store::read), so it is one consistent snapshot even while
// interviews are being written: the rows counted are the rows written.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/report/export_calls.hpp"
#include "core/report/export_dispositions.hpp"
#include "core/report/export_model.hpp"
#include "store/records.hpp"

namespace cati::store::sql {
class connection;
}

namespace cati::store {

struct export_request {
  bool contact = false;  // read contact data (company, names, phones) too
  bool cases = false;    // read every case with its call history (the dispositions export)
  bool calls = false;    // read every call attempt (the calls export)
  // The name the phone numbers go under in the contact values (the study's phone frame variable),
  // joined by ';' in dialling order.
  std::string phone_variable = "phone";
};

struct export_snapshot {
  std::optional<study_record> study;                // the questionnaire version last loaded
  std::vector<core::export_respondent> interviews;  // every interview, open ones too, by id
  std::vector<core::disposition_case> cases;        // by case id, when export_request::cases
  std::vector<core::logged_call> calls;             // by case, then time, when export_request::calls
};

export_snapshot read_export(sql::connection& db, const export_request& request);

// The SQL expression, over call_attempts `a`, of the index (0-based, dialling order) of the number a call
// dialled; -1 when the number is not one of the case's (core::call_attempt::number).
inline constexpr const char* dialled_number_index_sql =
    "coalesce((SELECT ph.position - 1 FROM phones ph WHERE ph.case_id = a.case_id AND ph.number = a.number), -1)";

}  // namespace cati::store
