#include "core/expr/expression.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

namespace cati::core {

// Readable values in failure messages (found by argument-dependent lookup).
static void PrintTo(const value& v, std::ostream* os) {
  if (v.is_empty()) *os << "<empty>";
  else if (v.is_text()) *os << '\'' << v.text() << '\'';
  else if (v.is_selection()) *os << '{' << v.to_string() << '}';
  else *os << v.to_string();
}

namespace {

// Answers from a map; counts lookups so tests can see what was (not) evaluated.
class map_context : public eval_context {
 public:
  map_context() = default;
  map_context(std::initializer_list<std::pair<const std::string, value>> answers, value current = {})
      : answers_(answers), current_(std::move(current)) {}

  value lookup(std::string_view name) const override {
    ++lookups_;
    auto it = answers_.find(name);
    return it == answers_.end() ? value() : it->second;
  }
  value current() const override { return current_; }
  int lookups() const { return lookups_; }

 private:
  std::map<std::string, value, std::less<>> answers_;
  value current_;
  mutable int lookups_ = 0;
};

expression parse_ok(std::string_view source) {
  auto parsed = expression::parse(source);
  EXPECT_TRUE(parsed) << source << "\n  " << (parsed ? "" : parsed.err().message);
  return parsed ? *parsed : expression();
}

value eval(std::string_view source, const map_context& ctx = {}) { return parse_ok(source).evaluate(ctx); }

expr_error parse_error(std::string_view source) {
  auto parsed = expression::parse(source);
  EXPECT_FALSE(parsed) << source;
  return parsed ? expr_error{} : parsed.err();
}

// ---- parsing ---------------------------------------------------------------------------------------

TEST(ExprParse, BlankSourceIsTheEmptyExpression) {
  for (std::string_view source : {"", "   ", "\t\n"}) {
    expression e = parse_ok(source);
    EXPECT_TRUE(e.is_empty());
    EXPECT_TRUE(e.references().empty());
    EXPECT_FALSE(e.uses_current());
    EXPECT_EQ(e.evaluate(map_context{}), value());
  }
  expression none;
  EXPECT_TRUE(none.is_empty());
  EXPECT_EQ(none.source(), "");
  EXPECT_EQ(none.evaluate(map_context{}), value());
  EXPECT_TRUE(none.check([](std::string_view) { return nullptr; }).empty());
}

TEST(ExprParse, SeedStudyExpressions) {
  for (std::string_view source : {"${q2_ai_use} <= 3", "${s2_fte} > 20", ". >= 0 and . <= 500",
                                  "selected(${q3_ai_areas}, 6)", "${s1_decider} = 1"}) {
    expression e = parse_ok(source);
    EXPECT_FALSE(e.is_empty());
    EXPECT_EQ(e.source(), source);
  }
}

TEST(ExprParse, Literals) {
  EXPECT_EQ(eval("42"), value(42));
  EXPECT_EQ(eval("2.5"), value(2.5));
  EXPECT_EQ(eval(".5"), value(0.5));
  EXPECT_EQ(eval("5."), value(5));
  EXPECT_EQ(eval("007"), value(7));
  EXPECT_EQ(eval("'single'"), value("single"));
  EXPECT_EQ(eval("\"double\""), value("double"));
  EXPECT_EQ(eval("\"it's\""), value("it's"));  // the other quote needs no escape
  EXPECT_EQ(eval("'say \"hi\"'"), value("say \"hi\""));
  EXPECT_EQ(eval("''"), value(""));
  EXPECT_EQ(eval("'  spaces kept '"), value("  spaces kept "));
  EXPECT_EQ(eval("'été'"), value("été"));
}

TEST(ExprParse, NamesMayHoldDashesDotsAndUnderscores) {
  map_context ctx{{"q-3.other_x", 5}, {"_a", 1}};
  EXPECT_EQ(eval("${q-3.other_x}", ctx), value(5));
  EXPECT_EQ(eval("${_a}", ctx), value(1));
}

TEST(ExprParse, WhitespaceIsFree) {
  EXPECT_EQ(eval("  1+2*3  "), value(7));
  EXPECT_EQ(eval("1\n+\t2"), value(3));
  EXPECT_EQ(eval("if( 1 , 'a' , 'b' )"), value("a"));
  EXPECT_EQ(eval("not(0)and(1)"), value(true));
}

TEST(ExprParse, MinusBetweenWords) {
  // '-' joins a word only before a letter: count-selected is one word, "div-1" is div -1.
  EXPECT_EQ(eval("4 div-1"), value(-4));
  EXPECT_EQ(eval("7 mod-4"), value(3));
  EXPECT_EQ(eval("3-1"), value(2));
  EXPECT_EQ(eval("3 - -1"), value(4));
  EXPECT_EQ(eval("--3"), value(3));
  EXPECT_EQ(eval("- - 3"), value(3));
  EXPECT_EQ(eval("-(2 + 3)"), value(-5));
  EXPECT_EQ(eval("-'4'"), value(-4));
}

struct error_case {
  std::string_view source;
  std::size_t offset;
  std::string_view message;  // the whole message, or a part of it when `exact` is false
  bool exact = false;
};

void expect_errors(std::initializer_list<error_case> cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.source);
    expr_error e = parse_error(c.source);
    EXPECT_EQ(e.offset, c.offset) << e.message;
    if (c.exact) EXPECT_EQ(e.message, c.message);
    else EXPECT_NE(e.message.find(c.message), std::string::npos) << e.message;
  }
}

