// mctctl token list and remove, as an operator uses them: list shows fingerprints, never tokens;
// remove takes the tokens named and says which; a removal that names none is an error.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/command_output.h"
#include "tests/consumers/audit_fixture.h"

namespace mct::admin {
namespace {

using consumers::audit::TempDir;

class CliTokens : public ::testing::Test {
 protected:
  testing::CommandOutcome Mctctl(const std::string& arguments) const {
    return testing::RunCapturing(std::string(MCT_BINARY_DIR) + "/admin/mctctl --data '" +
                                 (tmp_.path() / "data").string() + "' " + arguments);
  }
  std::string Add(const std::string& role, const std::string& id) const {
    auto run = Mctctl("token add --role " + role + " --id " + id);
    EXPECT_EQ(run.exit_code, 0) << run.out;
    return run.out.substr(0, run.out.find('\n'));
  }
  TempDir tmp_;
};

TEST_F(CliTokens, ListShowsFingerprintsRolesAndIdsNeverTheTokens) {
  const std::string support = Add("support", "alice");
  const std::string auditor = Add("auditor", "bob");
  const auto listed = Mctctl("token list");
  ASSERT_EQ(listed.exit_code, 0) << listed.out;
  EXPECT_NE(listed.out.find("  support  alice\n"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("  auditor  bob\n"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("2 tokens"), std::string::npos) << listed.out;
  EXPECT_EQ(listed.out.find(support), std::string::npos);
  EXPECT_EQ(listed.out.find(support.substr(4, 12)), std::string::npos);  // nor a piece of one

  const auto json = Mctctl("--json token list");
  ASSERT_EQ(json.exit_code, 0);
  const auto parsed = nlohmann::json::parse(json.out);
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[1]["role"], "auditor");
  EXPECT_EQ(parsed[1]["id"], "bob");
  EXPECT_EQ(parsed[1]["fingerprint"].get<std::string>().size(), 12u);
}

TEST_F(CliTokens, RemoveTakesTheTokensNamedAndSaysWhich) {
  Add("support", "alice");
  Add("auditor", "alice");
  const std::string bob = Add("support", "bob");
  const std::string carol = Add("support", "carol");
  const auto listed = nlohmann::json::parse(Mctctl("--json token list").out);
  const std::string bobs_fingerprint = listed[2]["fingerprint"];

  const auto by_fingerprint = Mctctl("token remove --fingerprint " + bobs_fingerprint);
  EXPECT_EQ(by_fingerprint.exit_code, 0) << by_fingerprint.out;
  EXPECT_NE(by_fingerprint.out.find(bobs_fingerprint + "  support  bob"), std::string::npos);
  EXPECT_NE(by_fingerprint.out.find("removed 1 tokens"), std::string::npos);

  const auto by_token = Mctctl("token remove --token " + carol);
  EXPECT_EQ(by_token.exit_code, 0) << by_token.out;

  const auto by_id = Mctctl("token remove --id alice");
  EXPECT_EQ(by_id.exit_code, 0) << by_id.out;
  EXPECT_NE(by_id.out.find("removed 2 tokens"), std::string::npos) << by_id.out;
  EXPECT_NE(Mctctl("token list").out.find("0 tokens"), std::string::npos);

  // Named again, or named wrongly: an error on one line, nothing else changes.
  const auto again = Mctctl("token remove --token " + bob + " 2>&1");
  EXPECT_EQ(again.exit_code, 1) << again.out;
  EXPECT_EQ(again.out.rfind("error: no token matches", 0), 0u) << again.out;
  for (const std::string arguments :
       {"token remove", "token remove --id a --token b", "token remove --fingerprint 12ab",
        "token remove --role support", "token remove --id a --role admin"}) {
    SCOPED_TRACE(arguments);
    const auto refused = Mctctl(arguments + " 2>&1");
    EXPECT_EQ(refused.exit_code, 2) << refused.out;
    EXPECT_EQ(refused.out.rfind("error: ", 0), 0u) << refused.out;
  }
}

// A token is shown only once: when it cannot be shown (stdout on a full disk), it is not kept
// and the command fails. With --json it is an object naming its role and id.
TEST_F(CliTokens, ATokenThatCannotBePrintedIsNotKept) {
  Add("support", "alice");
  const auto lost = Mctctl("token add --role support --id carol > /dev/full 2>&1");
  EXPECT_EQ(lost.exit_code, 1);
  const auto listed = Mctctl("token list");
  EXPECT_NE(listed.out.find("1 tokens"), std::string::npos) << listed.out;
  EXPECT_EQ(listed.out.find("carol"), std::string::npos) << listed.out;
  // A reader gone before the token was printed (a closed pipe) is the same failure, not a signal
  // that ends mctctl between keeping the token and printing it.
  // (`true` has long exited when mctctl starts after its half second.)
  testing::RunCapturing("{ sleep 0.5; " + std::string(MCT_BINARY_DIR) + "/admin/mctctl --data '" +
                        (tmp_.path() / "data").string() +
                        "' token add --role support --id erin 2>/dev/null; } | true");
  const auto after_pipe = Mctctl("token list");
  EXPECT_NE(after_pipe.out.find("1 tokens"), std::string::npos) << after_pipe.out;
  EXPECT_EQ(after_pipe.out.find("erin"), std::string::npos) << after_pipe.out;
  const auto as_json = Mctctl("--json token add --role auditor --id dave");
  ASSERT_EQ(as_json.exit_code, 0) << as_json.out;
  const auto made = nlohmann::json::parse(as_json.out);
  EXPECT_EQ(made["role"], "auditor");
  EXPECT_EQ(made["id"], "dave");
  EXPECT_EQ(made["token"].get<std::string>().rfind("mct_", 0), 0u) << as_json.out;
}

// Whatever a command prints must reach its reader: stdout on a full disk is exit 1, not 0.
TEST_F(CliTokens, OutputThatCannotBeWrittenIsAFailure) {
  Add("support", "alice");
  const auto listed = Mctctl("token list > /dev/full 2>/dev/null");
  EXPECT_EQ(listed.exit_code, 1);
}

}  // namespace
}  // namespace mct::admin
