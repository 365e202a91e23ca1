#include "power_cut_disk.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <climits>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>
#include <vector>

extern "C" {
ssize_t __real_write(int fd, const void* data, size_t n);
int __real_fsync(int fd);
int __real_ftruncate(int fd, off_t length);
int __real_rename(const char* from, const char* to);
ssize_t __wrap_write(int fd, const void* data, size_t n);
int __wrap_fsync(int fd);
int __wrap_ftruncate(int fd, off_t length);
int __wrap_rename(const char* from, const char* to);
}

namespace cati::test::power_cut {
namespace {

struct undo_log {
  off_t synced_size = 0;
  std::vector<std::pair<off_t, std::string>> overwritten;  // oldest first
};

struct pending_rename {
  std::string to;
  bool existed = false;
  std::string old_content;  // what `to` held, synced, before the rename
};

struct disk {
  std::mutex mutex;
  std::string dir;  // empty: nothing tracked
  std::uint64_t cut_after = 0;
  std::uint64_t mutations = 0;
  bool dead = false;
  std::map<std::string, undo_log> logs;
  std::vector<pending_rename> renames;
  bool last_was_write = false;
  std::string last_path;
  off_t last_offset = 0;
  std::string last_data;
};

disk& d() {
  static disk instance;
  return instance;
}

std::string path_of(int fd) {
  char link[64], target[PATH_MAX];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = ::readlink(link, target, sizeof target - 1);
  if (n <= 0) return {};
  return std::string(target, static_cast<std::size_t>(n));
}

bool tracked(const disk& s, const std::string& path) {
  return !s.dir.empty() && path.compare(0, s.dir.size(), s.dir) == 0;
}

std::string read_file(const std::string& path) {
  std::string out;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

void write_file(const std::string& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || __real_write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size()))
    throw std::runtime_error("power_cut: cannot write " + path);
  ::close(fd);
}

// `content` as it was at the last sync, given its undo log.
std::string synced(std::string content, const undo_log& log) {
  for (auto it = log.overwritten.rbegin(); it != log.overwritten.rend(); ++it) {
    const auto end = static_cast<std::size_t>(it->first) + it->second.size();
    if (content.size() < end) content.resize(end);
    content.replace(static_cast<std::size_t>(it->first), it->second.size(), it->second);
  }
  content.resize(static_cast<std::size_t>(log.synced_size));
  return content;
}

// Before changing [offset, end) of `path` (open as `fd`): the bytes it overwrites.
void remember(disk& s, const std::string& path, int fd, off_t offset, off_t end) {
  struct stat st{};
  if (::fstat(fd, &st) != 0) throw std::runtime_error("power_cut: fstat");
  auto [it, fresh] = s.logs.try_emplace(path);
  if (fresh) it->second.synced_size = st.st_size;
  end = std::min(end, st.st_size);
  if (offset >= end) return;
  std::string bytes(static_cast<std::size_t>(end - offset), '\0');
  if (::pread(fd, bytes.data(), bytes.size(), offset) != static_cast<ssize_t>(bytes.size()))
    throw std::runtime_error("power_cut: pread");
  it->second.overwritten.emplace_back(offset, std::move(bytes));
}

void mutated(disk& s) {
  if (++s.mutations == s.cut_after) s.dead = true;
}

void reset(disk& s) {
  s.dir.clear();
  s.cut_after = s.mutations = 0;
  s.dead = s.last_was_write = false;
  s.logs.clear();
  s.renames.clear();
  s.last_path.clear();
  s.last_data.clear();
}

}  // namespace

std::string to_string(after_cut a) {
  switch (a) {
    case after_cut::lost: return "lost";
    case after_cut::kept: return "kept";
    case after_cut::torn_half: return "torn_half";
    case after_cut::torn_most: return "torn_most";
  }
  return "?";
}

void track(const std::filesystem::path& dir, std::uint64_t k) {
  auto& s = d();
  std::lock_guard lock(s.mutex);
  reset(s);
  s.dir = std::filesystem::weakly_canonical(dir).string();
  s.cut_after = k;
}

std::uint64_t mutations() {
  auto& s = d();
  std::lock_guard lock(s.mutex);
  return s.mutations;
}

bool cut() {
  auto& s = d();
  std::lock_guard lock(s.mutex);
  return s.dead;
}