TEST(ExprParse, ErrorsSayWhatWasExpectedAndFound) {
  expect_errors({
      {"if(${a}, 1, 2", 13, "expected ')' after arguments of if(), found end of expression", true},
      {"if(${a} 1", 8, "expected ',' or ')' after argument 1 of if(), found number 1", true},
      {"coalesce(${a}, 1 'x')", 17, "expected ')' after arguments of coalesce(), found string 'x'", true},
      {"not(", 4, "expected a value after '(', found end of expression", true},
      {"${q1} =", 7, "expected a value after '=', found end of expression", true},
      {"${q1} = = 1", 8, "expected a value after '=', found '='", true},
      {"1 and and 2", 6, "expected a value after 'and', found 'and'", true},
      {"if(1,)", 5, "expected a value after ',', found ')'", true},
      {"* 2", 0, "expected a value, found '*'", true},
      {"(1 + 2", 6, "expected ')' to close the '(' at offset 0, found end of expression", true},
      {"1 + 2)", 5, "found ')' without a matching '('", true},
      {"${a} ${b}", 5, "expected an operator or the end of the expression, found ${b}", true},
      {"${a} = 1 2", 9, "expected an operator or the end of the expression, found number 2", true},
      {"not 1", 4, "expected '(' after 'not', found number 1", true},
  });
}

TEST(ExprParse, ErrorsOnWordsAndFunctions) {
  expect_errors({
      {"foo(1)", 0,
       "unknown function 'foo()'; the functions are not(), if(), coalesce(), selected(), count-selected(), "
       "string-length()",
       true},
      {"${a} = 1 or today() > 3", 12, "unknown function 'today()'", false},
      {"${a} = yes", 7, "expected a value, found 'yes'; write ${yes} to refer to a question", false},
      {"and", 0, "expected a value, found 'and'", true},
  });
}

TEST(ExprParse, ErrorsInTokens) {
  expect_errors({
      {"${q1", 4, "expected '}' after ${q1, found end of expression", true},
      {"${q1 } = 1", 4, "expected '}' after ${q1, found a space", true},
      {"${}", 2, "expected a name after '${', found '}'", true},
      {"${1a}", 2, "expected a name after '${', found '1'", true},
      {"$q", 1, "expected '{' after '$' (write ${name}), found 'q'", true},
      {"'abc", 0, "unterminated string: expected a closing ' before the end of the expression", true},
      {"1 = \"abc", 4, "unterminated string: expected a closing \"", false},
      {"1 == 1", 2, "'==' is not an operator: write = to compare", true},
      {"1 && 2", 2, "unexpected character '&': write 'and'", true},
      {"1 || 2", 2, "write 'or'", false},
      {"6 / 2", 2, "write 'div'", false},
      {"6 % 2", 2, "write 'mod'", false},
      {"!${a}", 0, "write != for 'not equal' and not(x) to negate", false},
      {"3 # 4", 2, "unexpected character '#'", true},
      {"3 é", 2, "unexpected character 'é'", true},
      {"3 \x01", 2, "unexpected byte 0x01", true},
      {"3 \xff", 2, "unexpected byte 0xFF", true},
      {"${a\xc3\xa9}", 3, "expected '}' after ${a, found '\xc3\xa9'", true},
      {"1 + " + std::string(400, '9'), 4, "number too large", false},
  });
}

TEST(ExprParse, DeepNestingIsRefusedNotACrash) {
  EXPECT_TRUE(expression::parse(std::string(100, '(') + "1" + std::string(100, ')')));
  EXPECT_TRUE(expression::parse(std::string(100, '-') + "1"));

  auto deep_parens = expression::parse(std::string(10000, '(') + "1" + std::string(10000, ')'));
  ASSERT_FALSE(deep_parens);
  EXPECT_NE(deep_parens.err().message.find("nested too deeply"), std::string::npos);

  EXPECT_FALSE(expression::parse(std::string(10000, '-') + "1"));
  EXPECT_FALSE(expression::parse("not(" + std::string(5000, '(')));

  // A long left-leaning chain makes a deep tree without deep parsing.
  std::string chain = "1";
  for (int i = 0; i < 1000; ++i) chain += " + 1";
  auto long_chain = expression::parse(chain);
  ASSERT_FALSE(long_chain);
  EXPECT_NE(long_chain.err().message.find("nested too deeply"), std::string::npos);
}

// ---- references and `.` ----------------------------------------------------------------------------

TEST(ExprReferences, EachNameOnceInOrderOfFirstAppearance) {
  expression e = parse_ok("${b} + ${a} * ${b} = coalesce(${c}, ${a}) or selected(${q3}, 1)");
  EXPECT_EQ(e.references(), (std::vector<std::string>{"b", "a", "c", "q3"}));
  EXPECT_TRUE(parse_ok("1 + 2").references().empty());
  EXPECT_TRUE(parse_ok("'${not_a_reference}'").references().empty());
}

TEST(ExprReferences, UsesCurrent) {
  EXPECT_TRUE(parse_ok(". >= 0 and . <= 500").uses_current());
  EXPECT_TRUE(parse_ok("string-length(.) < 20").uses_current());
  EXPECT_TRUE(parse_ok("if(${a}, 1, -.)").uses_current());
  EXPECT_FALSE(parse_ok("${s2_fte} > 20").uses_current());
  EXPECT_FALSE(parse_ok("${a.b} = '.'").uses_current());
  EXPECT_FALSE(parse_ok(".5").uses_current());
}

TEST(ExprReferences, CopiesShareTheParsedTree) {
  expression copy;
  {
    expression original = parse_ok("${a} * 2");
    copy = original;
    expression moved = std::move(original);
    EXPECT_EQ(moved.evaluate(map_context{{"a", 4}}), value(8));
  }
  EXPECT_EQ(copy.source(), "${a} * 2");
  EXPECT_EQ(copy.references(), std::vector<std::string>{"a"});
  EXPECT_EQ(copy.evaluate(map_context{{"a", 4}}), value(8));
}

// ---- precedence ------------------------------------------------------------------------------------

TEST(ExprPrecedence, MultiplicativeOverAdditive) {
  EXPECT_EQ(eval("1 + 2 * 3"), value(7));
  EXPECT_EQ(eval("(1 + 2) * 3"), value(9));
  EXPECT_EQ(eval("10 - 6 div 2"), value(7));
  EXPECT_EQ(eval("10 - 7 mod 4"), value(7));
}

