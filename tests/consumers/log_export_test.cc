// ExportLog and ImportLog on real RocksDB stores: an export restored into an empty directory is the
// same log byte for byte with the same read models (invariant 1) and verifies (invariant 6); bad
// input is refused naming its line and field, and then nothing is written (invariant 9).
#include "consumers/log_export.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "consumers/chain_verifier.h"
#include "consumers/codec.h"
#include "consumers/keys.h"
#include "domain/roles.h"
#include "tests/consumers/audit_fixture.h"

namespace mct::consumers {
namespace {

namespace fs = std::filesystem;
using audit::PlainDb;
using audit::TempDir;

std::string Export(const fs::path& dir) {
  auto db = RocksDb::Open(dir);
  EXPECT_TRUE(db.ok()) << db.error().message;
  std::ostringstream out;
  auto exported = ExportLog(*db.value(), out);
  EXPECT_TRUE(exported.ok()) << exported.error().message;
  return out.str();
}

Result<ImportStats> Import(const std::string& text, const fs::path& target) {
  std::istringstream in(text);
  return ImportLog(in, target);
}

// The lines of an export without its end line (an export cut short has none).
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  if (!lines.empty() && lines.back().find(kEndOfExport) != std::string::npos) lines.pop_back();
  return lines;
}

// `lines` as an export file: each line, then the end line counting the lines that are not blank.
std::string Joined(const std::vector<std::string>& lines) {
  std::string text;
  uint64_t events = 0;
  for (const std::string& line : lines) {
    text += line + "\n";
    if (line.find_first_not_of(" \t\r") != std::string::npos) ++events;
  }
  return text + EndOfExportLine(events);
}

nlohmann::ordered_json Parsed(const std::string& line) {
  return nlohmann::ordered_json::parse(line);
}

// Recomputes every prev_hash and hash in log order, as a forger who knows the scheme would: what
// is left to catch is what the chain cannot (a reused command id, a voucher redeemed twice).
std::vector<std::string> Rechained(const std::vector<std::string>& lines) {
  std::unordered_map<std::string, std::string> last_hash;
  std::vector<std::string> out;
  for (const std::string& line : lines) {
    Result<EventEnvelope> envelope =
        EventFromJson(nlohmann::json::parse(line), EnvelopeFields::kComplete);
    EXPECT_TRUE(envelope.ok()) << envelope.error().message;
    EventEnvelope event = envelope.value();
    event.prev_hash = last_hash[event.event.meta.mcid.str()];
    event.hash = ComputeEventHash(event);
    last_hash[event.event.meta.mcid.str()] = event.hash;
    out.push_back(ToJson(event).dump());
  }
  return out;
}

class LogExportTest : public ::testing::Test {
 protected:
  void MakeSource(int trainers) { source_checksum_ = audit::MakeStore(source(), trainers); }
  fs::path source() const { return dir_.path() / "source"; }
  fs::path target() const { return dir_.path() / "target"; }

  // A refused import left the target absent and nothing beside it (no staging directory).
  void ExpectNothingWritten() const {
    EXPECT_FALSE(fs::exists(target()));
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_.path())) {
      if (entry.path().filename() != "source") names.insert(entry.path().filename().string());
    }
    EXPECT_EQ(names, std::set<std::string>{});
  }

  // Imports `lines` and answers the error, expecting a refusal that wrote nothing.
  std::string Refusal(const std::vector<std::string>& lines) const {
    auto imported = Import(Joined(lines), target());
    EXPECT_FALSE(imported.ok());
    ExpectNothingWritten();
    return imported.ok() ? "" : imported.error().message;
  }

  TempDir dir_;
  std::string source_checksum_;
};

