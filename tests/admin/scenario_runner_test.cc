// The scenario runner's own behaviour: passing cases, and every kind of failure it must report
// as a failing case with a clear message instead of crashing.
#include "admin/scenario_runner.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace mct::admin {
namespace {

namespace fs = std::filesystem;

class ScenarioRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mct-runner-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }

  fs::path dir_;
};

// A trainer enrolled with anniversary 2017-05-01 and an it_pro certification.
const char* kGiven = R"([
  {"event": "TrainerEnrolled", "mcid": "1000001", "at": "2016-05-01T00:00:00Z",
   "name": "Hanako Sato", "email": "t1000001@example.jp", "anniversary": "2017-05-01"},
  {"command": "RecordCertification", "mcid": "1000001", "at": "2016-05-01T00:00:00Z",
   "certification_id": "CERT-it_pro", "track": "it_pro",
   "actor": {"role": "system", "id": "member-site"}}
])";

std::string Case(const std::string& when, const std::string& then,
                 const std::string& given = kGiven) {
  return R"({"name": "case", "rules": ["TIME-1"], "given": )" + given + R"(, "when": )" + when +
         R"(, "then": )" + then + "}";
}

const char* kStartInWindow =
    R"({"command": "StartRenewal", "mcid": "1000001", "at": "2017-01-31T00:00:00Z"})";

TEST_F(ScenarioRunnerTest, PassesWhenEventsAndStatusMatch) {
  const auto file = Write("pass.json", Case(kStartInWindow, R"({
    "events": [{"event": "RenewalStarted", "kind": "renewal", "anniversary": "2017-05-01"}],
    "status": {"mcid": "1000001", "as_of": "2017-01-31T00:00:01Z",
               "status": "renewal_in_progress", "step": "profile"}})"));
  const CaseResult result = RunScenarioFile(file);
  EXPECT_TRUE(result.passed) << result.failure;
  EXPECT_EQ(result.name, "case");
}

TEST_F(ScenarioRunnerTest, RegexValuesMatchTheWholeString) {
  const auto pass = Write("re.json", Case(kStartInWindow, R"({
    "events": [{"event": "RenewalStarted", "anniversary": "re:2017-0[0-9]-01"}]})"));
  EXPECT_TRUE(RunScenarioFile(pass).passed);
  const auto fail = Write("re-partial.json", Case(kStartInWindow, R"({
    "events": [{"event": "RenewalStarted", "anniversary": "re:2017"}]})"));
  const CaseResult result = RunScenarioFile(fail);
  EXPECT_FALSE(result.passed);
  EXPECT_NE(result.failure.find("differs in anniversary"), std::string::npos) << result.failure;
}

TEST_F(ScenarioRunnerTest, ReportsExpectedRejectionAgainstAcceptedEvents) {
  const auto file = Write("wrong.json", Case(kStartInWindow, R"({"rejected": "renewal_window_not_open"})"));
  const CaseResult result = RunScenarioFile(file);
  EXPECT_FALSE(result.passed);
  EXPECT_NE(result.failure.find("expected rejected renewal_window_not_open"), std::string::npos)
      << result.failure;
  EXPECT_NE(result.failure.find("RenewalStarted"), std::string::npos) << result.failure;
}

TEST_F(ScenarioRunnerTest, ReportsAWrongRejectionCode) {
  const auto file = Write("code.json", Case(
      R"({"command": "StartRenewal", "mcid": "1000001", "at": "2017-01-30T00:00:00Z"})",
      R"({"rejected": "renewal_in_progress"})"));
  const CaseResult result = RunScenarioFile(file);
  EXPECT_FALSE(result.passed);
  EXPECT_NE(result.failure.find("got rejected renewal_window_not_open"), std::string::npos)
      << result.failure;
}

TEST_F(ScenarioRunnerTest, ReportsAnEventCountMismatch) {
  const auto file = Write("count.json", Case(kStartInWindow, R"({"events": []})"));
  const CaseResult result = RunScenarioFile(file);
  EXPECT_FALSE(result.passed);
  EXPECT_NE(result.failure.find("expected 0 events"), std::string::npos) << result.failure;
}

TEST_F(ScenarioRunnerTest, ReportsAStatusMismatch) {
  const auto file = Write("status.json", Case(kStartInWindow, R"({
    "status": {"mcid": "1000001", "as_of": "2017-01-31T00:00:01Z", "status": "active"}})"));
  const CaseResult result = RunScenarioFile(file);
  EXPECT_FALSE(result.passed);
  EXPECT_NE(result.failure.find("differs in status"), std::string::npos) << result.failure;
}

TEST_F(ScenarioRunnerTest, ReportsAGapsMismatch) {
  const auto file = Write("gaps.json", Case(kStartInWindow, R"({"gaps": [{"from": "2017-05-01", "to": null}]})"));
  const CaseResult result = RunScenarioFile(file);
  EXPECT_FALSE(result.passed);
  EXPECT_NE(result.failure.find("expected gaps"), std::string::npos) << result.failure;
}

