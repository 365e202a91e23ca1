// Fuzz target: the questionnaire loader and `cati lint` (server/schema) on textproto. Text ->
// load_study_text (parse, lint, map to the domain, reachability) -> the diagnostics as `cati lint` prints
// them; a study that loads also gets its calling calendar made, as the server does at start.
//
// Checked besides the sanitizers: a study loads exactly when there is no error; every diagnostic has a
// message and a place inside the text (or none); a loaded study has questions and languages.
#include <algorithm>
#include <cstdlib>

#include "core/calling/calendar.hpp"
#include "schema/loader.hpp"
#include "support/message_mutator.hpp"

namespace {

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "questionnaire: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  int lines = 1;  // find() (memchr), not std::count: a byte loop here is instrumented and costs 2 % of a run
  for (auto nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', nl + 1)) ++lines;
  const auto report = cati::schema::load_study_text(std::move(text), "questionnaire.textproto");
  bool errors = false;
  for (const auto& d : report.diagnostics) {
    errors = errors || !d.warning;
    require(!d.message.empty(), "a diagnostic without a message");
    require(d.line >= 0 && d.line <= lines && d.column >= 0, "a diagnostic outside the text");
    (void)d.to_string();
  }
  require(report.ok() == !errors, "a study with errors loaded, or one without did not");
  if (!report.ok()) return 0;
  const auto& study = *report.study;
  require(!study.questions.empty() && !study.languages.empty(), "a loaded study without questions or languages");
  (void)cati::core::calendar::make(study);
  return 0;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  cati::fuzz::quiet_protobuf_log();
  return 0;
}