TEST_F(LogExportTest, RestoresTheSameBytesAndReadModels) {
  // More events than one restore batch (8192), so heads and command ids are also found on disk.
  constexpr int kTrainers = 450;
  MakeSource(kTrainers);
  const std::string exported = Export(source());
  ASSERT_EQ(Lines(exported).size(), kTrainers * audit::EventsPerTrainer());

  auto imported = Import(exported, target());
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(imported->events, kTrainers * audit::EventsPerTrainer());
  EXPECT_EQ(imported->streams, static_cast<uint64_t>(kTrainers));
  EXPECT_EQ(imported->checksum, source_checksum_);
  {
    PlainDb original(source());
    PlainDb restored(target());
    EXPECT_EQ(restored.Entries(kLogFamily), original.Entries(kLogFamily));
    EXPECT_EQ(restored.Entries(kStreamsFamily), original.Entries(kStreamsFamily));
    for (const std::string prefix : {"head/", "cmd/", "voucher/"}) {
      SCOPED_TRACE(prefix);
      const auto entries = restored.Entries(kMetaFamily, prefix);
      EXPECT_FALSE(entries.empty());
      EXPECT_EQ(entries, original.Entries(kMetaFamily, prefix));
    }
    // One past the highest order number in the log (the fixture's orders were never reserved
    // through the store, so the source's own counter says nothing here).
    std::string next_order;
    keys::PutBigEndian64(&next_order, 10000000 + (kTrainers - 1) * 10 + 2 + 1);
    EXPECT_EQ(restored.Get(kMetaFamily, std::string(keys::kNextOrder)), next_order);
  }
  {
    auto db = RocksDb::Open(target());
    ASSERT_TRUE(db.ok());
    auto report = VerifyLog(*db.value());
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->ok()) << DescribeBrokenLink(*report->broken);
    auto models = ReadModels::Open(*db.value());
    ASSERT_TRUE(models.ok());
    auto checksum = models.value()->Checksum();
    ASSERT_TRUE(checksum.ok());
    EXPECT_EQ(checksum.value(), source_checksum_);
  }
  EXPECT_EQ(Export(target()), exported);

  // A refusal on the very last line, after whole batches were written, still leaves nothing.
  std::vector<std::string> lines = Lines(exported);
  nlohmann::ordered_json last = Parsed(lines.back());
  last["at"] = "2030-01-01T00:00:00Z";
  lines.back() = last.dump();
  const fs::path second = dir_.path() / "second";
  auto refused = Import(Joined(lines), second);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message.rfind("line " + std::to_string(lines.size()) + ": ", 0), 0u)
      << refused.error().message;
  EXPECT_FALSE(fs::exists(second));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_.path()), fs::directory_iterator()), 2);
}

TEST_F(LogExportTest, WritesTheCodecJsonOfEachEventInLogOrderThenTheEndLine) {
  MakeSource(2);
  const std::string exported = Export(source());
  const std::vector<std::string> lines = Lines(exported);
  EXPECT_EQ(exported.substr(exported.rfind('\n', exported.size() - 2) + 1),
            "{\"end_of_export\":{\"events\":" + std::to_string(lines.size()) + "}}\n");
  auto db = RocksDb::Open(source());
  ASSERT_TRUE(db.ok());
  auto log = EventStore::Open(*db.value());
  ASSERT_TRUE(log.ok());
  auto events = log.value()->ReadLog(1, 1000);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(lines.size(), events->size());
  for (size_t index = 0; index < lines.size(); ++index) {
    EXPECT_EQ(lines[index], ToJson(events.value()[index]).dump());
    EXPECT_EQ(events.value()[index].global_position, index + 1);
  }
}

TEST_F(LogExportTest, ExportsDamagedTextAndImportRefusesIt) {
  MakeSource(2);
  {
    PlainDb plain(source());
    const std::string log_key = plain.LogKeyOf(audit::McidText(1), 6);
    std::string value = plain.Get(kLogFamily, log_key);
    const size_t offset = value.find("Contoso");
    ASSERT_NE(offset, std::string::npos);
    value[offset] = static_cast<char>(0xff);  // no longer UTF-8, still decodes
    ASSERT_TRUE(DecodeBinary(value).ok());
    plain.Put(kLogFamily, log_key, value);
  }
  const std::string exported = Export(source());
  EXPECT_NE(exported.find("\xEF\xBF\xBD"
                          "ontoso"),
            std::string::npos);  // U+FFFD in its place
  const std::string error = Refusal(Lines(exported));
  EXPECT_NE(error.find("trainer 1000002 version 6: hash does not match the event's content"),
            std::string::npos)
      << error;
}

