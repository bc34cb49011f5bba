// The token file: only hashes are stored, readable by the owner alone; a token added while mctd
// runs works on its first request, also when several are added at once; a line removed from the
// file stops working once the recheck interval has passed.
#include "admin/server/tokens.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

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

// The id is written into every event its holder appends, and the file's lines are split at
// spaces: an id is one word of UTF-8 text, and a refused one adds nothing.
TEST(Tokens, AnIdThatIsNotOneWordOfTextIsRefused) {
  consumers::testing::TempDir dir("tokens");
  for (const std::string& id :
       {std::string(""), std::string("two words"), std::string("tab\tbed"), std::string("bell\x07"),
        std::string("nul\0x", 5), std::string("bad\xffutf8"), std::string("cut\xc3")}) {
    SCOPED_TRACE(id);
    const auto refused = TokenStore::Add(dir.path(), domain::Role::kSupport, id);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, "invalid_input");
  }
  EXPECT_EQ(FileText(dir.path() / "tokens"), "");
  EXPECT_TRUE(TokenStore::Add(dir.path(), domain::Role::kSupport, "サポート-1").ok());
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

mode_t ModeOf(const std::filesystem::path& path) {
  struct stat status {};
  EXPECT_EQ(::stat(path.c_str(), &status), 0) << path;
  return status.st_mode & 07777;
}

TEST(Tokens, TheFileIsReadableByItsOwnerAlone) {
  consumers::testing::TempDir dir("tokens");
  const mode_t umask_before = ::umask(022);
  ASSERT_TRUE(TokenStore::Add(dir.path(), domain::Role::kSupport, "support-1").ok());
  EXPECT_EQ(ModeOf(dir.path() / "tokens"), 0600u);
  // A file made before (by hand, or by an older mctctl) is tightened by the next add.
  std::filesystem::permissions(dir.path() / "tokens", std::filesystem::perms(0644));
  ASSERT_TRUE(TokenStore::Add(dir.path(), domain::Role::kAuditor, "auditor-1").ok());
  EXPECT_EQ(ModeOf(dir.path() / "tokens"), 0600u);
  ::umask(umask_before);
}

TEST(Tokens, TokensAddedAtOnceByManyProcessesAllWork) {
  consumers::testing::TempDir dir("tokens");
  constexpr int kProcesses = 8;
  constexpr int kPerProcess = 25;
  // Each child adds its tokens and writes them to a file of its own for the parent to check.
  std::vector<pid_t> children;
  for (int process = 0; process < kProcesses; ++process) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      std::ofstream out(dir.path() / ("made-" + std::to_string(process)));
      for (int token = 0; token < kPerProcess; ++token) {
        auto made =
            TokenStore::Add(dir.path(), domain::Role::kSupport,
                            "support-" + std::to_string(process) + "-" + std::to_string(token));
        if (!made.ok()) ::_exit(1);
        out << made.value() << "\n";
      }
      out.close();
      ::_exit(out ? 0 : 1);
    }
    children.push_back(child);
  }
  for (const pid_t child : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a child failed to add";
  }
  TokenStore tokens(dir.path());
  int lines = 0;
  std::istringstream text(FileText(dir.path() / "tokens"));
  for (std::string line; std::getline(text, line);) ++lines;
  EXPECT_EQ(lines, kProcesses * kPerProcess);
  for (int process = 0; process < kProcesses; ++process) {
    std::istringstream made(FileText(dir.path() / ("made-" + std::to_string(process))));
    int token_idx = 0;
    for (std::string token; std::getline(made, token); ++token_idx) {
      const auto actor = tokens.Authenticate(token);
      ASSERT_TRUE(actor.has_value()) << "process " << process << " token " << token_idx;
      EXPECT_EQ(actor->id, "support-" + std::to_string(process) + "-" + std::to_string(token_idx));
    }
    EXPECT_EQ(token_idx, kPerProcess);
  }
}

// Regression: the file was reread only when its modification time changed, and a file system
// with a coarse clock gives two adds within one tick the same time: the second token failed
// until some later change to the file.
TEST(Tokens, ATokenAddedWithinTheSameClockTickWorks) {
  consumers::testing::TempDir dir("tokens");
  const std::filesystem::path path = dir.path() / "tokens";
  const auto first = TokenStore::Add(dir.path(), domain::Role::kSupport, "support-1");
  ASSERT_TRUE(first.ok());
  TokenStore tokens(dir.path(), std::chrono::hours(1));  // no periodic recheck in this test
  ASSERT_TRUE(tokens.Authenticate(first.value()));
  const auto tick = std::filesystem::last_write_time(path);
  const auto second = TokenStore::Add(dir.path(), domain::Role::kAuditor, "auditor-1");
  ASSERT_TRUE(second.ok());
  std::filesystem::last_write_time(path, tick);  // as a coarse clock would have left it
  const auto actor = tokens.Authenticate(second.value());
  ASSERT_TRUE(actor.has_value());
  EXPECT_EQ(actor->id, "auditor-1");
}

TEST(Tokens, ALineCutShortDoesNotSpoilTheNextAdd) {
  consumers::testing::TempDir dir("tokens");
  std::filesystem::create_directories(dir.path());
  std::ofstream(dir.path() / "tokens") << "0123abcd support half-writ";  // no newline
  const auto added = TokenStore::Add(dir.path(), domain::Role::kAuditor, "auditor-1");
  ASSERT_TRUE(added.ok());
  TokenStore tokens(dir.path());
  const auto actor = tokens.Authenticate(added.value());
  ASSERT_TRUE(actor.has_value());
  EXPECT_EQ(actor->id, "auditor-1");
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
