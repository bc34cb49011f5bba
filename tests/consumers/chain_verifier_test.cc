// VerifyLog on a real RocksDB store (architecture invariant 6): an intact log verifies, and each
// kind of tampering done with plain RocksDB behind the store's back is named as the first broken
// link, with its trainer and version.
#include "consumers/chain_verifier.h"

#include <gtest/gtest.h>

#include <string>

#include "consumers/keys.h"
#include "domain/sha256.h"
#include "tests/consumers/audit_fixture.h"

namespace mct::consumers {
namespace {

using audit::McidText;
using audit::PlainDb;
using audit::TempDir;

constexpr int kTrainers = 5;

VerifyReport Verify(const std::filesystem::path& dir) {
  auto db = RocksDb::Open(dir);
  EXPECT_TRUE(db.ok()) << db.error().message;
  auto report = VerifyLog(*db.value());
  EXPECT_TRUE(report.ok()) << report.error().message;
  return report.ok() ? report.value() : VerifyReport{};
}

// The broken link as one line, to compare whole.
std::string Broken(const VerifyReport& report) {
  return report.broken ? DescribeBrokenLink(*report.broken) : "every chain holds";
}

class ChainVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override { audit::MakeStore(dir_.path(), kTrainers); }
  const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  TempDir dir_;
};

TEST_F(ChainVerifierTest, PassesOnAnIntactLog) {
  const VerifyReport report = Verify(dir());
  EXPECT_EQ(Broken(report), "every chain holds");
  EXPECT_EQ(report.events_checked, kTrainers * audit::EventsPerTrainer());
  EXPECT_EQ(report.streams_checked, static_cast<uint64_t>(kTrainers));
}

TEST(ChainVerifier, PassesOnAnEmptyStore) {
  TempDir dir;
  const VerifyReport report = Verify(dir.path());
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.events_checked, 0u);
  EXPECT_EQ(report.streams_checked, 0u);
}

TEST_F(ChainVerifierTest, NamesAFlippedByteInAPayloadName) {
  {
    PlainDb plain(dir());
    const std::string log_key = plain.LogKeyOf(McidText(2), 6);  // ExceptionFiled
    std::string value = plain.Get(kLogFamily, log_key);
    const size_t offset = value.find("Contoso Learning");
    ASSERT_NE(offset, std::string::npos);
    value[offset] ^= 0x02;  // 'C' → 'A': still text, still decodes
    ASSERT_TRUE(DecodeBinary(value).ok());
    plain.Put(kLogFamily, log_key, value);
  }
  const VerifyReport report = Verify(dir());
  EXPECT_EQ(Broken(report), "trainer 1000003 version 6: hash does not match the event's content");
  ASSERT_TRUE(report.broken);
  EXPECT_EQ(report.broken->mcid, "1000003");
  EXPECT_EQ(report.broken->version, 6u);
  // Everything before it in MCID order held: two whole streams and five events of the third.
  EXPECT_EQ(report.events_checked, 2 * audit::EventsPerTrainer() + 5);
}

TEST_F(ChainVerifierTest, NamesAFlippedByteThatBreaksDecoding) {
  uint64_t position = 0;
  {
    PlainDb plain(dir());
    const std::string log_key = plain.LogKeyOf(McidText(1), 3);
    position = keys::ReadBigEndian64(log_key);
    std::string value = plain.Get(kLogFamily, log_key);
    value[1] ^= 0x40;  // the format version byte
    ASSERT_FALSE(DecodeBinary(value).ok());
    plain.Put(kLogFamily, log_key, value);
  }
  const VerifyReport report = Verify(dir());
  EXPECT_EQ(Broken(report), "trainer 1000002 version 3: the event at log position " +
                                std::to_string(position) +
                                " cannot be decoded: unknown format version 65 at byte 1; this "
                                "build reads version 1");
}

TEST_F(ChainVerifierTest, NamesATruncatedValue) {
  {
    PlainDb plain(dir());
    const std::string log_key = plain.LogKeyOf(McidText(4), 9);
    std::string value = plain.Get(kLogFamily, log_key);
    plain.Put(kLogFamily, log_key, value.substr(0, value.size() / 2));
  }
  const VerifyReport report = Verify(dir());
  ASSERT_TRUE(report.broken);
  EXPECT_EQ(report.broken->mcid, "1000005");
  EXPECT_EQ(report.broken->version, 9u);
  EXPECT_NE(report.broken->problem.find("cannot be decoded"), std::string::npos) << Broken(report);
}