// A running store exports up to its durable head: what is written but not yet synced is left out,
// and the file so cut is whole (its end line counts what it holds).
TEST_F(LogExportTest, ExportsUpToAGivenPositionAsAWholeFile) {
  MakeSource(1);
  auto db = RocksDb::Open(source());
  ASSERT_TRUE(db.ok());
  std::ostringstream out;
  auto exported = ExportLog(*db.value(), out, 5);
  ASSERT_TRUE(exported.ok()) << exported.error().message;
  EXPECT_EQ(exported.value(), 5u);
  EXPECT_EQ(Lines(out.str()).size(), 5u);
  db.value().reset();
  auto imported = Import(out.str(), target());
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(imported->events, 5u);
}

TEST_F(LogExportTest, ExportStopsAtAnEventThatDoesNotDecode) {
  MakeSource(1);
  {
    PlainDb plain(source());
    plain.Put(kLogFamily, keys::Position(3), "garbage");
  }
  auto db = RocksDb::Open(source());
  ASSERT_TRUE(db.ok());
  std::ostringstream out;
  auto exported = ExportLog(*db.value(), out);
  ASSERT_FALSE(exported.ok());
  EXPECT_NE(exported.error().message.find("event at position 3 cannot be read"), std::string::npos)
      << exported.error().message;
  EXPECT_EQ(Lines(out.str()).size(), 2u);
}

// Regression: a log with a hole, or a record copied under another position, exported as if whole
// (exit 0), leaving a backup no import takes, or one that hides the damage.
TEST_F(LogExportTest, ExportStopsAtAHoleOrARecordUnderAnotherPosition) {
  MakeSource(1);
  const uint64_t events = audit::EventsPerTrainer();
  {
    PlainDb plain(source());
    plain.Put(kLogFamily, keys::Position(events + 1), plain.Get(kLogFamily, keys::Position(5)));
  }
  auto exported = [&] {
    auto db = RocksDb::Open(source());
    EXPECT_TRUE(db.ok());
    std::ostringstream out;
    auto result = ExportLog(*db.value(), out);
    EXPECT_FALSE(result.ok());
    return std::make_pair(result.ok() ? "" : result.error().message, Lines(out.str()).size());
  };
  const auto [copied, copied_lines] = exported();
  EXPECT_NE(
      copied.find("the event at log position " + std::to_string(events + 1) + " says it is at 5"),
      std::string::npos)
      << copied;
  EXPECT_EQ(copied_lines, events);
  {
    PlainDb plain(source());
    plain.Delete(kLogFamily, keys::Position(events + 1));
    plain.Delete(kLogFamily, keys::Position(4));
  }
  const auto [hole, hole_lines] = exported();
  EXPECT_NE(hole.find("log position 4 is missing (the log goes on at 5)"), std::string::npos)
      << hole;
  EXPECT_EQ(hole_lines, 3u);
}

TEST_F(LogExportTest, ImportsIntoAnExistingEmptyDirectory) {
  MakeSource(2);
  fs::create_directories(target());
  auto imported = Import(Export(source()), target() / "");  // a trailing separator is the same
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(imported->checksum, source_checksum_);
  EXPECT_TRUE(fs::exists(target() / "CURRENT"));
}

// An import killed part-way leaves TARGET.importing-PID; the next import into that target removes
// it once its process is gone, and keeps one whose process runs (another import, maybe).
TEST_F(LogExportTest, RemovesTheStagingThatKilledImportsLeft) {
  MakeSource(1);
  pid_t gone = 4194303;
  while (::kill(gone, 0) == 0 || errno != ESRCH) --gone;
  fs::path left = target();
  left += ".importing-" + std::to_string(gone);
  fs::create_directories(left / "half-built");
  fs::path running = target();
  running += ".importing-1";  // init, always running
  fs::create_directories(running);
  auto imported = Import(Export(source()), target());
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_FALSE(fs::exists(left));
  EXPECT_EQ(imported->removed_leftovers, std::vector<std::string>{left.string()});
  EXPECT_TRUE(fs::exists(running));
  fs::remove_all(running);
}

TEST_F(LogExportTest, ImportsAnEmptyExportAsAnEmptyStore) {
  EXPECT_EQ(Export(source()), EndOfExportLine(0));
  auto imported = Import(EndOfExportLine(0), target());
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(imported->events, 0u);
  EXPECT_TRUE(fs::exists(target() / "CURRENT"));
}

TEST_F(LogExportTest, SkipsBlankLines) {
  MakeSource(1);
  std::vector<std::string> lines = Lines(Export(source()));
  lines.insert(lines.begin() + 2, "");
  lines.insert(lines.begin() + 4, "  \r");
  auto imported = Import(Joined(lines), target());
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(imported->checksum, source_checksum_);
}

