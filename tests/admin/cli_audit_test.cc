// `mctctl verify` on a store tampered with behind its back (architecture invariant 6): exit 1 and
// the first broken link named, in text and in JSON. The round trip through export and import is
// audit_round_trip.sh; the checks themselves are tests/consumers/chain_verifier_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "consumers/chain_verifier.h"
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

TEST_F(CliVerifyTest, SaysEveryChainHoldsAndPrintsTheCheckpoint) {
  const Outcome run = Mctctl(Data() + "verify");
  EXPECT_EQ(run.exit_code, 0);
  const std::string events = std::to_string(3 * consumers::audit::EventsPerTrainer());
  EXPECT_EQ(run.out.substr(0, run.out.find('\n') + 1),
            events + " events in 3 streams: every chain holds\n");
  const auto db = consumers::RocksDb::Open(dir());
  ASSERT_TRUE(db.ok());
  const auto report = consumers::VerifyLog(*db.value());
  ASSERT_TRUE(report.ok() && report->checkpoint);
  EXPECT_NE(run.out.find("\ncheckpoint " + events + ":" + report->checkpoint->digest + "\n"),
            std::string::npos)
      << run.out;
}

// The checkpoint verify printed, given back: held now; a different digest, a later position or a
// malformed one are each said (exit 1, 1 and 2).
TEST_F(CliVerifyTest, ChecksACheckpointGivenBack) {
  const auto parsed = nlohmann::json::parse(Mctctl("--json " + Data() + "verify").out);
  const std::string position = std::to_string(parsed["checkpoint"]["position"].get<uint64_t>());
  const std::string digest = parsed["checkpoint"]["digest"];
  EXPECT_TRUE(parsed["recorded_checkpoint_holds"].is_null());

  const Outcome held = Mctctl(Data() + "verify --checkpoint " + position + ":" + digest);
  EXPECT_EQ(held.exit_code, 0) << held.out;
  EXPECT_NE(
      held.out.find("the log up to position " + position + " still has the checkpoint's digest"),
      std::string::npos)
      << held.out;
  const auto held_json =
      nlohmann::json::parse(Mctctl("--json " + Data() + "verify --checkpoint 5:" + digest).out);
  EXPECT_EQ(held_json["recorded_checkpoint_holds"], false);  // 5 events never had that digest

  std::string other = digest;
  other[0] = other[0] == '0' ? '1' : '0';
  const Outcome changed = Mctctl(Data() + "verify --checkpoint " + position + ":" + other);
  EXPECT_EQ(changed.exit_code, 1);
  EXPECT_NE(changed.out.find("broken link: log position " + position +
                             ": the log up to log position " + position),
            std::string::npos)
      << changed.out;
  const Outcome longer = Mctctl(Data() + "verify --checkpoint " +
                                std::to_string(std::stoi(position) + 1) + ":" + digest);
  EXPECT_EQ(longer.exit_code, 1);
  EXPECT_NE(longer.out.find("events were removed since"), std::string::npos) << longer.out;
  for (const std::string& bad :
       std::vector<std::string>{"12", "0:" + digest, "1:abc", position + ":" + digest + "0"}) {
    const Outcome refused = Mctctl(Data() + "verify --checkpoint '" + bad + "' 2>&1");
    EXPECT_EQ(refused.exit_code, 2) << bad;
    EXPECT_NE(refused.out.find("is not POSITION:DIGEST"), std::string::npos) << refused.out;
  }
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

std::string ReadWhole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// An export written to a file replaces it only when whole: one that fails part-way (here, the
// file size limit) leaves last night's backup as it was, and no temporary file beside it.
TEST_F(CliVerifyTest, AFailedExportLeavesTheFileItWasToReplace) {
  const std::filesystem::path folder = dir().parent_path() / "backups";
  std::filesystem::create_directories(folder);
  // A store whose export is far larger than the store's own small files (the limit is the
  // process's, and the store writes its manifest when it opens).
  const std::string data = "--data '" + (dir().parent_path() / "demo").string() + "' ";
  ASSERT_EQ(Mctctl(data + "demo --trainers 60 --seed 3 > /dev/null").exit_code, 0);
  const std::filesystem::path backup = folder / "last-night.ndjson";
  ASSERT_EQ(Mctctl(data + "export --out '" + backup.string() + "'").exit_code, 0);
  const std::string whole = ReadWhole(backup);
  ASSERT_GT(whole.size(), 400u * 1024);
  const Outcome cut = testing::RunCapturing("(trap '' XFSZ; ulimit -f 200; " +
                                            std::string(MCT_BINARY_DIR) + "/admin/mctctl " + data +
                                            "export --out '" + backup.string() + "') 2>&1");
  EXPECT_EQ(cut.exit_code, 1) << cut.out;
  EXPECT_EQ(cut.out.rfind("error: export failed: ", 0), 0u) << cut.out;
  EXPECT_EQ(ReadWhole(backup), whole);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(folder),
                          std::filesystem::directory_iterator()),
            1)
      << "no partial file left";
  // Through a symbolic link: the file it names is replaced, the link stays a link.
  const std::filesystem::path link = folder / "latest.ndjson";
  std::filesystem::create_symlink(backup, link);
  ASSERT_EQ(Mctctl(data + "export --out '" + link.string() + "'").exit_code, 0);
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_EQ(ReadWhole(backup), whole);
}

// /dev/stdout names whatever stdout is: a pipe gets the export alone (the summary goes to stderr),
// and a file a shell's `>>` opened is appended to, not emptied or replaced. A file replaced keeps
// its permissions (an export holds personal data: a 0600 one must not become 0644).
TEST_F(CliVerifyTest, AnExportByNameToStdoutOrOverAPrivateFileKeepsWhatWasThere) {
  const std::string mctctl = std::string(MCT_BINARY_DIR) + "/admin/mctctl " + Data();
  const std::string lines = std::to_string(3 * consumers::audit::EventsPerTrainer() + 1);
  const Outcome piped =
      testing::RunCapturing(mctctl + "export --out /dev/stdout 2>/dev/null | wc -l");
  EXPECT_EQ(piped.out, lines + "\n");
  const std::filesystem::path log = dir().parent_path() / "all.log";
  std::ofstream(log) << "kept\n";
  ASSERT_EQ(testing::RunCapturing(mctctl + "export --out /dev/stdout >> '" + log.string() +
                                  "' 2>/dev/null")
                .exit_code,
            0);
  const std::string appended = ReadWhole(log);
  EXPECT_EQ(appended.rfind("kept\n{", 0), 0u) << appended.substr(0, 80);
  const std::filesystem::path private_export = dir().parent_path() / "private.ndjson";
  std::ofstream(private_export) << "old\n";
  std::filesystem::permissions(
      private_export, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  ASSERT_EQ(Mctctl(Data() + "export --out '" + private_export.string() + "'").exit_code, 0);
  EXPECT_EQ(std::filesystem::status(private_export).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_NE(ReadWhole(private_export), "old\n");
}

// The data directory's files are the store's own: an export there (its CURRENT, say) is refused.
TEST_F(CliVerifyTest, AnExportIntoTheDataDirectoryIsRefused) {
  const Outcome run = Mctctl(Data() + "export --out '" + (dir() / "CURRENT").string() + "' 2>&1");
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("inside the data directory"), std::string::npos) << run.out;
  EXPECT_EQ(ReadWhole(dir() / "CURRENT").rfind("MANIFEST-", 0), 0u);
  EXPECT_EQ(Mctctl(Data() + "verify").exit_code, 0);
}

}  // namespace
}  // namespace mct::admin