TEST(ExprPrecedence, LeftAssociative) {
  EXPECT_EQ(eval("10 - 4 - 3"), value(3));
  EXPECT_EQ(eval("8 div 4 div 2"), value(1));
  EXPECT_EQ(eval("7 mod 4 * 2"), value(6));
  EXPECT_EQ(eval("2 * 7 mod 4"), value(2));
  EXPECT_EQ(eval("3 > 2 > 0"), value(true));   // (3 > 2) > 0: 1 > 0
  EXPECT_EQ(eval("1 = 2 = 0"), value(true));   // (1 = 2) = 0
}

TEST(ExprPrecedence, UnaryMinusBindsTightest) {
  EXPECT_EQ(eval("-2 * 3"), value(-6));
  EXPECT_EQ(eval("-2 + 3"), value(1));
  EXPECT_EQ(eval("- ${a} * 2", map_context{{"a", 3}}), value(-6));
  EXPECT_EQ(eval("2 - -2 * 3"), value(8));
}

TEST(ExprPrecedence, ArithmeticOverComparison) {
  EXPECT_EQ(eval("1 + 1 = 2"), value(true));
  EXPECT_EQ(eval("2 = 1 + 1"), value(true));
  EXPECT_EQ(eval("1 + 1 > 1"), value(true));
  EXPECT_EQ(eval("2 * 3 <= 6"), value(true));
}

TEST(ExprPrecedence, RelationalOverEquality) {
  EXPECT_EQ(eval("1 = 1 < 2"), value(true));  // 1 = (1 < 2)
  EXPECT_EQ(eval("0 = 2 < 1"), value(true));  // 0 = (2 < 1)
  EXPECT_EQ(eval("1 < 2 = 1"), value(true));  // (1 < 2) = 1
  EXPECT_EQ(eval("2 != 2 > 1"), value(true)); // 2 != (2 > 1)
}

TEST(ExprPrecedence, EqualityOverAndOverOr) {
  EXPECT_EQ(eval("1 or 0 and 0"), value(true));   // 1 or (0 and 0)
  EXPECT_EQ(eval("0 and 0 or 1"), value(true));   // (0 and 0) or 1
  EXPECT_EQ(eval("(1 or 0) and 0"), value(false));
  EXPECT_EQ(eval("0 = 1 and 0"), value(false));   // (0 = 1) and 0
  EXPECT_EQ(eval("0 and 0 = 1"), value(false));   // 0 and (0 = 1)
  EXPECT_EQ(eval("1 = 1 or 1 = 2 and 2 = 3"), value(true));
}

// ---- evaluation: comparisons -----------------------------------------------------------------------

TEST(ExprEval, NumberComparisons) {
  EXPECT_EQ(eval("2 = 2"), value(true));
  EXPECT_EQ(eval("2 = 3"), value(false));
  EXPECT_EQ(eval("2 != 3"), value(true));
  EXPECT_EQ(eval("2 != 2"), value(false));
  EXPECT_EQ(eval("2 < 3"), value(true));
  EXPECT_EQ(eval("3 < 3"), value(false));
  EXPECT_EQ(eval("3 <= 3"), value(true));
  EXPECT_EQ(eval("4 <= 3"), value(false));
  EXPECT_EQ(eval("4 > 3"), value(true));
  EXPECT_EQ(eval("3 > 3"), value(false));
  EXPECT_EQ(eval("3 >= 3"), value(true));
  EXPECT_EQ(eval("2 >= 3"), value(false));
  EXPECT_EQ(eval("2.50 = 2.5"), value(true));
  EXPECT_EQ(eval("-1 < 0"), value(true));
}

TEST(ExprEval, EmptyAgainstANumberIsAlwaysFalse) {
  for (std::string_view op : {"=", "!=", "<", "<=", ">", ">="}) {
    std::string op_s(op);
    EXPECT_EQ(eval("${x} " + op_s + " 1"), value(false)) << op;
    EXPECT_EQ(eval("1 " + op_s + " ${x}"), value(false)) << op;
    EXPECT_EQ(eval("${x} " + op_s + " 0"), value(false)) << op;   // empty is not 0
    EXPECT_EQ(eval(". " + op_s + " 0"), value(false)) << op;      // nor is an empty answer
  }
}

TEST(ExprEval, EmptyAgainstTextIsTheEmptyString) {
  EXPECT_EQ(eval("${x} = ''"), value(true));
  EXPECT_EQ(eval("'' = ${x}"), value(true));
  EXPECT_EQ(eval("${x} != ''"), value(false));
  EXPECT_EQ(eval("${x} = 'a'"), value(false));
  EXPECT_EQ(eval("${x} != 'a'"), value(true));
  EXPECT_EQ(eval("${x} < 'a'"), value(true));
  EXPECT_EQ(eval("${x} >= 'a'"), value(false));
}

TEST(ExprEval, EmptyEqualsEmpty) {
  EXPECT_EQ(eval("${x} = ${y}"), value(true));
  EXPECT_EQ(eval("${x} != ${y}"), value(false));
  EXPECT_EQ(eval("${x} <= ${y}"), value(true));
  EXPECT_EQ(eval("${x} < ${y}"), value(false));
  EXPECT_EQ(eval("${x} = ."), value(true));
}

TEST(ExprEval, TextComparisonsAreByteOrder) {
  EXPECT_EQ(eval("'abc' = \"abc\""), value(true));
  EXPECT_EQ(eval("'abc' != 'abd'"), value(true));
  EXPECT_EQ(eval("'abc' < 'abd'"), value(true));
  EXPECT_EQ(eval("'B' < 'a'"), value(true));
  EXPECT_EQ(eval("'ab' < 'abc'"), value(true));
  EXPECT_EQ(eval("'2025-10-13' < '2025-10-20'"), value(true));  // ISO dates order as dates
  EXPECT_EQ(eval("'a' = 'A'"), value(false));
  EXPECT_EQ(eval("${region} = 'BRU'", map_context{{"region", "BRU"}}), value(true));
}

