// Fuzz target: what the interviewer's terminal does with typed input and with what the server sends
// (client/term/view: answer_check, line_editor; client/lib/text_form). The input chooses a screen
// (question type, choice codes) and a typed answer, then a sequence of key presses for the line editor
// (any code point curses could hand over), then a ServerMessage to print in the text form.
//
// Checked besides the sanitizers: an answer the check accepts is a fixed point (checking its wire form
// again gives the same form), and a choice answer names only codes on the screen; the line editor's
// cursor stays within its text and the text stays valid UTF-8; an outcome name read back prints the same.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdlib>
#include <sstream>

#include "lib/text_form.hpp"
#include "support/message_mutator.hpp"
#include "term/view/answer_check.hpp"
#include "term/view/line_editor.hpp"
#include "term/view/text_layout.hpp"

namespace {

namespace v1 = cati::v1;
using cati::term::key;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "term_input: %s\n", what);
    std::abort();
  }
}

void check_answer_form(FuzzedDataProvider& in) {
  v1::Screen screen;
  screen.set_type(static_cast<v1::QuestionType>(in.ConsumeIntegralInRange(0, 6)));
  const int choices = in.ConsumeIntegralInRange(0, 6);
  for (int i = 0; i < choices; ++i) screen.add_choices()->set_code(in.ConsumeIntegralInRange(-2, 99));
  const auto typed = in.ConsumeRandomLengthString(40);
  const auto checked = cati::term::check_answer(screen, typed);
  if (!checked.problem.empty()) return;
  const auto again = cati::term::check_answer(screen, checked.value);
  require(again.problem.empty() && again.value == checked.value, "an accepted answer is not a fixed point");
  if (screen.type() == v1::SINGLE || screen.type() == v1::MULTIPLE) {
    std::istringstream words(checked.value);
    for (long long code; words >> code;) {
      bool known = false;
      for (const auto& c : screen.choices()) known = known || c.code() == code;
      require(known, "an accepted choice answer has a code the screen does not show");
    }
  }
}

void edit_line(FuzzedDataProvider& in) {
  cati::term::line_editor editor;
  std::string start;
  const int initial = in.ConsumeIntegralInRange(0, 8);
  for (int i = 0; i < initial; ++i) start += cati::term::to_utf8(in.ConsumeIntegralInRange<char32_t>(0x20, 0x2FFF));
  editor.set(start);
  const int keys = in.ConsumeIntegralInRange(0, 64);
  for (int i = 0; i < keys; ++i) {
    key k;
    k.what = static_cast<key::kind>(in.ConsumeIntegralInRange(0, static_cast<int>(key::kind::resize)));
    k.ch = in.ConsumeBool() ? in.ConsumeIntegralInRange<char32_t>(0, 0x3000) : in.ConsumeIntegral<char32_t>();
    k.number = in.ConsumeIntegralInRange(0, 12);
    (void)editor.edit(k);
    require(editor.cursor() <= cati::term::columns(editor.text()), "the cursor is past the end of the text");
    require(cati::fuzz::valid_utf8(editor.text()), "the typed text is not valid UTF-8");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  check_answer_form(in);
  edit_line(in);

  const auto name = in.ConsumeRandomLengthString(20);
  if (auto outcome = cati::client::outcome_from_name(name)) {
    require(cati::client::outcome_from_name(cati::client::outcome_name(*outcome)) == outcome,
            "an outcome name does not read back");
  }
  const auto rest = in.ConsumeRemainingBytes<char>();
  v1::ServerMessage message;
  if (message.ParseFromArray(rest.data(), static_cast<int>(rest.size()))) (void)cati::client::to_text(message);
  return 0;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  cati::fuzz::quiet_protobuf_log();
  return 0;
}
