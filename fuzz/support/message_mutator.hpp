// Structure-aware mutation for the protocol targets: decoded Protobuf messages are mutated one field at a
// time through reflection (a number nudged or replaced by a boundary value, an enum set to another or an
// unknown number, a string replaced by a word the study knows or byte-mutated, a oneof switched to another
// request, a repeated element added or dropped), then encoded again. Byte-level mutation (libFuzzer's own)
// still runs on a share of the inputs, so malformed encodings keep being tried.
//
// Inputs holding several messages use protobuf's delimited framing: a varint length, then the message.
//
// Thread-safety: none (one per fuzzing process, as libFuzzer calls the mutator from one thread).
#pragma once

#include <google/protobuf/message.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace cati::fuzz {

class message_mutator {
 public:
  // `words`: strings worth trying in string fields (question names, codes, ids, times, user names).
  message_mutator(unsigned seed, std::vector<std::string> words);

  // Mutates one field somewhere in `m` (recursing into set sub-messages).
  void mutate(google::protobuf::Message& m);

  std::minstd_rand& random() { return random_; }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(random_); }
  const std::string& word() { return words_[below(words_.size())]; }

 private:
  void mutate_field(google::protobuf::Message& m, const google::protobuf::FieldDescriptor& f);
  void mutate_string(std::string& s);
  std::int64_t mutate_number(std::int64_t v, std::int64_t low, std::int64_t high);

  std::minstd_rand random_;
  std::vector<std::string> words_;
};

// Silences protobuf's own log (its UTF-8 complaints about every malformed string would flood the run and
// slow it down). Call from LLVMFuzzerInitialize.
void quiet_protobuf_log();

// libFuzzer's own byte mutation of `bytes`, up to `max_size` bytes.
std::string mutate_bytes(std::string bytes, std::size_t max_size);

// Valid UTF-8 (what proto3 requires of string fields).
bool valid_utf8(std::string_view s);

// The delimited framing: messages' encodings <-> one input. A truncated tail is dropped.
std::vector<std::string> split_delimited(const std::uint8_t* data, std::size_t size);
std::string join_delimited(const std::vector<std::string>& messages);

}  // namespace cati::fuzz