TEST(ExprEval, NumberAgainstTextReadsTheTextAsANumber) {
  EXPECT_EQ(eval("'3' = 3"), value(true));
  EXPECT_EQ(eval("3 = ' 3 '"), value(true));
  EXPECT_EQ(eval("'3.0' = 3"), value(true));
  EXPECT_EQ(eval("'10' > 9"), value(true));  // numerically, not '10' < '9'
  EXPECT_EQ(eval("${t} <= 3", map_context{{"t", "2"}}), value(true));
  // Text that is no number compares false, whatever the operator.
  for (std::string_view op : {"=", "!=", "<", "<=", ">", ">="}) {
    EXPECT_EQ(eval("'abc' " + std::string(op) + " 3"), value(false)) << op;
    EXPECT_EQ(eval("3 " + std::string(op) + " ''"), value(false)) << op;
  }
}

TEST(ExprEval, SelectionsCompareFalse) {
  map_context ctx{{"q3", selection{{1}}}, {"none", selection{}}};
  for (std::string_view op : {"=", "!=", "<", "<=", ">", ">="}) {
    std::string op_s(op);
    EXPECT_EQ(eval("${q3} " + op_s + " 1", ctx), value(false)) << op;
    EXPECT_EQ(eval("1 " + op_s + " ${q3}", ctx), value(false)) << op;
    EXPECT_EQ(eval("${q3} " + op_s + " '1'", ctx), value(false)) << op;
    EXPECT_EQ(eval("${q3} " + op_s + " ${q3}", ctx), value(false)) << op;
    EXPECT_EQ(eval("${none} " + op_s + " ${x}", ctx), value(false)) << op;
  }
}

TEST(ExprEval, BooleansAreOneAndZero) {
  EXPECT_EQ(eval("1 = 1"), value(1));
  EXPECT_EQ(eval("1 = 2"), value(0));
  EXPECT_EQ(eval("(1 < 2) = 1"), value(true));
  EXPECT_EQ(eval("(1 < 2) + (2 < 3) + (3 < 2)"), value(2));
  EXPECT_EQ(eval("(1 < 2) = '1'"), value(true));
}

// ---- evaluation: arithmetic ------------------------------------------------------------------------

TEST(ExprEval, Arithmetic) {
  EXPECT_EQ(eval("2 + 3"), value(5));
  EXPECT_EQ(eval("2 - 3"), value(-1));
  EXPECT_EQ(eval("2 * 3"), value(6));
  EXPECT_EQ(eval("7 div 2"), value(3.5));
  EXPECT_EQ(eval("7 mod 3"), value(1));
  EXPECT_EQ(eval("0.5 + 0.25"), value(0.75));
  EXPECT_EQ(eval("-${a}", map_context{{"a", 2.5}}), value(-2.5));
}

TEST(ExprEval, ModTakesTheSignOfTheDividend) {
  EXPECT_EQ(eval("-7 mod 3"), value(-1));
  EXPECT_EQ(eval("7 mod -3"), value(1));
  EXPECT_EQ(eval("5.5 mod 2"), value(1.5));
}

TEST(ExprEval, ArithmeticWithEmptyIsEmpty) {
  for (std::string_view op : {"+", "-", "*", "div", "mod"}) {
    std::string op_s(op);
    EXPECT_EQ(eval("${x} " + op_s + " 1"), value()) << op;
    EXPECT_EQ(eval("1 " + op_s + " ${x}"), value()) << op;
    EXPECT_EQ(eval(". " + op_s + " 1"), value()) << op;
  }
  EXPECT_EQ(eval("-${x}"), value());
  EXPECT_EQ(eval("${x} + 1 > 0"), value(false));  // and the empty result compares false
}

TEST(ExprEval, DivisionByZeroIsEmpty) {
  EXPECT_EQ(eval("1 div 0"), value());
  EXPECT_EQ(eval("0 div 0"), value());
  EXPECT_EQ(eval("-1 div 0"), value());
  EXPECT_EQ(eval("1 mod 0"), value());
  EXPECT_EQ(eval("${a} div (${b} - ${b})", map_context{{"a", 3}, {"b", 2}}), value());
  EXPECT_EQ(eval("coalesce(${a} div ${b}, -1)", map_context{{"a", 3}, {"b", 0}}), value(-1));
}

TEST(ExprEval, OverflowIsEmpty) {
  std::string huge(308, '9');  // about 1e308, near the largest double
  EXPECT_EQ(eval(huge + " * 10"), value());
  EXPECT_EQ(eval("-" + huge + " - " + huge), value());
  EXPECT_TRUE(eval(huge + " + 0").is_number());
}

TEST(ExprEval, ArithmeticReadsTextAsNumbers) {
  EXPECT_EQ(eval("'3' + 1"), value(4));
  EXPECT_EQ(eval("${t} * 2", map_context{{"t", " 2.5"}}), value(5));
  EXPECT_EQ(eval("'abc' + 1"), value());
  EXPECT_EQ(eval("'' + 1"), value());
  EXPECT_EQ(eval("-'x'"), value());
  EXPECT_EQ(eval("${q3} + 1", map_context{{"q3", selection{{1}}}}), value());
}

// ---- evaluation: logic -----------------------------------------------------------------------------

TEST(ExprEval, AndOrUseTruthiness) {
  map_context ctx{{"t", "x"}, {"blank", ""}, {"none", selection{}}, {"some", selection{{2}}}};
  EXPECT_EQ(eval("${x} or 0", ctx), value(false));
  EXPECT_EQ(eval("${x} or 1", ctx), value(true));
  EXPECT_EQ(eval("${t} and 1", ctx), value(true));
  EXPECT_EQ(eval("${blank} or ${none}", ctx), value(false));
  EXPECT_EQ(eval("${some} and 0.5", ctx), value(true));
  EXPECT_EQ(eval("2 and 3"), value(true));  // a boolean (1), not 3
  EXPECT_EQ(eval("0 or 0"), value(false));
  EXPECT_EQ(eval("1 and 0"), value(false));
}

