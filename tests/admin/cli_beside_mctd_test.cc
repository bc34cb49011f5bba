// mctctl beside a running mctd: the commands that only read (status, history, gaps, due, report,
// lookup, verify, export, checksum) read the store as it stands, saying so on stderr; those that
// write are refused with the reason, and nothing is written.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "admin/store.h"
#include "tests/command_output.h"
#include "tests/consumers/audit_fixture.h"

namespace mct::admin {
namespace {

using consumers::audit::TempDir;

class CliBesideMctd : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = "--data '" + (tmp_.path() / "data").string() + "' ";
    const std::string enroll =
        R"({"command":"EnrollTrainer","mcid":"3000300","name":"Hanako Sato",)"
        R"("email":"hanako@example.jp","anniversary":"2027-01-15","actor":{"role":"support","id":"s1"}})";
    ASSERT_EQ(Mctctl("submit '" + enroll + "'").exit_code, 0);
    // Held open as mctd holds it: the process that writes, with RocksDB's lock.
    auto opened = Store::Open(tmp_.path() / "data");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    holder_ = std::move(opened).value();
    logs_before_ = InfoLogs();
    ASSERT_TRUE(logs_before_.contains("LOG"));
  }
  // RocksDB's info logs in the data directory, each with its inode: mctd's LOG must stay where
  // it is (regression: every mctctl beside mctd moved it aside, and mctd's clean-up later
  // deleted the file it was still writing).
  std::map<std::string, uintmax_t> InfoLogs() const {
    std::map<std::string, uintmax_t> logs;
    for (const auto& entry : std::filesystem::directory_iterator(tmp_.path() / "data")) {
      const std::string name = entry.path().filename().string();
      struct stat status {};
      if (name.starts_with("LOG") && ::stat(entry.path().c_str(), &status) == 0) {
        logs[name] = status.st_ino;
      }
    }
    return logs;
  }
  testing::CommandOutcome Mctctl(const std::string& arguments) const {
    return testing::RunCapturing(std::string(MCT_BINARY_DIR) + "/admin/mctctl " + data_ +
                                 arguments);
  }
  TempDir tmp_;
  std::string data_;
  std::unique_ptr<Store> holder_;
  std::map<std::string, uintmax_t> logs_before_;
};

TEST_F(CliBesideMctd, ReadingCommandsReadTheStoreAsItStands) {
  for (const std::string arguments :
       {"status 3000300", "history 3000300", "gaps 3000300",
        "due --from 2027-01-01 --to 2027-01-31", "report", "lookup --email hanako@example.jp",
        "verify", "export", "checksum"}) {
    SCOPED_TRACE(arguments);
    const auto run = Mctctl(arguments + " 2>&1");
    EXPECT_EQ(run.exit_code, 0) << run.out;
    EXPECT_NE(run.out.find("is in use by another process (mctd?): reading it as it stands now"),
              std::string::npos)
        << run.out;
  }
  const auto history = Mctctl("--json history 3000300 2>/dev/null");
  EXPECT_EQ(nlohmann::json::parse(history.out)["events"].size(), 1u) << history.out;
  const auto due = Mctctl("--json due --from 2027-01-01 --to 2027-01-31 2>/dev/null");
  EXPECT_EQ(nlohmann::json::parse(due.out)["count"], 1) << due.out;
  EXPECT_EQ(InfoLogs(), logs_before_);
}

TEST_F(CliBesideMctd, WritingCommandsAreRefusedAndWriteNothing) {
  const std::string survey =
      R"({"command":"RecordMtmSurvey","mcid":"3000300","course_name":"A","course_date":"2026-10-01",)"
      R"("average_score":5,"actor":{"role":"system","id":"mtm"}})";
  for (const std::string& arguments : {"submit '" + survey + "'", std::string("rebuild")}) {
    SCOPED_TRACE(arguments);
    const auto run = Mctctl(arguments + " 2>&1");
    EXPECT_EQ(run.exit_code, 1) << run.out;
    EXPECT_NE(run.out.find("is in use by another process (mctd?)"), std::string::npos) << run.out;
  }
  EXPECT_EQ(holder_->log->ReadStream(domain::Mcid::Parse("3000300").value())->size(), 1u);
  EXPECT_EQ(InfoLogs(), logs_before_);
}

}  // namespace
}  // namespace mct::admin