TEST_F(ScenarioRunnerTest, UnknownTopLevelKeyIsAFailingCase) {
  const auto file = Write("key.json", R"({"name": "x", "given": [], "when": {}, "then": {}, "extra": 1})");
  const CaseResult result = RunScenarioFile(file);
  EXPECT_FALSE(result.passed);
  EXPECT_NE(result.failure.find("extra: unknown key"), std::string::npos) << result.failure;
}

TEST_F(ScenarioRunnerTest, UnknownThenKeyIsAFailingCase) {
  const auto file = Write("then.json", Case(kStartInWindow, R"({"event": []})"));
  const CaseResult result = RunScenarioFile(file);
  EXPECT_FALSE(result.passed);
  EXPECT_NE(result.failure.find("then.event: unknown key"), std::string::npos) << result.failure;
}

TEST_F(ScenarioRunnerTest, UnknownStatusFieldIsAFailingCase) {
  const auto file = Write("status-key.json", Case(kStartInWindow, R"({"status": {"colour": "red"}})"));
  const CaseResult result = RunScenarioFile(file);
  EXPECT_FALSE(result.passed);
  EXPECT_NE(result.failure.find("then.status.colour: unknown field"), std::string::npos)
      << result.failure;
}

TEST_F(ScenarioRunnerTest, UnknownFieldInAGivenEventIsAFailingCase) {
  const auto file = Write("given-key.json", Case(kStartInWindow, R"({"events": []})", R"([
    {"event": "TrainerEnrolled", "mcid": "1000001", "at": "2016-05-01T00:00:00Z",
     "name": "Hanako Sato", "email": "t@example.jp", "anniversary": "2017-05-01", "colour": 1}])"));
  const CaseResult result = RunScenarioFile(file);
  EXPECT_FALSE(result.passed);
  EXPECT_NE(result.failure.find("colour"), std::string::npos) << result.failure;
}

TEST_F(ScenarioRunnerTest, RejectedGivenCommandIsAFailingCase) {
  const auto file = Write("given-rejected.json", Case(kStartInWindow, R"({"events": []})", R"([
    {"command": "StartRenewal", "mcid": "1000001", "at": "2017-01-31T00:00:00Z"}])"));
  const CaseResult result = RunScenarioFile(file);
  EXPECT_FALSE(result.passed);
  EXPECT_NE(result.failure.find("given[0] StartRenewal was rejected unknown_trainer"),
            std::string::npos)
      << result.failure;
}

// The format's own example leaves the actor out of a given RecordCertification, which ROLE-1
// forbids a trainer: a given command with no actor is sent by whoever may send it (the trainer,
// else the system), since history must be accepted; a `when` with no actor is the trainer's.
TEST_F(ScenarioRunnerTest, AGivenCommandWithNoActorIsSentByWhoMaySendIt) {
  const char* given = R"([
    {"event": "TrainerEnrolled", "mcid": "1000001", "at": "2016-05-01T00:00:00Z",
     "name": "Hanako Sato", "email": "hanako@example.jp", "anniversary": "2017-05-01"},
    {"command": "RecordCertification", "mcid": "1000001", "at": "2016-05-01T00:00:00Z",
     "certification_id": "MCSA-2016", "track": "it_pro"},
    {"command": "StartRenewal", "mcid": "1000001", "at": "2017-01-31T00:00:00Z"}])";
  const auto passes =
      Write("example.json",
            Case(
                R"({"command": "ChooseProfile", "mcid": "1000001", "at": "2017-02-01T00:00:00Z",
          "employer_type": "freelance", "track": "it_pro"})",
                R"({"events": [{"event": "ProfileChosen", "track": "it_pro"}]})", given));
  const CaseResult passed = RunScenarioFile(passes);
  EXPECT_TRUE(passed.passed) << passed.failure;
  const auto forbidden = Write(
      "when-forbidden.json",
      Case(
          R"({"command": "RecordCertification", "mcid": "1000001", "at": "2017-02-01T00:00:00Z",
          "certification_id": "MCSA-2017", "track": "developer"})",
          R"({"rejected": "forbidden"})", given));
  const CaseResult refused = RunScenarioFile(forbidden);
  EXPECT_TRUE(refused.passed) << refused.failure;
}

TEST_F(ScenarioRunnerTest, MalformedJsonIsAFailingCase) {
  const auto file = Write("broken.json", "{\"name\": ");
  const CaseResult result = RunScenarioFile(file);
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.failure.rfind("not valid JSON: at column 10: ", 0), 0u) << result.failure;
}

TEST_F(ScenarioRunnerTest, AKeyGivenTwiceIsAFailingCase) {
  const auto file = Write("twice.json", R"({"name": "a", "name": "b", "given": [], "when": {}, "then": {}})");
  const CaseResult result = RunScenarioFile(file);
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.failure, "not valid JSON: name: given twice");
}

TEST_F(ScenarioRunnerTest, MissingFileIsAFailingCase) {
  const CaseResult result = RunScenarioFile(dir_ / "absent.json");
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.failure,
            "cannot read " + (dir_ / "absent.json").string() + ": No such file or directory");
}

