// The token file: only hashes are stored, readable by the owner alone; a token added while mctd
// runs works on its first request, also when several are added at once; a line removed from the
// file stops working once the recheck interval has passed.
#include "admin/server/tokens.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "domain/sha256.h"
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

TEST(Tokens, AListShowsFingerprintsAndActorsNeverTokens) {
  consumers::testing::TempDir dir("tokens");
  EXPECT_TRUE(TokenStore::List(dir.path())->empty());  // no file yet: no tokens
  const auto support = TokenStore::Add(dir.path(), domain::Role::kSupport, "support-1");
  const auto auditor = TokenStore::Add(dir.path(), domain::Role::kAuditor, "auditor-1");
  ASSERT_TRUE(support.ok() && auditor.ok());
  const auto listed = TokenStore::List(dir.path());
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ(listed->at(0).fingerprint, domain::Sha256Hex(support.value()).substr(0, 12));
  EXPECT_EQ(listed->at(0).actor.id, "support-1");
  EXPECT_EQ(listed->at(1).actor.role, domain::Role::kAuditor);
  EXPECT_EQ(listed->at(1).fingerprint.size(), TokenStore::kFingerprintLength);
}

TEST(Tokens, RemoveTakesOneTokenByItselfOrItsFingerprintOrEveryTokenOfAnId) {
  consumers::testing::TempDir dir("tokens");
  auto add = [&dir](domain::Role role, const std::string& id) {
    auto made = TokenStore::Add(dir.path(), role, id);
    EXPECT_TRUE(made.ok());
    return made.value();
  };
  const std::string by_token = add(domain::Role::kSupport, "a");
  const std::string by_fingerprint = add(domain::Role::kSupport, "b");
  const std::string leaver_support = add(domain::Role::kSupport, "leaver");
  const std::string leaver_auditor = add(domain::Role::kAuditor, "leaver");
  const std::string kept = add(domain::Role::kSupport, "kept");
  TokenStore tokens(dir.path(), std::chrono::milliseconds(0));  // reads the file every time

  auto removed = TokenStore::Remove(dir.path(), {.token = by_token});
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_EQ(removed->size(), 1u);
  EXPECT_FALSE(tokens.Authenticate(by_token));

  const std::string upper = [&] {
    std::string prefix = domain::Sha256Hex(by_fingerprint).substr(0, 10);
    for (char& c : prefix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return prefix;
  }();
  removed = TokenStore::Remove(dir.path(), {.fingerprint = upper});
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_EQ(removed->at(0).actor.id, "b");
  EXPECT_FALSE(tokens.Authenticate(by_fingerprint));

  removed = TokenStore::Remove(dir.path(), {.id = "leaver", .role = domain::Role::kAuditor});
  ASSERT_TRUE(removed.ok());
  EXPECT_FALSE(tokens.Authenticate(leaver_auditor));
  EXPECT_TRUE(tokens.Authenticate(leaver_support));
  removed = TokenStore::Remove(dir.path(), {.id = "leaver"});
  ASSERT_TRUE(removed.ok());
  EXPECT_FALSE(tokens.Authenticate(leaver_support));

  EXPECT_TRUE(tokens.Authenticate(kept));
  EXPECT_EQ(TokenStore::List(dir.path())->size(), 1u);
}

// Nothing matching, a fingerprint too short or naming two tokens, or no selector or two: an
// error, and the file is untouched.
TEST(Tokens, ARemovalThatNamesNoTokenOrTooManyChangesNothing) {
  consumers::testing::TempDir dir("tokens");
  std::vector<std::string> made;
  // Enough tokens that two share a first hex digit... and a fingerprint of 8 digits is unique.
  for (int index = 0; index < 20; ++index) {
    made.push_back(
        TokenStore::Add(dir.path(), domain::Role::kSupport, "s" + std::to_string(index)).value());
  }
  const std::string before = FileText(dir.path() / "tokens");
  const std::vector<std::pair<std::string, TokenStore::Selector>> refused = {
      {"nothing named", {}},
      {"two ways", {.token = made[0], .id = "s1"}},
      {"a role alone", {.role = domain::Role::kSupport}},
      {"no such token", {.token = "mct_nope"}},
      {"no such id", {.id = "nobody"}},
      {"a short fingerprint", {.fingerprint = domain::Sha256Hex(made[0]).substr(0, 7)}},
      {"not hex", {.fingerprint = "zzzzzzzzzz"}},
  };
  for (const auto& [why, selector] : refused) {
    SCOPED_TRACE(why);
    EXPECT_FALSE(TokenStore::Remove(dir.path(), selector).ok());
    EXPECT_EQ(FileText(dir.path() / "tokens"), before);
  }
  // Two lines sharing a fingerprint (possible only by hand, as hashes go): named, not guessed.
  const std::string hash = domain::Sha256Hex(made[3]);
  std::ofstream(dir.path() / "tokens", std::ios::app) << hash << " auditor copy\n";
  const std::string doubled = FileText(dir.path() / "tokens");
  const auto ambiguous = TokenStore::Remove(dir.path(), {.fingerprint = hash.substr(0, 12)});
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_NE(ambiguous.error().message.find("starts 2"), std::string::npos)
      << ambiguous.error().message;
  EXPECT_EQ(FileText(dir.path() / "tokens"), doubled);
}

// Remove replaces the file while `token add` appends to it: they take turns, so no token added
// meanwhile is lost, and the removed one stays removed.
TEST(Tokens, TokensAddedWhileOthersAreRemovedAreAllKept) {
  consumers::testing::TempDir dir("tokens");
  constexpr int kAdders = 4;
  constexpr int kPerAdder = 20;
  std::vector<std::string> doomed;
  for (int index = 0; index < kPerAdder; ++index) {
    doomed.push_back(
        TokenStore::Add(dir.path(), domain::Role::kAuditor, "doomed-" + std::to_string(index))
            .value());
  }
  std::vector<pid_t> children;
  for (int adder = 0; adder < kAdders; ++adder) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      std::ofstream out(dir.path() / ("made-" + std::to_string(adder)));
      for (int token = 0; token < kPerAdder; ++token) {
        auto made =
            TokenStore::Add(dir.path(), domain::Role::kSupport, "kept-" + std::to_string(adder));
        if (!made.ok()) ::_exit(1);
        out << made.value() << "\n";
      }
      out.close();
      ::_exit(out ? 0 : 1);
    }
    children.push_back(child);
  }
  for (const std::string& token : doomed) {
    EXPECT_TRUE(TokenStore::Remove(dir.path(), {.token = token}).ok());
  }
  for (const pid_t child : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "an adder failed";
  }
  TokenStore tokens(dir.path());
  for (const std::string& token : doomed) EXPECT_FALSE(tokens.Authenticate(token));
  int kept = 0;
  for (int adder = 0; adder < kAdders; ++adder) {
    std::istringstream made(FileText(dir.path() / ("made-" + std::to_string(adder))));
    for (std::string token; std::getline(made, token); ++kept)
      EXPECT_TRUE(tokens.Authenticate(token));
  }
  EXPECT_EQ(kept, kAdders * kPerAdder);
  EXPECT_EQ(TokenStore::List(dir.path())->size(), static_cast<size_t>(kAdders * kPerAdder));
}