TEST_F(LogExportTest, RefusesANonEmptyDirectory) {
  MakeSource(1);
  fs::create_directories(target());
  std::ofstream(target() / "notes.txt") << "keep me\n";
  auto imported = Import(Export(source()), target());
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.error().message,
            "the data directory " + target().string() +
                " is not empty (it holds notes.txt): import restores into an empty or absent "
                "directory only");
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(target())) names.insert(entry.path().filename());
  EXPECT_EQ(names, std::set<std::string>{"notes.txt"});
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_.path()), fs::directory_iterator()), 2);
}

TEST_F(LogExportTest, RefusesAFileAsTheDirectory) {
  std::ofstream(target()) << "not a directory\n";
  auto imported = Import("", target());
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.error().message, target().string() + " is not a directory");
}

TEST_F(LogExportTest, RefusesAMalformedLineNamingIt) {
  MakeSource(1);
  std::vector<std::string> lines = Lines(Export(source()));
  lines[2] = lines[2].substr(0, lines[2].size() / 2);
  const std::string error = Refusal(lines);
  EXPECT_EQ(error.rfind("line 3: not valid JSON: at column ", 0), 0u) << error;
}

// Which hash an auditor's tool would read from a line naming it twice is open: neither is taken.
TEST_F(LogExportTest, RefusesALineNamingAKeyTwice) {
  MakeSource(1);
  std::vector<std::string> lines = Lines(Export(source()));
  lines[1].insert(lines[1].size() - 1, ",\"hash\":\"" + std::string(64, '0') + "\"");
  EXPECT_EQ(Refusal(lines), "line 2: not valid JSON: hash: given twice");
}

TEST_F(LogExportTest, RefusesAnUnknownField) {
  MakeSource(1);
  std::vector<std::string> lines = Lines(Export(source()));
  nlohmann::ordered_json event = Parsed(lines[1]);
  event["colour"] = "blue";
  lines[1] = event.dump();
  EXPECT_EQ(Refusal(lines),
            "line 2: " + event["event"].get<std::string>() + ".colour: unknown field");
}

TEST_F(LogExportTest, RefusesAMissingHash) {
  MakeSource(1);
  std::vector<std::string> lines = Lines(Export(source()));
  nlohmann::ordered_json event = Parsed(lines[3]);
  event.erase("hash");
  lines[3] = event.dump();
  EXPECT_EQ(Refusal(lines), "line 4: " + event["event"].get<std::string>() + ".hash: missing");
}

TEST_F(LogExportTest, RefusesAChangedPayload) {
  MakeSource(2);
  std::vector<std::string> lines = Lines(Export(source()));
  nlohmann::ordered_json event = Parsed(lines[0]);
  ASSERT_EQ(event["event"], "TrainerEnrolled");
  event["email"] = "mallory@example.com";
  lines[0] = event.dump();
  EXPECT_EQ(Refusal(lines), "line 1: trainer " + event["mcid"].get<std::string>() +
                                " version 1: hash does not match the event's content");
}

TEST_F(LogExportTest, RefusesABrokenChain) {
  MakeSource(2);
  std::vector<std::string> lines = Lines(Export(source()));
  nlohmann::ordered_json event = Parsed(lines[6]);
  const std::string version = std::to_string(event["stream_version"].get<uint64_t>());
  event["prev_hash"] = std::string(64, 'a');
  lines[6] = event.dump();
  EXPECT_EQ(Refusal(lines), "line 7: trainer " + event["mcid"].get<std::string>() + " version " +
                                version + ": prev_hash does not match the hash of version " +
                                std::to_string(std::stoull(version) - 1));
}

TEST_F(LogExportTest, RefusesAPositionGap) {
  MakeSource(1);
  std::vector<std::string> lines = Lines(Export(source()));
  lines.erase(lines.begin() + 3);
  EXPECT_EQ(Refusal(lines),
            "line 4: global_position 5: expected 4 (positions run 1, 2, 3… in log order)");
}

