// The offline journal: every Answer/Back/Suspend sent and not yet acknowledged, on disk, so that nothing
// typed is lost when the network drops, the server restarts or the terminal itself crashes.
//
// File format: a sequence of records, each
//     u32 length | u32 crc32 | body[length]          (little-endian; crc32 of the body)
//     body = u8 type | u64 request_id | payload      (type 1: an entry with its payload, 2: entry done)
// The payload is opaque here (the session stores a serialized cati.v1.ClientMessage).
//
// Durability: append() and remove() write and fsync before they return, so an answer the front end was
// told is queued survives a crash, and an acknowledged one is not resent after a restart. A crash in the
// middle of a write leaves a torn last record: open() detects it (short read, bad length or checksum),
// drops it and everything after it, truncates the file there and reports the bytes dropped.
// Compaction: when no entry is live the file is truncated to empty; when done-records dominate it is
// rewritten (temporary file, fsync, rename, fsync of the directory), so the file stays small.
//
// One journal per file: open() takes an exclusive lock on "<file>.lock" (flock) and fails with
// journal_locked while another process (another cati-term of the same user and server) holds it.
//
// Thread-safety: none; the session uses it on its io thread only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lib/error.hpp"

namespace cati::client {

class journal {
 public:
  struct entry {
    std::uint64_t id = 0;
    std::string payload;
  };

  // Creates the directory and the file when missing, loads the live entries (in append order).
  static result<journal> open(const std::filesystem::path& file);
  // The file for a user on a server under `dir`: "<user>@<url>.journal", other characters than
  // [A-Za-z0-9._-] percent-encoded, so distinct users and servers never share a file.
  static std::filesystem::path file_for(const std::filesystem::path& dir, std::string_view user,
                                        std::string_view server_url);

  journal(journal&& other) noexcept;
  journal& operator=(journal&& other) noexcept;
  journal(const journal&) = delete;
  journal& operator=(const journal&) = delete;
  ~journal();

  const std::vector<entry>& entries() const { return live_; }
  std::size_t torn_bytes_dropped() const { return torn_bytes_; }
  const std::filesystem::path& path() const { return path_; }

  // Appends an entry (ids are unique: the caller's request ids) and fsyncs.
  status append(std::uint64_t id, std::string_view payload);
  // Marks an entry done and fsyncs; unknown ids are ignored. May compact the file.
  status remove(std::uint64_t id);

 private:
  journal(std::filesystem::path path, int fd, int lock_fd);
  status write_record(std::uint8_t type, std::uint64_t id, std::string_view payload);
  status compact();
  void close_fds();

  std::filesystem::path path_;
  int fd_ = -1;
  int lock_fd_ = -1;
  std::vector<entry> live_;
  std::size_t dead_records_ = 0;  // entry + done records of finished entries still in the file
  std::size_t torn_bytes_ = 0;
};

}  // namespace cati::client