// A removal that leaves the file the same size and time as before (a coarse clock) is still
// seen: the file is a new one.
TEST(Tokens, ARemovedTokenStopsWorkingEvenWhereSizeAndTimeAreAsBefore) {
  consumers::testing::TempDir dir("tokens");
  const auto first = TokenStore::Add(dir.path(), domain::Role::kSupport, "same-length-1");
  ASSERT_TRUE(first.ok());
  const std::filesystem::path path = dir.path() / "tokens";
  TokenStore tokens(dir.path(), std::chrono::milliseconds(0));
  ASSERT_TRUE(tokens.Authenticate(first.value()));
  const auto tick = std::filesystem::last_write_time(path);
  const auto size = std::filesystem::file_size(path);
  ASSERT_TRUE(TokenStore::Remove(dir.path(), {.token = first.value()}).ok());
  const auto second = TokenStore::Add(dir.path(), domain::Role::kSupport, "same-length-2");
  ASSERT_TRUE(second.ok());
  std::filesystem::last_write_time(path, tick);
  ASSERT_EQ(std::filesystem::file_size(path), size);
  EXPECT_FALSE(tokens.Authenticate(first.value()));
  EXPECT_TRUE(tokens.Authenticate(second.value()));
}

TEST(Tokens, ADeletedFileLeavesNoTokenValid) {
  consumers::testing::TempDir dir("tokens");
  const auto token = TokenStore::Add(dir.path(), domain::Role::kSupport, "support-1");
  ASSERT_TRUE(token.ok());
  TokenStore tokens(dir.path(), std::chrono::milliseconds(0));
  ASSERT_TRUE(tokens.Authenticate(token.value()));
  std::filesystem::remove(dir.path() / "tokens");
  EXPECT_FALSE(tokens.Authenticate(token.value()));
}

