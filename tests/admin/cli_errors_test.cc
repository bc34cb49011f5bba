// mctctl's errors as the README promises them: bad arguments are one line on stderr and exit 2
// (CLI11's own codes are 100 and more), --help exits 0, and a log holding damaged text (bytes
// that are not UTF-8, written below the command path) is still printed rather than ending the
// command.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

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
        "token add --role trainer --id not-an-mcid", "--fee-minor 0 status 1000001",
        "--currency 'e u' status 1000001", "--currency usd status 1000001",
        "status 1000001 --as-of ''", "report --month ''", "import /",
        "import /no/such/export.ndjson"}) {
    SCOPED_TRACE(arguments);
    const auto run = Mctctl(data + arguments + " 2>&1");
    EXPECT_EQ(run.exit_code, 2) << run.out;
    EXPECT_EQ(run.out.rfind("error: ", 0), 0u) << run.out;
    EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 1) << run.out;
  }
  EXPECT_EQ(Mctctl("--help > /dev/null").exit_code, 0);
}

// Input that cannot be read whole (a folder, a device that fails, more than the limit) is a
// clear error naming it, never a crash, and nothing is written: not even a store.
TEST(CliErrors, UnreadableInputIsAnErrorNotACrash) {
  TempDir tmp;
  const std::filesystem::path data = tmp.path() / "data";
  const std::filesystem::path folder = tmp.path() / "a-folder";
  std::filesystem::create_directories(folder);
  const std::string at = "--data '" + data.string() + "' ";
  const auto from_folder = Mctctl(at + "submit '" + folder.string() + "' 2>&1");
  EXPECT_EQ(from_folder.exit_code, 2) << from_folder.out;
  EXPECT_EQ(from_folder.out, "error: cannot read " + folder.string() + ": it is a folder\n");
  // In a shell of its own: the runner's shell gives the command no standard input.
  const auto endless =
      testing::RunCapturing("sh -c \"head -c 70000000 /dev/zero | " + std::string(MCT_BINARY_DIR) +
                            "/admin/mctctl " + at + "submit - 2>&1\"");
  EXPECT_EQ(endless.exit_code, 2) << endless.out;
  EXPECT_NE(endless.out.find("the standard input: it holds more than 67108864 bytes"),
            std::string::npos)
      << endless.out;
  EXPECT_FALSE(std::filesystem::exists(data));
  // A scenario file that fails as it is read is a failed case that says why.
  const auto device = Mctctl("scenarios /proc/self/mem 2>&1");
  EXPECT_EQ(device.exit_code, 1) << device.out;
  EXPECT_NE(device.out.find("FAIL /proc/self/mem: cannot read /proc/self/mem: Input/output error"),
            std::string::npos)
      << device.out;
}

