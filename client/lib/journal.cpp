#include "lib/journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/crc.hpp>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

namespace cati::client {

namespace {

constexpr std::uint8_t type_entry = 1;
constexpr std::uint8_t type_done = 2;
constexpr std::size_t header_size = 8;
constexpr std::size_t body_prefix = 1 + 8;
// Larger than any real message; a length beyond it can only be garbage from a torn write.
constexpr std::uint32_t max_body = 16u << 20;

error io_error(const std::filesystem::path& path, std::string_view what) {
  return error{errc::journal_io,
               "journal " + path.string() + ": " + std::string(what) + ": " + std::strerror(errno)};
}

std::uint32_t crc32(std::string_view bytes) {
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint64_t get_le(std::string_view bytes, std::size_t at, int width) {
  std::uint64_t v = 0;
  for (int i = width - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
  return v;
}

std::string encode(std::uint8_t type, std::uint64_t id, std::string_view payload) {
  std::string body;
  body.reserve(body_prefix + payload.size());
  body.push_back(static_cast<char>(type));
  put_u64(body, id);
  body.append(payload);
  std::string record;
  record.reserve(header_size + body.size());
  put_u32(record, static_cast<std::uint32_t>(body.size()));
  put_u32(record, crc32(body));
  record.append(body);
  return record;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool read_all(int fd, std::string& out) {
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) return true;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

// A new or renamed file is durable only once its directory entry is.
bool fsync_dir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

struct parsed {
  std::vector<journal::entry> live;
  std::size_t dead = 0;
  std::size_t good_length = 0;
};

// Reads records up to the first one that is incomplete or fails its checksum: that one and everything
// after it are what a crash mid-write leaves behind.
parsed parse(std::string_view bytes) {
  parsed p;
  std::size_t at = 0;
  while (bytes.size() - at >= header_size) {
    const auto length = static_cast<std::uint32_t>(get_le(bytes, at, 4));
    const auto checksum = static_cast<std::uint32_t>(get_le(bytes, at + 4, 4));
    if (length < body_prefix || length > max_body || bytes.size() - at - header_size < length) break;
    const std::string_view body = bytes.substr(at + header_size, length);
    if (crc32(body) != checksum) break;
    const auto type = static_cast<std::uint8_t>(body[0]);
    const std::uint64_t id = get_le(body, 1, 8);
    if (type == type_entry) {
      p.live.push_back({id, std::string(body.substr(body_prefix))});
    } else if (type == type_done) {
      const auto it = std::find_if(p.live.begin(), p.live.end(), [id](const auto& e) { return e.id == id; });
      if (it != p.live.end()) {
        p.live.erase(it);
        p.dead += 2;
      }
    } else {
      break;  // an unknown type from a checksummed record: a newer format; keep what we understood
    }
    at += header_size + length;
  }
  p.good_length = at;
  return p;
}

}  // namespace

journal::journal(std::filesystem::path path, int fd, int lock_fd)
    : path_(std::move(path)), fd_(fd), lock_fd_(lock_fd) {}

journal::journal(journal&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      lock_fd_(std::exchange(other.lock_fd_, -1)),
      live_(std::move(other.live_)),
      dead_records_(other.dead_records_),
      torn_bytes_(other.torn_bytes_) {}

journal& journal::operator=(journal&& other) noexcept {
  if (this != &other) {
    close_fds();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    lock_fd_ = std::exchange(other.lock_fd_, -1);
    live_ = std::move(other.live_);
    dead_records_ = other.dead_records_;
    torn_bytes_ = other.torn_bytes_;
  }
  return *this;
}

journal::~journal() { close_fds(); }

void journal::close_fds() {
  if (fd_ >= 0) ::close(fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
  fd_ = lock_fd_ = -1;
}

result<journal> journal::open(const std::filesystem::path& file) {
  std::error_code ec;
  const auto dir = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
  std::filesystem::create_directories(dir, ec);
  if (ec) return error{errc::journal_io, "journal directory " + dir.string() + ": " + ec.message()};

  const auto lock_path = std::filesystem::path(file.string() + ".lock");
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) return io_error(lock_path, "cannot open");
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd);
    return error{errc::journal_locked,
                 "journal " + file.string() + " is in use by another cati-term of the same user and server"};
  }
  const bool existed = std::filesystem::exists(file, ec);
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    ::close(lock_fd);
    return io_error(file, "cannot open");
  }
  journal j(file, fd, lock_fd);  // closes both on every return below
  if (!existed && !fsync_dir(dir)) return io_error(dir, "fsync");

  std::string bytes;
  if (!read_all(fd, bytes)) return io_error(file, "read");
  parsed p = parse(bytes);
  j.live_ = std::move(p.live);
  j.dead_records_ = p.dead;
  j.torn_bytes_ = bytes.size() - p.good_length;
  if (j.torn_bytes_ > 0) {
    if (::ftruncate(fd, static_cast<off_t>(p.good_length)) != 0 || ::fsync(fd) != 0) {
      return io_error(file, "truncate the torn tail");
    }
  }
  if (::lseek(fd, 0, SEEK_END) < 0) return io_error(file, "seek");
  return j;
}

std::filesystem::path journal::file_for(const std::filesystem::path& dir, std::string_view user,
                                        std::string_view server_url) {
  auto encode_name = [](std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (std::isalnum(u) || c == '.' || c == '_' || c == '-') {
        out.push_back(c);
      } else {
        out.push_back('%');
        out.push_back(hex[u >> 4]);
        out.push_back(hex[u & 0xf]);
      }
    }
    return out;
  };
  return dir / (encode_name(user) + "@" + encode_name(server_url) + ".journal");
}

status journal::write_record(std::uint8_t type, std::uint64_t id, std::string_view payload) {
  const off_t before = ::lseek(fd_, 0, SEEK_CUR);
  if (before < 0) return io_error(path_, "seek");
  if (!write_all(fd_, encode(type, id, payload)) || ::fsync(fd_) != 0) {
    const error e = io_error(path_, "write");
    // A half-written record in the middle would hide every later one on the next load: cut it off.
    if (::ftruncate(fd_, before) == 0) (void)::lseek(fd_, before, SEEK_SET);
    return e;
  }
  return {};
}

status journal::append(std::uint64_t id, std::string_view payload) {
  if (auto s = write_record(type_entry, id, payload); !s) return s;
  live_.push_back({id, std::string(payload)});
  return {};
}

status journal::remove(std::uint64_t id) {
  const auto it = std::find_if(live_.begin(), live_.end(), [id](const entry& e) { return e.id == id; });
  if (it == live_.end()) return {};
  live_.erase(it);
  if (live_.empty()) {
    // Nothing is waiting: an empty file is the cheapest compaction there is.
    if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) != 0 || ::fsync(fd_) != 0) {
      return io_error(path_, "truncate");
    }
    dead_records_ = 0;
    return {};
  }
  if (auto s = write_record(type_done, id, {}); !s) return s;
  dead_records_ += 2;
  if (dead_records_ > 64 && dead_records_ > live_.size()) return compact();
  return {};
}

status journal::compact() {
  const auto tmp = std::filesystem::path(path_.string() + ".tmp");
  const int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error(tmp, "cannot open");
  std::string bytes;
  for (const auto& e : live_) bytes += encode(type_entry, e.id, e.payload);
  if (!write_all(fd, bytes) || ::fsync(fd) != 0) {
    ::close(fd);
    return io_error(tmp, "write");
  }
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    ::close(fd);
    return io_error(path_, "rename");
  }
  const auto dir = path_.parent_path().empty() ? std::filesystem::path(".") : path_.parent_path();
  if (!fsync_dir(dir)) {
    ::close(fd);
    return io_error(dir, "fsync");
  }
  ::close(fd_);
  fd_ = fd;  // positioned at its end by the write
  dead_records_ = 0;
  return {};
}

}  // namespace cati::client
