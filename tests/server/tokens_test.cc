// The token file: only hashes are stored; a token added while mctd runs works on its first
// request; a line removed from the file stops working once the recheck interval has passed.
#include "admin/server/tokens.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "tests/consumers/store_support.h"

namespace mct::admin::server {
namespace {

std::string FileText(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Tokens, TheFileHoldsHashesNotTokens) {
  consumers::testing::TempDir dir("tokens");
  const auto token = TokenStore::Add(dir.path(), domain::Role::kAuditor, "auditor-1");
  ASSERT_TRUE(token.ok());
  const std::string text = FileText(dir.path() / "tokens");
  EXPECT_EQ(text.find(token.value()), std::string::npos) << text;
  EXPECT_NE(text.find(" auditor auditor-1"), std::string::npos) << text;
  TokenStore tokens(dir.path());
  const auto actor = tokens.Authenticate(token.value());
  ASSERT_TRUE(actor.has_value());
  EXPECT_EQ(actor->role, domain::Role::kAuditor);
  EXPECT_EQ(actor->id, "auditor-1");
  EXPECT_FALSE(tokens.Authenticate(token.value() + "x"));
  EXPECT_FALSE(tokens.Authenticate(""));
}

TEST(Tokens, ATokenAddedWhileServingWorksOnItsFirstRequest) {
  consumers::testing::TempDir dir("tokens");
  const auto first = TokenStore::Add(dir.path(), domain::Role::kSupport, "support-1");
  ASSERT_TRUE(first.ok());
  TokenStore tokens(dir.path(), std::chrono::hours(1));  // no periodic recheck in this test
  ASSERT_TRUE(tokens.Authenticate(first.value()));
  const auto added = TokenStore::Add(dir.path(), domain::Role::kTrainer, "12345678");
  ASSERT_TRUE(added.ok());
  const auto actor = tokens.Authenticate(added.value());
  ASSERT_TRUE(actor.has_value());
  EXPECT_EQ(actor->role, domain::Role::kTrainer);
  EXPECT_TRUE(tokens.Authenticate(first.value()));
}

TEST(Tokens, ALineRemovedFromTheFileStopsWorkingAfterTheRecheck) {
  consumers::testing::TempDir dir("tokens");
  const auto kept = TokenStore::Add(dir.path(), domain::Role::kSupport, "support-1");
  const auto removed = TokenStore::Add(dir.path(), domain::Role::kAuditor, "auditor-1");
  ASSERT_TRUE(kept.ok() && removed.ok());
  const auto recheck = std::chrono::milliseconds(20);
  TokenStore tokens(dir.path(), recheck);
  ASSERT_TRUE(tokens.Authenticate(removed.value()));

  const std::filesystem::path path = dir.path() / "tokens";
  const std::string text = FileText(path);
  const auto line = text.find(" auditor auditor-1");
  ASSERT_NE(line, std::string::npos);
  const auto start = text.rfind('\n', line);
  const std::string without = text.substr(0, start == std::string::npos ? 0 : start + 1);
  std::ofstream(path, std::ios::trunc) << without;
  // A modification time that differs even where the file system's clock is coarse.
  std::filesystem::last_write_time(
      path, std::filesystem::last_write_time(path) + std::chrono::seconds(2));

  std::this_thread::sleep_for(recheck * 3);
  EXPECT_FALSE(tokens.Authenticate(removed.value()));
  EXPECT_TRUE(tokens.Authenticate(kept.value()));
}

}  // namespace
}  // namespace mct::admin::server
