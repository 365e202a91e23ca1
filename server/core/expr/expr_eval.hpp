// Internal to the expression language: evaluation of a parsed tree.
#pragma once

#include "core/expr/expr_node.hpp"
#include "core/expr/expression.hpp"

namespace cati::core {

// The value of the tree at `root` (see expression.hpp for the rules). Reentrant; allocates only for
// text results and whatever ctx's lookups allocate.
value evaluate_tree(const expr_node& root, const eval_context& ctx);

}  // namespace cati::core