TEST_F(LogExportTest, RefusesAStreamVersionGap) {
  MakeSource(1);
  std::vector<std::string> lines = Lines(Export(source()));
  for (size_t index = 4; index < lines.size(); ++index) {
    nlohmann::ordered_json event = Parsed(lines[index]);
    event["stream_version"] = event["stream_version"].get<uint64_t>() + 1;
    lines[index] = event.dump();
  }
  EXPECT_EQ(
      Refusal(Rechained(lines)),
      "line 5: trainer 1000001: stream_version 6: expected 5 (each trainer's versions run 1..n)");
}

TEST_F(LogExportTest, RefusesACommandIdUsedTwice) {
  MakeSource(2);
  std::vector<std::string> lines = Lines(Export(source()));
  const std::string first_command = Parsed(lines[0])["command_id"];
  nlohmann::ordered_json event = Parsed(lines[9]);
  ASSERT_NE(event["command_id"], first_command);
  event["command_id"] = first_command;
  lines[9] = event.dump();
  const std::string error = Refusal(Rechained(lines));
  EXPECT_EQ(error.rfind("line 10: trainer ", 0), 0u) << error;
  EXPECT_NE(error.find(": command_id '" + first_command + "' was used by an earlier command"),
            std::string::npos)
      << error;
}

TEST_F(LogExportTest, RefusesAVoucherRedeemedTwice) {
  MakeSource(2);
  std::vector<std::string> lines = Lines(Export(source()));
  std::vector<size_t> payments;
  for (size_t index = 0; index < lines.size(); ++index) {
    if (Parsed(lines[index])["event"] == "PaymentPlaced") payments.push_back(index);
  }
  const nlohmann::ordered_json first = Parsed(lines[payments.at(0)]);
  // The first payment of the other trainer redeems the same voucher again.
  size_t later_line = 0;
  for (const size_t index : payments) {
    if (Parsed(lines[index])["mcid"] != first["mcid"]) {
      later_line = index;
      break;
    }
  }
  ASSERT_NE(later_line, 0u);
  nlohmann::ordered_json later = Parsed(lines[later_line]);
  later["voucher_code"] = first["voucher_code"];
  lines[later_line] = later.dump();
  const std::string error = Refusal(Rechained(lines));
  EXPECT_NE(error.find("voucher '" + first["voucher_code"].get<std::string>() +
                       "' was redeemed by an earlier order; a voucher redeems once (PAY-2)"),
            std::string::npos)
      << error;
  EXPECT_EQ(error.rfind("line " + std::to_string(later_line + 1) + ": ", 0), 0u) << error;
}

TEST_F(LogExportTest, RefusesAnOversizedLine) {
  const std::string error = Refusal({std::string(2 << 20, ' ') + "{}"});
  EXPECT_EQ(error, "line 1: longer than 1 MiB: not an exported event");
}

// A line without end ('x' for ever, as a damaged or hostile file may hold): refused once 1 MiB of
// it is read, not read into memory whole first (regression: std::getline held all of it).
TEST_F(LogExportTest, AnEndlessLineIsRefusedWithoutReadingItWhole) {
  class EndlessLine : public std::streambuf {
   public:
    size_t served = 0;

   protected:
    int_type underflow() override {
      chunk_.fill('x');
      setg(chunk_.data(), chunk_.data(), chunk_.data() + chunk_.size());
      served += chunk_.size();
      return traits_type::to_int_type('x');
    }

   private:
    std::array<char, 4096> chunk_{};
  };
  EndlessLine endless;
  std::istream in(&endless);
  auto imported = ImportLog(in, target());
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.error().message, "line 1: longer than 1 MiB: not an exported event");
  EXPECT_LT(endless.served, size_t{2} << 20);
  ExpectNothingWritten();
}

// The hashes prove a file was not altered after it was written, not that a store wrote it: a
// forger can compute them (Rechained). What the write path guarantees of a stream is checked too.
TEST_F(LogExportTest, RefusesAStreamThatDoesNotOpenWithItsEnrolment) {
  MakeSource(1);
  std::vector<std::string> lines = Lines(Export(source()));
  ASSERT_EQ(Parsed(lines[0])["event"], "TrainerEnrolled");
  lines.erase(lines.begin());
  for (std::string& line : lines) {
    nlohmann::ordered_json event = Parsed(line);
    event["global_position"] = event["global_position"].get<uint64_t>() - 1;
    event["stream_version"] = event["stream_version"].get<uint64_t>() - 1;
    line = event.dump();
  }
  const std::string error = Refusal(Rechained(lines));
  EXPECT_EQ(error.rfind("line 1: trainer 1000001 version 1: the stream does not open with "
                        "TrainerEnrolled",
                        0),
            0u)
      << error;
}

