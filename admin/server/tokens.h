// TokenStore: the bearer tokens of mctd, kept in a file of the data directory (`tokens`), one line
// per token: its SHA-256, the role and the actor id. The token itself is printed once by
// `mctctl token add` and never stored. Authentication compares hashes in constant time.
//
// The file lives beside RocksDB, not in it, so `mctctl token add` works while mctd holds the
// database. mctd rereads the file when it changes: at once when a token is not among those it
// knows (a token just added works on its first request), and otherwise at most once per
// `recheck` (a line removed from the file stops working within it), since looking at the file
// on every request cost as much as the rest of authenticating.
//
// The file is readable and writable by its owner alone (0600). Writers take turns on an
// exclusive lock of `tokens.lock` beside it: Add appends its line (under an exclusive lock on
// the file too, since the reread takes a shared one, so no one sees half a line); Remove writes
// the lines it keeps to a new file and renames it over the old, so a crash leaves one or the
// other, never a token half revoked.
//
// Thread-safety: Authenticate may be called from any thread; Add from any thread or process.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "domain/result.h"
#include "domain/values.h"

namespace mct::admin::server {

class TokenStore {
 public:
  // The file's name in the data directory, and its writers' lock beside it.
  static constexpr const char* kFileName = "tokens";
  // Writers (Add, Remove) take turns on the lock file's lock: the tokens file itself is replaced
  // by Remove, and a lock on a replaced file would guard nothing.
  static constexpr const char* kLockFileName = "tokens.lock";
  explicit TokenStore(std::filesystem::path data_dir,
                      std::chrono::milliseconds recheck = std::chrono::seconds(1));

  // Makes a new random token for (role, id), stores its hash, and answers the token.
  static Result<std::string> Add(const std::filesystem::path& data_dir, domain::Role role,
                                 const std::string& id);

  // A token as `mctctl token list` shows it: never the token, only its hash's first characters.
  struct Listed {
    std::string fingerprint;  // the first kFingerprintLength hex digits of its SHA-256
    domain::Actor actor;
  };
  static constexpr size_t kFingerprintLength = 12;
  // The fingerprint `token list` shows for `token`.
  static std::string FingerprintOf(const std::string& token);
  static Result<std::vector<Listed>> List(const std::filesystem::path& data_dir);

  // Which tokens Remove takes away: the one `token` itself, the one whose fingerprint starts with
  // `fingerprint` (at least 8 hex digits, and it must name one token), or every token of `id`
  // (of `role` alone when given). Exactly one of the three.
  struct Selector {
    std::string token{};
    std::string fingerprint{};
    std::string id{};
    std::optional<domain::Role> role{};
  };
  // The tokens removed (at least one; none matching is an error that changes nothing).
  static Result<std::vector<Listed>> Remove(const std::filesystem::path& data_dir,
                                            const Selector& which);

  // The actor a token stands for, or nullopt.
  std::optional<domain::Actor> Authenticate(const std::string& token);

 private:
  struct Entry {
    std::string sha256;
    domain::Actor actor;
  };
  void ReloadIfChanged();
  std::optional<domain::Actor> Find(const std::string& hash) const;

  std::filesystem::path path_;
  std::chrono::milliseconds recheck_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point checked_at_{};
  // The file as last read: a new inode (Remove's rename), time or size means it changed.
  struct FileIdentity {
    ino_t inode = 0;
    timespec modified{};
    off_t size = -1;
    bool operator==(const FileIdentity& other) const {
      return inode == other.inode && modified.tv_sec == other.modified.tv_sec &&
             modified.tv_nsec == other.modified.tv_nsec && size == other.size;
    }
  };
  FileIdentity loaded_{};
  std::vector<Entry> entries_;
};

}  // namespace mct::admin::server
