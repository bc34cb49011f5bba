// PROF-2: the back office keeps only the FTE code's hash, and a trainer cannot read it back: in
// their own history the digest is withheld (a six-digit code is found from its SHA-256 at once),
// while support and auditors, who verify the chains, read it as stored.
#include <gtest/gtest.h>

#include <string>

#include "admin/server/api_reads.h"
#include "tests/server/server_fixture.h"

namespace mct::admin::server::testing {
namespace {

// The code_sha256 of the FteCodeIssued in `history`; empty when there is none.
std::string FteDigestIn(const Answer& history) {
  for (const Json& event : history.json.value("events", Json::array())) {
    if (event.value("event", "") == "FteCodeIssued") return event.value("code_sha256", "");
  }
  return "";
}

TEST(FteDigest, IsWithheldFromTheTrainerAndShownToSupportAndAuditors) {
  TestServer server;
  server.Enroll(kOwn);
  const Answer issued = server.Command(
      kOwn, {{"command", "IssueFteCode"}, {"alias", "redmond\\hsato"}, {"code", "123456"}},
      server.System());
  ASSERT_EQ(issued.status, 200) << issued.Describe();
  const std::string stored = issued.json["events"].back().value("code_sha256", "");
  ASSERT_EQ(stored.size(), 64U) << issued.Describe();

  const std::string path = std::string("/v1/trainers/") + kOwn + "/history";
  const Answer own = server.Get(path, server.OwnTrainer());
  ASSERT_EQ(own.status, 200) << own.Describe();
  EXPECT_EQ(FteDigestIn(own), kWithheldDigest);
  EXPECT_EQ(own.body.find(stored), std::string::npos) << own.body;
  const Answer own_as_of = server.Get(path + "?as_of=" + Day(1), server.OwnTrainer());
  EXPECT_EQ(FteDigestIn(own_as_of), kWithheldDigest) << own_as_of.Describe();

  for (const std::string& token : {server.Support(), server.Auditor()}) {
    const Answer read = server.Get(path, token);
    ASSERT_EQ(read.status, 200) << read.Describe();
    EXPECT_EQ(FteDigestIn(read), stored);
  }
}

}  // namespace
}  // namespace mct::admin::server::testing
