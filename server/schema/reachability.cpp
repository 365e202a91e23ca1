#include "schema/reachability.hpp"

#include <cmath>
#include <set>

#include "core/questionnaire/engine.hpp"
#include "core/util/splitmix64.hpp"

namespace cati::schema {

namespace {

// Numbers worth trying: every number any expression of the study mentions, and its neighbours, so that
// both sides of each boundary (e.g. `${s2_fte} > 20`) are tried.
std::vector<std::string> candidate_numbers(const core::questionnaire& q) {
  std::set<double> found{0, 1};
  auto scan = [&](const core::expression& e) {
    const std::string& s = e.source();
    for (std::size_t i = 0; i < s.size();) {
      bool in_name = i > 0 && (std::isalnum(static_cast<unsigned char>(s[i - 1])) || s[i - 1] == '_');
      if (std::isdigit(static_cast<unsigned char>(s[i])) && !in_name) {
        std::size_t used = 0;
        double v = std::stod(s.substr(i), &used);
        found.insert({v - 1, v, v + 1, v + 0.5});
        i += used;
      } else {
        ++i;
      }
    }
  };
  for (const auto& qu : q.questions) {
    scan(qu.relevant);
    scan(qu.constraint);
    for (const auto& so : qu.screen_outs) scan(so.condition);
  }
  std::vector<std::string> out;
  for (double v : found) out.push_back(core::value(v).to_string());
  return out;
}

// Answers to try for one question, most specific first; the engine decides which are valid.
std::vector<std::string> candidates(const core::question& qu, const std::vector<std::string>& numbers,
                                    core::splitmix64& rng) {
  std::vector<std::string> out;
  switch (qu.type) {
    case core::question_type::single:
      for (const auto& c : qu.choices) out.push_back(std::to_string(c.code));
      break;
    case core::question_type::multiple: {
      for (const auto& c : qu.choices) out.push_back(std::to_string(c.code));
      std::string several;  // a random subset of the non-missing choices
      for (const auto& c : qu.choices)
        if (!c.missing && rng.below(2) == 0) several += (several.empty() ? "" : " ") + std::to_string(c.code);
      if (!several.empty()) out.push_back(several);
      break;
    }
    case core::question_type::integer:
    case core::question_type::decimal: out = numbers; break;
    case core::question_type::text: out = {"a", "some words", "a longer answer with several words in it"}; break;
    case core::question_type::note: break;
  }
  if (!qu.required) out.push_back("");
  if (qu.type == core::question_type::note) out.push_back("");
  // Shuffle so that each walk explores other branches.
  for (std::size_t i = out.size(); i > 1; --i) std::swap(out[i - 1], out[rng.below(i)]);
  return out;
}

core::frame_values random_frame(const core::questionnaire& q, const std::vector<std::string>& numbers,
                                core::splitmix64& rng) {
  core::frame_values frame;
  for (const auto& f : q.frame) {
    switch (f.type) {
      case core::variable_type::code:
        if (!f.codes.empty()) frame[f.name] = f.codes[rng.below(f.codes.size())].value;
        break;
      case core::variable_type::language:
        if (!q.languages.empty()) frame[f.name] = q.languages[rng.below(q.languages.size())];
        break;
      case core::variable_type::integer: frame[f.name] = numbers[rng.below(numbers.size())]; break;
      default: frame[f.name] = "x"; break;
    }
  }
  return frame;
}

}  // namespace

std::vector<std::string> unreachable_questions(const std::shared_ptr<const core::questionnaire>& study,
                                               int walks) {
  const auto& q = *study;
  core::engine eng(study);
  const auto numbers = candidate_numbers(q);
  std::vector<bool> seen(q.questions.size(), false);
  core::splitmix64 rng(0x5eed);
  std::size_t unseen = q.questions.size();
  const std::string lang = q.default_language;
  // Once every question has been shown no walk can change the answer, so the search stops there: a
  // study whose questions are all reachable (the usual case) costs a few walks, not `walks`.
  for (int w = 0; w < walks && unseen > 0; ++w) {
    auto state = eng.start(random_frame(q, numbers, rng), rng.next());
    // Each step answers one question or ends; a walk is bounded by the questions it can visit.
    for (std::size_t steps = 0; steps < 4 * q.questions.size() + 4; ++steps) {
      if (state.status == core::interview_status::quota_check) {
        if (!eng.quota_decision(state, true, lang)) break;
        continue;
      }
      if (state.status != core::interview_status::in_progress) break;
      if (!seen[state.current]) {
        seen[state.current] = true;
        --unseen;
      }
      bool answered = false;
      for (const auto& text : candidates(q.questions[state.current], numbers, rng))
        if (eng.answer(state, text, lang)) {
          answered = true;
          break;
        }
      if (!answered) break;  // no candidate satisfies the constraint: this branch stops here
    }
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < q.questions.size(); ++i)
    if (!seen[i]) out.push_back(q.questions[i].name);
  return out;
}

}  // namespace cati::schema