TEST(ExprEval, AndOrShortCircuit) {
  map_context ctx;
  EXPECT_EQ(eval("0 and ${a}", ctx), value(false));
  EXPECT_EQ(eval("1 or ${a}", ctx), value(true));
  EXPECT_EQ(ctx.lookups(), 0);
  EXPECT_EQ(eval("1 and ${a}", ctx), value(false));
  EXPECT_EQ(ctx.lookups(), 1);
}

TEST(ExprEval, Not) {
  EXPECT_EQ(eval("not(${x})"), value(true));
  EXPECT_EQ(eval("not(0)"), value(true));
  EXPECT_EQ(eval("not('')"), value(true));
  EXPECT_EQ(eval("not('a')"), value(false));
  EXPECT_EQ(eval("not(2)"), value(false));
  EXPECT_EQ(eval("not(${s})", map_context{{"s", selection{}}}), value(true));
  EXPECT_EQ(eval("not(1 = 2)"), value(true));
  EXPECT_EQ(eval("not(not(5))"), value(true));
}

// ---- evaluation: functions -------------------------------------------------------------------------

TEST(ExprEval, If) {
  EXPECT_EQ(eval("if(1, 'a', 'b')"), value("a"));
  EXPECT_EQ(eval("if(0, 'a', 'b')"), value("b"));
  EXPECT_EQ(eval("if(${x}, 1, 2)"), value(2));
  EXPECT_EQ(eval("if(${s2_fte} > 20, 'big', 'small')", map_context{{"s2_fte", 21}}), value("big"));
  EXPECT_EQ(eval("if(1, ${x}, 2)"), value());
  EXPECT_EQ(eval("if(1, 2, 3) + 1"), value(3));

  map_context ctx;
  EXPECT_EQ(eval("if(1, 2, ${a})", ctx), value(2));  // only the branch taken is evaluated
  EXPECT_EQ(ctx.lookups(), 0);
}

TEST(ExprEval, Coalesce) {
  map_context ctx{{"a", 3}, {"zero", 0}, {"blank", ""}, {"none", selection{}}, {"some", selection{{4}}}};
  EXPECT_EQ(eval("coalesce(${a}, 5)", ctx), value(3));
  EXPECT_EQ(eval("coalesce(${x}, 5)", ctx), value(5));
  EXPECT_EQ(eval("coalesce(${zero}, 5)", ctx), value(0));  // 0 is an answer
  EXPECT_EQ(eval("coalesce(${blank}, 'b')", ctx), value("b"));
  EXPECT_EQ(eval("coalesce('', 'b')", ctx), value("b"));
  EXPECT_EQ(eval("coalesce(${none}, 'b')", ctx), value("b"));
  EXPECT_EQ(eval("coalesce(${some}, 'b')", ctx), value(selection{{4}}));
  EXPECT_EQ(eval("coalesce(${x}, ${y})", ctx), value());
  EXPECT_EQ(eval("coalesce(${x}, 0) + 1", ctx), value(1));
}

TEST(ExprEval, Selected) {
  map_context ctx{{"q3", selection{{1, 6}}}, {"none", selection{}}, {"single", 3}, {"t", "abc"}};
  EXPECT_EQ(eval("selected(${q3}, 6)", ctx), value(true));
  EXPECT_EQ(eval("selected(${q3}, 1)", ctx), value(true));
  EXPECT_EQ(eval("selected(${q3}, 2)", ctx), value(false));
  EXPECT_EQ(eval("selected(${q3}, '6')", ctx), value(true));   // a quoted code
  EXPECT_EQ(eval("selected(${q3}, \"1\")", ctx), value(true));
  EXPECT_EQ(eval("selected(${q3}, 3 + 3)", ctx), value(true));
  EXPECT_EQ(eval("selected(${q3}, 6.5)", ctx), value(false));
  EXPECT_EQ(eval("selected(${q3}, 'abc')", ctx), value(false));
  EXPECT_EQ(eval("selected(${q3}, ${x})", ctx), value(false));
  EXPECT_EQ(eval("selected(${none}, 1)", ctx), value(false));
  EXPECT_EQ(eval("selected(${x}, 1)", ctx), value(false));     // unanswered
  EXPECT_EQ(eval("selected(${x}, '')", ctx), value(false));
  // A single value counts as a selection of one.
  EXPECT_EQ(eval("selected(${single}, 3)", ctx), value(true));
  EXPECT_EQ(eval("selected(${single}, 4)", ctx), value(false));
  EXPECT_EQ(eval("selected(${t}, 'abc')", ctx), value(true));
}

TEST(ExprEval, CountSelected) {
  map_context ctx{{"q3", selection{{1, 3, 5}}}, {"none", selection{}}, {"single", 3}, {"blank", ""}};
  EXPECT_EQ(eval("count-selected(${q3})", ctx), value(3));
  EXPECT_EQ(eval("count-selected(${none})", ctx), value(0));
  EXPECT_EQ(eval("count-selected(${x})", ctx), value(0));
  EXPECT_EQ(eval("count-selected(${single})", ctx), value(1));
  EXPECT_EQ(eval("count-selected(${blank})", ctx), value(0));
  EXPECT_EQ(eval("count-selected(${q3}) >= 2", ctx), value(true));
}

TEST(ExprEval, StringLength) {
  EXPECT_EQ(eval("string-length('abc')"), value(3));
  EXPECT_EQ(eval("string-length('')"), value(0));
  EXPECT_EQ(eval("string-length(${x})"), value(0));
  EXPECT_EQ(eval("string-length('été à Liège')"), value(11));  // characters, not bytes
  EXPECT_EQ(eval("string-length(2.5)"), value(3));               // as the number prints
  EXPECT_EQ(eval("string-length(-10)"), value(3));
  EXPECT_EQ(eval("string-length(${q})", map_context{{"q", selection{{1, 23}}}}), value(4));
  EXPECT_EQ(eval("string-length(.)", map_context{{}, "Gent"}), value(4));
}

