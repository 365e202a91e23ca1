#include "core/questionnaire/questionnaire.hpp"

#include <algorithm>

namespace cati::core {

const std::string& localized::get(std::string_view lang, std::string_view fallback) const {
  static const std::string none;
  if (auto it = by_lang.find(lang); it != by_lang.end()) return it->second;
  if (auto it = by_lang.find(fallback); it != by_lang.end()) return it->second;
  return by_lang.empty() ? none : by_lang.begin()->second;
}

const choice* question::find_choice(std::int64_t code) const {
  auto it = std::find_if(choices.begin(), choices.end(), [&](const choice& c) { return c.code == code; });
  return it == choices.end() ? nullptr : &*it;
}

const call_rule* call_rules::find(outcome o) const {
  auto it = std::find_if(rules.begin(), rules.end(), [&](const call_rule& r) { return r.result == o; });
  return it == rules.end() ? nullptr : &*it;
}

const question* questionnaire::find_question(std::string_view name) const {
  auto i = question_index(name);
  return i ? &questions[*i] : nullptr;
}

std::optional<std::size_t> questionnaire::question_index(std::string_view name) const {
  for (std::size_t i = 0; i < questions.size(); ++i)
    if (questions[i].name == name) return i;
  return std::nullopt;
}

const frame_variable* questionnaire::find_frame(std::string_view name) const {
  auto it = std::find_if(frame.begin(), frame.end(), [&](const frame_variable& f) { return f.name == name; });
  return it == frame.end() ? nullptr : &*it;
}

}  // namespace cati::core
