#include "core/report/export_dispositions.hpp"

#include "core/calling/disposition.hpp"
#include "core/quota/quota_book.hpp"

namespace cati::core {
namespace {

export_variable variable(std::string name, std::string label, storage_type type) {
  export_variable v;
  v.name = std::move(name);
  v.label = std::move(label);
  v.type = type;
  v.format = type == storage_type::text ? display_format::text : display_format::integer;
  v.width = type == storage_type::text ? 0 : 8;  // texts: the data's width
  v.measure = type == storage_type::text ? measure_level::nominal : measure_level::scale;
  v.base = "every case of the sample";
  return v;
}

export_cell text(std::string t) { return {absence::none, std::nullopt, std::move(t)}; }
export_cell number(double n) { return {absence::none, n, {}}; }

}  // namespace

result<export_dataset> dispositions_dataset(const questionnaire& study, const export_settings& settings,
                                            std::span<const disposition_case> cases, time_point at) {
  auto book = quota_book::build(study);
  if (!book) return error{"quotas: " + book.err().message};

  export_dataset data;
  data.label = study.id + " " + study.version + " dispositions";
  auto& vars = data.variables;
  // The case number links to the sample (company, phone): it goes with contact data only, so that this file
  // and the respondent file cannot be joined to contact data by anyone holding just these two.
  if (settings.include_contact) vars.push_back(variable("case_id", "Case number (sample order)", storage_type::number));
  vars.push_back(variable("respondent_id", builtin_label("respondent_id", settings.lang), storage_type::text));
  for (auto& f : frame_variables(study, settings)) vars.push_back(std::move(f));
  vars.push_back(variable("replicate", "Sample replicate (0: the frame as imported)", storage_type::number));
  vars.push_back(variable("attempts", "Call attempts", storage_type::number));
  vars.push_back(variable("outcome", "Outcome of the call that decided the disposition", storage_type::text));
  vars.push_back(variable("aapor_code", "Final disposition (AAPOR code)", storage_type::text));
  vars.push_back(variable("aapor_group", "AAPOR group (I P R NC O UH UO NE)", storage_type::text));
  for (const auto& q : study.quotas) {
    const auto& label = q.label.get(settings.lang, study.default_language);
    vars.push_back(variable("quota_" + q.name, "Quota cell: " + (label.empty() ? q.name : label), storage_type::text));
  }
  if (auto st = check_names(vars); !st) return st.err();

  for (const auto& c : cases) {
    std::vector<export_cell> row;
    if (settings.include_contact) row.push_back(number(static_cast<double>(c.record.id)));
    row.push_back(text(c.respondent_id));
    auto frame = frame_cells(study, settings, c.firm_id, c.record.frame, c.contact, "case " + std::to_string(c.record.id));
    if (!frame) return frame.err();
    for (auto& cell : *frame) row.push_back(std::move(cell));
    const auto d = final_disposition(c.record, at);
    long attempts = 0;
    for (const auto& call : c.record.calls) attempts += call.at <= at ? 1 : 0;
    row.push_back(number(static_cast<double>(c.record.replicate)));
    row.push_back(number(static_cast<double>(attempts)));
    row.push_back(text(d.decisive ? std::string(to_string(c.record.calls[*d.decisive].result)) : ""));
    row.push_back(text(std::string(code_text(d.code))));
    row.push_back(text(std::string(group_text(group_of(d.code)))));
    const auto cells = book->cells_for(quota_values_of(study, c.record.frame, c.answers));
    for (const auto& q : study.quotas) {
      std::string joined;
      for (const auto& cell : cells) {
        if (cell.quota != q.name) continue;
        for (std::size_t i = 0; i < cell.values.size(); ++i) joined += (i ? "," : "") + cell.values[i];
      }
      row.push_back(text(std::move(joined)));
    }
    data.rows.push_back(std::move(row));
  }
  fit_text_widths(data);
  return data;
}

}  // namespace cati::core