TEST(ExprEval, WrongArityStillEvaluates) {
  // check() reports these; evaluation reads a missing argument as empty and ignores extra ones.
  EXPECT_EQ(eval("not()"), value(true));
  EXPECT_EQ(eval("if(1)"), value());
  EXPECT_EQ(eval("if(0, 1)"), value());
  EXPECT_EQ(eval("coalesce(${x})"), value());
  EXPECT_EQ(eval("count-selected()"), value(0));
  EXPECT_EQ(eval("string-length('ab', 'cde')"), value(2));
  EXPECT_EQ(eval("selected(${q})", map_context{{"q", selection{{1}}}}), value(false));
}

// ---- evaluation: the seed study --------------------------------------------------------------------

TEST(ExprEval, SeedStudy) {
  expression uses_ai = parse_ok("${q2_ai_use} <= 3");
  EXPECT_EQ(uses_ai.evaluate(map_context{{"q2_ai_use", 1}}), value(true));
  EXPECT_EQ(uses_ai.evaluate(map_context{{"q2_ai_use", 3}}), value(true));
  EXPECT_EQ(uses_ai.evaluate(map_context{{"q2_ai_use", 4}}), value(false));
  EXPECT_EQ(uses_ai.evaluate(map_context{{"q2_ai_use", 98}}), value(false));
  EXPECT_EQ(uses_ai.evaluate(map_context{}), value(false));

  expression too_big = parse_ok("${s2_fte} > 20");
  EXPECT_EQ(too_big.evaluate(map_context{{"s2_fte", 21}}), value(true));
  EXPECT_EQ(too_big.evaluate(map_context{{"s2_fte", 20}}), value(false));
  EXPECT_EQ(too_big.evaluate(map_context{}), value(false));

  expression fte_range = parse_ok(". >= 0 and . <= 500");
  EXPECT_EQ(fte_range.evaluate(map_context{{}, 0}), value(true));
  EXPECT_EQ(fte_range.evaluate(map_context{{}, 500}), value(true));
  EXPECT_EQ(fte_range.evaluate(map_context{{}, 12.5}), value(true));
  EXPECT_EQ(fte_range.evaluate(map_context{{}, 501}), value(false));
  EXPECT_EQ(fte_range.evaluate(map_context{{}, -1}), value(false));
  EXPECT_EQ(fte_range.evaluate(map_context{}), value(false));

  expression other_area = parse_ok("selected(${q3_ai_areas}, 6)");
  EXPECT_EQ(other_area.evaluate(map_context{{"q3_ai_areas", selection{{2, 6}}}}), value(true));
  EXPECT_EQ(other_area.evaluate(map_context{{"q3_ai_areas", selection{{2}}}}), value(false));
  EXPECT_EQ(other_area.evaluate(map_context{}), value(false));

  expression decider = parse_ok("${s1_decider} = 1");
  EXPECT_EQ(decider.evaluate(map_context{{"s1_decider", 1}}), value(true));
  EXPECT_EQ(decider.evaluate(map_context{{"s1_decider", 2}}), value(false));
  EXPECT_EQ(decider.evaluate(map_context{}), value(false));
  expression not_decider = parse_ok("${s1_decider} != 1");
  EXPECT_EQ(not_decider.evaluate(map_context{{"s1_decider", 2}}), value(true));
  EXPECT_EQ(not_decider.evaluate(map_context{}), value(false));  // unanswered is not "not 1"
}

TEST(ExprEval, ConcurrentEvaluationOfOneExpression) {
  expression e = parse_ok("if(selected(${q3}, 6), string-length(${name}), ${n} * 2)");
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&e, &wrong, t] {
      map_context ctx{{"q3", selection{{t % 2 == 0 ? 6 : 1}}}, {"name", "Brugge"}, {"n", t}};
      value expected = t % 2 == 0 ? value(6) : value(2 * t);
      for (int i = 0; i < 2000; ++i)
        if (!(e.evaluate(ctx) == expected)) ++wrong;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

// ---- check() ---------------------------------------------------------------------------------------

// The seed study's names, as the schema loader describes them.
class ExprCheck : public ::testing::Test {
 protected:
  ExprCheck() {
    names_["s1_decider"] = {expr_type::number, true, {1, 2}};
    names_["s2_fte"] = {expr_type::number, false, {}};
    names_["q2_ai_use"] = {expr_type::number, true, {1, 2, 3, 4, 5, 98}};
    names_["q3_ai_areas"] = {expr_type::selection, false, {1, 2, 3, 4, 5, 6}};
    names_["q3_other"] = {expr_type::text, false, {}};
    names_["region"] = {expr_type::text, false, {}};
    names_["fte_frame"] = {expr_type::number, false, {}};
    names_["eligible"] = {expr_type::boolean, false, {}};
    names_["mystery"] = {expr_type::unknown, false, {}};
  }

  std::vector<expr_error> check(std::string_view source, expr_type current = expr_type::unknown) {
    return parse_ok(source).check(
        [this](std::string_view name) -> const name_info* {
          auto it = names_.find(name);
          return it == names_.end() ? nullptr : &it->second;
        },
        current);
  }

  // The one error `source` has.
  expr_error only_error(std::string_view source, expr_type current = expr_type::unknown) {
    auto errors = check(source, current);
    if (errors.size() != 1) {
      ADD_FAILURE() << source << ": " << errors.size() << " errors";
      for (const auto& e : errors) ADD_FAILURE() << e.offset << ": " << e.message;
    }
    return errors.empty() ? expr_error{} : errors.front();
  }

  std::map<std::string, name_info, std::less<>> names_;
};

TEST_F(ExprCheck, SeedStudyExpressionsAreClean) {
  EXPECT_TRUE(check("${q2_ai_use} <= 3").empty());
  EXPECT_TRUE(check("${s2_fte} > 20").empty());
  EXPECT_TRUE(check(". >= 0 and . <= 500", expr_type::number).empty());
  EXPECT_TRUE(check("selected(${q3_ai_areas}, 6)").empty());
  EXPECT_TRUE(check("${s1_decider} = 1").empty());
  EXPECT_TRUE(check("${s1_decider} = 1 and ${s2_fte} <= 20").empty());
  EXPECT_TRUE(check("${region} = 'BRU' or ${fte_frame} > 10").empty());
  EXPECT_TRUE(check("count-selected(${q3_ai_areas}) <= 3 and not(selected(${q3_ai_areas}, '6'))").empty());
  EXPECT_TRUE(check("string-length(${q3_other}) > 0").empty());
  EXPECT_TRUE(check("${eligible} = 1 and ${eligible} + 1 = 2").empty());
  EXPECT_TRUE(check("coalesce(${s2_fte}, ${fte_frame}) > 20").empty());
  EXPECT_TRUE(check("if(${s1_decider} = 1, ${s2_fte}, ${fte_frame}) div 2 > 5").empty());
  EXPECT_TRUE(check("count-selected(.) <= 3", expr_type::selection).empty());
  EXPECT_TRUE(check("string-length(.) <= 80", expr_type::text).empty());
}

TEST_F(ExprCheck, UnknownNames) {
  expr_error e = only_error("${s2_fte} > 20 and ${q9} = 1");
  EXPECT_EQ(e.offset, 19u);
  EXPECT_EQ(e.message, "unknown name ${q9}: no question or sample variable has this name");

  auto twice = check("${nope} = 1 or ${nope} = 2");  // every place it is used
  ASSERT_EQ(twice.size(), 2u);
  EXPECT_EQ(twice[0].offset, 0u);
  EXPECT_EQ(twice[1].offset, 15u);
}

TEST_F(ExprCheck, UnknownTypesRaiseNothingFurther) {
  EXPECT_EQ(check("${nope} = 'a' or ${nope} + 1 = 2 or selected(${nope}, 99)").size(), 3u);  // unknown x3
  EXPECT_TRUE(check("${mystery} = 'a' or ${mystery} + 1 = 2 or selected(${mystery}, 99)").empty());
  EXPECT_TRUE(check(". = 'a' or . + 1 = 2 or selected(., 7)").empty());
}

TEST_F(ExprCheck, AnEmptyLookupKnowsNoNames) {
  auto errors = parse_ok("${a} = 1").check({});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("unknown name ${a}"), std::string::npos);
}

