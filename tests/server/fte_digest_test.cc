// PROF-2: the back office keeps only the FTE code's hash, and a trainer cannot read it back: in
// their own history the digest is withheld (a six-digit code is found from its SHA-256 at once),
// while support and auditors, who verify the chains, read it as stored.
#include <gtest/gtest.h>

#include <string>

#include "admin/server/api_reads.h"
#include "tests/server/server_fixture.h"

namespace mct::admin::server::testing {
namespace {

// `field` of the FteCodeIssued in `history`, or of the event after it (`after`); empty when
// there is none.
std::string FteField(const Answer& history, const std::string& field, bool after = false) {
  bool found = false;
  for (const Json& event : history.json.value("events", Json::array())) {
    if (found) return event.value(field, "");
    if (event.value("event", "") == "FteCodeIssued") {
      if (!after) return event.value(field, "");
      found = true;
    }
  }
  return "";
}
std::string FteDigestIn(const Answer& history) { return FteField(history, "code_sha256"); }

TEST(FteDigest, IsWithheldFromTheTrainerAndShownToSupportAndAuditors) {
  TestServer server;
  server.Enroll(kOwn);
  const Answer issued = server.Command(
      kOwn, {{"command", "IssueFteCode"}, {"alias", "redmond\\hsato"}, {"code", "123456"}},
      server.System());
  ASSERT_EQ(issued.status, 200) << issued.Describe();
  const std::string stored = issued.json["events"].back().value("code_sha256", "");
  ASSERT_EQ(stored.size(), 64U) << issued.Describe();

  const std::string event_hash = issued.json["events"].back().value("hash", "");
  // An event after it, whose prev_hash is the FteCodeIssued's hash.
  ASSERT_EQ(server.Command(kOwn, {{"command", "StartRenewal"}}, server.OwnTrainer()).status, 200);

  const std::string path = std::string("/v1/trainers/") + kOwn + "/history";
  const Answer own = server.Get(path, server.OwnTrainer());
  ASSERT_EQ(own.status, 200) << own.Describe();
  EXPECT_EQ(FteDigestIn(own), kWithheldDigest);
  EXPECT_EQ(own.body.find(stored), std::string::npos) << own.body;
  // The event's hash covers the digest and every field shown: withheld too, where it shows.
  EXPECT_EQ(FteField(own, "hash"), kWithheldDigest);
  EXPECT_EQ(FteField(own, "prev_hash", /*after=*/true), kWithheldDigest);
  EXPECT_EQ(own.body.find(event_hash), std::string::npos) << own.body;
  const Answer own_as_of = server.Get(path + "?as_of=" + Day(1), server.OwnTrainer());
  EXPECT_EQ(FteDigestIn(own_as_of), kWithheldDigest) << own_as_of.Describe();

  for (const std::string& token : {server.Support(), server.Auditor()}) {
    const Answer read = server.Get(path, token);
    ASSERT_EQ(read.status, 200) << read.Describe();
    EXPECT_EQ(FteDigestIn(read), stored);
    EXPECT_EQ(FteField(read, "hash"), event_hash);
    EXPECT_EQ(FteField(read, "prev_hash", /*after=*/true), event_hash);
  }
}

}  // namespace
}  // namespace mct::admin::server::testing
