// `mctctl verify` on a store tampered with behind its back (architecture invariant 6): exit 1 and
// the first broken link named, in text and in JSON. The round trip through export and import is
// audit_round_trip.sh; the checks themselves are tests/consumers/chain_verifier_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "tests/command_output.h"
#include "tests/consumers/audit_fixture.h"

namespace mct::admin {
namespace {

using consumers::audit::PlainDb;
using consumers::audit::TempDir;

using Outcome = testing::CommandOutcome;

// Runs the built mctctl with `arguments`, capturing standard output.
Outcome Mctctl(const std::string& arguments) {
  return testing::RunCapturing(std::string(MCT_BINARY_DIR) + "/admin/mctctl " + arguments);
}

class CliVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(std::string(MCT_BINARY_DIR) + "/admin/mctctl"))
        << "build mctctl first";
    consumers::audit::MakeStore(dir(), 3);
  }
  std::filesystem::path dir() const { return tmp_.path() / "data"; }
  std::string Data() const { return "--data '" + dir().string() + "' "; }

 private:
  TempDir tmp_;
};

TEST_F(CliVerifyTest, SaysEveryChainHolds) {
  const Outcome run = Mctctl(Data() + "verify");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, std::to_string(3 * consumers::audit::EventsPerTrainer()) +
                         " events in 3 streams: every chain holds\n");
}

TEST_F(CliVerifyTest, NamesTheFirstBrokenLinkAndExitsOne) {
  {
    PlainDb plain(dir());
    const std::string log_key = plain.LogKeyOf(consumers::audit::McidText(1), 3);
    std::string value = plain.Get(consumers::kLogFamily, log_key);
    // RenewalStarted's anniversary: a date moved by a day still decodes.
    Result<consumers::EventEnvelope> event = consumers::DecodeBinary(value);
    ASSERT_TRUE(event.ok());
    ASSERT_TRUE(std::holds_alternative<domain::RenewalStarted>(event->event.payload));
    value[value.size() - 4] ^= 0x01;  // the low byte of the i32 day count, little-endian
    ASSERT_TRUE(consumers::DecodeBinary(value).ok());
    plain.Put(consumers::kLogFamily, log_key, value);
  }
  const Outcome text = Mctctl(Data() + "verify");
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_EQ(text.out.substr(0, text.out.find('\n')),
            "broken link: trainer 1000002 version 3: hash does not match the event's content");

  const Outcome json = Mctctl("--json " + Data() + "verify");
  EXPECT_EQ(json.exit_code, 1);
  const auto parsed = nlohmann::json::parse(json.out);
  EXPECT_EQ(parsed["ok"], false);
  EXPECT_EQ(parsed["broken_link"]["mcid"], "1000002");
  EXPECT_EQ(parsed["broken_link"]["version"], 3);
  EXPECT_EQ(parsed["broken_link"]["problem"], "hash does not match the event's content");
}

TEST_F(CliVerifyTest, ExportsWhatItVerified) {
  const Outcome run = Mctctl(Data() + "export");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(static_cast<size_t>(std::count(run.out.begin(), run.out.end(), '\n')),
            3 * consumers::audit::EventsPerTrainer() + 1);  // and the end line
}

}  // namespace
}  // namespace mct::admin
