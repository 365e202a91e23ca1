// Loading a study folder: schema/<study>/questionnaire.textproto -> core::questionnaire.
// Every problem is a diagnostic with file:line:col; a study with any error does not load.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/questionnaire/questionnaire.hpp"
#include "core/util/result.hpp"

namespace cati::schema {

struct diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when the problem has no single place
  int column = 0;  // 1-based
  std::string message;
  bool warning = false;
  std::string to_string() const;  // "file:line:col: message" (or "warning: ...")
};

struct load_report {
  std::shared_ptr<const core::questionnaire> study;  // null when there were errors
  std::vector<diagnostic> diagnostics;               // errors and warnings, in file order
  bool ok() const { return study != nullptr; }
};

// `path` is the study folder (or the .textproto file itself). Parses, maps and lints.
load_report load_study(const std::filesystem::path& path);
// The same for the file's text, already read; `file` names it in the diagnostics.
load_report load_study_text(std::string textproto, const std::string& file);

// Loads or throws std::runtime_error with every error, one per line: for programs that cannot run
// without a valid study (server, sample import, ...).
std::shared_ptr<const core::questionnaire> load_study_or_throw(const std::filesystem::path& path);

}  // namespace cati::schema
