// Internal to the expression language: the static checks behind expression::check().
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "core/expr/expr_node.hpp"
#include "core/expr/expression.hpp"

namespace cati::core {

// Every problem in the tree at `root`, parsed from `source`, ordered by offset. See expression::check.
std::vector<expr_error> check_tree(const expr_node& root, std::string_view source,
                                   const std::function<const name_info*(std::string_view)>& lookup,
                                   expr_type current);

}  // namespace cati::core