TEST_F(ExprCheck, TextComparedWithANumber) {
  expr_error e = only_error("${region} = 1");
  EXPECT_EQ(e.offset, 10u);  // the operator
  EXPECT_EQ(e.message,
            "cannot compare text with a number: ${region} is text and 1 is a number; write '1' to compare as "
            "text");

  e = only_error("${s2_fte} > '20'");
  EXPECT_EQ(e.offset, 10u);
  EXPECT_EQ(e.message,
            "cannot compare text with a number: ${s2_fte} is a number and '20' is text; write 20 without quotes");

  e = only_error("${s1_decider} = '1'");
  EXPECT_NE(e.message.find("${s1_decider} is single-choice and '1' is text; write 1 without quotes"),
            std::string::npos)
      << e.message;

  e = only_error("${region} < ${fte_frame}");
  EXPECT_EQ(e.offset, 10u);
  EXPECT_EQ(e.message, "cannot compare text with a number: ${region} is text and ${fte_frame} is a number");

  e = only_error("(${s2_fte} > 1) = 'yes'");
  EXPECT_EQ(e.offset, 16u);
  EXPECT_NE(e.message.find("${s2_fte} > 1 is true/false and 'yes' is text"), std::string::npos) << e.message;

  e = only_error(". > 3", expr_type::text);
  EXPECT_EQ(e.offset, 2u);
  EXPECT_NE(e.message.find("the answer (.) is text and 3 is a number"), std::string::npos) << e.message;
}

TEST_F(ExprCheck, TestingForAnAnswerWithTheEmptyString) {
  expr_error e = only_error("${s2_fte} != ''");
  EXPECT_EQ(e.message,
            "cannot compare text with a number: ${s2_fte} is a number and '' is text; to test whether ${s2_fte} "
            "is answered, use string-length(${s2_fte}) > 0");
  EXPECT_TRUE(check("${region} != ''").empty());
}

TEST_F(ExprCheck, SelectionsCannotBeCompared) {
  expr_error e = only_error("${q3_ai_areas} = 1");
  EXPECT_EQ(e.offset, 0u);
  EXPECT_EQ(e.message,
            "${q3_ai_areas} is multiple-choice and cannot be compared with '='; use selected(${q3_ai_areas}, "
            "code) or count-selected(${q3_ai_areas})");

  e = only_error("1 < ${q3_ai_areas}");
  EXPECT_EQ(e.offset, 4u);
  EXPECT_NE(e.message.find("cannot be compared with '<'"), std::string::npos);

  EXPECT_EQ(check("${q3_ai_areas} != ${q3_ai_areas}").size(), 2u);
  EXPECT_EQ(only_error(". = 1", expr_type::selection).message.find("the answer (.) is a selection"), 0u);
}

TEST_F(ExprCheck, SelectedNeedsAMultipleChoiceQuestion) {
  expr_error e = only_error("selected(${q2_ai_use}, 1)");
  EXPECT_EQ(e.offset, 9u);
  EXPECT_EQ(e.message,
            "selected() needs a multiple-choice question; ${q2_ai_use} is single-choice: compare with = instead");

  e = only_error("selected(${s2_fte}, 1)");
  EXPECT_EQ(e.message, "selected() needs a multiple-choice question; ${s2_fte} is a number");

  e = only_error("selected(${region}, 'BRU')");
  EXPECT_EQ(e.message, "selected() needs a multiple-choice question; ${region} is text");

  e = only_error("selected('1 2', 1)");
  EXPECT_EQ(e.offset, 9u);
  EXPECT_EQ(e.message, "selected() needs a multiple-choice question; '1 2' is text");
}

