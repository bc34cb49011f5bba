// POST /v1/verify: every chain, and the log's checkpoint to keep outside the system; with
// ?checkpoint= the log's first events proved unchanged since it was taken (chain_verifier.h).
#include <gtest/gtest.h>

#include <string>

#include "tests/server/server_fixture.h"

namespace mct::admin::server::testing {
namespace {

TEST(Verify, AnswersTheCheckpointAndChecksOneGivenBack) {
  TestServer server;
  server.ToPayment(kOwn);
  const Answer first = server.Post("/v1/verify", "", "", server.Auditor());
  ASSERT_EQ(first.status, 200) << first.Describe();
  EXPECT_EQ(first.json["ok"], true);
  EXPECT_TRUE(first.json["recorded_checkpoint_holds"].is_null());
  const uint64_t position = first.json["checkpoint"]["position"];
  const std::string digest = first.json["checkpoint"]["digest"];
  EXPECT_EQ(position, first.json["events"].get<uint64_t>());
  const std::string taken = std::to_string(position) + ":" + digest;

  server.ToPayment(kOther);  // the log grows; what it held is unchanged
  const Answer held = server.Post("/v1/verify?checkpoint=" + taken, "", "", server.Support());
  ASSERT_EQ(held.status, 200) << held.Describe();
  EXPECT_EQ(held.json["ok"], true) << held.Describe();
  EXPECT_EQ(held.json["recorded_checkpoint_holds"], true);
  EXPECT_GT(held.json["checkpoint"]["position"].get<uint64_t>(), position);

  std::string other = digest;
  other[5] = other[5] == 'a' ? 'b' : 'a';
  const Answer changed = server.Post(
      "/v1/verify?checkpoint=" + std::to_string(position) + ":" + other, "", "", server.Auditor());
  ASSERT_EQ(changed.status, 200) << changed.Describe();
  EXPECT_EQ(changed.json["ok"], false);
  EXPECT_EQ(changed.json["recorded_checkpoint_holds"], false);
  EXPECT_EQ(changed.json["broken_link"]["position"], position);

  for (const std::string& bad :
       std::vector<std::string>{"", "7", "0:" + digest, "x:" + digest, "3:" + digest.substr(2)}) {
    const Answer refused = server.Post("/v1/verify?checkpoint=" + bad, "", "", server.Auditor());
    EXPECT_EQ(refused.status, 400) << bad << ": " << refused.Describe();
    EXPECT_NE(refused.message().find("checkpoint: not POSITION:DIGEST"), std::string::npos)
        << refused.Describe();
  }
}

}  // namespace
}  // namespace mct::admin::server::testing
