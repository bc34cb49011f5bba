#include "admin/server/tokens.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "consumers/text_checks.h"
#include "domain/hex.h"
#include "domain/sha256.h"

namespace mct::admin::server {
namespace {

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

// A file root makes for the data directory is given to the directory's owner, who runs mctd:
// `sudo mctctl token ...` must not leave a file mctd cannot read (its tokens would then stop
// working) or a lock it cannot take. Others make files as themselves, as before.
Status OwnLikeTheFolder(int fd, const std::filesystem::path& file) {
  if (::geteuid() != 0) return Ok();
  struct stat folder {};
  struct stat made {};
  if (::stat(file.parent_path().c_str(), &folder) != 0 || ::fstat(fd, &made) != 0) {
    return SystemError("cannot look at", file);
  }
  if ((made.st_uid != folder.st_uid || made.st_gid != folder.st_gid) &&
      ::fchown(fd, folder.st_uid, folder.st_gid) != 0) {
    return SystemError("cannot give to the data directory's owner", file);
  }
  return Ok();
}

// The writers' turn, held until the answer goes out of scope.
Result<std::unique_ptr<OpenFile>> TakeWritersTurn(const std::filesystem::path& data_dir) {
  const std::filesystem::path path = data_dir / TokenStore::kLockFileName;
  auto lock =
      std::make_unique<OpenFile>(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kFileMode));
  if (lock->fd() < 0) return SystemError("cannot open", path);
  if (Status owned = OwnLikeTheFolder(lock->fd(), path); !owned.ok()) return owned.error();
  if (::flock(lock->fd(), LOCK_EX) != 0) return SystemError("cannot lock", path);
  return lock;
}

struct Line {
  std::string sha256;
  domain::Actor actor;
  std::string text;  // as in the file, without its newline
};

bool IsBlank(const std::string& line) {
  return line.find_first_not_of(" \t\r") == std::string::npos;
}

// One line of the file, when it names a token.
std::optional<Line> ParseLine(const std::string& line) {
  std::istringstream fields(line);
  std::string hash, role, id;
  if (!(fields >> hash >> role >> id) || !domain::IsSha256Hex(hash)) return std::nullopt;
  const auto parsed = domain::ParseRole(role);
  if (!parsed) return std::nullopt;
  return Line{hash, {*parsed, id}, line};
}

// The file's lines that name a token; others (cut short, edited by hand) are skipped, and their
// numbers put in `unread` when given (blank lines are not counted).
std::vector<Line> ParseLines(const std::string& text, std::vector<size_t>* unread = nullptr) {
  std::vector<Line> lines;
  std::istringstream in(text);
  size_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (auto parsed = ParseLine(line)) {
      lines.push_back(std::move(*parsed));
    } else if (unread != nullptr && !IsBlank(line)) {
      unread->push_back(number);
    }
  }
  return lines;
}

TokenStore::Listed Listing(const Line& line) {
  return {line.sha256.substr(0, TokenStore::kFingerprintLength), line.actor};
}

// Replaces `path` by a file holding `text`: written beside it, flushed, renamed over it, and the
// rename flushed, so that after a crash the file is the old one or the new one.
Status ReplaceFile(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path fresh = path.string() + ".new";
  {
    OpenFile file(::open(fresh.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kFileMode));
    if (file.fd() < 0) return SystemError("cannot open", fresh);
    if (Status owned = OwnLikeTheFolder(file.fd(), fresh); !owned.ok()) return owned.error();
    if (::fchmod(file.fd(), kFileMode) != 0 || !WriteAll(file.fd(), text) ||
        ::fsync(file.fd()) != 0) {
      return SystemError("cannot write", fresh);
    }
  }
  if (::rename(fresh.c_str(), path.c_str()) != 0) return SystemError("cannot replace", path);
  OpenFile folder(::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (folder.fd() < 0 || ::fsync(folder.fd()) != 0)
    return SystemError("cannot flush", path.parent_path());
  return Ok();
}

std::string RandomToken() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return "";
  return "mct_" +
         domain::HexOf(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace

TokenStore::TokenStore(std::filesystem::path data_dir, std::chrono::milliseconds recheck)
    : path_(std::move(data_dir) / TokenStore::kFileName), recheck_(recheck) {}

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
  const std::filesystem::path path = data_dir / TokenStore::kFileName;
  auto turn = TakeWritersTurn(data_dir);
  if (!turn.ok()) return turn.error();
  OpenFile file(::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, kFileMode));
  if (file.fd() < 0) return SystemError("cannot open", path);
  // O_CREAT's mode applies only to a new file, and through the umask: a file made before, or by
  // hand, is tightened here.
  if (::fchmod(file.fd(), kFileMode) != 0) return SystemError("cannot restrict", path);
  if (Status owned = OwnLikeTheFolder(file.fd(), path); !owned.ok()) return owned.error();
  // mctd reads under a shared lock, so it never sees half a line.
  if (::flock(file.fd(), LOCK_EX) != 0) return SystemError("cannot lock", path);
  std::string line = EndsMidLine(file.fd()) ? "\n" : "";
  line += domain::Sha256Hex(token) + " " + std::string(domain::ToString(role)) + " " + id + "\n";
  if (!WriteAll(file.fd(), line) || ::fsync(file.fd()) != 0) {
    return SystemError("cannot write", path);
  }
  return token;
}