TEST_F(LogExportTest, RefusesASecondEnrolmentAnEventOutOfTimeOrderAndForgedActors) {
  MakeSource(1);
  const std::vector<std::string> exported = Lines(Export(source()));
  // The last event again, changed by `change`, as one more event of the log.
  auto with_one_more = [&](const std::function<void(nlohmann::ordered_json&)>& change) {
    std::vector<std::string> lines = exported;
    nlohmann::ordered_json event = Parsed(exported.back());
    event["global_position"] = exported.size() + 1;
    event["stream_version"] = event["stream_version"].get<uint64_t>() + 1;
    event["command_id"] = "forged";
    change(event);
    lines.push_back(event.dump());
    return Refusal(Rechained(lines));
  };
  const std::string where = "line " + std::to_string(exported.size() + 1) +
                            ": trainer 1000001 version " + std::to_string(exported.size() + 1) +
                            ": ";
  const nlohmann::ordered_json first = Parsed(exported.front());
  EXPECT_EQ(with_one_more([&](nlohmann::ordered_json& event) {
              event = [&] {
                nlohmann::ordered_json enrolment = first;
                enrolment["global_position"] = event["global_position"];
                enrolment["stream_version"] = event["stream_version"];
                enrolment["command_id"] = "forged";
                enrolment["at"] = event["at"];
                return enrolment;
              }();
            }),
            where + "a second TrainerEnrolled in the stream");
  EXPECT_EQ(with_one_more([&](nlohmann::ordered_json& event) { event["at"] = first["at"]; })
                .rfind(where + "at " + first["at"].get<std::string>() +
                           " is before the stream's previous event",
                       0),
            0u);
  EXPECT_EQ(with_one_more([](nlohmann::ordered_json& event) {
              event["actor"] = {{"role", "trainer"}, {"id", "2000002"}};
            }),
            where + "the trainer 2000002 acted on another trainer's stream (ROLE-1)");
  EXPECT_EQ(with_one_more([](nlohmann::ordered_json& event) {
              event["actor"] = {{"role", "auditor"}, {"id", "a1"}};
            }),
            where + "an auditor wrote an event (ROLE-4)");
  // A role that may not send the command writing the last event (ROLE-1..3), for one.
  {
    const Result<EventEnvelope> last =
        EventFromJson(Parsed(exported.back()), EnvelopeFields::kComplete);
    ASSERT_TRUE(last.ok()) << last.error().message;
    const std::string_view command = domain::CommandWriting(last->event.payload);
    std::optional<domain::Actor> refused;
    for (const domain::Actor& actor : {domain::Actor{domain::Role::kSystem, "member-site"},
                                       domain::Actor{domain::Role::kSupport, "support-7"},
                                       domain::Actor{domain::Role::kTrainer, "1000001"}}) {
      if (!refused && !domain::RoleMaySend(actor.role, command)) refused = actor;
    }
    ASSERT_TRUE(refused.has_value()) << "every role may send " << command;
    EXPECT_EQ(with_one_more([&](nlohmann::ordered_json& event) {
                event["actor"] = {{"role", domain::ToString(refused->role)}, {"id", refused->id}};
              }),
              where + "a " + std::string(domain::ToString(refused->role)) + " (" + refused->id +
                  ") wrote " + std::string(domain::EventName(last->event.payload)) +
                  ", which only a role that may send " + std::string(command) +
                  " writes (ROLE-1..3)");
  }
  // Regression: these were restored, and an event dated 9999 made every later command of the
  // trainer be placed there.
  EXPECT_EQ(with_one_more([](nlohmann::ordered_json& event) {
              event["actor"] = {{"role", "support"}, {"id", ""}};
            }),
            where + "the event has no actor id (AUDIT-1)");
  EXPECT_EQ(with_one_more([](nlohmann::ordered_json& event) { event["command_id"] = ""; }),
            where + "the event has no command_id (invariant 5)");
  const std::string future =
      with_one_more([](nlohmann::ordered_json& event) { event["at"] = "9999-12-31T23:59:59Z"; });
  EXPECT_EQ(future.rfind(where + "at 9999-12-31T23:59:59", 0), 0u) << future;
  EXPECT_NE(future.find("is in the future"), std::string::npos) << future;
}