// A script that asked for JSON gets its errors as JSON: one object on one line of stderr, nothing
// on stdout, the same exit codes.
TEST(CliErrors, WithJsonAnErrorIsOneJsonObject) {
  TempDir tmp;
  const std::string data = "--data '" + (tmp.path() / "data").string() + "' --json ";
  const auto no_store = Mctctl(data + "status 1000001 2>&1 >/dev/null");
  EXPECT_EQ(no_store.exit_code, 1) << no_store.out;
  const auto error = nlohmann::json::parse(no_store.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(error.is_object()) << no_store.out;
  EXPECT_EQ(error["exit_code"], 1);
  EXPECT_NE(error["error"].get<std::string>().find("no store in"), std::string::npos)
      << no_store.out;
  EXPECT_EQ(std::count(no_store.out.begin(), no_store.out.end(), '\n'), 1) << no_store.out;
  const auto bad_mcid = Mctctl(data + "status not-an-mcid 2>&1");
  EXPECT_EQ(bad_mcid.exit_code, 2) << bad_mcid.out;
  const auto refused = nlohmann::json::parse(bad_mcid.out, nullptr, false);
  ASSERT_TRUE(refused.is_object()) << bad_mcid.out;
  EXPECT_EQ(refused["exit_code"], 2);
  EXPECT_NE(refused["error"].get<std::string>().find("not an MCID"), std::string::npos)
      << bad_mcid.out;
}

// A store that lost its CURRENT file is said to be damaged, not missing (regression: "no store
// in DIR", which sent support looking for the wrong folder).
TEST(CliErrors, AStoreWithoutCurrentIsCalledDamagedNotMissing) {
  TempDir tmp;
  const std::filesystem::path dir = tmp.path() / "data";
  consumers::audit::MakeStore(dir, 2);
  std::filesystem::remove(dir / "CURRENT");
  for (const std::string command : {"status 1000001", "verify", "export", "checksum"}) {
    SCOPED_TRACE(command);
    const auto run = Mctctl("--data '" + dir.string() + "' " + command + " 2>&1");
    EXPECT_EQ(run.exit_code, 1) << run.out;
    EXPECT_NE(run.out.find("is damaged"), std::string::npos) << run.out;
    EXPECT_FALSE(std::filesystem::exists(dir / "CURRENT"));
  }
}

// A user who may read the data directory but not write it (an auditor's read-only copy) still
// reads it: the commands that only read open it read-only, and say so; a write is refused with
// the reason. The check runs as an unprivileged user, since root writes whatever the modes say.
TEST(CliErrors, AStoreThisUserCannotWriteIsStillRead) {
  TempDir tmp;
  const std::filesystem::path dir = tmp.path() / "data";
  consumers::audit::MakeStore(dir, 2);
  // A copy of mctctl beside the data, since the build folder may be out of that user's reach.
  const std::filesystem::path binary = tmp.path() / "mctctl";
  std::filesystem::copy_file(std::string(MCT_BINARY_DIR) + "/admin/mctctl", binary);
  testing::RunCapturing("chmod -R a+rX,a-w '" + dir.string() + "' && chmod a+rx '" +
                        tmp.path().string() + "' '" + binary.string() + "'");
  const std::string as_reader =
      ::geteuid() == 0 ? "setpriv --reuid=nobody --regid=nogroup --clear-groups " : "";
  const std::string mctctl = as_reader + binary.string() + " --data '" + dir.string() + "' ";
  for (const std::string command : {"status 1000001", "verify", "checksum"}) {
    SCOPED_TRACE(command);
    const auto run = testing::RunCapturing(mctctl + command + " 2>&1");
    EXPECT_EQ(run.exit_code, 0) << run.out;
    EXPECT_NE(run.out.find("cannot be written by this user: reading it without writing"),
              std::string::npos)
        << run.out;
  }
  const auto write = testing::RunCapturing(
      mctctl + "submit '{\"command\":\"StartRenewal\",\"mcid\":\"1000001\"}' 2>&1");
  EXPECT_EQ(write.exit_code, 1) << write.out;
  EXPECT_NE(write.out.find("cannot be written by this user"), std::string::npos) << write.out;
  testing::RunCapturing("chmod -R u+w '" + dir.string() + "'");
}

// lookup answers no match with exit 1 in both forms (regression: 1 in text, 0 with --json), and
// a match with exit 0.
TEST(CliErrors, LookupWithNoMatchIsExit1InBothForms) {
  TempDir tmp;
  const std::filesystem::path dir = tmp.path() / "data";
  consumers::audit::MakeStore(dir, 1);
  const std::string mctctl = "--data '" + dir.string() + "' ";
  const auto text = Mctctl(mctctl + "lookup --email nobody@example.jp 2>&1");
  EXPECT_EQ(text.exit_code, 1) << text.out;
  const auto json = Mctctl(mctctl + "--json lookup --email nobody@example.jp");
  EXPECT_EQ(json.exit_code, 1) << json.out;
  EXPECT_EQ(nlohmann::json::parse(json.out)["trainers"], nlohmann::json::array());
}

// Regression: a misspelt command was reported as "A subcommand is required", as if none was given.
TEST(CliErrors, AnUnknownCommandIsNamedWithTheCommandsThereAre) {
  const auto misspelt = Mctctl("statuz 1000001 2>&1");
  EXPECT_EQ(misspelt.exit_code, 2);
  EXPECT_EQ(misspelt.out.rfind("error: unknown command 'statuz' (commands: scenarios, submit, ", 0),
            0u)
      << misspelt.out;
  const auto nested = Mctctl("token ad --role support --id s 2>&1");
  EXPECT_EQ(nested.exit_code, 2);
  EXPECT_EQ(nested.out, "error: unknown command 'ad' (commands: add, list, remove; see --help)\n");
  const auto none = Mctctl("token 2>&1");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_EQ(none.out, "error: a command is required (commands: add, list, remove; see --help)\n");
}

// mctd places a command stamped before a trainer's latest event at that event's instant: an event
// dated in the future would drag every later command there.
TEST(CliErrors, SubmitRefusesAnInstantInTheFuture) {
  TempDir tmp;
  const std::string data = "--data '" + (tmp.path() / "data").string() + "' ";
  const std::string file = (tmp.path() / "enroll.json").string();
  testing::RunCapturing(
      "printf '%s' '{\"command\":\"EnrollTrainer\",\"mcid\":\"3000200\",\"name\":\"Hanako "
      "Sato\",\"email\":\"h@example.jp\",\"anniversary\":\"2099-01-15\"}' > '" +
      file + "'");
  const auto future = Mctctl(data + "submit '" + file + "' --at 2099-01-01T00:00:00Z 2>&1");
  EXPECT_EQ(future.exit_code, 2) << future.out;
  EXPECT_NE(future.out.find("is after now"), std::string::npos) << future.out;
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "data"));
  EXPECT_EQ(Mctctl(data + "submit '" + file + "' --at 2017-01-01T00:00:00Z").exit_code, 0);
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