// A line mangled by hand is a token that no longer works: mctd says which lines it could not
// read, rather than refusing the token without a word.
TEST(Tokens, LinesThatAreNotTokensAreNamedInTheLog) {
  consumers::testing::TempDir dir("tokens");
  const auto token = TokenStore::Add(dir.path(), domain::Role::kSupport, "support-1");
  ASSERT_TRUE(token.ok());
  std::ofstream(dir.path() / "tokens", std::ios::app)
      << "\nnot-a-hash support s2\n" + domain::Sha256Hex("x") + " admin s3\n";
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(16);
  const auto before = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("tokens-test", sink));
  TokenStore tokens(dir.path());
  EXPECT_TRUE(tokens.Authenticate(token.value()));
  spdlog::set_default_logger(before);
  const auto logged = sink->last_formatted();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_NE(logged[0].find(R"("lines":[3,4])"), std::string::npos) << logged[0];
}

// A removal rewrites the file: every other line stays as it was, one mctd could not read too.
TEST(Tokens, ARemovalKeepsEveryOtherLineAsItWas) {
  consumers::testing::TempDir dir("tokens");
  const auto gone = TokenStore::Add(dir.path(), domain::Role::kSupport, "gone");
  const auto kept = TokenStore::Add(dir.path(), domain::Role::kSupport, "kept");
  ASSERT_TRUE(gone.ok() && kept.ok());
  std::ofstream(dir.path() / "tokens", std::ios::app) << "mangled by hand\n";
  ASSERT_TRUE(TokenStore::Remove(dir.path(), {.token = gone.value()}).ok());
  const std::string text = FileText(dir.path() / "tokens");
  EXPECT_EQ(text, domain::Sha256Hex(kept.value()) + " support kept\nmangled by hand\n");
}

// A file that changed but cannot be read leaves no token valid: the tokens it held before may
// include one just removed.
TEST(Tokens, AFileThatCannotBeReadLeavesNoTokenValid) {
  consumers::testing::TempDir dir("tokens");
  const auto token = TokenStore::Add(dir.path(), domain::Role::kSupport, "support-1");
  ASSERT_TRUE(token.ok());
  TokenStore tokens(dir.path(), std::chrono::milliseconds(0));
  ASSERT_TRUE(tokens.Authenticate(token.value()));
  std::filesystem::remove(dir.path() / "tokens");
  std::filesystem::create_directory(dir.path() / "tokens");  // there, but no file to read
  EXPECT_FALSE(tokens.Authenticate(token.value()));
}

// `sudo mctctl token add` in mctd's data directory: the files it makes belong to the directory's
// owner, who runs mctd, not to root (mctd could not read them). As anyone else: to themselves.
TEST(Tokens, FilesMadeForTheDataDirectoryBelongToItsOwner) {
  consumers::testing::TempDir dir("tokens");
  const std::filesystem::path data = dir.path() / "data";
  std::filesystem::create_directories(data);
  const bool root = ::geteuid() == 0;
  const uid_t owner = root ? 65534 : ::geteuid();  // nobody, when root can give files away
  if (root) {
    ASSERT_EQ(::chown(data.c_str(), owner, owner), 0);
  }
  const auto first = TokenStore::Add(data, domain::Role::kSupport, "a");
  const auto second = TokenStore::Add(data, domain::Role::kSupport, "b");
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_TRUE(TokenStore::Remove(data, {.token = first.value()}).ok());  // a new file, renamed in
  for (const char* name : {"tokens", "tokens.lock"}) {
    struct stat status {};
    ASSERT_EQ(::stat((data / name).c_str(), &status), 0) << name;
    EXPECT_EQ(status.st_uid, owner) << name;
    EXPECT_EQ(status.st_mode & 0777, 0600u) << name;
  }
}

TEST(Tokens, AListOfADataDirectoryThatIsNotThereIsAnError) {
  consumers::testing::TempDir dir("tokens");
  const auto listed = TokenStore::List(dir.path() / "mistyped");
  ASSERT_FALSE(listed.ok());
  EXPECT_NE(listed.error().message.find("no data directory"), std::string::npos);
}

}  // namespace
}  // namespace mct::admin::server