TEST_F(ChainVerifierTest, NamesADeletedEvent) {
  uint64_t position = 0;
  {
    PlainDb plain(dir());
    const std::string log_key = plain.LogKeyOf(McidText(3), 4);
    position = keys::ReadBigEndian64(log_key);
    plain.Delete(kLogFamily, log_key);
  }
  EXPECT_EQ(Broken(Verify(dir())), "trainer 1000004 version 4: the event at log position " +
                                       std::to_string(position) + " is missing from the log");
}

TEST_F(ChainVerifierTest, NamesADeletedEventAndItsIndexEntry) {
  {
    PlainDb plain(dir());
    plain.Delete(kLogFamily, plain.LogKeyOf(McidText(0), 7));
    plain.Delete(kStreamsFamily, keys::StreamEntry(McidText(0), 7));
  }
  EXPECT_EQ(Broken(Verify(dir())),
            "trainer 1000001 version 7: version 7 is missing from the stream index (the next "
            "entry is version 8)");
}

TEST_F(ChainVerifierTest, NamesAChangedPrevHash) {
  {
    PlainDb plain(dir());
    const std::string log_key = plain.LogKeyOf(McidText(1), 5);
    Result<EventEnvelope> event = DecodeBinary(plain.Get(kLogFamily, log_key));
    ASSERT_TRUE(event.ok());
    EventEnvelope forged = event.value();
    forged.prev_hash = domain::Sha256Hex("a forged predecessor");
    plain.Put(kLogFamily, log_key, EncodeBinary(forged));
  }
  EXPECT_EQ(Broken(Verify(dir())),
            "trainer 1000002 version 5: prev_hash does not match the hash of version 4");
}

TEST_F(ChainVerifierTest, ARehashedForgeryBreaksTheNextLink) {
  {
    PlainDb plain(dir());
    const std::string log_key = plain.LogKeyOf(McidText(2), 1);
    Result<EventEnvelope> event = DecodeBinary(plain.Get(kLogFamily, log_key));
    ASSERT_TRUE(event.ok());
    EventEnvelope forged = event.value();
    std::get<domain::TrainerEnrolled>(forged.event.payload).email = "mallory@example.com";
    forged.hash = ComputeEventHash(forged);  // the forger recomputes this event's own hash
    plain.Put(kLogFamily, log_key, EncodeBinary(forged));
  }
  EXPECT_EQ(Broken(Verify(dir())),
            "trainer 1000003 version 2: prev_hash does not match the hash of version 1");
}

// PAY-2 across the log: a voucher payment must be the one the store's record of redeemed vouchers
// names. A record naming another order (a second redemption, as a rewritten chain would carry) or
// none is a broken link at that payment (regression: verify passed such a log, which import then
// refused).
TEST_F(ChainVerifierTest, NamesAVoucherPaymentTheVoucherRecordDoesNotName) {
  std::string voucher_key;
  uint64_t version = 0;
  std::string order;
  {
    PlainDb plain(dir());
    for (uint64_t at = 1; at <= audit::EventsPerTrainer() && voucher_key.empty(); ++at) {
      Result<EventEnvelope> event =
          DecodeBinary(plain.Get(kLogFamily, plain.LogKeyOf(McidText(1), at)));
      ASSERT_TRUE(event.ok());
      const auto* paid = std::get_if<domain::PaymentPlaced>(&event->event.payload);
      if (paid == nullptr || paid->voucher_code.empty()) continue;
      voucher_key = keys::Voucher(paid->voucher_code);
      version = at;
      order = paid->order_id;
    }
    ASSERT_FALSE(voucher_key.empty()) << "the sample history redeems a voucher";
    ASSERT_EQ(plain.Get(kMetaFamily, voucher_key), McidText(1) + '\0' + order);
    plain.Put(kMetaFamily, voucher_key, McidText(3) + '\0' + "CT10000031");
  }
  const std::string where = "trainer 1000002 version " + std::to_string(version) + ": ";
  const std::string broken = Broken(Verify(dir()));
  EXPECT_EQ(broken.rfind(where, 0), 0u) << broken;
  EXPECT_NE(broken.find("was redeemed by another order (CT10000031 of trainer 1000004): a voucher "
                        "redeems once (PAY-2)"),
            std::string::npos)
      << broken;
  {
    PlainDb plain(dir());
    plain.Delete(kMetaFamily, voucher_key);
  }
  const std::string unrecorded = Broken(Verify(dir()));
  EXPECT_EQ(unrecorded.rfind(where, 0), 0u) << unrecorded;
  EXPECT_NE(unrecorded.find("is not in the store's record of redeemed vouchers"), std::string::npos)
      << unrecorded;
}