// An `at` to the microsecond: the hash covers milliseconds, so it would be cut without a word and
// the restored log would not export to the same bytes.
TEST_F(LogExportTest, RefusesALineThatIsNotWhatTheExportWrites) {
  MakeSource(1);
  std::vector<std::string> lines = Lines(Export(source()));
  nlohmann::ordered_json event = Parsed(lines[2]);
  std::string at = event["at"];
  ASSERT_EQ(at.back(), 'Z');
  at.insert(at.size() - 1, at.find('.') == std::string::npos ? ".0004" : "4");
  event["at"] = at;
  lines[2] = event.dump();
  const std::string error = Refusal(lines);
  EXPECT_EQ(
      error.rfind("line 3: at: \"" + at + "\" is not what the export writes for this event", 0), 0u)
      << error;
}

// Time order is checked against a stream's last event written in an earlier batch too, not only
// against the batch in memory.
TEST_F(LogExportTest, RefusesAnEventBeforeItsStreamsLatestAcrossBatches) {
  std::vector<std::string> lines;
  std::string last_hash;
  const int64_t start = 1488362400000;  // 2017-03-01T10:00:00Z
  auto add = [&](domain::Event event, int64_t at_millis) {
    EventEnvelope envelope;
    envelope.global_position = lines.size() + 1;
    envelope.stream_version = lines.size() + 1;
    envelope.event.meta.mcid = *domain::Mcid::Parse("1000001");
    envelope.event.meta.at = domain::Instant::FromMillis(at_millis);
    envelope.event.meta.actor = {domain::Role::kSystem, "mtm"};
    envelope.event.meta.command_id = "c-" + std::to_string(lines.size() + 1);
    envelope.event.meta.correlation_id = envelope.event.meta.command_id;
    envelope.event.meta.causation_id = envelope.event.meta.command_id;
    envelope.event.payload = std::move(event);
    envelope.prev_hash = last_hash;
    envelope.hash = ComputeEventHash(envelope);
    last_hash = envelope.hash;
    lines.push_back(ToJson(envelope).dump());
  };
  add(domain::TrainerEnrolled{"Hanako Sato", "hanako@example.jp",
                              *domain::Date::Parse("2017-05-01")},
      start);
  // The import writes 8,192 events a batch: the next event is the first of the second batch.
  for (int64_t i = 1; i < 8192; ++i) {
    add(domain::MtmSurveyRecorded{"20410D", *domain::Date::Parse("2017-02-10"), 8.5}, start + i);
  }
  ASSERT_TRUE(Import(Joined(lines), target()).ok()) << "in order, it is a log";
  fs::remove_all(target());
  add(domain::MtmSurveyRecorded{"20410D", *domain::Date::Parse("2017-02-10"), 8.5}, start + 8190);
  const std::string error = Refusal(lines);
  EXPECT_EQ(error.rfind("line 8193: trainer 1000001 version 8193: at 2017-03-01T10:00:08.190Z is "
                        "before the stream's previous event (2017-03-01T10:00:08.191Z)",
                        0),
            0u)
      << error;
}

// Regression: a refused import into a/b/target left a/ and a/b/ behind.
TEST_F(LogExportTest, ARefusedImportRemovesTheFoldersItCreated) {
  const fs::path deep = dir_.path() / "a" / "b" / "target";
  auto imported = Import("not json\n", deep);
  EXPECT_FALSE(imported.ok());
  EXPECT_FALSE(fs::exists(dir_.path() / "a"));
}

// Regression: --data naming a link to an empty folder passed the checks, and the import failed
// only at the end, renaming onto the link.
TEST_F(LogExportTest, ImportsIntoTheFolderALinkNames) {
  MakeSource(1);
  const std::string text = Export(source());
  fs::create_directory(dir_.path() / "real");
  fs::create_directory_symlink(dir_.path() / "real", dir_.path() / "link");
  auto imported = Import(text, dir_.path() / "link");
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_TRUE(fs::is_symlink(dir_.path() / "link"));
  EXPECT_EQ(Export(dir_.path() / "real"), text);
}

