// The export's data model (core/report/export_model.hpp): variables and labels from a questionnaire, the three
// kinds of missing kept apart, multiple choice as dichotomies, which interviews become rows, and the
// refusals that name what is wrong.
#include "core/report/export_model.hpp"

#include <gtest/gtest.h>

namespace cati::core {
namespace {

localized texts(std::string nl, std::string fr, std::string en) {
  localized l;
  l.by_lang = {{"nl", std::move(nl)}, {"fr", std::move(fr)}, {"en", std::move(en)}};
  return l;
}

choice pick(std::int64_t code, localized label, bool missing = false, std::string specify = "") {
  choice c;
  c.code = code;
  c.label = std::move(label);
  c.missing = missing;
  c.specify = std::move(specify);
  return c;
}

questionnaire small_study() {
  questionnaire q;
  q.id = "s";
  q.version = "1";
  q.languages = {"nl", "fr", "en"};
  q.default_language = "nl";
  frame_variable region{"region", variable_type::code, false, false, {}, texts("Gewest", "Région", "Region")};
  region.codes = {{"VLA", texts("Vlaanderen", "Flandre", "Flanders")}, {"WAL", texts("Wallonië", "Wallonie", "Wallonia")}};
  q.frame = {{"company", variable_type::text, true, false, {}, texts("Bedrijf", "Entreprise", "Company")}, region,
             {"fte_frame", variable_type::integer, false, false, {}, texts("VTE", "ETP", "FTE")}};
  question intro;
  intro.name = "intro";
  question use;
  use.name = "use";
  use.type = question_type::single;
  use.label = texts("Gebruik?", "Usage ?", "Use?");
  use.choices = {pick(1, texts("Ja", "Oui", "Yes")), pick(2, texts("Nee", "Non", "No")),
                 pick(98, texts("Weet niet", "Ne sait pas", "Don't know"), true)};
  question areas;
  areas.name = "areas";
  areas.type = question_type::multiple;
  areas.label = texts("Waar?", "Où ?", "Where?");
  areas.choices = {pick(1, texts("A", "A", "A")), pick(2, texts("B", "B", "B")),
                   pick(6, texts("Ander", "Autre", "Other"), false, "other")};
  areas.relevant = expression::parse("${use} = 1").value();
  question other;
  other.name = "other";
  other.type = question_type::text;
  other.specify_of = "areas";
  other.specify_code = 6;
  question fte;
  fte.name = "fte";
  fte.type = question_type::integer;
  q.questions = {intro, use, areas, other, fte};
  return q;
}

export_respondent respondent(std::string id, std::map<std::string, std::optional<std::string>, std::less<>> answers) {
  export_respondent r;
  r.respondent_id = std::move(id);
  r.final_state = outcome::complete;
  r.started_at = time_point(milliseconds(1760338800000LL));
  r.ended_at = time_point(milliseconds(1760338800000LL + 14 * 60000 + 30000));
  r.active_minutes = 12.5;  // two minutes of it suspended
  r.attempts = 3;
  r.resumed = true;
  r.frame = {{"region", "WAL"}, {"fte_frame", "4"}};
  r.contact = {{"company", "Alpha BV"}};
  r.firm_id = "F1";
  r.answers = std::move(answers);
  return r;
}

std::vector<std::string> names(const export_dataset& d) {
  std::vector<std::string> out;
  for (const auto& v : d.variables) out.push_back(v.name);
  return out;
}

TEST(ExportModel, VariablesInOrderWithoutContactDataByDefault) {
  auto d = build_dataset(small_study(), {.lang = "fr"}, {});
  ASSERT_TRUE(d) << d.err().message;
  EXPECT_EQ(names(*d), (std::vector<std::string>{"respondent_id", "questionnaire_version", "interviewer_id",
                                                 "interview_language", "start_language", "start_time", "end_time", "duration", "elapsed",
                                                 "attempts", "resumed", "region",
                                                 "fte_frame", "use", "areas", "areas_1", "areas_2", "areas_6", "other",
                                                 "fte"}));
  const auto& use = d->variables[*d->find("use")];
  EXPECT_EQ(use.label, "Usage ?");
  EXPECT_EQ(use.missing_codes(), (std::vector<double>{-2, -1, 98}));
  ASSERT_EQ(use.values.size(), 5u);
  EXPECT_EQ(use.values[0].label, "sans réponse");
  EXPECT_EQ(use.values[1].label, "non posée");
  EXPECT_EQ(use.values[4].label, "Ne sait pas");
  EXPECT_EQ(d->variables[*d->find("region")].values[1].label, "Wallonie");
  EXPECT_EQ(d->variables[*d->find("areas")].base, "relevant: ${use} = 1");
  EXPECT_EQ(d->variables[*d->find("other")].base, "picked 6 in areas");
  ASSERT_EQ(d->sets.size(), 1u);
  EXPECT_EQ(d->sets[0].variables, (std::vector<std::string>{"areas_1", "areas_2", "areas_6"}));

  auto with = build_dataset(small_study(), {.lang = "en", .include_contact = true, .include_partials = true, .weights = true}, {});
  ASSERT_TRUE(with);
  const auto n = names(*with);
  EXPECT_EQ(n[11], "partial");
  EXPECT_EQ(n[12], "firm_id");
  EXPECT_EQ(n[13], "company");
  EXPECT_EQ(n.back(), "weight");
}

TEST(ExportModel, NotAskedNoAnswerAndDontKnowStayApart) {
  const std::vector<export_respondent> rs = {
      respondent("R1", {{"use", "1"}, {"areas", "6 2"}, {"other", "robots"}, {"fte", "3"}}),
      respondent("R2", {{"use", "98"}, {"fte", std::nullopt}}),  // areas not asked, fte asked: no answer
  };
  auto d = build_dataset(small_study(), {.lang = "en"}, rs);
  ASSERT_TRUE(d) << d.err().message;
  ASSERT_EQ(d->rows.size(), 2u);
  auto cell = [&](std::size_t row, const char* name) { return d->rows[row][*d->find(name)]; };
  EXPECT_EQ(cell(0, "use").numeric(), 1);
  EXPECT_EQ(cell(0, "areas").text, "6 2");
  EXPECT_EQ(cell(0, "areas_1").numeric(), 0);
  EXPECT_EQ(cell(0, "areas_2").numeric(), 1);
  EXPECT_EQ(cell(0, "areas_6").numeric(), 1);
  EXPECT_EQ(cell(0, "other").text, "robots");
  EXPECT_EQ(cell(0, "region").numeric(), 2);
  EXPECT_NEAR(*cell(0, "duration").numeric(), 12.5, 1e-9);  // active: suspensions left out
  EXPECT_NEAR(*cell(0, "elapsed").numeric(), 14.5, 1e-9);
  EXPECT_EQ(cell(0, "attempts").numeric(), 3);
  EXPECT_EQ(cell(0, "resumed").numeric(), 1);
  EXPECT_EQ(cell(1, "use").numeric(), 98);
  EXPECT_EQ(cell(1, "areas").why, absence::not_asked);
  EXPECT_EQ(cell(1, "areas_6").numeric(), not_asked_code);
  EXPECT_EQ(cell(1, "fte").why, absence::no_answer);
  EXPECT_EQ(cell(1, "fte").numeric(), no_answer_code);
  EXPECT_EQ(cell(1, "other").text, "");
  EXPECT_EQ(d->variables[*d->find("other")].width, 255);  // free text: the schema's width, not the data's
  EXPECT_EQ(d->variables[*d->find("areas")].width, 5);    // "1 2 6"
  EXPECT_EQ(d->variables[*d->find("respondent_id")].width, 11);
  EXPECT_TRUE(d->warnings.empty());
}

TEST(ExportModel, BadStoredValuesAndBadNamesAreRefusedWithWhereAndWhat) {
  auto bad_code = build_dataset(small_study(), {.lang = "en"}, std::vector{respondent("R9", {{"use", "7"}})});
  ASSERT_FALSE(bad_code);
  EXPECT_EQ(bad_code.err().message, "respondent R9: question use: stored value '7' is not one of its choice codes");
  auto bad_pick = build_dataset(small_study(), {.lang = "en"}, std::vector{respondent("R9", {{"areas", "1 x"}})});
  ASSERT_FALSE(bad_pick);
  EXPECT_NE(bad_pick.err().message.find("has 'x'"), std::string::npos);

  auto study = small_study();
  study.questions[4].name = "weight";
  auto clash = export_variables(study, {.lang = "en", .weights = true});
  ASSERT_FALSE(clash);
  EXPECT_NE(clash.err().message.find("variable 'weight' would appear twice"), std::string::npos);
  study.questions[4].name = "With";
  EXPECT_FALSE(export_variables(study, {.lang = "en"}));
}

TEST(ExportModel, OneRowPerRespondentCompletesFirstPartialsOnlyWhenAsked) {
  auto make = [](std::int64_t id, std::string who, outcome o) {
    export_respondent r;
    r.interview_id = id;
    r.respondent_id = std::move(who);
    r.final_state = o;
    return r;
  };
  std::vector<export_respondent> all = {make(1, "RA", outcome::break_off), make(2, "RA", outcome::complete),
                                        make(3, "RB", outcome::break_off), make(4, "RC", outcome::not_eligible),
                                        make(5, "RD", outcome::complete)};
  all[0].partial = all[2].partial = true;  // broken off past the partial point
  all.push_back(make(6, "RE", outcome::complete));
  all.back().final_state.reset();  // still open
  all.push_back(make(7, "RF", outcome::break_off));  // broken off before the partial point: not a partial
  auto completes = select_respondents(all, false);
  ASSERT_EQ(completes.size(), 2u);
  EXPECT_EQ(completes[0].interview_id, 2);
  EXPECT_EQ(completes[1].interview_id, 5);
  auto with_partials = select_respondents(all, true);
  ASSERT_EQ(with_partials.size(), 3u);
  EXPECT_EQ(with_partials[1].respondent_id, "RB");
}

TEST(ExportModel, ShortExportLabelsMeasuresAndNothingCutSilently) {
  auto study = small_study();
  study.questions[1].export_label = texts("Gebruik", "Usage", "Use of AI");
  study.questions[1].measure = question_measure::ordinal;
  study.questions[4].label = texts("Hoeveel bij ${company}?", "Combien chez ${company} ?", "How many at ${company}?");
  study.questions[3].label = texts(std::string(300, 'x'), "x", "x");
  auto d = build_dataset(study, {.lang = "en"}, {});
  ASSERT_TRUE(d) << d.err().message;
  const auto& use = d->variables[*d->find("use")];
  EXPECT_EQ(use.label, "Use of AI");
  EXPECT_EQ(use.text, "Use?");  // the full text, for the codebook
  EXPECT_EQ(use.measure, measure_level::ordinal);
  EXPECT_EQ(d->variables[*d->find("fte")].label, "How many at [company]?");  // the fill shown, not ${...}
  EXPECT_EQ(d->variables[*d->find("fte")].measure, measure_level::scale);
  EXPECT_EQ(d->variables[*d->find("areas_6")].label, "Where?: Other");
  EXPECT_TRUE(d->warnings.empty());
  auto nl = build_dataset(study, {.lang = "nl"}, {});
  ASSERT_TRUE(nl);
  EXPECT_EQ(nl->variables[*nl->find("other")].label.size(), max_variable_label_bytes);
  ASSERT_EQ(nl->warnings.size(), 1u);
  EXPECT_NE(nl->warnings[0].find("variable other: its label is 300 bytes, cut to SPSS's 256: give question other an export_label"),
            std::string::npos) << nl->warnings[0];
}

TEST(ExportModel, Utf8PrefixCutsOnACharacter) {
  EXPECT_EQ(utf8_prefix("Région", 2), "R");  // 'é' is two bytes: not cut in half
  EXPECT_EQ(utf8_prefix("Région", 3), "Ré");
  EXPECT_EQ(utf8_prefix("abc", 10), "abc");
}

}  // namespace
}  // namespace cati::core
