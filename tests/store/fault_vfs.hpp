// A SQLite VFS for tests that injects storage faults, wrapped around SQLite's default VFS and registered
// under the name fault_vfs::name (never as the default: a store opts in with open_options::vfs).
//
// It counts the durable operations on the files that hold the fieldwork (the main database, its WAL and
// a rollback journal; not temporary files nor the -shm index, which SQLite rebuilds): every xWrite,
// xTruncate and xSync. Armed with a fault and a number k, the k-th operation counted from arm() is the
// fault:
//   io_error   - that one operation fails (SQLITE_IOERR_WRITE / _TRUNCATE / _FSYNC) and does nothing;
//                the ones after it succeed again (a transient error).
//   disk_full  - from that operation on every write and truncate fails with SQLITE_FULL (the disk stays
//                full); syncs still succeed.
//   power_cut  - the power goes at that operation: it and every later write, truncate, sync and delete
//                fail (the process is as good as dead). power_restored() then turns every file back into
//                what its last sync made durable, as a machine that lost power finds it.
//
// Durability model: a write or truncate reaches the file at once (reads see it), but it is durable only
// once the file is synced; an unsynced change is remembered as the bytes it overwrote (an undo log per
// path, kept across closing and reopening the file, as the OS page cache keeps them). Creating and
// deleting files counts as durable at once. The real fsync is not called: durability is what this model
// says, which keeps thousands of runs fast.
//
// Thread-safety: all members and the VFS methods may be used from any thread (one mutex). One fault is
// armed at a time for the whole process: tests using it must not run concurrently in one process.
#pragma once

#include <cstdint>
#include <string>

namespace cati::test {

class fault_vfs {
 public:
  static constexpr const char* name = "cati-fault";
  enum class fault { none, io_error, disk_full, power_cut };

  // Registers the VFS the first time; the same object afterwards.
  static fault_vfs& instance();

  // Starts counting from zero with `kind` at operation `k` (1-based; none: just count) and forgets
  // every earlier undo log (what was written before counts as synced).
  void arm(fault kind, std::uint64_t k);
  // Operations counted since arm().
  std::uint64_t operations() const;
  // Whether the armed fault has happened.
  bool tripped() const;
  // After a power cut, with every connection closed: every file written since its last sync gets its
  // synced content back. Then nothing is armed. Returns how many files were turned back.
  // With `keep_seed` non-zero, each unsynced write or truncate reached the disk or not, at random (half
  // each, seeded): as a disk that wrote some of its cached sectors, in any order, before the power went.
  int power_restored(std::uint64_t keep_seed = 0);
  // No fault, no counting, no undo logs.
  void disarm();

  fault_vfs(const fault_vfs&) = delete;
  fault_vfs& operator=(const fault_vfs&) = delete;

 private:
  fault_vfs();
};

std::string to_string(fault_vfs::fault f);

}  // namespace cati::test
