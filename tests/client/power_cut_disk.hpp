// A simulated disk for the journal's power-cut test: the test binary is linked with
// `-Wl,--wrap=write,--wrap=fsync,--wrap=ftruncate,--wrap=rename` (tests/CMakeLists.txt), so every call
// the journal makes to those goes through here first. Calls on files outside the tracked directory pass
// straight through, so the rest of the test binary is unaffected.
//
// Model (the same as tests/store/fault_vfs.hpp for SQLite): a write or truncate reaches the file at once
// but is durable only after fsync of that file; a rename is durable only after fsync of its directory.
// Creating files counts as durable at once. The real fsync is skipped on tracked files (the model decides
// what is durable), which keeps hundreds of runs fast.
//
// The power goes right after the k-th write, truncate or rename in the tracked directory (k counted from
// track()): that call returns normally, every later tracked call fails with EIO (the program is as good as
// dead), and restore(how) then leaves the files as the machine finds them after the cut:
//   lost      - every unsynced change is gone (files and renames back to their last synced state);
//   kept      - every change reached the disk although it was not synced;
//   torn_half - as lost, but the first half of the last write reached the disk;
//   torn_most - as lost, but all of the last write except its last byte reached the disk.
//
// Thread-safety: one mutex; one tracked directory per process at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace cati::test::power_cut {

enum class after_cut { lost, kept, torn_half, torn_most };
std::string to_string(after_cut a);

// Tracks calls on files under `dir`; the power goes after mutation `k` (0: never).
void track(const std::filesystem::path& dir, std::uint64_t k);
// Writes, truncates and renames counted since track().
std::uint64_t mutations();
// Whether the power went.
bool cut();
// Applies `how` to the tracked files and stops tracking. Whether the last mutation was a write (the torn
// cases only differ from `lost` then).
bool restore(after_cut how);
// Stops tracking without changing any file.
void untrack();

}  // namespace cati::test::power_cut