Result<std::vector<TokenStore::Listed>> TokenStore::List(const std::filesystem::path& data_dir) {
  const std::filesystem::path path = data_dir / TokenStore::kFileName;
  std::error_code error;
  if (!std::filesystem::is_directory(data_dir, error)) {
    return Error{"no data directory " + data_dir.string() + " (give --data DIR or set MCT_DATA)"};
  }
  if (!std::filesystem::exists(path, error)) return std::vector<Listed>{};
  const auto text = ReadLocked(path);
  if (!text) return SystemError("cannot read", path);
  std::vector<Listed> listed;
  for (const Line& line : ParseLines(*text)) listed.push_back(Listing(line));
  return listed;
}

Result<std::vector<TokenStore::Listed>> TokenStore::Remove(const std::filesystem::path& data_dir,
                                                           const Selector& which) {
  const int ways =
      int{!which.token.empty()} + int{!which.fingerprint.empty()} + int{!which.id.empty()};
  if (ways != 1) {
    return Error{"name the tokens to remove by one of: the token, its fingerprint, or an id",
                 "invalid_input"};
  }
  if (which.role && which.id.empty()) {
    return Error{"a role narrows an id: give the id too", "invalid_input"};
  }
  const std::string fingerprint = domain::AsciiLowercase(which.fingerprint);
  if (!which.fingerprint.empty() && (fingerprint.size() < 8 || fingerprint.size() > 64 ||
                                     !std::ranges::all_of(fingerprint, [](char c) {
                                       return std::isxdigit(static_cast<unsigned char>(c));
                                     }))) {
    return Error{"a fingerprint is 8 or more hex digits, as `mctctl token list` shows them",
                 "invalid_input"};
  }
  const std::string token_hash = which.token.empty() ? "" : domain::Sha256Hex(which.token);
  auto matches = [&](const Line& line) {
    if (!token_hash.empty()) return line.sha256 == token_hash;
    if (!fingerprint.empty()) return line.sha256.starts_with(fingerprint);
    return line.actor.id == which.id && (!which.role || line.actor.role == *which.role);
  };

  auto turn = TakeWritersTurn(data_dir);
  if (!turn.ok()) return turn.error();
  const std::filesystem::path path = data_dir / TokenStore::kFileName;
  std::error_code error;
  const auto text = std::filesystem::exists(path, error) ? ReadLocked(path) : std::string();
  if (!text) return SystemError("cannot read", path);
  std::vector<Listed> removed;
  std::string kept;
  // Every line but those removed stays as it was, a line mctd could not read included (its
  // owner may mend it by hand).
  std::istringstream lines(*text);
  for (std::string text_line; std::getline(lines, text_line);) {
    const std::optional<Line> parsed = ParseLine(text_line);
    if (parsed && matches(*parsed)) {
      removed.push_back(Listing(*parsed));
    } else if (!IsBlank(text_line)) {
      kept += text_line + "\n";
    }
  }
  if (removed.empty()) return Error{"no token matches; `mctctl token list` shows them"};
  if (!fingerprint.empty() && removed.size() > 1) {
    return Error{"the fingerprint " + fingerprint + " starts " + std::to_string(removed.size()) +
                     " tokens' hashes; give more of it",
                 "invalid_input"};
  }
  if (Status replaced = ReplaceFile(path, kept); !replaced.ok()) return replaced.error();
  return removed;
}

void TokenStore::ReloadIfChanged() {
  // The inode (Remove renames a new file in), the time and the size: where the file system's
  // clock is coarse, two lines added within one tick leave the same time, and the second would
  // not be seen until some later change.
  struct stat status {};
  if (::stat(path_.c_str(), &status) != 0) {
    // No file (deleted by hand): no token is valid any more. Remove's rename never leaves the
    // name missing, so this is not a moment between two files.
    if (errno == ENOENT) {
      entries_.clear();
      loaded_ = FileIdentity{};
    }
    return;
  }
  const FileIdentity now{status.st_ino, status.st_mtim, status.st_size};
  if (now == loaded_) return;
  const auto text = ReadLocked(path_);
  if (!text) {
    // Changed but not readable (its owner changed, its mode): no token is valid rather than the
    // ones it held before, which may include one just removed.
    spdlog::error(nlohmann::json{{"msg", "token file not readable: no token is valid"},
                                 {"file", path_.string()},
                                 {"error", std::strerror(errno)}}
                      .dump());
    entries_.clear();
    loaded_ = now;
    return;
  }
  std::vector<Entry> entries;
  std::vector<size_t> unread;
  for (Line& line : ParseLines(*text, &unread)) {
    entries.push_back({std::move(line.sha256), std::move(line.actor)});
  }
  // Said once per change of the file: a line mangled by hand is a token that no longer works.
  if (!unread.empty()) {
    spdlog::warn(nlohmann::json{
        {"msg", "token file lines not read"}, {"file", path_.string()}, {"lines", unread}}
                     .dump());
  }
  entries_ = std::move(entries);
  loaded_ = now;
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

std::string TokenStore::FingerprintOf(const std::string& token) {
  return domain::Sha256Hex(token).substr(0, kFingerprintLength);
}

}  // namespace mct::admin::server
