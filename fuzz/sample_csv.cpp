// Fuzz target: the sample frame's CSV (server/core/report/csv, server/core/sample/sample_row) with the
// seed study's frame variables. Bytes -> csv_reader -> parse_sample_frame.
//
// Checked besides the sanitizers: records start on increasing lines inside the text; a well-formed
// record written back with csv_line() reads back to the same fields; the frame's problems are in line
// order; every accepted case has a firm id and only Belgian E.164 numbers, and cases come in file order.
#include <algorithm>
#include <cstdlib>

#include "core/report/csv.hpp"
#include "core/sample/sample_row.hpp"
#include "support/seed_study.hpp"

namespace {

using namespace cati::core;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "sample_csv: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const int lines = 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));

  csv_reader reader(text);
  int last_line = 0;
  while (auto rec = reader.next()) {
    require(rec->line > last_line && rec->line <= lines, "a record starts on a line out of order");
    last_line = rec->line;
    require(!rec->fields.empty(), "a record without fields");
    if (!reader.error().empty()) continue;
    const auto written = csv_line(rec->fields);
    csv_reader again(written);
    auto back = again.next();
    require(back && again.error().empty() && back->fields == rec->fields,
            "a record written with csv_line() does not read back the same");
    require(!again.next(), "a record written with csv_line() reads back as two");
  }

  const auto frame = parse_sample_frame(text, *cati::fuzz::seed_study());
  require(frame.ok() == frame.problems.empty(), "ok() disagrees with the problems");
  for (std::size_t i = 0; i < frame.problems.size(); ++i) {
    require(frame.problems[i].line >= 0 && frame.problems[i].line <= lines, "a problem on a line outside the file");
    require(i == 0 || frame.problems[i - 1].line <= frame.problems[i].line, "problems are not in line order");
    require(!frame.problems[i].message.empty(), "a problem without a message");
  }
  int last_case = 1;
  for (const auto& c : frame.cases) {
    require(c.line > last_case && c.line <= lines, "cases are not in file order");
    last_case = c.line;
    require(!c.firm_id.empty(), "a case without a firm id");
    for (const auto& p : c.phones) require(is_belgian_e164(p), "a case with a number that is not Belgian E.164");
  }
  return 0;
}
