// What `cati report` and `cati quota` share: the study with its calendar, a moment typed on the
// command line, the fieldwork's cases and quota state read from its file, and the error convention
// (a message on stderr, exit code 1). The computing is in server/core (report_breakdown.hpp,
// report_sample.hpp); this is the I/O around it.
#pragma once

#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/calling/calendar.hpp"
#include "core/calling/case_record.hpp"
#include "core/questionnaire/questionnaire.hpp"
#include "core/quota/quota_state.hpp"

namespace cati::tool {

struct study_context {
  std::shared_ptr<const core::questionnaire> study;
  core::calendar cal;
};

// Loads schema/<study> and builds its calendar. Throws std::runtime_error saying what is wrong.
study_context load_study_context(const std::string& dir);
// The study the fieldwork file `db` last loaded (its questionnaire text is kept in the file), so that a
// command needs no --study. Throws std::runtime_error for a missing file or one without a study yet.
study_context load_stored_study_context(const std::string& db);
// --study when given, else the study kept in `db`.
study_context study_of(const std::string& study_dir, const std::string& db);

// `text` read as calendar::parse_moment does (in the study's time zone), or the real clock's now when
// there is none. Throws std::runtime_error naming `option` when the text is not a moment.
core::time_point moment_or_now(const std::optional<std::string>& text, const core::calendar& cal,
                               const std::string& option);

// "2025-10-14 11:30 CEST": `t` on the study's wall clock.
std::string local_time_text(const core::calendar& cal, core::time_point t);

struct fieldwork_snapshot {
  std::string study_version;        // the questionnaire version the fieldwork last loaded
  std::vector<core::case_record> cases;  // every case with its whole call history, by id
  core::quota_state quotas;
  // Each interview that reached the quota point, with its values there (frame and answers): what
  // core::count_arrivals() counts per cell for the quota table's shares.
  std::vector<core::quota_values> quota_points;
};

// Reads an existing fieldwork file of `study` (never creates one). Throws std::runtime_error (a
// store_error) for a missing file, a file that is not a fieldwork, one with no study loaded yet, or one
// of another study. The file is opened read-only and never migrated: it stays byte for byte as it was.
// The study's quota cells the file lacks (cati-server adds them at its start) are added in memory.
fieldwork_snapshot read_fieldwork(const std::string& db, const core::questionnaire& study);

// A command callback running `body` (returning the exit code), turning the errors a user can cause
// (a missing or foreign file, a bad study, a bad moment) into "cati <command>: message" and exit 1.
template <class F>
auto reporting_errors(std::string command, int& exit_code, F body) {
  return [command = std::move(command), &exit_code, body] {
    try {
      exit_code = body();
    } catch (const std::exception& e) {
      std::cerr << "cati " << command << ": " << e.what() << "\n";
      exit_code = 1;
    }
  };
}

}  // namespace cati::tool
