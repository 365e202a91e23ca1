#include "fault_vfs.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace cati::test {
namespace {

using fault = fault_vfs::fault;

// What a file held at its last sync, as the bytes overwritten since (newest last) and its size then.
struct undo_log {
  sqlite3_int64 synced_size = 0;
  std::vector<std::pair<sqlite3_int64, std::string>> overwritten;
};

enum class op { write, truncate, sync };

struct state {
  std::mutex mutex;
  fault kind = fault::none;
  std::uint64_t k = 0;
  std::uint64_t ops = 0;
  bool counting = false;
  bool tripped = false;
  bool full = false;  // disk_full happened
  bool dead = false;  // power_cut happened
  std::map<std::string, undo_log> logs;  // by path, only while counting
};

state& st() {
  static state s;
  return s;
}

sqlite3_vfs* root = nullptr;

struct fault_file {
  sqlite3_file base;
  sqlite3_file* real;  // the default VFS's file, in the same allocation right after this struct
  char* path;          // owned (new[]); null when the file is not one that holds the fieldwork
};

sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<fault_file*>(f)->real; }

int error_for(op o) {
  switch (o) {
    case op::write: return SQLITE_IOERR_WRITE;
    case op::truncate: return SQLITE_IOERR_TRUNCATE;
    case op::sync: return SQLITE_IOERR_FSYNC;
  }
  return SQLITE_IOERR;
}

// Counts an operation and says whether it may happen (SQLITE_OK) or fails. Called with the mutex held.
int admit(state& s, op o) {
  if (!s.counting) return SQLITE_OK;
  if (s.dead) return error_for(o);
  ++s.ops;
  if (s.kind != fault::none && s.ops == s.k) {
    s.tripped = true;
    switch (s.kind) {
      case fault::io_error: return error_for(o);
      case fault::power_cut: s.dead = true; return error_for(o);
      case fault::disk_full: s.full = true; break;
      case fault::none: break;
    }
  }
  if (s.full && o != op::sync) return SQLITE_FULL;
  return SQLITE_OK;
}

// Before a change to [offset, end) of a tracked file: remembers the bytes it overwrites (and the size at
// the last sync, on the first change since). Called with the mutex held. False when the old bytes cannot
// be read (then the change must not happen: it could not be undone).
bool remember(state& s, fault_file* f, sqlite3_int64 offset, sqlite3_int64 end) {
  if (!s.counting) return true;
  sqlite3_int64 size = 0;
  if (f->real->pMethods->xFileSize(f->real, &size) != SQLITE_OK) return false;
  auto [it, fresh] = s.logs.try_emplace(f->path);
  if (fresh) it->second.synced_size = size;
  end = std::min(end, size);
  if (offset >= end) return true;
  std::string bytes(static_cast<std::size_t>(end - offset), '\0');
  if (f->real->pMethods->xRead(f->real, bytes.data(), static_cast<int>(bytes.size()), offset) != SQLITE_OK)
    return false;
  it->second.overwritten.emplace_back(offset, std::move(bytes));
  return true;
}

// ---- the file methods: the tracked operations, everything else passed through ----

int x_close(sqlite3_file* f) {
  auto* ff = reinterpret_cast<fault_file*>(f);
  int rc = ff->real->pMethods ? ff->real->pMethods->xClose(ff->real) : SQLITE_OK;
  delete[] ff->path;
  ff->path = nullptr;
  return rc;
}

int x_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  auto* ff = reinterpret_cast<fault_file*>(f);
  if (!ff->path) return ff->real->pMethods->xWrite(ff->real, data, amount, offset);
  auto& s = st();
  std::lock_guard lock(s.mutex);
  if (int rc = admit(s, op::write); rc != SQLITE_OK) return rc;
  if (!remember(s, ff, offset, offset + amount)) return SQLITE_IOERR_WRITE;
  return ff->real->pMethods->xWrite(ff->real, data, amount, offset);
}

