// Screens in the case's language: labels with ${name} fills, choices in the case's order.
#include <cassert>
#include <charconv>

#include "core/questionnaire/choice_order.hpp"
#include "core/questionnaire/engine.hpp"

namespace cati::core {

const std::string& engine::text_in(const localized& text, std::string_view lang) const {
  return text.get(lang, fallback_lang());
}

value engine::frame_value(std::string_view name, const std::string& raw) const {
  auto type = frame_types_.find(name);
  if (type == frame_types_.end() || type->second != variable_type::integer) return value(raw);
  // An integer frame variable compares as a number; an unreadable one is empty, like an unanswered question.
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), n);
  if (ec != std::errc{} || end != raw.data() + raw.size() || raw.empty()) return {};
  return value(n);
}

std::string engine::fill_of(std::string_view name, const interview_state& state, std::string_view lang) const {
  if (auto index = question_index(name)) {
    auto it = state.answers.find(name);
    if (it == state.answers.end() || it->second.is_empty()) return {};
    const question& q = study_->questions[*index];
    const value& v = it->second;
    auto label_of = [&](std::int64_t code) {
      const choice* c = q.find_choice(code);
      return c ? text_in(c->label, lang) : std::to_string(code);
    };
    if (q.type == question_type::single && v.is_number()) return label_of(static_cast<std::int64_t>(v.number()));
    if (q.type == question_type::multiple && v.is_selection()) {
      std::string out;
      for (auto code : v.selected().codes) {
        if (!out.empty()) out += ", ";
        out += label_of(code);
      }
      return out;
    }
    return v.to_string();
  }
  auto raw = state.frame.find(name);
  if (raw == state.frame.end()) return {};
  // A coded frame variable (region) reads as its label in the language, when it has one.
  if (const frame_variable* f = study_->find_frame(name))
    for (const auto& code : f->codes)
      if (code.value == raw->second && !code.label.empty()) return text_in(code.label, lang);
  return raw->second;
}

std::string engine::apply_fills(std::string_view text, const interview_state& state, std::string_view lang) const {
  std::string out;
  out.reserve(text.size());
  for (;;) {
    const auto open = text.find("${");
    const auto close = open == std::string_view::npos ? open : text.find('}', open + 2);
    if (close == std::string_view::npos) break;
    out += text.substr(0, open);
    // The fill is inserted as is, not scanned again: an answer that contains "${x}" stays text.
    out += fill_of(text.substr(open + 2, close - open - 2), state, lang);
    text.remove_prefix(close + 1);
  }
  out += text;
  return out;
}

screen engine::current_screen(const interview_state& state, std::string_view lang) const {
  assert(state.status == interview_status::in_progress && state.current < study_->questions.size());
  const question& q = study_->questions[state.current];
  screen s;
  s.name = q.name;
  s.type = q.type;
  s.label = apply_fills(text_in(q.label, lang), state, lang);
  s.hint = apply_fills(text_in(q.hint, lang), state, lang);
  for (std::size_t i : choice_order(q, state.seed)) {
    const choice& c = q.choices[i];
    s.choices.push_back({c.code, apply_fills(text_in(c.label, lang), state, lang), c.missing});
  }
  s.required = q.required;
  s.constraint_message = apply_fills(text_in(q.constraint_message, lang), state, lang);
  s.number = state.current + 1;
  s.count = study_->questions.size();
  if (auto it = state.answers.find(q.name); it != state.answers.end()) s.current_answer = it->second;
  s.can_go_back = previous_relevant(state, state.current).has_value();
  return s;
}

std::string engine::end_message(const interview_state& state, std::string_view lang) const {
  if (state.status != interview_status::finished || !state.screen_out_rule ||
      state.current >= study_->questions.size())
    return {};
  const auto& rules = study_->questions[state.current].screen_outs;
  if (*state.screen_out_rule >= rules.size()) return {};
  return apply_fills(text_in(rules[*state.screen_out_rule].message, lang), state, lang);
}

}  // namespace cati::core
