#include "core/expr/value.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace cati::core {
namespace {

TEST(Value, DefaultIsEmpty) {
  value v;
  EXPECT_TRUE(v.is_empty());
  EXPECT_FALSE(v.is_number());
  EXPECT_FALSE(v.is_text());
  EXPECT_FALSE(v.is_selection());
}

TEST(Value, BooleansAndIntegersAreNumbers) {
  EXPECT_TRUE(value(true).is_number());
  EXPECT_EQ(value(true).number(), 1.0);
  EXPECT_EQ(value(false).number(), 0.0);
  // Mixed kinds as temporaries once made GCC 12 warn falsely; see value::~value().
  EXPECT_TRUE(value(true) == value(1));
  EXPECT_TRUE(value(std::int64_t{7}) == value(7.0));
  EXPECT_FALSE(value(1) == value("1"));
  EXPECT_FALSE(value() == value(""));
  EXPECT_FALSE(value() == value(selection{}));
}

TEST(Value, Truthy) {
  EXPECT_FALSE(value().truthy());
  EXPECT_FALSE(value(0).truthy());
  EXPECT_FALSE(value(-0.0).truthy());
  EXPECT_FALSE(value(std::nan("")).truthy());
  EXPECT_TRUE(value(1).truthy());
  EXPECT_TRUE(value(-0.25).truthy());
  EXPECT_FALSE(value("").truthy());
  EXPECT_TRUE(value("0").truthy());  // XPath: any non-empty string is true
  EXPECT_TRUE(value("false").truthy());
  EXPECT_FALSE(value(selection{}).truthy());
  EXPECT_TRUE(value(selection{{4}}).truthy());
}

TEST(Value, NumberToStringHasNoTrailingZeros) {
  EXPECT_EQ(value(3).to_string(), "3");
  EXPECT_EQ(value(3.0).to_string(), "3");
  EXPECT_EQ(value(2.5).to_string(), "2.5");
  EXPECT_EQ(value(-0.25).to_string(), "-0.25");
  EXPECT_EQ(value(0.1).to_string(), "0.1");
  EXPECT_EQ(value(100).to_string(), "100");
  EXPECT_EQ(value(0).to_string(), "0");
  EXPECT_EQ(value(-0.0).to_string(), "0");
  EXPECT_EQ(value(true).to_string(), "1");
}

TEST(Value, NumberToStringIsExactAndNeverExponential) {
  EXPECT_EQ(value(std::int64_t{123456789012}).to_string(), "123456789012");
  EXPECT_EQ(value(std::int64_t{9007199254740992}).to_string(), "9007199254740992");  // 2^53
  EXPECT_EQ(value(-987654321.5).to_string(), "-987654321.5");
  EXPECT_EQ(value(1e21).to_string(), "1000000000000000000000");
  EXPECT_EQ(value(1e-7).to_string(), "0.0000001");
  EXPECT_EQ(value(std::numeric_limits<double>::max()).to_string().size(), 309u);
}

TEST(Value, NonFiniteNumbersToString) {
  EXPECT_EQ(value(std::nan("")).to_string(), "NaN");
  EXPECT_EQ(value(std::numeric_limits<double>::infinity()).to_string(), "Infinity");
  EXPECT_EQ(value(-std::numeric_limits<double>::infinity()).to_string(), "-Infinity");
}

TEST(Value, OtherKindsToString) {
  EXPECT_EQ(value().to_string(), "");
  EXPECT_EQ(value("Brussel-Bruxelles").to_string(), "Brussel-Bruxelles");
  EXPECT_EQ(value("").to_string(), "");
  EXPECT_EQ(value(selection{{1, 3, 5}}).to_string(), "1 3 5");
  EXPECT_EQ(value(selection{{6, 2}}).to_string(), "6 2");  // in the order given
  EXPECT_EQ(value(selection{{98}}).to_string(), "98");
  EXPECT_EQ(value(selection{}).to_string(), "");
}

TEST(ValueSelection, Contains) {
  selection s{{1, 3, 6}};
  EXPECT_TRUE(s.contains(1));
  EXPECT_TRUE(s.contains(6));
  EXPECT_FALSE(s.contains(2));
  EXPECT_FALSE(s.contains(-1));
  EXPECT_FALSE(selection{}.contains(0));
}

TEST(ValueParseNumber, AcceptsXPathNumbers) {
  EXPECT_EQ(parse_number("3"), 3.0);
  EXPECT_EQ(parse_number("-2.5"), -2.5);
  EXPECT_EQ(parse_number(".5"), 0.5);
  EXPECT_EQ(parse_number("-.5"), -0.5);
  EXPECT_EQ(parse_number("5."), 5.0);
  EXPECT_EQ(parse_number(" 7\t"), 7.0);
  EXPECT_EQ(parse_number("007"), 7.0);
  EXPECT_EQ(parse_number("123456789012"), 123456789012.0);
}

TEST(ValueParseNumber, RefusesEverythingElse) {
  for (const char* text : {"", " ", "-", ".", "-.", "+3", "1e5", "1E5", "nan", "NaN", "inf", "Infinity",
                           "0x10", "3 4", "1.2.3", "abc", "3a", "--3", "1,5"}) {
    EXPECT_EQ(parse_number(text), std::nullopt) << '"' << text << '"';
  }
  EXPECT_EQ(parse_number(std::string(400, '9')), std::nullopt);  // beyond double
}

TEST(ValueParseNumber, ReadsBackWhatToStringWrites) {
  for (double x : {0.0, 3.0, -0.25, 2.5, 0.1, 1.0 / 3.0, 123456789012.0, 1e21, 1e-7, -1e300}) {
    auto back = parse_number(value(x).to_string());
    ASSERT_TRUE(back) << x;
    EXPECT_EQ(*back, x);
  }
}

}  // namespace
}  // namespace cati::core
