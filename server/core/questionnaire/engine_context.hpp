// Internal to the engine's .cpp files: ${name} lookups over one interview's answers and frame values.
#pragma once

#include "core/questionnaire/engine.hpp"
#include "core/expr/expression.hpp"

namespace cati::core {

class engine::context final : public eval_context {
 public:
  context(const engine& e, const interview_state& state) : engine_(e), state_(state) {}
  // For a constraint: `.` and the question's own name both mean the candidate answer.
  context(const engine& e, const interview_state& state, std::string_view self, const value& candidate)
      : engine_(e), state_(state), self_(self), candidate_(&candidate) {}

  value lookup(std::string_view name) const override {
    if (candidate_ && name == self_) return *candidate_;
    if (auto it = state_.answers.find(name); it != state_.answers.end()) return it->second;
    if (auto it = state_.frame.find(name); it != state_.frame.end()) return engine_.frame_value(name, it->second);
    return {};
  }
  value current() const override { return candidate_ ? *candidate_ : value{}; }

 private:
  const engine& engine_;
  const interview_state& state_;
  std::string_view self_;
  const value* candidate_ = nullptr;
};

}  // namespace cati::core
