#include "support/message_mutator.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/stubs/logging.h>

#include <algorithm>
#include <limits>

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace cati::fuzz {

namespace pb = google::protobuf;

message_mutator::message_mutator(unsigned seed, std::vector<std::string> words)
    : random_(seed == 0 ? 1 : seed), words_(std::move(words)) {
  if (words_.empty()) words_.push_back("");
}

void quiet_protobuf_log() { google::protobuf::SetLogHandler([](google::protobuf::LogLevel, const char*, int, const std::string&) {}); }

std::string mutate_bytes(std::string bytes, std::size_t max_size) {
  const std::size_t capacity = std::max<std::size_t>(max_size, bytes.size() + 1);
  bytes.resize(capacity);
  const std::size_t used = LLVMFuzzerMutate(reinterpret_cast<std::uint8_t*>(bytes.data()),
                                            std::min(bytes.size(), capacity), capacity);
  bytes.resize(std::min(used, capacity));
  return bytes;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (n >= s.size() - i) return false;  // truncated sequence
    for (std::size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

std::vector<std::string> split_delimited(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < size) {
    std::uint64_t length = 0;
    int shift = 0;
    bool done = false;
    while (i < size && shift < 35) {
      const std::uint8_t b = data[i++];
      length |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      shift += 7;
      if ((b & 0x80) == 0) {
        done = true;
        break;
      }
    }
    if (!done || length > size - i) break;
    out.emplace_back(reinterpret_cast<const char*>(data + i), static_cast<std::size_t>(length));
    i += static_cast<std::size_t>(length);
  }
  return out;
}

std::string join_delimited(const std::vector<std::string>& messages) {
  std::string out;
  for (const auto& m : messages) {
    std::uint64_t length = m.size();
    do {
      std::uint8_t b = length & 0x7F;
      length >>= 7;
      if (length != 0) b |= 0x80;
      out.push_back(static_cast<char>(b));
    } while (length != 0);
    out += m;
  }
  return out;
}

std::int64_t message_mutator::mutate_number(std::int64_t v, std::int64_t low, std::int64_t high) {
  static constexpr std::int64_t boundaries[] = {0, 1, 2, -1, 127, 128, 255, 256, 65535, 65536,
                                                std::numeric_limits<std::int32_t>::max(),
                                                std::numeric_limits<std::int32_t>::min(),
                                                std::int64_t{1} << 32, (std::int64_t{1} << 32) + 1,
                                                std::numeric_limits<std::int64_t>::max(),
                                                std::numeric_limits<std::int64_t>::min()};
  std::int64_t out = v;
  switch (below(5)) {
    case 0: out = static_cast<std::int64_t>(static_cast<std::uint64_t>(v) + 1); break;
    case 1: out = static_cast<std::int64_t>(static_cast<std::uint64_t>(v) - 1); break;
    case 2: out = boundaries[below(std::size(boundaries))]; break;
    case 3: out = static_cast<std::int64_t>(static_cast<std::uint64_t>(v) ^ (std::uint64_t{1} << below(64))); break;
    default: out = static_cast<std::int64_t>(below(20)); break;
  }
  return std::clamp(out, low, high);
}

void message_mutator::mutate_string(std::string& s) {
  switch (below(5)) {
    case 0:
    case 1: s = word(); break;
    case 2: s.clear(); break;
    case 3: s += word(); break;
    default: {
      std::string bytes = mutate_bytes(s, s.size() + 16);
      if (valid_utf8(bytes)) s = std::move(bytes);
      else s = word();  // proto3 strings are UTF-8: an invalid one would not even be decoded
      break;
    }
  }
}

void message_mutator::mutate_field(pb::Message& m, const pb::FieldDescriptor& f) {
  const auto* r = m.GetReflection();
  using T = pb::FieldDescriptor;
  if (f.is_repeated()) {
    const int n = r->FieldSize(m, &f);
    const auto action = below(3);
    if (action == 0 && n > 0) {
      r->RemoveLast(&m, &f);
      return;
    }
    if (action == 1 || n == 0) {
      switch (f.cpp_type()) {
        case T::CPPTYPE_STRING: r->AddString(&m, &f, word()); return;
        case T::CPPTYPE_MESSAGE: mutate(*r->AddMessage(&m, &f)); return;
        case T::CPPTYPE_INT32: r->AddInt32(&m, &f, static_cast<std::int32_t>(below(10))); return;
        case T::CPPTYPE_INT64: r->AddInt64(&m, &f, static_cast<std::int64_t>(below(10))); return;
        case T::CPPTYPE_UINT32: r->AddUInt32(&m, &f, static_cast<std::uint32_t>(below(10))); return;
        case T::CPPTYPE_UINT64: r->AddUInt64(&m, &f, below(10)); return;
        case T::CPPTYPE_BOOL: r->AddBool(&m, &f, below(2) == 1); return;
        case T::CPPTYPE_ENUM: r->AddEnumValue(&m, &f, static_cast<int>(below(8))); return;
        default: return;
      }
    }
    const int i = static_cast<int>(below(static_cast<std::size_t>(n)));
    if (f.cpp_type() == T::CPPTYPE_STRING) {
      std::string s = r->GetRepeatedString(m, &f, i);
      mutate_string(s);
      r->SetRepeatedString(&m, &f, i, s);
    } else if (f.cpp_type() == T::CPPTYPE_MESSAGE) {
      mutate(*r->MutableRepeatedMessage(&m, &f, i));
    } else {
      r->SwapElements(&m, &f, i, n - 1);
    }
    return;
  }
  switch (f.cpp_type()) {
    case T::CPPTYPE_MESSAGE:
      // Unset: set it (for a oneof member, this switches the request type). Set: go inside, or clear it.
      if (!r->HasField(m, &f)) r->MutableMessage(&m, &f);
      else if (below(6) == 0) r->ClearField(&m, &f);
      else mutate(*r->MutableMessage(&m, &f));
      return;
    case T::CPPTYPE_STRING: {
      std::string s = r->GetString(m, &f);
      mutate_string(s);
      r->SetString(&m, &f, s);
      return;
    }
    case T::CPPTYPE_INT32:
      r->SetInt32(&m, &f, static_cast<std::int32_t>(mutate_number(r->GetInt32(m, &f), std::numeric_limits<std::int32_t>::min(),
                                                                  std::numeric_limits<std::int32_t>::max())));
      return;
    case T::CPPTYPE_INT64:
      r->SetInt64(&m, &f, mutate_number(r->GetInt64(m, &f), std::numeric_limits<std::int64_t>::min(),
                                        std::numeric_limits<std::int64_t>::max()));
      return;
    case T::CPPTYPE_UINT32:
      r->SetUInt32(&m, &f, static_cast<std::uint32_t>(mutate_number(r->GetUInt32(m, &f), 0,
                                                                    std::numeric_limits<std::uint32_t>::max())));
      return;
    case T::CPPTYPE_UINT64:
      r->SetUInt64(&m, &f, static_cast<std::uint64_t>(mutate_number(static_cast<std::int64_t>(r->GetUInt64(m, &f)),
                                                                    std::numeric_limits<std::int64_t>::min(),
                                                                    std::numeric_limits<std::int64_t>::max())));
      return;
    case T::CPPTYPE_BOOL: r->SetBool(&m, &f, !r->GetBool(m, &f)); return;
    case T::CPPTYPE_ENUM: {
      const auto* e = f.enum_type();
      if (below(8) == 0) r->SetEnumValue(&m, &f, static_cast<int>(below(1000)) - 1);  // unknown numbers too
      else r->SetEnumValue(&m, &f, e->value(static_cast<int>(below(static_cast<std::size_t>(e->value_count()))))->number());
      return;
    }
    default: return;  // no floating-point fields in cati.v1 requests
  }
}

void message_mutator::mutate(pb::Message& m) {
  const auto* d = m.GetDescriptor();
  if (d->field_count() == 0) return;
  mutate_field(m, *d->field(static_cast<int>(below(static_cast<std::size_t>(d->field_count())))));
}

}  // namespace cati::fuzz
