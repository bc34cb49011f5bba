#include "admin/server/tokens.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>
#include <fstream>
#include <sstream>

#include "domain/hex.h"
#include "domain/sha256.h"

namespace mct::admin::server {
namespace {

constexpr const char* kFileName = "tokens";

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
  if (id.empty() || id.find_first_of(" \t\r\n") != std::string::npos) {
    return Error{"the id must be one word", "invalid_input"};
  }
  const std::string token = RandomToken();
  if (token.empty()) return Error{"no randomness available for a token"};
  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  std::ofstream file(data_dir / kFileName, std::ios::app);
  file << domain::Sha256Hex(token) << " " << domain::ToString(role) << " " << id << "\n";
  file.flush();
  if (!file) return Error{"cannot write " + (data_dir / kFileName).string()};
  return token;
}

void TokenStore::ReloadIfChanged() {
  std::error_code error;
  const auto modified = std::filesystem::last_write_time(path_, error);
  if (error || modified == loaded_at_) return;
  std::ifstream file(path_);
  std::vector<Entry> entries;
  std::string line;
  while (std::getline(file, line)) {
    std::istringstream fields(line);
    std::string hash, role, id;
    if (!(fields >> hash >> role >> id)) continue;
    if (auto parsed = domain::ParseRole(role)) entries.push_back({hash, {*parsed, id}});
  }
  entries_ = std::move(entries);
  loaded_at_ = modified;
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