bool restore(after_cut how) {
  auto& s = d();
  std::lock_guard lock(s.mutex);
  const bool was_write = s.last_was_write;
  if (how != after_cut::kept) {
    for (const auto& [path, log] : s.logs)
      if (::access(path.c_str(), F_OK) == 0) write_file(path, synced(read_file(path), log));
    for (auto it = s.renames.rbegin(); it != s.renames.rend(); ++it) {
      if (it->existed) write_file(it->to, it->old_content);
      else ::unlink(it->to.c_str());
    }
    if (was_write && (how == after_cut::torn_half || how == after_cut::torn_most) &&
        ::access(s.last_path.c_str(), F_OK) == 0) {
      const std::size_t n = how == after_cut::torn_half ? s.last_data.size() / 2 : s.last_data.size() - 1;
      const int fd = ::open(s.last_path.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0 || ::pwrite(fd, s.last_data.data(), n, s.last_offset) != static_cast<ssize_t>(n))
        throw std::runtime_error("power_cut: cannot tear " + s.last_path);
      ::close(fd);
    }
  }
  reset(s);
  return was_write;
}

void untrack() {
  auto& s = d();
  std::lock_guard lock(s.mutex);
  reset(s);
}

}  // namespace cati::test::power_cut

using namespace cati::test::power_cut;

extern "C" ssize_t __wrap_write(int fd, const void* data, size_t n) {
  auto& s = d();
  std::lock_guard lock(s.mutex);
  const std::string path = s.dir.empty() ? std::string() : path_of(fd);
  if (!tracked(s, path)) return __real_write(fd, data, n);
  if (s.dead) {
    errno = EIO;
    return -1;
  }
  const off_t at = ::lseek(fd, 0, SEEK_CUR);
  remember(s, path, fd, at, at + static_cast<off_t>(n));
  const ssize_t written = __real_write(fd, data, n);
  s.last_was_write = true;
  s.last_path = path;
  s.last_offset = at;
  s.last_data.assign(static_cast<const char*>(data), n);
  mutated(s);
  return written;
}

extern "C" int __wrap_ftruncate(int fd, off_t length) {
  auto& s = d();
  std::lock_guard lock(s.mutex);
  const std::string path = s.dir.empty() ? std::string() : path_of(fd);
  if (!tracked(s, path)) return __real_ftruncate(fd, length);
  if (s.dead) {
    errno = EIO;
    return -1;
  }
  remember(s, path, fd, length, std::numeric_limits<off_t>::max());
  const int rc = __real_ftruncate(fd, length);
  s.last_was_write = false;
  mutated(s);
  return rc;
}

extern "C" int __wrap_fsync(int fd) {
  auto& s = d();
  std::lock_guard lock(s.mutex);
  const std::string path = s.dir.empty() ? std::string() : path_of(fd);
  if (!tracked(s, path)) return __real_fsync(fd);
  if (s.dead) {
    errno = EIO;
    return -1;
  }
  struct stat st{};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    std::erase_if(s.renames, [&](const auto& r) { return std::filesystem::path(r.to).parent_path() == path; });
  } else {
    s.logs.erase(path);
  }
  return 0;
}

extern "C" int __wrap_rename(const char* from, const char* to) {
  auto& s = d();
  std::lock_guard lock(s.mutex);
  if (s.dir.empty()) return __real_rename(from, to);
  const std::string target = std::filesystem::weakly_canonical(to).string();
  const std::string source = std::filesystem::weakly_canonical(from).string();
  if (!tracked(s, target)) return __real_rename(from, to);
  if (s.dead) {
    errno = EIO;
    return -1;
  }
  pending_rename p{target, ::access(target.c_str(), F_OK) == 0, {}};
  if (p.existed) {
    auto log = s.logs.find(target);
    p.old_content = log == s.logs.end() ? read_file(target)
                                        : synced(read_file(target), log->second);
  }
  const int rc = __real_rename(from, to);
  if (rc == 0) {
    s.logs.erase(target);  // that inode is gone; the renamed file's unsynced changes follow its name
    if (auto log = s.logs.extract(source)) {
      log.key() = target;
      s.logs.insert(std::move(log));
    }
    s.renames.push_back(std::move(p));
  }
  s.last_was_write = false;
  mutated(s);
  return rc;
}