TEST_F(ExprCheck, CountSelectedNeedsAMultipleChoiceQuestion) {
  expr_error e = only_error("count-selected(${q2_ai_use}) > 1");
  EXPECT_EQ(e.offset, 15u);
  EXPECT_EQ(e.message, "count-selected() needs a multiple-choice question; ${q2_ai_use} is single-choice");

  e = only_error("count-selected(${q3_other}) > 1");
  EXPECT_EQ(e.message, "count-selected() needs a multiple-choice question; ${q3_other} is text");
}

TEST_F(ExprCheck, CodesComparedWithAChoiceQuestion) {
  expr_error e = only_error("${q2_ai_use} = 7");
  EXPECT_EQ(e.offset, 15u);
  EXPECT_EQ(e.message, "code 7 is not a choice of ${q2_ai_use}; its codes are 1, 2, 3, 4, 5, 98");

  EXPECT_EQ(only_error("7 = ${q2_ai_use}").offset, 0u);
  EXPECT_EQ(only_error("${q2_ai_use} != 99").offset, 16u);
  e = only_error("${q2_ai_use} = -1");
  EXPECT_EQ(e.offset, 15u);
  EXPECT_EQ(e.message.find("code -1 is not a choice"), 0u) << e.message;
  EXPECT_EQ(only_error("${s1_decider} = 1.5").message.find("code 1.5 is not a choice of ${s1_decider}"), 0u);

  EXPECT_TRUE(check("${q2_ai_use} = 98").empty());
  EXPECT_TRUE(check("${q2_ai_use} < 7").empty());        // a range, not a code
  EXPECT_TRUE(check("${s2_fte} = 7").empty());           // no codes to check against
  EXPECT_TRUE(check("${q2_ai_use} = ${s1_decider}").empty());
}

TEST_F(ExprCheck, CodesInSelected) {
  expr_error e = only_error("selected(${q3_ai_areas}, 7)");
  EXPECT_EQ(e.offset, 25u);
  EXPECT_EQ(e.message, "code 7 is not a choice of ${q3_ai_areas}; its codes are 1, 2, 3, 4, 5, 6");

  e = only_error("selected(${q3_ai_areas}, '7')");
  EXPECT_EQ(e.message.find("code '7' is not a choice of ${q3_ai_areas}"), 0u) << e.message;
  EXPECT_EQ(only_error("selected(${q3_ai_areas}, 'other')").offset, 25u);

  EXPECT_TRUE(check("selected(${q3_ai_areas}, '6')").empty());
  EXPECT_TRUE(check("selected(${q3_ai_areas}, ${s1_decider})").empty());  // not a literal: not checked
}

TEST_F(ExprCheck, WrongArity) {
  expr_error e = only_error("not(1, 2)");
  EXPECT_EQ(e.offset, 0u);
  EXPECT_EQ(e.message, "not() takes 1 argument, found 2");

  e = only_error("1 + if(${s2_fte} > 1, 2)");
  EXPECT_EQ(e.offset, 4u);
  EXPECT_EQ(e.message, "if() takes 3 arguments, found 2");

  EXPECT_EQ(only_error("coalesce(${s2_fte}) > 1").message, "coalesce() takes 2 arguments, found 1");
  EXPECT_EQ(only_error("selected(${q3_ai_areas})").message, "selected() takes 2 arguments, found 1");
  EXPECT_EQ(only_error("count-selected() = 0").message, "count-selected() takes 1 argument, found 0");
  EXPECT_EQ(only_error("string-length('a', 'b')").message, "string-length() takes 1 argument, found 2");

  // Arguments are still checked.
  EXPECT_EQ(check("not(${nope}, 2)").size(), 2u);
}

TEST_F(ExprCheck, ArithmeticNeedsNumbers) {
  expr_error e = only_error("${region} + 1 > 2");
  EXPECT_EQ(e.offset, 0u);
  EXPECT_EQ(e.message, "'+' needs numbers; ${region} is text");

  e = only_error("-${q3_ai_areas} < 0");
  EXPECT_EQ(e.offset, 1u);
  EXPECT_EQ(e.message, "'-' needs a number; ${q3_ai_areas} is multiple-choice");

  EXPECT_EQ(only_error("2 * 'x' = 1").message, "'*' needs numbers; 'x' is text");
  EXPECT_EQ(only_error("7 mod ${q3_other}").message, "'mod' needs numbers; ${q3_other} is text");
}

TEST_F(ExprCheck, BranchesDecideTheType) {
  EXPECT_EQ(only_error("if(${eligible}, ${region}, 'x') = 1").offset, 32u);
  EXPECT_EQ(only_error("coalesce(${s2_fte}, 0) = 'a'").offset, 23u);
  EXPECT_TRUE(check("if(1, 1, 'a') = 1").empty());      // mixed: unknown, not reported
  EXPECT_TRUE(check("if(1, ${eligible}, 2) = 1").empty());  // true/false and number: a number
}

TEST_F(ExprCheck, SubExpressionsAreQuotedAndPlaced) {
  expr_error e = only_error("not(${region} = 1)");
  EXPECT_EQ(e.offset, 14u);
  e = only_error("string-length(${q3_other}) + 1 = 'a very long piece of text that goes on and on'");
  EXPECT_NE(e.message.find("'a very long piece of text that goes ... is text"), std::string::npos) << e.message;
}

TEST_F(ExprCheck, EveryErrorIsReportedInSourceOrder) {
  auto errors = check("not(1, 2) or ${nope} = 1 or ${q2_ai_use} = 7 or selected(${s2_fte}, 1)");
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].offset, 0u);
  EXPECT_EQ(errors[1].offset, 13u);
  EXPECT_EQ(errors[2].offset, 43u);
  EXPECT_EQ(errors[3].offset, 57u);
  EXPECT_NE(errors[3].message.find("selected()"), std::string::npos);
}

}  // namespace
}  // namespace cati::core
