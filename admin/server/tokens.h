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
// The file is readable and writable by its owner alone (0600). Add appends its line under an
// exclusive lock on the file (flock), and the reread takes a shared one, so several
// `mctctl token add` at once and mctd's reading never see half a line.
//
// Thread-safety: Authenticate may be called from any thread; Add from any thread or process.
#pragma once

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
  explicit TokenStore(std::filesystem::path data_dir,
                      std::chrono::milliseconds recheck = std::chrono::seconds(1));

  // Makes a new random token for (role, id), stores its hash, and answers the token.
  static Result<std::string> Add(const std::filesystem::path& data_dir, domain::Role role,
                                 const std::string& id);

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
  std::filesystem::file_time_type loaded_at_{};
  std::uintmax_t loaded_size_ = 0;
  std::vector<Entry> entries_;
};

}  // namespace mct::admin::server