TEST_F(ChainVerifierTest, NamesAHeadThatDoesNotMatchTheLastEvent) {
  {
    PlainDb plain(dir());
    std::string head = plain.Get(kMetaFamily, keys::Head(McidText(4)));
    head.back() = head.back() == '0' ? '1' : '0';
    plain.Put(kMetaFamily, keys::Head(McidText(4)), head);
  }
  EXPECT_EQ(Broken(Verify(dir())),
            "trainer 1000005 version " + std::to_string(audit::EventsPerTrainer()) +
                ": the head in meta does not match the hash of the stream's last event");
}

TEST_F(ChainVerifierTest, NamesAHeadWithoutAStream) {
  {
    PlainDb plain(dir());
    plain.Put(kMetaFamily, keys::Head("1000009"), plain.Get(kMetaFamily, keys::Head(McidText(0))));
  }
  const VerifyReport report = Verify(dir());
  ASSERT_TRUE(report.broken);
  EXPECT_EQ(report.broken->mcid, "1000009");
  EXPECT_EQ(report.broken->problem, "the head in meta names a stream that has no events");
}

TEST_F(ChainVerifierTest, NamesAnEventNoStreamReaches) {
  {
    PlainDb plain(dir());
    // A copy of an event appended at the end of the log, outside every stream.
    const uint64_t next = kTrainers * audit::EventsPerTrainer() + 1;
    Result<EventEnvelope> event =
        DecodeBinary(plain.Get(kLogFamily, plain.LogKeyOf(McidText(0), 2)));
    ASSERT_TRUE(event.ok());
    EventEnvelope extra = event.value();
    extra.global_position = next;
    plain.Put(kLogFamily, keys::Position(next), EncodeBinary(extra));
  }
  const VerifyReport report = Verify(dir());
  EXPECT_EQ(Broken(report), "trainer 1000001 version 2: the event at log position " +
                                std::to_string(kTrainers * audit::EventsPerTrainer() + 1) +
                                " is not in its stream's index");
}

TEST_F(ChainVerifierTest, NamesAHoleInTheLogPositions) {
  {
    PlainDb plain(dir());
    // An event moved past the end of the log, its index entry following it: the chains hold, the
    // positions do not.
    const uint64_t last = kTrainers * audit::EventsPerTrainer();
    const std::string log_key = keys::Position(last);
    Result<EventEnvelope> event = DecodeBinary(plain.Get(kLogFamily, log_key));
    ASSERT_TRUE(event.ok());
    EventEnvelope moved = event.value();
    moved.global_position = last + 1;
    moved.hash = ComputeEventHash(moved);
    const std::string& mcid = moved.event.meta.mcid.str();
    std::string head = plain.Get(kMetaFamily, keys::Head(mcid));
    head = head.substr(0, 8) + moved.hash;
    plain.Delete(kLogFamily, log_key);
    plain.Put(kLogFamily, keys::Position(last + 1), EncodeBinary(moved));
    plain.Put(kStreamsFamily, keys::StreamEntry(mcid, moved.stream_version),
              keys::Position(last + 1));
    plain.Put(kMetaFamily, keys::Head(mcid), head);
  }
  EXPECT_EQ(Broken(Verify(dir())), "log position " +
                                       std::to_string(kTrainers * audit::EventsPerTrainer()) +
                                       ": missing from the log, which goes on at position " +
                                       std::to_string(kTrainers * audit::EventsPerTrainer() + 1));
}

TEST(ChainVerifierLinkProblem, WordsEachRule) {
  EventEnvelope first = samples::SampleEnvelope(domain::TermsAccepted{}, 0);
  first.prev_hash.clear();
  first.stream_version = 1;
  first.hash = ComputeEventHash(first);
  const std::string mcid = first.event.meta.mcid.str();
  EXPECT_EQ(LinkProblem(first, mcid, 1, ""), std::nullopt);
  EXPECT_EQ(LinkProblem(first, "1000002", 1, ""), "the event belongs to trainer " + mcid);
  EXPECT_EQ(LinkProblem(first, mcid, 2, ""), "the event says it is version 1 of its stream");
  EventEnvelope forged = first;
  forged.prev_hash = first.hash;
  forged.hash = ComputeEventHash(forged);
  EXPECT_EQ(LinkProblem(forged, mcid, 1, ""), "the stream's first event has a prev_hash");
  forged = first;
  forged.event.meta.actor.id = "someone else";
  EXPECT_EQ(LinkProblem(forged, mcid, 1, ""), "hash does not match the event's content");
}

}  // namespace
}  // namespace mct::consumers
