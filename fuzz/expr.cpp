// Fuzz target: the expression language (server/core/expr). The input is an expression's source, then a
// NUL byte, then bytes that choose a value for every ${name} it references (empty, a number, text or a
// selection) and for `.`; the expression is parsed, type-checked against types chosen the same way, and
// evaluated under three sets of values.
//
// Checked besides the sanitizers: a parse error's offset lies within the source; check() reports in
// offset order, within the source; evaluation is deterministic; a number result is finite and prints in
// a form parse_number() reads back exactly (value.hpp's contract).
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>

#include "core/expr/expression.hpp"

namespace {

using namespace cati::core;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "expr: %s\n", what);
    std::abort();
  }
}

value any_value(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange(0, 5)) {
    case 0: return {};
    case 1: return value(static_cast<std::int64_t>(in.ConsumeIntegralInRange<std::int64_t>(-1000000, 1000000)));
    case 2: {
      const double d = in.ConsumeFloatingPoint<double>();
      return std::isfinite(d) ? value(d) : value();
    }
    case 3: return value(in.ConsumeRandomLengthString(24));
    case 4: {
      selection s;
      const int n = in.ConsumeIntegralInRange(0, 5);
      for (int i = 0; i < n; ++i) {
        const auto code = in.ConsumeIntegralInRange<std::int64_t>(-3, 99);
        if (!s.contains(code)) s.codes.push_back(code);
      }
      return value(std::move(s));
    }
    default: return value(std::to_string(in.ConsumeIntegralInRange(-5, 99)));  // a number as text
  }
}

class fuzz_context final : public eval_context {
 public:
  fuzz_context(const std::vector<std::string>& names, FuzzedDataProvider& in) {
    for (const auto& n : names) values_[n] = any_value(in);
    current_ = any_value(in);
  }
  value lookup(std::string_view name) const override {
    auto it = values_.find(name);
    return it == values_.end() ? value() : it->second;
  }
  value current() const override { return current_; }

 private:
  std::map<std::string, value, std::less<>> values_;
  value current_;
};

void check_result(const value& v) {
  if (!v.is_number()) return;
  require(std::isfinite(v.number()), "an expression produced a non-finite number");
  const auto text = v.to_string();
  const auto back = parse_number(text);
  require(back && *back == v.number(), "a number result does not read back from its text form");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const char* begin = reinterpret_cast<const char*>(data);
  const void* nul = std::memchr(begin, 0, size);
  const std::size_t source_size = nul ? static_cast<std::size_t>(static_cast<const char*>(nul) - begin) : size;
  const std::string_view source(begin, source_size);
  FuzzedDataProvider in(data + std::min(size, source_size + 1), size - std::min(size, source_size + 1));

  auto parsed = expression::parse(source);
  if (!parsed) {
    require(parsed.err().offset <= source.size(), "a parse error lies outside the source");
    require(!parsed.err().message.empty(), "a parse error without a message");
    return 0;
  }
  const expression& e = *parsed;
  require(e.source() == source || e.is_empty(), "the expression lost its source");

  // Types for the names, chosen by the input; some names stay unknown.
  std::map<std::string, name_info, std::less<>> names;
  for (const auto& n : e.references()) {
    if (in.ConsumeBool()) continue;
    name_info info;
    info.type = static_cast<expr_type>(in.ConsumeIntegralInRange(0, 4));
    info.single_choice = info.type == expr_type::number && in.ConsumeBool();
    const int codes = in.ConsumeIntegralInRange(0, 4);
    for (int i = 0; i < codes; ++i) info.codes.push_back(in.ConsumeIntegralInRange<std::int64_t>(-1, 12));
    names[n] = info;
  }
  const auto errors = e.check(
      [&](std::string_view n) -> const name_info* {
        auto it = names.find(n);
        return it == names.end() ? nullptr : &it->second;
      },
      static_cast<expr_type>(in.ConsumeIntegralInRange(0, 4)));
  for (std::size_t i = 0; i < errors.size(); ++i) {
    require(errors[i].offset <= source.size(), "a check error lies outside the source");
    require(i == 0 || errors[i - 1].offset <= errors[i].offset, "check errors are not in offset order");
  }

  for (int round = 0; round < 3; ++round) {
    fuzz_context ctx(e.references(), in);
    const value first = e.evaluate(ctx);
    const value second = e.evaluate(ctx);
    require(first.to_string() == second.to_string(), "evaluation is not deterministic");
    check_result(first);
    (void)first.truthy();
  }
  return 0;
}