int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  auto* ff = reinterpret_cast<fault_file*>(f);
  if (!ff->path) return ff->real->pMethods->xTruncate(ff->real, size);
  auto& s = st();
  std::lock_guard lock(s.mutex);
  if (int rc = admit(s, op::truncate); rc != SQLITE_OK) return rc;
  if (!remember(s, ff, size, INT64_MAX)) return SQLITE_IOERR_TRUNCATE;
  return ff->real->pMethods->xTruncate(ff->real, size);
}

int x_sync(sqlite3_file* f, int flags) {
  auto* ff = reinterpret_cast<fault_file*>(f);
  if (!ff->path) return ff->real->pMethods->xSync(ff->real, flags);
  auto& s = st();
  std::lock_guard lock(s.mutex);
  if (int rc = admit(s, op::sync); rc != SQLITE_OK) return rc;
  // Durable now, in the model; the real fsync is skipped on purpose (see the header).
  s.logs.erase(std::string(ff->path));
  return SQLITE_OK;
}

int x_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  return real_of(f)->pMethods->xRead(real_of(f), out, amount, offset);
}
int x_file_size(sqlite3_file* f, sqlite3_int64* size) { return real_of(f)->pMethods->xFileSize(real_of(f), size); }
int x_lock(sqlite3_file* f, int level) { return real_of(f)->pMethods->xLock(real_of(f), level); }
int x_unlock(sqlite3_file* f, int level) { return real_of(f)->pMethods->xUnlock(real_of(f), level); }
int x_check_reserved(sqlite3_file* f, int* out) {
  return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}
int x_file_control(sqlite3_file* f, int op, void* arg) {
  return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}
int x_sector_size(sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
int x_device(sqlite3_file* f) { return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f)); }
int x_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return real_of(f)->pMethods->xShmMap(real_of(f), page, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); }
int x_shm_unmap(sqlite3_file* f, int remove) { return real_of(f)->pMethods->xShmUnmap(real_of(f), remove); }
int x_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return real_of(f)->pMethods->xFetch(real_of(f), offset, amount, out);
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  return real_of(f)->pMethods->xUnfetch(real_of(f), offset, p);
}

const sqlite3_io_methods methods = {
    3,           x_close,       x_read,     x_write,   x_truncate,   x_sync,        x_file_size,
    x_lock,      x_unlock,      x_check_reserved,      x_file_control, x_sector_size, x_device,
    x_shm_map,   x_shm_lock,    x_shm_barrier,         x_shm_unmap,  x_fetch,       x_unfetch,
};

// ---- the VFS methods ----

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  auto* ff = reinterpret_cast<fault_file*>(f);
  ff->base.pMethods = nullptr;
  ff->real = reinterpret_cast<sqlite3_file*>(ff + 1);
  ff->path = nullptr;
  int rc = root->xOpen(root, name, ff->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (ff->real->pMethods) ff->real->pMethods->xClose(ff->real);
    return rc;
  }
  if (ff->real->pMethods->iVersion < 3) {
    ff->real->pMethods->xClose(ff->real);
    return SQLITE_CANTOPEN;
  }
  if (name && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL))) {
    const std::size_t n = std::strlen(name);
    ff->path = new char[n + 1];
    std::memcpy(ff->path, name, n + 1);
  }
  ff->base.pMethods = &methods;
  return SQLITE_OK;
}

int x_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  auto& s = st();
  {
    std::lock_guard lock(s.mutex);
    if (s.counting && s.dead) return SQLITE_IOERR_DELETE;
    s.logs.erase(std::string(name));
  }
  return root->xDelete(root, name, sync_dir);
}
int x_access(sqlite3_vfs*, const char* name, int flags, int* out) { return root->xAccess(root, name, flags, out); }
int x_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return root->xFullPathname(root, name, n, out);
}
void* x_dl_open(sqlite3_vfs*, const char* name) { return root->xDlOpen(root, name); }
void x_dl_error(sqlite3_vfs*, int n, char* out) { root->xDlError(root, n, out); }
void (*x_dl_sym(sqlite3_vfs*, void* h, const char* sym))(void) { return root->xDlSym(root, h, sym); }
void x_dl_close(sqlite3_vfs*, void* h) { root->xDlClose(root, h); }
int x_randomness(sqlite3_vfs*, int n, char* out) { return root->xRandomness(root, n, out); }
int x_sleep(sqlite3_vfs*, int us) { return root->xSleep(root, us); }
int x_current_time(sqlite3_vfs*, double* out) { return root->xCurrentTime(root, out); }
int x_last_error(sqlite3_vfs*, int n, char* out) { return root->xGetLastError(root, n, out); }
int x_current_time64(sqlite3_vfs*, sqlite3_int64* out) { return root->xCurrentTimeInt64(root, out); }

