// Where things are in a parsed .textproto: file:line:col for any field of the message tree, so that
// lint messages point at the offending text. Wraps protobuf's ParseInfoTree.
#pragma once

#include <google/protobuf/message.h>
#include <google/protobuf/text_format.h>

#include <string>
#include <string_view>
#include <vector>

namespace cati::schema {

struct position {
  int line = 0;    // 1-based, 0 = unknown
  int column = 0;  // 1-based
};

// A node of the parse tree: one message value in the file.
class source_node {
 public:
  source_node() = default;
  source_node(const google::protobuf::TextFormat::ParseInfoTree* tree,
              const google::protobuf::Descriptor* type, position self)
      : tree_(tree), type_(type), self_(self) {}

  // Where this message starts (its field name in the parent), or the file start for the root.
  position where() const { return self_; }
  // Where field `name` (its index-th value if repeated, -1 if singular) starts; falls back to where().
  position at(std::string_view field, int index = -1) const;
  // The nested message of field `name`.
  source_node child(std::string_view field, int index = -1) const;

 private:
  const google::protobuf::FieldDescriptor* field(std::string_view name) const;
  const google::protobuf::TextFormat::ParseInfoTree* tree_ = nullptr;
  const google::protobuf::Descriptor* type_ = nullptr;
  position self_{1, 1};
};

// The text of the file by line, to find where a string value (and an offset within it) sits.
class source_text {
 public:
  explicit source_text(std::string text);
  const std::string& text() const { return text_; }
  // The position of byte `offset` inside the first quoted string that follows `field_start`
  // (a field's name). Approximate when the string holds escapes; good enough to point at a token.
  position in_string_value(position field_start, std::size_t offset) const;

 private:
  std::string text_;
  std::vector<std::size_t> line_starts_;
};

}  // namespace cati::schema
