// mctctl submit's answer to a retry: a PlaceOrder sent again under its idempotency key (PAY-8)
// with another command id is the first order, and names the id it was written under.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "admin/store.h"
#include "tests/command_output.h"
#include "tests/consumers/store_support.h"

namespace mct::admin {
namespace {

using namespace consumers::testing;  // NOLINT(google-build-using-namespace)

TEST(CliSubmit, AnOrderRetriedByItsKeyNamesTheIdItWasWrittenUnder) {
  TempDir dir("cli-submit");
  const std::string mcid = "4300001";
  std::string written_under;
  uint64_t head = 0;
  {
    auto store = Store::Open(dir.path());
    ASSERT_TRUE(store.ok()) << store.error().message;
    LifeOptions options;
    options.id_prefix = "s";
    ASSERT_TRUE(LiveTrainer(*store.value()->commands, mcid, Life::kReinstated, 0, options).ok());
    auto stream = store.value()->log->ReadStream(M(mcid));
    ASSERT_TRUE(stream.ok());
    written_under = stream.value().back().event.meta.command_id;  // the order, its last event
    head = store.value()->log->Head();
  }
  const nlohmann::json order = {{"command", "PlaceOrder"},
                                {"mcid", mcid},
                                {"actor", {{"role", "trainer"}, {"id", mcid}}},
                                {"method", "credit_card"},
                                {"card",
                                 {{"holder", "HANAKO SATO"},
                                  {"number", "4111111111111111"},
                                  {"expiry", "2030-12"},
                                  {"security_code", "123"}}},
                                {"payer_name", "HANAKO SATO"},
                                {"confirmed", true},
                                {"idempotency_key", "key-" + mcid},
                                {"command_id", "a-retry-of-the-order"}};
  const testing::CommandOutcome run = testing::RunCapturing(
      std::string(MCT_BINARY_DIR) + "/admin/mctctl --data '" + dir.path().string() +
      "' --json submit --at 2017-03-02T00:00:00Z '" + order.dump() + "' 2>&1");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const auto answer = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_TRUE(answer.is_object()) << run.out;
  EXPECT_EQ(answer.value("outcome", ""), "retried") << run.out;
  EXPECT_EQ(answer.value("command_id", ""), written_under) << run.out;
  auto store = Store::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ(store.value()->log->Head(), head);
}

}  // namespace
}  // namespace mct::admin