sqlite3_vfs vfs{};

}  // namespace

std::string to_string(fault_vfs::fault f) {
  switch (f) {
    case fault::none: return "none";
    case fault::io_error: return "io_error";
    case fault::disk_full: return "disk_full";
    case fault::power_cut: return "power_cut";
  }
  return "?";
}

fault_vfs::fault_vfs() {
  root = sqlite3_vfs_find(nullptr);
  if (!root) throw std::runtime_error("fault_vfs: no default SQLite VFS");
  vfs.iVersion = 2;
  vfs.szOsFile = static_cast<int>(sizeof(fault_file)) + root->szOsFile;
  vfs.mxPathname = root->mxPathname;
  vfs.zName = name;
  vfs.xOpen = x_open;
  vfs.xDelete = x_delete;
  vfs.xAccess = x_access;
  vfs.xFullPathname = x_full_pathname;
  vfs.xDlOpen = x_dl_open;
  vfs.xDlError = x_dl_error;
  vfs.xDlSym = x_dl_sym;
  vfs.xDlClose = x_dl_close;
  vfs.xRandomness = x_randomness;
  vfs.xSleep = x_sleep;
  vfs.xCurrentTime = x_current_time;
  vfs.xGetLastError = x_last_error;
  vfs.xCurrentTimeInt64 = x_current_time64;
  if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) throw std::runtime_error("fault_vfs: cannot register");
}

fault_vfs& fault_vfs::instance() {
  static fault_vfs v;
  return v;
}

void fault_vfs::arm(fault kind, std::uint64_t k) {
  auto& s = st();
  std::lock_guard lock(s.mutex);
  s.kind = kind;
  s.k = k;
  s.ops = 0;
  s.counting = true;
  s.tripped = s.full = s.dead = false;
  s.logs.clear();
}

std::uint64_t fault_vfs::operations() const {
  auto& s = st();
  std::lock_guard lock(s.mutex);
  return s.ops;
}

bool fault_vfs::tripped() const {
  auto& s = st();
  std::lock_guard lock(s.mutex);
  return s.tripped;
}

int fault_vfs::power_restored(std::uint64_t keep_seed) {
  auto& s = st();
  std::lock_guard lock(s.mutex);
  int files = 0;
  std::uint64_t random = keep_seed;
  auto kept = [&] {  // splitmix64
    if (keep_seed == 0) return false;
    std::uint64_t z = (random += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return ((z ^ (z >> 31)) & 1) != 0;
  };
  for (auto& [path, log] : s.logs) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) continue;  // deleted since: deletes are durable at once
    // Undone newest first, so that each region ends as its oldest unsynced change found it, unless that
    // change (or a later one over it) is kept.
    for (auto it = log.overwritten.rbegin(); it != log.overwritten.rend(); ++it) {
      if (kept()) continue;
      const auto& [offset, bytes] = *it;
      if (::pwrite(fd, bytes.data(), bytes.size(), offset) != static_cast<ssize_t>(bytes.size()))
        throw std::runtime_error("fault_vfs: cannot restore " + path);
    }
    // The file's length is metadata: back to its synced length unless the growth is kept too.
    if (!kept() && ::ftruncate(fd, log.synced_size) != 0) throw std::runtime_error("fault_vfs: cannot truncate " + path);
    ::close(fd);
    ++files;
  }
  s.logs.clear();
  s.kind = fault::none;
  s.counting = s.tripped = s.full = s.dead = false;
  return files;
}

void fault_vfs::disarm() {
  auto& s = st();
  std::lock_guard lock(s.mutex);
  s.logs.clear();
  s.kind = fault::none;
  s.counting = s.tripped = s.full = s.dead = false;
}

}  // namespace cati::test
