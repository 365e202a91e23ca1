#include "schema/loader.hpp"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "cati/v1/questionnaire.pb.h"
#include "schema/lint.hpp"
#include "schema/mapping.hpp"
#include "schema/reachability.hpp"
#include "schema/source_map.hpp"

namespace cati::schema {

namespace {

// Collects the text-format parser's syntax errors (0-based positions) as diagnostics.
class error_sink final : public google::protobuf::io::ErrorCollector {
 public:
  error_sink(const std::string& file, std::vector<diagnostic>& out) : file_(file), out_(out) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    out_.push_back({file_, line + 1, column + 1, message, false});
  }
  void AddWarning(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    out_.push_back({file_, line + 1, column + 1, message, true});
  }

 private:
  const std::string& file_;
  std::vector<diagnostic>& out_;
};

}  // namespace

std::string diagnostic::to_string() const {
  std::ostringstream s;
  s << file;
  if (line > 0) s << ':' << line << ':' << column;
  s << ": " << (warning ? "warning: " : "") << message;
  return s.str();
}

load_report load_study(const std::filesystem::path& path) {
  auto file_path = std::filesystem::is_directory(path) ? path / "questionnaire.textproto" : path;
  std::ifstream in(file_path, std::ios::binary);
  if (!in) {
    load_report report;
    report.diagnostics.push_back({file_path.string(), 0, 0, "cannot read the questionnaire file", false});
    return report;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return load_study_text(buffer.str(), file_path.string());
}

load_report load_study_text(std::string textproto, const std::string& file) {
  load_report report;
  source_text text(std::move(textproto));

  cati::v1::Questionnaire q;
  google::protobuf::TextFormat::Parser parser;
  google::protobuf::TextFormat::ParseInfoTree tree;
  error_sink sink(file, report.diagnostics);
  parser.RecordErrorsTo(&sink);
  parser.WriteLocationsTo(&tree);
  if (!parser.ParseFromString(text.text(), &q)) {
    if (report.diagnostics.empty()) report.diagnostics.push_back({file, 0, 0, "cannot parse the file", false});
    return report;  // a syntax error leaves no tree worth linting
  }
  source_node root(&tree, q.GetDescriptor(), {1, 1});
  lint_questionnaire(q, root, text, file, report.diagnostics);
  std::stable_sort(report.diagnostics.begin(), report.diagnostics.end(),
                   [](const diagnostic& a, const diagnostic& b) {
                     return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                   });
  bool errors = std::any_of(report.diagnostics.begin(), report.diagnostics.end(),
                            [](const diagnostic& d) { return !d.warning; });
  if (errors) return report;
  auto study = std::make_shared<const core::questionnaire>(to_domain(q));
  for (const auto& name : unreachable_questions(study)) {
    int i = 0;
    while (i < q.questions_size() && q.questions(i).name() != name) ++i;
    auto at = root.child("questions", i).at("name");
    report.diagnostics.push_back({file, at.line, at.column,
                                  "question " + name + " can never be reached: no interview gets to it (check its "
                                  "relevant against the routing and the screen-outs before it)",
                                  false});
  }
  if (report.diagnostics.empty() ||
      std::none_of(report.diagnostics.begin(), report.diagnostics.end(), [](const diagnostic& d) { return !d.warning; }))
    report.study = std::move(study);
  return report;
}

std::shared_ptr<const core::questionnaire> load_study_or_throw(const std::filesystem::path& path) {
  auto report = load_study(path);
  if (report.ok()) return report.study;
  std::string all = "the study " + path.string() + " does not load:";
  for (const auto& d : report.diagnostics)
    if (!d.warning) all += "\n" + d.to_string();
  throw std::runtime_error(all);
}

}  // namespace cati::schema