TEST_F(ScenarioRunnerTest, UnknownRejectionCodeIsAFailingCase) {
  const auto file = Write("code-name.json", Case(kStartInWindow, R"({"rejected": "nope"})"));
  const CaseResult result = RunScenarioFile(file);
  EXPECT_FALSE(result.passed);
  EXPECT_NE(result.failure.find("is not a rejection code"), std::string::npos) << result.failure;
}

TEST_F(ScenarioRunnerTest, MalformedWhenCommandIsAnsweredInvalidInput) {
  const auto file = Write("when-bad.json", Case(
      R"({"command": "StartRenewal", "mcid": "12ab", "at": "2017-01-31T00:00:00Z"})",
      R"({"rejected": "invalid_input"})"));
  const CaseResult result = RunScenarioFile(file);
  EXPECT_TRUE(result.passed) << result.failure;
}

// A null stands for a field left out only where the format page makes the field optional: an
// unknown key is still reported, whatever its value.
TEST_F(ScenarioRunnerTest, NullIsLeftOutOnlyForOptionalFields) {
  const auto optional_null =
      Write("optional.json",
            Case(R"({"command": "StartRenewal", "mcid": "1000001", "at": "2017-01-31T00:00:00Z",
               "command_id": null, "actor": null})",
                 R"({"events": [{"event": "RenewalStarted"}]})"));
  const CaseResult passed = RunScenarioFile(optional_null);
  EXPECT_TRUE(passed.passed) << passed.failure;
  const auto unknown_null =
      Write("unknown.json",
            Case(R"({"command": "StartRenewal", "mcid": "1000001", "at": "2017-01-31T00:00:00Z",
               "bogus": null})",
                 R"({"events": [{"event": "RenewalStarted"}]})"));
  const CaseResult failed = RunScenarioFile(unknown_null);
  EXPECT_FALSE(failed.passed);
  EXPECT_NE(failed.failure.find("bogus: unknown field"), std::string::npos) << failed.failure;
}

TEST_F(ScenarioRunnerTest, RetriedCommandIdWritesNothing) {
  const std::string given = R"([
    {"event": "TrainerEnrolled", "mcid": "1000001", "at": "2016-05-01T00:00:00Z",
     "name": "Hanako Sato", "email": "t@example.jp", "anniversary": "2017-05-01"},
    {"command": "StartRenewal", "mcid": "1000001", "at": "2017-02-01T00:00:00Z",
     "command_id": "c-1"}])";
  const auto file = Write("retry.json", Case(
      R"({"command": "StartRenewal", "mcid": "1000001", "at": "2017-02-01T00:00:05Z",
          "command_id": "c-1"})",
      R"({"events": []})", given));
  const CaseResult result = RunScenarioFile(file);
  EXPECT_TRUE(result.passed) << result.failure;
}

TEST_F(ScenarioRunnerTest, UnknownConfigKeyIsAFailingCase) {
  std::string text = Case(kStartInWindow, R"({"events": [{"event": "RenewalStarted"}]})");
  text.insert(1, R"("config": {"fee": 1},)");
  const CaseResult result = RunScenarioFile(Write("fee-key.json", text));
  EXPECT_FALSE(result.passed);
  EXPECT_NE(result.failure.find("config.fee: unknown field"), std::string::npos) << result.failure;
}

TEST_F(ScenarioRunnerTest, FolderRunPrintsOneLinePerFailureAndTheSummary) {
  Write("a-pass.json", Case(kStartInWindow, R"({"events": [{"event": "RenewalStarted"}]})"));
  Write("b-fail.json", Case(kStartInWindow, R"({"rejected": "forbidden"})"));
  Write("notes.txt", "not a case");
  std::ostringstream out;
  const ScenarioSummary summary = RunScenarioPaths({dir_.string()}, out);
  EXPECT_EQ(summary.passed, 1);
  EXPECT_EQ(summary.failed, 1);
  const std::string text = out.str();
  EXPECT_NE(text.find("FAIL " + (dir_ / "b-fail.json").string()), std::string::npos) << text;
  EXPECT_EQ(text.find("a-pass.json"), std::string::npos) << text;
  EXPECT_NE(text.find("1 passed, 1 failed\n"), std::string::npos) << text;
}

// Regression: a *.json that was not a regular file (a dangling link) was skipped unseen.
TEST_F(ScenarioRunnerTest, ACaseThatCannotBeReadIsAFailureNotSkipped) {
  Write("a-pass.json", Case(kStartInWindow, R"({"events": [{"event": "RenewalStarted"}]})"));
  std::filesystem::create_symlink(dir_ / "gone.json", dir_ / "dangling.json");
  std::ostringstream out;
  const ScenarioSummary summary = RunScenarioPaths({dir_.string()}, out);
  EXPECT_EQ(summary.passed, 1);
  EXPECT_EQ(summary.failed, 1);
  EXPECT_NE(out.str().find("dangling.json"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace mct::admin
