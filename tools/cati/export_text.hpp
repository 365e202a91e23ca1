// The text companions of an export: the data as CSV, the Markdown codebook, and the SPSS syntax that
// defines the multiple-response sets (ReadStat cannot write those into a .sav).
#pragma once

#include <filesystem>
#include <string>

#include "core/report/export_model.hpp"

namespace cati::tool {

// One header line of variable names, then one line per row (RFC 4180). Numbers as written ("3", "2.5",
// at most 10 decimals), the absence codes as numbers (-1 not asked, -2 no answer), system-missing as an
// empty field, times as UTC ISO 8601 ("2025-10-13T07:12:00Z").
std::string csv_text(const core::export_dataset& data);

// Markdown: a title, how missing values are coded, then per variable its name, label, type and format,
// base (who was asked, and how many rows hold an answer), and its codes with labels and counts.
std::string codebook_text(const core::export_dataset& data, const std::string& title);

// SPSS syntax: MRSETS /MDGROUP per multiple-choice question (counted value 1), to run after opening
// `sav_name`. "" when the dataset has no multiple-choice question.
std::string mrsets_syntax(const core::export_dataset& data, const std::string& sav_name);

// Writes `text` to `path`, replacing it; throws std::runtime_error naming the file.
void write_text_file(const std::filesystem::path& path, const std::string& text);
// "PATH: cannot write the file: " and why: the folder that does not exist, or strerror(error).
std::string cannot_write(const std::filesystem::path& path, int error);

}  // namespace cati::tool
