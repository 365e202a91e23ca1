// Saving and restoring interviews, randomised choice orders, and sharing one engine between threads.
#include <thread>

#include "core/questionnaire/choice_order.hpp"
#include "engine_fixture.hpp"

namespace cati::core::test {
namespace {

class EngineState : public engine_test {
 protected:
  // Saves `state` through the text form, restores it, and expects the very same state and screen.
  void expect_round_trip() {
    const saved_interview saved = e.save(state);
    auto parsed = saved_interview_from_text(to_text(saved));
    ASSERT_TRUE(parsed) << parsed.err().message;
    EXPECT_EQ(*parsed, saved);
    auto restored = e.restore(*parsed, mini_frame(), 42);
    ASSERT_TRUE(restored) << restored.err().message << "\n" << to_text(saved);
    EXPECT_EQ(*restored, state) << to_text(saved);
    if (state.status == interview_status::in_progress) {
      auto a = e.current_screen(state, "en");
      auto b = e.current_screen(*restored, "en");
      EXPECT_EQ(a.name, b.name);
      EXPECT_EQ(a.label, b.label);
      EXPECT_EQ(a.current_answer, b.current_answer);
    }
  }
  void back_to(std::string_view name) {
    while (current_name(e, state) != name) ASSERT_TRUE(e.back(state));
  }
};

TEST_F(EngineState, RoundTripsAtEveryStepOfAnInterview) {
  expect_round_trip();
  for (auto a : {"", "1", "5", "2"}) {
    must_answer(e, state, a);
    expect_round_trip();  // the last one is the pending quota check
  }
  ASSERT_TRUE(e.quota_decision(state, true, "en"));
  expect_round_trip();
  for (auto a : {"3", "1 6", "line one\nline \\two", "1", "98", "2.75", "4 2", ""}) {
    must_answer(e, state, a);
    expect_round_trip();
  }
  EXPECT_EQ(state.result, outcome::complete);
}

TEST_F(EngineState, RoundTripsAfterGoingBack) {
  to_q2();
  for (auto a : {"3", "1", "1", "1"}) must_answer(e, state, a);
  back_to("q2");
  expect_round_trip();  // resumes at q2, with q3..q5 still recorded
  back_to("intro");
  expect_round_trip();
  for (auto a : {"", "1", "5", "1"}) must_answer(e, state, a);  // s3 changed: a new check pending
  ASSERT_EQ(state.status, interview_status::quota_check);
  expect_round_trip();
  ASSERT_TRUE(e.quota_decision(state, true, "en"));
  expect_round_trip();
}

TEST_F(EngineState, RoundTripsEveryEnding) {
  auto st0 = state;
  for (auto a : {"", "1", "25"}) must_answer(e, state, a);
  ASSERT_EQ(state.result, outcome::not_eligible);
  expect_round_trip();

  state = st0;
  for (auto a : {"", "1", "5", "2"}) must_answer(e, state, a);
  ASSERT_TRUE(e.quota_decision(state, false, "en"));
  ASSERT_EQ(state.result, outcome::over_quota);
  expect_round_trip();

  state = st0;
  to_q2();
  must_answer(e, state, "5");
  back_to("s3");
  must_answer(e, state, "3");
  ASSERT_TRUE(e.quota_decision(state, false, "en"));  // refused on a re-check
  expect_round_trip();
}

TEST_F(EngineState, RestoredScreenOutKeepsItsMessage) {
  for (auto a : {"", "1", "25"}) must_answer(e, state, a);
  auto restored = e.restore(e.save(state), mini_frame(), 42);
  ASSERT_TRUE(restored);
  EXPECT_EQ(e.end_message(*restored, "en"), "Too big: 25 FTE");
}

TEST_F(EngineState, RestoreRejectsWhatDoesNotReplay) {
  to_q2();
  auto saved = e.save(state);
  auto bad = saved;
  bad.answers[1].second = "7";  // s2 = 7 is fine; make s1 invalid instead
  bad.answers[0].second = "9";
  auto r = e.restore(bad, mini_frame(), 42);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().message, "saved interview: s1 = \"9\" replays as invalid: 9 is not one of the choices 1, 2");

  bad = saved;
  bad.answers.emplace_back("q99", "1");
  EXPECT_EQ(e.restore(bad, mini_frame(), 42).err().message, "saved interview: unknown question q99");

  bad = saved;
  bad.answers.emplace_back("q4", "1");  // q4 is not relevant without q2
  auto r2 = e.restore(bad, mini_frame(), 42);
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.err().message,
            "saved interview does not replay: the answer to q4 is not reached or no longer relevant");

