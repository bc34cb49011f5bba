// TokenStore: the bearer tokens of mctd, kept in a file of the data directory (`tokens`), one line
// per token: its SHA-256, the role and the actor id. The token itself is printed once by
// `mctctl token add` and never stored. Authentication compares hashes in constant time.
//
// The file lives beside RocksDB, not in it, so `mctctl token add` works while mctd holds the
// database; mctd rereads the file when it changes.
//
// Thread-safety: Authenticate may be called from any thread; Add takes a file lock of its own.
#pragma once

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
  explicit TokenStore(std::filesystem::path data_dir);

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

  std::filesystem::path path_;
  std::mutex mutex_;
  std::filesystem::file_time_type loaded_at_{};
  std::vector<Entry> entries_;
};

}  // namespace mct::admin::server
