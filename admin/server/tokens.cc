#include "admin/server/tokens.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "consumers/text_checks.h"
#include "domain/hex.h"
#include "domain/sha256.h"

namespace mct::admin::server {
namespace {

constexpr const char* kFileName = "tokens";
// Who holds which role is for mctd's user alone, like the database beside it.
constexpr mode_t kFileMode = 0600;

// An open file descriptor, closed (and so unlocked) when it goes out of scope.
class OpenFile {
 public:
  explicit OpenFile(int fd) : fd_(fd) {}
  ~OpenFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

Error SystemError(const std::string& what, const std::filesystem::path& path) {
  return Error{what + " " + path.string() + ": " + std::strerror(errno)};
}

// Writes all of `text` at the end of `fd` (opened with O_APPEND).
bool WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    text.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

// Whether the file ends in the middle of a line (a writer died mid-write before locks were
// taken, or the file was edited by hand): the next line must then start on a line of its own.
bool EndsMidLine(int fd) {
  struct stat status {};
  if (::fstat(fd, &status) != 0 || status.st_size == 0) return false;
  char last = '\n';
  return ::pread(fd, &last, 1, status.st_size - 1) == 1 && last != '\n';
}

// The whole file, read under a shared lock so that a line being added is seen whole or not at all.
std::optional<std::string> ReadLocked(const std::filesystem::path& path) {
  OpenFile file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.fd() < 0 || ::flock(file.fd(), LOCK_SH) != 0) return std::nullopt;
  std::string text;
  std::array<char, 4096> chunk{};
  for (;;) {
    const ssize_t got = ::read(file.fd(), chunk.data(), chunk.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return std::nullopt;
    if (got == 0) return text;
    text.append(chunk.data(), static_cast<size_t>(got));
  }
}

std::string RandomToken() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return "";
  return "mct_" +
         domain::HexOf(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace

TokenStore::TokenStore(std::filesystem::path data_dir, std::chrono::milliseconds recheck)
    : path_(std::move(data_dir) / kFileName), recheck_(recheck) {}

Result<std::string> TokenStore::Add(const std::filesystem::path& data_dir, domain::Role role,
                                    const std::string& id) {
  // The id is written into every event the token's holder appends, and a token line is split
  // at its spaces.
  const bool one_word = !id.empty() && std::ranges::none_of(id, [](const unsigned char c) {
    return c <= ' ' || c == 0x7f;  // spaces and control characters
  });
  if (!one_word || !consumers::IsUtf8(id)) {
    return Error{"the id must be one word of UTF-8 text", "invalid_input"};
  }
  const std::string token = RandomToken();
  if (token.empty()) return Error{"no randomness available for a token"};
  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  const std::filesystem::path path = data_dir / kFileName;
  OpenFile file(::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, kFileMode));
  if (file.fd() < 0) return SystemError("cannot open", path);
  // O_CREAT's mode applies only to a new file, and through the umask: a file made before, or by
  // hand, is tightened here.
  if (::fchmod(file.fd(), kFileMode) != 0) return SystemError("cannot restrict", path);
  // Several `mctctl token add` at once take turns, and mctd reads under a shared lock, so no one
  // sees half a line.
  if (::flock(file.fd(), LOCK_EX) != 0) return SystemError("cannot lock", path);
  std::string line = EndsMidLine(file.fd()) ? "\n" : "";
  line += domain::Sha256Hex(token) + " " + std::string(domain::ToString(role)) + " " + id + "\n";
  if (!WriteAll(file.fd(), line) || ::fsync(file.fd()) != 0) {
    return SystemError("cannot write", path);
  }
  return token;
}

void TokenStore::ReloadIfChanged() {
  std::error_code error;
  const auto modified = std::filesystem::last_write_time(path_, error);
  if (error) return;
  // The size too: where the file system's clock is coarse, two lines added within one tick leave
  // the same modification time, and the second would not be seen until some later change.
  const auto size = std::filesystem::file_size(path_, error);
  if (error || (modified == loaded_at_ && size == loaded_size_)) return;
  const auto text = ReadLocked(path_);
  if (!text) return;
  std::vector<Entry> entries;
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string hash, role, id;
    if (!(fields >> hash >> role >> id)) continue;
    if (auto parsed = domain::ParseRole(role)) entries.push_back({hash, {*parsed, id}});
  }
  entries_ = std::move(entries);
  loaded_at_ = modified;
  loaded_size_ = size;
}

std::optional<domain::Actor> TokenStore::Find(const std::string& hash) const {
  std::optional<domain::Actor> found;
  // Every entry is compared, in constant time, so timing tells nothing about the tokens.
  for (const auto& entry : entries_) {
    if (entry.sha256.size() == hash.size() &&
        CRYPTO_memcmp(entry.sha256.data(), hash.data(), hash.size()) == 0) {
      found = entry.actor;
    }
  }
  return found;
}

std::optional<domain::Actor> TokenStore::Authenticate(const std::string& token) {
  if (token.empty()) return std::nullopt;
  const std::string hash = domain::Sha256Hex(token);
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  // Within the recheck interval the entries in memory answer; a token they do not know, or the
  // interval's end, looks at the file first.
  std::optional<domain::Actor> found;
  if (now - checked_at_ < recheck_) found = Find(hash);
  if (!found) {
    ReloadIfChanged();
    checked_at_ = now;
    found = Find(hash);
  }
  return found;
}

}  // namespace mct::admin::server
