#include "schema/source_map.hpp"

namespace cati::schema {

namespace pb = google::protobuf;

const pb::FieldDescriptor* source_node::field(std::string_view name) const {
  return type_ ? type_->FindFieldByName(std::string(name)) : nullptr;
}

position source_node::at(std::string_view name, int index) const {
  const auto* f = field(name);
  if (!tree_ || !f) return self_;
  auto loc = tree_->GetLocation(f, f->is_repeated() ? index : -1);
  if (loc.line < 0) return self_;
  return {loc.line + 1, loc.column + 1};
}

source_node source_node::child(std::string_view name, int index) const {
  const auto* f = field(name);
  if (!tree_ || !f || f->type() != pb::FieldDescriptor::TYPE_MESSAGE) return {nullptr, nullptr, self_};
  int i = f->is_repeated() ? index : -1;
  return {tree_->GetTreeForNested(f, i), f->message_type(), at(name, index)};
}

source_text::source_text(std::string text) : text_(std::move(text)) {
  line_starts_.push_back(0);
  // find() (memchr) rather than a loop over every byte: a study is tens of kilobytes, loaded by every
  // `cati lint` and by the questionnaire fuzzer on each execution, where a byte loop is instrumented.
  for (auto nl = text_.find('\n'); nl != std::string::npos; nl = text_.find('\n', nl + 1))
    line_starts_.push_back(nl + 1);
}

position source_text::in_string_value(position field_start, std::size_t offset) const {
  if (field_start.line <= 0 || static_cast<std::size_t>(field_start.line) > line_starts_.size())
    return field_start;
  std::size_t pos = line_starts_[field_start.line - 1] + (field_start.column - 1);
  auto quote = text_.find_first_of("\"'", pos);
  if (quote == std::string::npos) return field_start;
  std::size_t target = quote + 1 + offset;
  // Line of `target`: the last line start not after it.
  std::size_t line = field_start.line;
  while (line < line_starts_.size() && line_starts_[line] <= target) ++line;
  return {static_cast<int>(line), static_cast<int>(target - line_starts_[line - 1] + 1)};
}

}  // namespace cati::schema
