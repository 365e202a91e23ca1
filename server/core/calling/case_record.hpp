// A case (one firm of the sample) as scheduling and dispositions see it: who may call it, its frame
// values and its call history. The history is the truth: a case's state (due when, finished or not, its
// AAPOR code) is derived from it, never stored in a field someone overwrites.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ports/clock.hpp"
#include "core/calling/outcome.hpp"

namespace cati::core {

using case_id = std::int64_t;

// A callback time agreed during a call.
struct appointment {
  time_point at;
  // Personal: the interviewer who made it gets it first; anyone else only after the study's
  // appointment_grace_minutes. Otherwise anyone may call from `at` on.
  bool personal = false;
};

// One dial and how it ended.
struct call_attempt {
  time_point at;            // when the call was made
  std::string interviewer;  // who made it
  outcome result = outcome::unspecified;
  std::optional<appointment> callback;  // set when the call arranged a callback at a time
  // Which of the case's numbers was dialled: its index in dialling order (0 = the first). -1 when not
  // known (a history recorded without it): read as the first number.
  int number = -1;
  // A break_off that had reached the study's partial point (questionnaire::partial_after answered, or
  // explicitly left unanswered, in the interview it broke off): a partial interview, AAPOR 1.2; false for
  // an earlier break-off (2.12) and every other outcome. Decided by the fieldwork service when the break-off
  // happens and recorded with the call (call_attempts.partial), never derived again when the file is read.
  bool partial = false;
};

struct case_record {
  case_id id = 0;
  std::string language;  // the interview language ("nl", "fr"); "" = any interviewer may call
  // Non-contact frame values by variable name (region, sector_frame, ...): for the quota side and for
  // grouping reports. Contact data (company, phone, names) never goes in here.
  std::map<std::string, std::string, std::less<>> frame;
  // Set by a supervisor: only this interviewer calls the case. "" = nobody in particular.
  std::string assigned_to;
  std::vector<call_attempt> calls;  // the whole call history, oldest first
  // The sample replicate the case belongs to (core/sample/replicates.hpp); 0: the frame as imported,
  // always released. Loaders hand the fieldwork released cases only.
  int replicate = 0;
  // How many phone numbers the firm has. The sampling unit is the firm: a dead number (fax, disconnected,
  // wrong number) ends that number only, and the case is finished by it only once every number is dead.
  int numbers = 1;
};

// The index of the number a call reached (call_attempt::number, -1 read as 0).
int number_of(const call_attempt& c);
// Whether every number of the case has had a dead-number outcome in the calls made at or before `at`.
bool every_number_dead(const case_record& c, time_point at);

// What a call's outcome says about reaching the firm.
enum class contact_kind {
  none,         // nobody answered: busy, no answer, answering machine, call blocked, technical problem
  dead_number,  // the number does not reach the firm: fax/modem, disconnected, wrong number
  human,        // someone at the firm answered (receptionist or target)
};
contact_kind contact_of(outcome o);

}  // namespace cati::core
