#include "fieldwork_read.hpp"

#include <date/tz.h>

#include <stdexcept>

#include "core/ports/clock.hpp"
#include "core/quota/quota_book.hpp"
#include "schema/loader.hpp"
#include "store/error.hpp"
#include "store/fieldwork_port.hpp"
#include "store/fieldwork_store.hpp"

namespace cati::tool {

study_context load_study_context(const std::string& dir) {
  auto study = schema::load_study_or_throw(dir);
  auto cal = core::calendar::make(*study);
  if (!cal) throw std::runtime_error(dir + ": " + cal.err().message);
  return {std::move(study), std::move(cal).value()};
}

study_context load_stored_study_context(const std::string& db) {
  store::fieldwork_store fieldwork({.path = db, .create = false});
  auto stored = fieldwork.current_study();
  if (!stored)
    throw std::runtime_error(db + ": no study loaded in this fieldwork yet (load a sample with `cati sample import`)");
  auto report = schema::load_study_text(stored->questionnaire_text, db + " (questionnaire " + stored->version + ")");
  if (!report.ok()) {
    std::string all = db + ": the questionnaire kept in the file does not load; give --study:";
    for (const auto& d : report.diagnostics)
      if (!d.warning) all += "\n" + d.to_string();
    throw std::runtime_error(all);
  }
  auto cal = core::calendar::make(*report.study);
  if (!cal) throw std::runtime_error(db + ": " + cal.err().message);
  return {std::move(report.study), std::move(cal).value()};
}

study_context study_of(const std::string& study_dir, const std::string& db) {
  return study_dir.empty() ? load_stored_study_context(db) : load_study_context(study_dir);
}

core::time_point moment_or_now(const std::optional<std::string>& text, const core::calendar& cal,
                               const std::string& option) {
  if (!text) return core::real_clock().now();
  auto t = cal.parse_moment(*text);
  if (!t) throw std::runtime_error(option + ": " + t.err().message);
  return *t;
}

std::string local_time_text(const core::calendar& cal, core::time_point t) {
  auto local = date::make_zoned(cal.time_zone_name(), std::chrono::floor<std::chrono::minutes>(t));
  return date::format("%F %R %Z", local);
}

fieldwork_snapshot read_fieldwork(const std::string& db, const core::questionnaire& study) {
  store::fieldwork_store fieldwork({.path = db, .create = false, .read_only = true});
  auto loaded = fieldwork.current_study();
  if (!loaded)
    throw store::store_error(store::store_errc::not_found,
                             db + ": no study loaded in this fieldwork yet (load a sample with `cati sample import`)");
  // Versions of one study may differ (a questionnaire corrected during fieldwork); studies may not.
  if (loaded->study_id != study.id)
    throw store::store_error(store::store_errc::conflict, db + " is a fieldwork of study '" + loaded->study_id +
                                                              "', not of '" + study.id + "'");
  // The server's own loader: the same cases and call histories (with the appointments calls made) as the
  // scheduler sees, so the sample left here is the sample left there.
  store::fieldwork_port port(fieldwork, study);
  fieldwork_snapshot out;
  out.study_version = loaded->version;
  for (auto& c : port.cases_after(0)) {
    for (auto& [interview, values] : core::quota_points(c)) out.quota_points.push_back(std::move(values));
    out.cases.push_back(std::move(c.record));
  }
  out.quotas = port.quotas();
  // The cells cati-server would add at its start (INSERT OR IGNORE), added here in memory only.
  auto book = core::quota_book::build(study);
  if (!book) throw std::runtime_error("quotas: " + book.err().message);
  for (const auto& [cell, record] : book->state().cells) out.quotas.cells.try_emplace(cell, record);
  return out;
}

}  // namespace cati::tool
