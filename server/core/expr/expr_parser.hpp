// Internal to the expression language: source text to an immutable tree.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/expr/expr_node.hpp"
#include "core/expr/expression.hpp"

namespace cati::core {

struct parsed_expression {
  // The root node; it shares ownership of the tree that holds every node. nullptr for a blank source.
  std::shared_ptr<const expr_node> root;
  std::vector<std::string> references;  // each ${name} once, in order of first appearance
};

// Parses `source` (see expression.hpp for the language). The first error stops parsing.
result<parsed_expression, expr_error> parse_expression(std::string_view source);

}  // namespace cati::core
