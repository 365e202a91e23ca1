// Fuzz target: the client's journal recovery (client/lib/journal) on damaged files. The input is either
// the file's bytes as they are (first byte even), or (first byte odd) a recipe: records in the
// documented format with valid checksums (entries and done-marks, ids chosen by the input), then damage:
// a cut at some byte (a crash mid-write), a flipped byte, or garbage appended.
//
// Checked besides the sanitizers: open() recovers, never fails on content; what it drops is exactly
// the tail it truncates; for a recipe, the entries it keeps are those the records before the first
// damaged one leave live, in order; opening again finds the same entries and nothing torn; after an
// append and a remove, a reopen finds exactly the entries the journal reported.
#include <fuzzer/FuzzedDataProvider.h>
#include <unistd.h>

#include <boost/crc.hpp>
#include <cstdlib>
#include <fstream>
#include <optional>

#include "lib/journal.hpp"

namespace {

using cati::client::journal;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "journal: %s\n", what);
    std::abort();
  }
}

const std::filesystem::path& file() {
  static const std::filesystem::path path = [] {
    // tmpfs where there is one: fsync costs nothing there, and the fuzzer writes thousands of files.
    const std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp";
    auto dir = base / ("cati-fuzz-journal-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir / "anna@ws%3A%2F%2Fhost.journal";
  }();
  return path;
}

void put(std::string& out, std::uint64_t v, int width) {
  for (int i = 0; i < width; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string record(std::uint8_t type, std::uint64_t id, const std::string& payload) {
  std::string body(1, static_cast<char>(type));
  put(body, id, 8);
  body += payload;
  boost::crc_32_type crc;
  crc.process_bytes(body.data(), body.size());
  std::string out;
  put(out, body.size(), 4);
  put(out, crc.checksum(), 4);
  return out + body;
}

bool same(const std::vector<journal::entry>& a, const std::vector<journal::entry>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].id != b[i].id || a[i].payload != b[i].payload) return false;
  return true;
}

void drop_first(std::vector<journal::entry>& live, std::uint64_t id) {
  for (auto it = live.begin(); it != live.end(); ++it)
    if (it->id == id) {
      live.erase(it);
      return;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string bytes;
  std::optional<std::vector<journal::entry>> expected;  // known for a recipe
  if (data[0] % 2 == 0) {
    bytes.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  } else {
    FuzzedDataProvider in(data + 1, size - 1);
    const int records = in.ConsumeIntegralInRange(0, 12);
    std::vector<std::size_t> ends;
    std::vector<std::vector<journal::entry>> live_after;  // the live entries after each record
    std::vector<journal::entry> live;
    for (int i = 0; i < records; ++i) {
      const bool done = in.ConsumeIntegralInRange(0, 2) == 0;
      const auto id = in.ConsumeIntegralInRange<std::uint64_t>(1, 6);
      if (done) {
        bytes += record(2, id, {});
        drop_first(live, id);
      } else {
        const auto payload = in.ConsumeRandomLengthString(40);
        bytes += record(1, id, payload);
        live.push_back({id, payload});
      }
      ends.push_back(bytes.size());
      live_after.push_back(live);
    }
    // The damage, at a byte chosen by the input: the records that end before it survive.
    std::size_t intact = bytes.size();
    switch (in.ConsumeIntegralInRange(0, 3)) {
      case 0: intact = in.ConsumeIntegralInRange<std::size_t>(0, bytes.size()); bytes.resize(intact); break;
      case 1:
        if (!bytes.empty()) {
          const auto at = in.ConsumeIntegralInRange<std::size_t>(0, bytes.size() - 1);
          bytes[at] = static_cast<char>(bytes[at] ^ (1 << in.ConsumeIntegralInRange(0, 7)));
          intact = at;
        }
        break;
      case 2: bytes += in.ConsumeRandomLengthString(24); break;
      default: break;  // undamaged
    }
    std::vector<journal::entry> survivors;
    for (std::size_t i = 0; i < ends.size() && ends[i] <= intact; ++i) survivors = live_after[i];
    expected = survivors;
  }
  {
    std::ofstream out(file(), std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }

  std::vector<journal::entry> seen;
  {
    auto j = journal::open(file());
    require(j.has_value(), "open() failed on a damaged file");
    require(j->torn_bytes_dropped() <= bytes.size(), "more bytes dropped than the file had");
    require(std::filesystem::file_size(file()) == bytes.size() - j->torn_bytes_dropped(),
            "the file was not truncated to what was kept");
    if (expected) require(same(j->entries(), *expected), "recovery kept other entries than the intact records hold");
    seen = j->entries();
  }
  {
    auto j = journal::open(file());
    require(j.has_value() && j->torn_bytes_dropped() == 0, "a recovered file is still torn");
    require(same(j->entries(), seen), "a second open finds other entries");
    std::uint64_t next = 1;
    for (const auto& e : seen) next = std::max(next, e.id + 1);
    require(j->append(next, "appended").has_value(), "append failed");
    if (!seen.empty()) require(j->remove(seen.front().id).has_value(), "remove failed");
    seen = j->entries();
  }
  auto j = journal::open(file());
  require(j.has_value() && j->torn_bytes_dropped() == 0, "a journal written after recovery is torn");
  require(same(j->entries(), seen), "after append and remove, a reopen finds other entries");
  return 0;
}
