// Log checkpoints (chain_verifier.h): the digest VerifyLog reports is the documented text's,
// recomputed here from an export alone; a checkpoint recorded earlier still holds after the log
// grows; and a history rewritten with every hash recomputed, which the chains cannot tell, fails
// the checkpoint taken before the rewrite, as does a log that lost events.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "consumers/chain_verifier.h"
#include "consumers/codec.h"
#include "consumers/log_export.h"
#include "domain/sha256.h"
#include "tests/consumers/audit_fixture.h"

namespace mct::consumers {
namespace {

using audit::TempDir;

constexpr int kTrainers = 4;

VerifyReport Verify(const std::filesystem::path& dir, std::optional<Checkpoint> recorded = {}) {
  auto db = RocksDb::Open(dir);
  EXPECT_TRUE(db.ok()) << db.error().message;
  auto report = VerifyLog(*db.value(), std::move(recorded));
  EXPECT_TRUE(report.ok()) << report.error().message;
  return report.ok() ? report.value() : VerifyReport{};
}

// The export's event lines, parsed (the end line left out).
std::vector<nlohmann::json> ExportedEvents(const std::filesystem::path& dir) {
  auto db = RocksDb::Open(dir);
  EXPECT_TRUE(db.ok());
  std::ostringstream out;
  EXPECT_TRUE(ExportLog(*db.value(), out).ok());
  std::vector<nlohmann::json> events;
  std::istringstream lines(out.str());
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json json = nlohmann::json::parse(line);
    if (!json.contains(kEndOfExport)) events.push_back(std::move(json));
  }
  return events;
}

// The checkpoint digest as the README tells an auditor to compute it from an export.
std::string DigestFromExport(const std::vector<nlohmann::json>& events, uint64_t position) {
  std::map<std::string, std::pair<uint64_t, std::string>> latest;  // by MCID, byte order
  for (const nlohmann::json& event : events) {
    if (event["global_position"].get<uint64_t>() > position) continue;
    auto& [version, hash] = latest[event["mcid"].get<std::string>()];
    if (event["stream_version"].get<uint64_t>() > version) {
      version = event["stream_version"].get<uint64_t>();
      hash = event["hash"].get<std::string>();
    }
  }
  std::string text = "mct-log-checkpoint 1\n";
  for (const auto& [mcid, last] : latest) {
    text += mcid + " " + std::to_string(last.first) + " " + last.second + "\n";
  }
  return domain::Sha256Hex(text + "position " + std::to_string(position) + "\n");
}

TEST(LogCheckpoint, IsTheDigestOfTheDocumentedTextOfAnExport) {
  TempDir dir;
  audit::MakeStore(dir.path(), kTrainers);
  const std::vector<nlohmann::json> events = ExportedEvents(dir.path());
  const uint64_t total = events.size();
  ASSERT_EQ(total, kTrainers * audit::EventsPerTrainer());

  const VerifyReport report = Verify(dir.path());
  ASSERT_TRUE(report.ok());
  ASSERT_TRUE(report.checkpoint.has_value());
  EXPECT_EQ(report.checkpoint->position, total);
  EXPECT_EQ(report.checkpoint->digest, DigestFromExport(events, total));
  EXPECT_FALSE(report.recorded_checkpoint_holds.has_value());  // none was given

  for (const uint64_t position : {uint64_t{1}, uint64_t{7}, total / 2, total - 1, total}) {
    const Checkpoint recorded{position, DigestFromExport(events, position)};
    const VerifyReport checked = Verify(dir.path(), recorded);
    EXPECT_TRUE(checked.ok()) << position << ": " << DescribeBrokenLink(*checked.broken);
    EXPECT_EQ(checked.recorded_checkpoint_holds, true) << position;
  }
  // Digests of different prefixes differ.
  EXPECT_NE(DigestFromExport(events, total - 1), DigestFromExport(events, total));
}

TEST(LogCheckpoint, HoldsAfterTheLogGrows) {
  TempDir dir;
  audit::MakeStore(dir.path(), kTrainers);
  const Checkpoint before = *Verify(dir.path()).checkpoint;
  {
    auto db = RocksDb::Open(dir.path());
    ASSERT_TRUE(db.ok());
    auto log = EventStore::Open(*db.value(), StoreOptions{.sync = false});
    ASSERT_TRUE(log.ok());
    AppendRequest request;
    request.meta.mcid = samples::McidOf(audit::McidText(kTrainers));
    request.meta.at = domain::Instant::FromMillis(1488359100000);
    request.meta.actor.role = domain::Role::kSupport;
    request.meta.actor.id = "support-7";
    request.meta.command_id = "grows-1";
    request.events = {audit::TrainerHistory(kTrainers).front()};
    auto outcome = log.value()->Append(std::move(request));
    ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  }
  const VerifyReport after = Verify(dir.path(), before);
  EXPECT_TRUE(after.ok()) << DescribeBrokenLink(*after.broken);
  EXPECT_EQ(after.recorded_checkpoint_holds, true);
  EXPECT_EQ(after.checkpoint->position, before.position + 1);
  EXPECT_NE(after.checkpoint->digest, before.digest);
}

// What a forger with write access could do: change an event and recompute its hash and every hash
// after it in the stream, then restore that log. The chains hold; the checkpoint does not.
TEST(LogCheckpoint, ARewrittenHistoryPassesTheChainsButFailsTheCheckpoint) {
  TempDir original;
  audit::MakeStore(original.path(), kTrainers);
  const Checkpoint recorded = *Verify(original.path()).checkpoint;

  std::vector<nlohmann::json> events = ExportedEvents(original.path());
  const std::string victim = audit::McidText(2);
  std::string previous_hash;
  bool changed = false;
  std::string forged;
  for (nlohmann::json& json : events) {
    auto decoded = EventFromJson(json, EnvelopeFields::kComplete);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EventEnvelope envelope = decoded.value();
    if (envelope.event.meta.mcid.str() == victim) {
      if (!changed && envelope.event.meta.actor.id == "support-7") {
        envelope.event.meta.actor.id = "support-8";  // who did it, rewritten
        changed = true;
      }
      envelope.prev_hash = previous_hash;
      envelope.hash = ComputeEventHash(envelope);
      previous_hash = envelope.hash;
    }
    forged += ToJson(envelope).dump() + "\n";
  }
  ASSERT_TRUE(changed);
  forged += EndOfExportLine(events.size());
  TempDir rewritten;
  std::filesystem::remove(rewritten.path());
  std::istringstream in(forged);
  auto imported = ImportLog(in, rewritten.path());
  ASSERT_TRUE(imported.ok()) << imported.error().message;

  const VerifyReport chains = Verify(rewritten.path());
  EXPECT_TRUE(chains.ok()) << "the forger's hashes hold: " << DescribeBrokenLink(*chains.broken);
  const VerifyReport checked = Verify(rewritten.path(), recorded);
  EXPECT_EQ(checked.recorded_checkpoint_holds, false);
  ASSERT_TRUE(checked.broken.has_value());
  EXPECT_EQ(checked.broken->position, recorded.position);
  EXPECT_NE(checked.broken->problem.find("was changed since the checkpoint"), std::string::npos)
      << checked.broken->problem;
  // A checkpoint taken before the trainer's first event still holds: the change is after it.
  const uint64_t first_of_victim = [&] {
    for (const nlohmann::json& json : events) {
      if (json["mcid"] == victim) return json["global_position"].get<uint64_t>();
    }
    return uint64_t{0};
  }();
  ASSERT_GT(first_of_victim, 1u);
  const std::vector<nlohmann::json> untouched = ExportedEvents(original.path());
  const Checkpoint earlier{first_of_victim - 1, DigestFromExport(untouched, first_of_victim - 1)};
  EXPECT_EQ(Verify(rewritten.path(), earlier).recorded_checkpoint_holds, true);
}

TEST(LogCheckpoint, ALogShorterThanTheCheckpointLostEvents) {
  TempDir dir;
  audit::MakeStore(dir.path(), kTrainers);
  Checkpoint beyond = *Verify(dir.path()).checkpoint;
  beyond.position += 5;
  const VerifyReport report = Verify(dir.path(), beyond);
  EXPECT_EQ(report.recorded_checkpoint_holds, false);
  ASSERT_TRUE(report.broken.has_value());
  EXPECT_NE(report.broken->problem.find("events were removed"), std::string::npos)
      << report.broken->problem;
}

TEST(LogCheckpoint, IsReadAsPositionColonDigest) {
  const std::string digest(64, 'a');
  EXPECT_EQ(ParseCheckpoint("12:" + digest), (Checkpoint{12, digest}));
  EXPECT_EQ(ParseCheckpoint("12:" + std::string(64, 'A')), (Checkpoint{12, digest}));
  for (const std::string& bad :
       {std::string("12"), "0:" + digest, "-1:" + digest, "x:" + digest, ":" + digest,
        "12:" + digest.substr(1), "12:" + digest + "0", "12:" + std::string(64, 'g'),
        "12 :" + digest, "99999999999999999999999:" + digest}) {
    EXPECT_FALSE(ParseCheckpoint(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace mct::consumers
