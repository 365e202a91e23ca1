// What the simulation report reads back from the fieldwork file once the server has stopped: the quota
// cells, the completed interviews with their answers and frame values, the answer rows per interview
// (to prove none was lost or doubled), and each interviewer's calls and interview times. The respondents
// come from the research export's reader (store::read_export), so the report's estimates rest on the
// same answers `cati export` writes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/calling/calendar.hpp"

namespace cati::tool::sim {

struct quota_cell_row {
  std::string quota, cell;
  int target = 0, completes = 0;
};

struct respondent {
  std::int64_t interview_id = 0;
  std::map<std::string, std::string, std::less<>> frame;    // region, sector_frame, ...
  std::map<std::string, std::string, std::less<>> answers;  // question -> current value ("" unanswered)
};

struct interviewer_row {
  std::string name;
  int calls = 0;
  int completes = 0;
  double complete_minutes = 0;  // summed time on the line of their complete interviews (suspensions left out)
};

struct fieldwork_results {
  std::vector<quota_cell_row> quotas;                   // by quota, then cell, as stored
  std::vector<respondent> completes;                    // by interview id
  std::map<std::string, std::vector<std::string>> rows; // interview id -> "question=value" per set row, by seq
  std::map<std::string, int> completes_by_day;          // local date -> completes ended that day
  std::vector<interviewer_row> interviewers;            // by name
};

// Reads `db` (read-only). Throws std::runtime_error (SQLite's message) when it cannot.
fieldwork_results read_results(const std::filesystem::path& db, const core::calendar& cal);

}  // namespace cati::tool::sim