  bad = saved;
  bad.quota_granted = std::nullopt;  // no lease, yet past the quota point
  EXPECT_EQ(e.restore(bad, mini_frame(), 42).err().message,
            "saved interview: past the quota point at s3 without a granted quota check");
}

TEST_F(EngineState, SavedTextIsReadable) {
  to_q2();
  const std::string text = to_text(e.save(state));
  EXPECT_EQ(text,
            "cati-interview 1\nstatus in_progress\ncurrent q2\noutcome unspecified\nquota-granted\n"
            "quota-value region WAL\nquota-value s3 2\nanswer s1 1\nanswer s2 5\nanswer s3 2\n");
  EXPECT_FALSE(saved_interview_from_text(""));
  EXPECT_FALSE(saved_interview_from_text("cati-interview 2\n"));
  EXPECT_EQ(saved_interview_from_text("cati-interview 1\nstatus paused\n").err().message,
            "saved interview, line 2: unknown status \"paused\"");
  EXPECT_FALSE(saved_interview_from_text("cati-interview 1\nanswer s1 bad\\escape\n"));
}

using EngineChoiceOrder = engine_test;

TEST_F(EngineChoiceOrder, HashAndGeneratorArePinned) {
  // Published FNV-1a 64 test vectors: the order must not depend on the platform's std::hash.
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

std::vector<std::int64_t> codes(const screen& s) {
  std::vector<std::int64_t> out;
  for (const auto& c : s.choices) out.push_back(c.code);
  return out;
}

TEST_F(EngineChoiceOrder, RandomisedChoicesAreStablePerCase) {
  const question& q9 = *e.study().find_question("q9");
  const auto order = choice_order(q9, 42);
  EXPECT_EQ(order, choice_order(q9, 42));
  // Pinned: the same on every platform and after every restart.
  EXPECT_EQ(order, (std::vector<std::size_t>{2, 3, 0, 1, 4, 5, 6}));
  // Missing and fixed choices keep their places whatever the seed; the others are a permutation.
  bool some_order_differs = false;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    auto o = choice_order(q9, seed);
    EXPECT_EQ(o[5], 5u);
    EXPECT_EQ(o[6], 6u);
    auto sorted = o;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, (std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6}));
    some_order_differs = some_order_differs || o != order;
  }
  EXPECT_TRUE(some_order_differs);
}

TEST_F(EngineChoiceOrder, OrderDependsOnTheQuestionAndOnlyRandomisedOnesMove) {
  question a = *e.study().find_question("q9");
  question b = a;
  b.name = "q9_copy";
  bool differs = false;
  for (std::uint64_t seed = 0; seed < 20 && !differs; ++seed) differs = choice_order(a, seed) != choice_order(b, seed);
  EXPECT_TRUE(differs);
  a.randomize = false;
  EXPECT_EQ(choice_order(a, 42), (std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6}));
  // "Other, specify" stays put too.
  question q3 = *e.study().find_question("q3");
  q3.randomize = true;
  for (std::uint64_t seed = 0; seed < 20; ++seed) EXPECT_EQ(choice_order(q3, seed)[5], 5u);
}

TEST_F(EngineChoiceOrder, ScreenShowsTheCaseOrder) {
  to_q2();
  for (auto a : {"5", "1", ""}) must_answer(e, state, a);
  ASSERT_EQ(current_name(e, state), "q9");
  auto s = e.current_screen(state, "en");
  EXPECT_EQ(codes(s), (std::vector<std::int64_t>{3, 4, 1, 2, 5, 6, 98}));
  EXPECT_EQ(s.choices[0].label, "Service");
  EXPECT_TRUE(s.choices[6].missing);
  EXPECT_EQ(codes(e.current_screen(state, "fr")), codes(s));  // order does not depend on the language
}

TEST(EngineThreads, OneEngineServesManyInterviewsAtOnce) {
  const engine e(std::make_shared<const questionnaire>(mini_study()));
  std::vector<std::thread> threads;
  std::vector<int> completes(4, 0);
  for (std::size_t t = 0; t < completes.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto st = e.start(mini_frame(t % 2 ? "VLA" : "BRU"), static_cast<std::uint64_t>(i));
        for (auto a : {"", "1", "5", "2"}) (void)e.answer(st, a, "en");
        (void)e.quota_decision(st, true, "en");
        for (auto a : {"3", "1 2", "1", "1", "2.5", "1 2", ""}) (void)e.answer(st, a, "fr");
        completes[t] += st.result == outcome::complete;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(completes, (std::vector<int>{200, 200, 200, 200}));
}

}  // namespace
}  // namespace cati::core::test