// Regression: an export cut at the end of a line (a download cut short, a file truncated) was
// restored as a shorter log without a word.
TEST_F(LogExportTest, RefusesAnExportCutShortOrMiscounted) {
  MakeSource(1);
  const std::string exported = Export(source());
  std::vector<std::string> lines = Lines(exported);
  std::string cut;
  for (size_t index = 0; index + 1 < lines.size(); ++index) cut += lines[index] + "\n";
  EXPECT_EQ(Import(cut, target())
                .error()
                .message.rfind("the export ends after line " + std::to_string(lines.size() - 1) +
                                   " without its end line",
                               0),
            0u);
  ExpectNothingWritten();
  EXPECT_NE(Import("", target()).error().message.find("it was cut short"), std::string::npos);
  ExpectNothingWritten();
  // An end line that miscounts: lines were removed (by a forger who rechained the rest).
  std::string miscounted;
  for (size_t index = 0; index + 1 < lines.size(); ++index) miscounted += lines[index] + "\n";
  miscounted += EndOfExportLine(lines.size());
  const std::string error = Import(miscounted, target()).error().message;
  EXPECT_EQ(error, "line " + std::to_string(lines.size()) + ": the end line counts " +
                       std::to_string(lines.size()) + " events, the export holds " +
                       std::to_string(lines.size() - 1) + ": lines were removed or added");
  ExpectNothingWritten();
  // Anything but blank lines after the end line.
  EXPECT_EQ(Import(exported + "\n" + lines.front() + "\n", target()).error().message,
            "line " + std::to_string(lines.size() + 3) + ": after the export's end line");
  ExpectNothingWritten();
  EXPECT_EQ(Import(exported + "\n  \n", target()).ok(), true);
}

// An export written before exports had an end line, and before the store kept every stream in
// time order, imports only when asked for with ImportOptions::legacy; everything else is checked
// still.
TEST_F(LogExportTest, ImportsALegacyExportOnlyWhenAskedTo) {
  MakeSource(1);
  std::vector<std::string> lines = Lines(Export(source()));
  std::string whole;
  for (const std::string& line : lines) whole += line + "\n";
  EXPECT_NE(Import(whole, target()).error().message.find("import --legacy"), std::string::npos);
  ExpectNothingWritten();
  nlohmann::ordered_json last = Parsed(lines.back());
  last["at"] = Parsed(lines.front())["at"];  // before the stream's previous event
  lines.back() = last.dump();
  lines = Rechained(lines);
  std::string legacy;
  for (const std::string& line : lines) legacy += line + "\n";
  EXPECT_NE(Import(legacy, target()).error().message.find("before the stream's previous event"),
            std::string::npos);
  ExpectNothingWritten();
  std::istringstream in(legacy);
  auto imported = ImportLog(in, target(), ImportOptions{.legacy = true});
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(imported->events, lines.size());
  // A broken chain is refused however old the export.
  fs::remove_all(target());
  nlohmann::ordered_json changed = Parsed(lines[1]);
  changed["command_id"] = "changed";
  lines[1] = changed.dump();
  std::string broken;
  for (const std::string& line : lines) broken += line + "\n";
  std::istringstream broken_in(broken);
  EXPECT_FALSE(ImportLog(broken_in, target(), ImportOptions{.legacy = true}).ok());
  ExpectNothingWritten();
}

// Input whose reading puts a file where another import, running beside this one, would put its
// own: in a folder both found absent and created.
class ReadingWritesBeside : public std::streambuf {
 public:
  explicit ReadingWritesBeside(fs::path beside) : beside_(std::move(beside)) {}

 protected:
  int_type underflow() override {
    fs::create_directories(beside_.parent_path());
    std::ofstream(beside_) << "another import's\n";
    return traits_type::eof();
  }

 private:
  fs::path beside_;
};

// Regression: a refused import removed the folders it had created above its target with all
// they held, including what another import had put there meanwhile.
TEST_F(LogExportTest, ARefusedImportKeepsWhatAnotherPutInTheFoldersItCreated) {
  const fs::path other = dir_.path() / "new" / "other" / "data";
  ReadingWritesBeside input(other);
  std::istream in(&input);
  auto imported = ImportLog(in, dir_.path() / "new" / "mine" / "target");
  ASSERT_FALSE(imported.ok());
  EXPECT_TRUE(fs::exists(other));
  EXPECT_FALSE(fs::exists(dir_.path() / "new" / "mine"));
}

}  // namespace
}  // namespace mct::consumers