// Regression: a name holding terminal escapes cleared support's screen and set its title, and a
// newline in it forged a line of `status`; the text output now writes them as \uXXXX.
TEST(CliErrors, ControlCharactersInTheLogAreShownEscaped) {
  TempDir tmp;
  const std::string data = "--data '" + (tmp.path() / "data").string() + "' ";
  const std::string enroll =
      R"({"command":"EnrollTrainer","mcid":"3000100","name":"Evil\u001b[2J\nstatus  active\u2028",)"
      R"("email":"evil@example.com","anniversary":"2027-01-15","actor":{"role":"support","id":"s\u0007"}})";
  const std::string file = (tmp.path() / "enroll.json").string();
  testing::RunCapturing("printf '%s' '" + enroll + "' > '" + file + "'");
  ASSERT_EQ(Mctctl(data + "submit '" + file + "'").exit_code, 0);
  for (const std::string arguments : {"status 3000100", "history 3000100"}) {
    SCOPED_TRACE(arguments);
    const auto run = Mctctl(data + arguments);
    EXPECT_EQ(run.exit_code, 0) << run.out;
    for (const std::string raw : {"\x1b", "\x07", "\xe2\x80\xa8", "\nstatus  active"}) {
      EXPECT_EQ(run.out.find(raw), std::string::npos) << run.out;
    }
    // Written out: \u001B by the text, \u001b inside history's JSON.
    const bool escaped = run.out.find("\\u001B[2J") != std::string::npos ||
                         run.out.find("\\u001b[2J") != std::string::npos;
    EXPECT_TRUE(escaped) << run.out;
  }
}

TEST(CliErrors, AQuestionToAMissingStoreIsAnErrorAndCreatesNothing) {
  TempDir tmp;
  const std::filesystem::path dir = tmp.path() / "mistyped";
  for (const std::string arguments :
       {"status 1000001", "history 1000001", "gaps 1000001",
        "due --from 2027-01-01 --to 2027-01-31", "report", "lookup --email a@example.jp",
        "checksum", "rebuild", "verify"}) {
    SCOPED_TRACE(arguments);
    const auto run = Mctctl("--data '" + dir.string() + "' " + arguments + " 2>&1");
    EXPECT_EQ(run.exit_code, 1) << run.out;
    EXPECT_NE(run.out.find("no store in"), std::string::npos) << run.out;
    EXPECT_FALSE(std::filesystem::exists(dir)) << arguments << " made " << dir;
  }
}

// A command id the store cannot record (empty; regression: accepted, and the export could then
// not be imported) or one of the wrong type (regression: replaced by a fresh id, so a retry wrote
// twice) is refused, as mctd refuses it, and so are an MCID that is not a string and a body that
// is not an object; nothing is written, not even a store.
TEST(CliErrors, SubmitRefusesACommandIdOrMcidOfTheWrongShape) {
  TempDir tmp;
  const std::string data = "--data '" + (tmp.path() / "data").string() + "' ";
  const std::string enroll =
      R"({"command":"EnrollTrainer","name":"Hanako Sato","email":"h@example.jp",)"
      R"("anniversary":"2027-01-15",)";
  for (const auto& [body, message] : std::vector<std::pair<std::string, std::string>>{
           {enroll + R"("mcid":"3000300","command_id":""})",
            "command_id: must be a non-empty string"},
           {enroll + R"("mcid":"3000300","command_id":42})",
            "command_id: must be a non-empty string"},
           {enroll + R"("mcid":3000300})", "mcid: must be a string of 4 to 10 digits"},
           {enroll + R"("command_id":"c1"})", "mcid: is required"},
           {R"([1,2])", "the command must be a JSON object"}}) {
    SCOPED_TRACE(body);
    const auto run = Mctctl(data + "submit '" + body + "' 2>&1");
    EXPECT_EQ(run.exit_code, 2) << run.out;
    EXPECT_NE(run.out.find(message), std::string::npos) << run.out;
    EXPECT_FALSE(std::filesystem::exists(tmp.path() / "data"));
  }
  EXPECT_EQ(
      Mctctl(data + "submit '" + enroll + R"("mcid":"3000300","command_id":"c1"}')").exit_code, 0);
}

// A trainer's stream is in time order (AUDIT-2 reads it as of any instant): a command stamped
// before the trainer's latest event is refused and writes nothing.
TEST(CliErrors, SubmitRefusesAnInstantBeforeTheTrainersLatestEvent) {
  TempDir tmp;
  const std::string data = "--data '" + (tmp.path() / "data").string() + "' ";
  const std::string enroll =
      R"({"command":"EnrollTrainer","mcid":"3000000","name":"Hanako Sato",)"
      R"("email":"hanako@example.jp","anniversary":"2027-01-15","actor":{"role":"support","id":"s1"}})";
  const std::string survey =
      R"({"command":"RecordMtmSurvey","mcid":"3000000","course_name":"A","course_date":"2026-10-01",)"
      R"("average_score":5,"actor":{"role":"system","id":"mtm"}})";
  ASSERT_EQ(Mctctl(data + "submit '" + enroll + "' --at 2026-10-10T00:00:00Z").exit_code, 0);
  const auto early = Mctctl(data + "submit '" + survey + "' --at 2026-10-09T23:59:59Z 2>&1");
  EXPECT_EQ(early.exit_code, 2) << early.out;
  EXPECT_NE(early.out.find("time order"), std::string::npos) << early.out;
  EXPECT_EQ(Mctctl(data + "submit '" + survey + "' --at 2026-10-10T00:00:00Z").exit_code, 0);
  const auto history = Mctctl("--json " + data + "history 3000000");
  EXPECT_EQ(nlohmann::json::parse(history.out)["events"].size(), 2u) << history.out;
}

}  // namespace
}  // namespace mct::admin
