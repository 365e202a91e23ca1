// A small questionnaire shaped like the seed study, built from the core model structs, for the engine
// tests (tests/core/engine*_test.cpp).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/questionnaire/engine.hpp"

namespace cati::core::test {

inline localized text(std::string en, std::string fr = {}) {
  localized l;
  l.by_lang["en"] = std::move(en);
  if (!fr.empty()) l.by_lang["fr"] = std::move(fr);
  return l;
}

inline expression expr(std::string_view source) {
  auto parsed = expression::parse(source);
  if (!parsed) throw std::runtime_error("bad test expression: " + std::string(source) + ": " + parsed.err().message);
  return *parsed;
}

inline choice option(std::int64_t code, std::string en, std::string fr = {}) {
  choice c;
  c.code = code;
  c.label = text(std::move(en), std::move(fr));
  return c;
}

inline choice missing_option(std::int64_t code) {
  choice c = option(code, "Don't know", "Ne sait pas");
  c.missing = true;
  return c;
}

inline question make_question(std::string name, question_type type, std::string label,
                              std::string relevant = {}, bool required = true) {
  question q;
  q.name = std::move(name);
  q.type = type;
  q.label = text(std::move(label));
  q.required = required && type != question_type::note;
  if (!relevant.empty()) q.relevant = expr(relevant);
  return q;
}

inline screen_out make_screen_out(std::string condition, outcome result, std::string message) {
  screen_out s;
  s.condition = expr(condition);
  s.result = result;
  s.message = text(std::move(message));
  return s;
}

// intro(note) s1(single, callback on 2) s2(integer 0-500, not eligible above 20) s3(single, quota point)
// q2(single 1-5 + 98) q3(multiple, q2 in 1..3; 6 -> q3_other) q3_other(text) q4(multiple, q2 in 1..4)
// q5(single, fills) q6(decimal, optional) q9(multiple, randomised, 6 fixed, 98 missing) end(note)
inline questionnaire mini_study() {
  questionnaire s;
  s.id = "mini";
  s.version = "1";
  s.languages = {"en", "fr"};
  s.default_language = "en";

  frame_variable company;
  company.name = "company";
  frame_variable contact;
  contact.name = "contact_name";
  contact.optional = true;
  frame_variable region;
  region.name = "region";
  region.type = variable_type::code;
  region.codes = {{"VLA", text("Flanders", "Flandre")}, {"WAL", text("Wallonia", "Wallonie")},
                  {"BRU", text("Brussels", "Bruxelles")}};
  frame_variable fte;
  fte.name = "fte_frame";
  fte.type = variable_type::integer;
  s.frame = {company, contact, region, fte};

  const std::string eligible = "${s1} = 1 and ${s2} <= 20";
  auto intro = make_question("intro", question_type::note, "Hello, may I speak to ${contact_name} of ${company}?");
  intro.hint = text("Ask for the owner");

  auto s1 = make_question("s1", question_type::single, "Are you the owner?");
  s1.label.by_lang["fr"] = "Êtes-vous le gérant ?";
  s1.choices = {option(1, "Yes", "Oui"), option(2, "No", "Non")};
  s1.screen_outs = {make_screen_out("${s1} = 2", outcome::callback, "Ask when to call back")};

  auto s2 = make_question("s2", question_type::integer, "How many FTE?", "${s1} = 1");
  s2.constraint = expr(". >= 0 and . <= 500");
  s2.constraint_message = text("Between 0 and 500", "Entre 0 et 500");
  s2.screen_outs = {make_screen_out("${s2} > 20", outcome::not_eligible, "Too big: ${s2} FTE")};

  auto s3 = make_question("s3", question_type::single, "Sector?", eligible);
  s3.choices = {option(1, "Services", "Services"), option(2, "Commerce", "Commerce"), option(3, "Industry", "Industrie")};

  auto q2 = make_question("q2", question_type::single, "How often AI?", eligible);
  q2.choices = {option(1, "Daily", "Tous les jours"), option(2, "Weekly"), option(3, "Monthly", "Chaque mois"),
                option(4, "Less"), option(5, "Never"), missing_option(98)};

  auto q3 = make_question("q3", question_type::multiple, "Areas?", "${q2} >= 1 and ${q2} <= 3");
  q3.choices = {option(1, "Automation", "Automatisation"), option(2, "Marketing"), option(3, "Innovation"),
                option(4, "Service"), option(5, "Data"), option(6, "Other")};
  q3.choices[5].specify = "q3_other";

  auto q3_other = make_question("q3_other", question_type::text, "Which other area?");  // the link only
  q3_other.specify_of = "q3";
  q3_other.specify_code = 6;
  q3_other.constraint = expr("string-length(.) >= 3");
  q3_other.max_length = 20;

  auto q4 = make_question("q4", question_type::multiple, "Tasks?", "${q2} >= 1 and ${q2} <= 4");
  q4.choices = {option(1, "E-mails"), option(2, "Posts"), option(3, "Invoices")};

  auto q5 = make_question("q5", question_type::single, "You use AI ${q2} for ${q3} (${q3_other}). Potential?", eligible);
  q5.label.by_lang["fr"] = "Vous utilisez l'IA ${q2} pour ${q3}. Potentiel ?";
  q5.choices = {option(1, "Yes"), option(2, "No"), missing_option(98)};

  auto q6 = make_question("q6", question_type::decimal, "Score?", eligible, false);

  auto q9 = make_question("q9", question_type::multiple, "Bank domains?", eligible);
  q9.randomize = true;
  q9.choices = {option(1, "Fraud"), option(2, "Marketing"), option(3, "Service"), option(4, "Credit"),
                option(5, "Advice"), option(6, "Other"), missing_option(98)};
  q9.choices[5].fixed = true;

  auto end = make_question("end", question_type::note, "Thank you", eligible);

  s.questions = {intro, s1, s2, s3, q2, q3, q3_other, q4, q5, q6, q9, end};

  quota by_region;
  by_region.name = "region";
  by_region.variables = {"region"};
  by_region.cells = {{{"VLA"}, 131, cell_policy::normal, "Flanders"},
                     {{"WAL"}, 70, cell_policy::normal, "Wallonia"},
                     {{"BRU"}, 24, cell_policy::normal, "Brussels"}};
  quota by_sector;
  by_sector.name = "sector";
  by_sector.variables = {"s3"};
  by_sector.cells = {{{"1"}, 97, cell_policy::normal, "Services"},
                     {{"2"}, 64, cell_policy::normal, "Commerce"},
                     {{"3"}, 64, cell_policy::normal, "Industry"}};
  s.quotas = {by_region, by_sector};
  s.quota_check_after = "s3";
  return s;
}

inline frame_values mini_frame(std::string region = "WAL") {
  return {{"company", "Dupont SA"}, {"contact_name", "Marie Dupont"}, {"region", std::move(region)},
          {"fte_frame", "7"}};
}

// Answers the current question or fails the test with the engine's reason.
inline step must_answer(const engine& e, interview_state& state, std::string_view text, std::string_view lang = "en") {
  auto r = e.answer(state, text, lang);
  if (!r) ADD_FAILURE() << "answer \"" << text << "\" refused: " << r.err().message;
  return r ? *r : step{};
}

inline std::string current_name(const engine& e, const interview_state& state) {
  return state.current < e.study().questions.size() ? e.study().questions[state.current].name : "<end>";
}

class engine_test : public ::testing::Test {
 protected:
  engine e{std::make_shared<const questionnaire>(mini_study())};
  interview_state state = e.start(mini_frame(), 42);

  // intro, s1 = 1, s2 = 5, s3 = 2 and the quota granted: at q2.
  void to_q2() {
    must_answer(e, state, "");
    must_answer(e, state, "1");
    must_answer(e, state, "5");
    auto s = must_answer(e, state, "2");
    ASSERT_EQ(s.kind, step_kind::quota_check);
    ASSERT_TRUE(e.quota_decision(state, true, "en"));
    ASSERT_EQ(current_name(e, state), "q2");
  }
};

}  // namespace cati::core::test
