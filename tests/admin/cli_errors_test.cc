// mctctl's errors as the README promises them: bad arguments are one line on stderr and exit 2
// (CLI11's own codes are 100 and more), --help exits 0, and a log holding damaged text (bytes
// that are not UTF-8, written below the command path) is still printed rather than ending the
// command.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "tests/command_output.h"
#include "tests/consumers/audit_fixture.h"

namespace mct::admin {
namespace {

using consumers::audit::TempDir;

testing::CommandOutcome Mctctl(const std::string& arguments) {
  return testing::RunCapturing(std::string(MCT_BINARY_DIR) + "/admin/mctctl " + arguments);
}

TEST(CliErrors, BadArgumentsAreOneLineAndExit2) {
  TempDir tmp;
  const std::string data = "--data '" + (tmp.path() / "data").string() + "' ";
  for (const std::string arguments :
       {"status", "frobnicate", "token add --role admin --id x", "token add --role support --id ''",
        "token add --role trainer --id not-an-mcid", "--fee-minor 0 status 1000001"}) {
    SCOPED_TRACE(arguments);
    const auto run = Mctctl(data + arguments + " 2>&1");
    EXPECT_EQ(run.exit_code, 2) << run.out;
    EXPECT_EQ(run.out.rfind("error: ", 0), 0u) << run.out;
    EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 1) << run.out;
  }
  EXPECT_EQ(Mctctl("--help > /dev/null").exit_code, 0);
}

// Regression: `mctctl history` ended with an uncaught JSON exception (exit 134) on such a log.
TEST(CliErrors, DamagedTextInTheLogIsPrintedNotFatal) {
  TempDir tmp;
  const std::filesystem::path dir = tmp.path() / "data";
  {
    auto db = consumers::RocksDb::Open(dir);
    ASSERT_TRUE(db.ok()) << db.error().message;
    auto log = consumers::EventStore::Open(*db.value(), consumers::StoreOptions{.sync = false});
    ASSERT_TRUE(log.ok()) << log.error().message;
    consumers::AppendRequest request;
    request.meta.mcid = *domain::Mcid::Parse("1000001");
    request.meta.at = domain::Instant::FromMillis(1488359100000);
    request.meta.actor = {domain::Role::kSupport, "support-\xff"};
    request.meta.command_id = "damaged-1";
    request.events.push_back(domain::TrainerEnrolled{"Hanako \xfe Sato", "hanako@example.jp",
                                                     *domain::Date::Parse("2017-05-01")});
    auto appended = log.value()->Append(std::move(request));
    ASSERT_TRUE(appended.ok()) << appended.error().message;
  }
  const std::string data = "--data '" + dir.string() + "' ";
  for (const std::string arguments : {"history 1000001", "--json history 1000001"}) {
    SCOPED_TRACE(arguments);
    const auto run = Mctctl(data + arguments + " 2>&1");
    EXPECT_EQ(run.exit_code, 0) << run.out;
    EXPECT_NE(run.out.find("Hanako \xef\xbf\xbd Sato"), std::string::npos) << run.out;
  }
}

}  // namespace
}  // namespace mct::admin
