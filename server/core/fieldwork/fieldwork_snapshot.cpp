#include "core/fieldwork/fieldwork_snapshot.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace cati::core::detail {
namespace {

constexpr std::string_view seq_prefix = "client-seq ";
constexpr std::string_view print_prefix = "seq-print ";
constexpr std::string_view end_prefix = "end-message ";

}  // namespace

std::string request_print(std::string_view kind, std::string_view a, std::string_view b) {
  std::uint64_t h = 14695981039346656037ull;
  auto mix = [&](std::string_view part) {
    for (unsigned char c : part) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0x1fu) * 1099511628211ull;  // field separator: ("ab", "c") differs from ("a", "bc")
  };
  mix(kind);
  mix(a);
  mix(b);
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

std::string snapshot_text(std::uint32_t last_seq, const std::map<std::uint32_t, std::string>& prints,
                          const std::string& end_message, const std::string& saved) {
  // Written with every sequenced request but a plain answer: appended in place, no temporaries.
  std::string out;
  out.reserve(seq_prefix.size() + 12 + prints.size() * (print_prefix.size() + 12 + 17) + saved.size() +
              (end_message.empty() ? 0 : end_prefix.size() + end_message.size() + 1));
  out.append(seq_prefix).append(std::to_string(last_seq)).push_back('\n');
  for (const auto& [seq, print] : prints) {
    out.append(print_prefix).append(std::to_string(seq)).push_back(' ');
    out.append(print).push_back('\n');
  }
  if (!end_message.empty()) {
    const auto at = out.size();
    out.append(end_prefix).append(end_message);
    std::replace(out.begin() + static_cast<std::ptrdiff_t>(at), out.end(), '\n', ' ');  // one line
    out.push_back('\n');
  }
  out.append(saved);
  return out;
}

result<parsed_snapshot> parse_snapshot(const std::string& text) {
  if (text.rfind(seq_prefix, 0) != 0) return error{"the snapshot has no sequence number"};
  parsed_snapshot out;
  auto eol = text.find('\n');
  try {
    out.last_seq =
        static_cast<std::uint32_t>(std::stoul(text.substr(seq_prefix.size(), eol - seq_prefix.size())));
    std::size_t at = eol == std::string::npos ? text.size() : eol + 1;
    while (text.compare(at, print_prefix.size(), print_prefix) == 0) {
      const auto end = text.find('\n', at);
      const auto line = text.substr(at + print_prefix.size(), end - at - print_prefix.size());
      const auto space = line.find(' ');
      if (space == std::string::npos) return error{"a seq-print line of the snapshot has no fingerprint"};
      out.prints[static_cast<std::uint32_t>(std::stoul(line.substr(0, space)))] = line.substr(space + 1);
      at = end == std::string::npos ? text.size() : end + 1;
    }
    if (text.compare(at, end_prefix.size(), end_prefix) == 0) {
      const auto end = text.find('\n', at);
      out.end_message = text.substr(at + end_prefix.size(), end - at - end_prefix.size());
      at = end == std::string::npos ? text.size() : end + 1;
    }
    auto saved = saved_interview_from_text(text.substr(at));
    if (!saved) return saved.err();
    out.saved = std::move(saved).value();
  } catch (const std::exception&) {  // stoul on a damaged number
    return error{"the snapshot's sequence numbers are damaged"};
  }
  return out;
}

}  // namespace cati::core::detail
