// The log's binary encoding: every event type round-trips, and every kind of bad input is an
// Error with a message, never a crash, an exception or a huge allocation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <variant>

#include "consumers/codec.h"
#include "consumers/keys.h"
#include "domain/events.h"
#include "tests/consumers/event_samples.h"

namespace mct::consumers {
namespace {

using samples::SampleEnvelope;
using samples::SampleEnvelopes;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Offsets of the record header (codec.cc): endianness flag, format version, tag, schema version.
constexpr size_t kTagOffset = 2;
constexpr size_t kSchemaVersionOffset = 4;
constexpr size_t kMcidOffset = 6;  // its uint64 length, then the digits

void PutU16(std::string& bytes, size_t offset, uint16_t value) {
  bytes[offset] = static_cast<char>(value & 0xff);
  bytes[offset + 1] = static_cast<char>(value >> 8);
}

EventEnvelope SampleOf(domain::Event payload) { return SampleEnvelope(std::move(payload), 3); }

TEST(CodecBinary, RoundTripsEveryEventType) {
  const std::vector<EventEnvelope> samples = SampleEnvelopes();
  ASSERT_EQ(samples::TypesCovered(samples).size(), std::variant_size_v<domain::Event>);
  for (const EventEnvelope& sample : samples) {
    SCOPED_TRACE(domain::EventName(sample.event.payload));
    const Result<EventEnvelope> decoded = DecodeBinary(EncodeBinary(sample));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, sample);
  }
}

// What a projection folds is all there; only the audit fields are left empty.
TEST(CodecBinary, DecodingForFoldingLeavesOnlyTheAuditFieldsEmpty) {
  for (const EventEnvelope& sample : SampleEnvelopes()) {
    SCOPED_TRACE(domain::EventName(sample.event.payload));
    ASSERT_FALSE(sample.hash.empty());
    ASSERT_FALSE(sample.event.meta.command_id.empty());
    const Result<EventEnvelope> decoded =
        DecodeBinary(EncodeBinary(sample), DecodedFields::kForFolding);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EventEnvelope expected = sample;
    expected.event.meta.actor.id.clear();
    expected.event.meta.command_id.clear();
    expected.event.meta.correlation_id.clear();
    expected.event.meta.causation_id.clear();
    expected.prev_hash.clear();
    expected.hash.clear();
    EXPECT_EQ(*decoded, expected);
  }
}

TEST(CodecBinary, DecodesALogEntryWhereTheCallerKeepsIt) {
  const EventEnvelope sample = SampleOf(domain::PaymentPlaced{});
  const std::string key = keys::Position(sample.global_position);
  EventEnvelope into;
  const Status decoded = DecodeLogEntryInto(key, EncodeBinary(sample), DecodedFields::kAll, into);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(into, sample);

  EventEnvelope broken;
  const Status refused = DecodeLogEntryInto(key, "\x01\x02", DecodedFields::kAll, broken);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message,
              StartsWith("event at position " + std::to_string(sample.global_position) +
                         " cannot be read: "));
}

// Fields skipped when folding are still checked: a record cut inside one is refused.
TEST(CodecBinary, DecodingForFoldingRefusesEveryTruncation) {
  const std::string bytes = EncodeBinary(SampleOf(domain::PaymentPlaced{}));
  for (size_t length = 0; length < bytes.size(); ++length) {
    ASSERT_FALSE(
        DecodeBinary(std::string_view(bytes).substr(0, length), DecodedFields::kForFolding).ok())
        << "a prefix of " << length << " bytes decoded";
  }
  EXPECT_FALSE(DecodeBinary(bytes + "x", DecodedFields::kForFolding).ok()) << "trailing bytes";
}

TEST(CodecBinary, StartsWithFlagFormatVersionTagAndSchemaVersion) {
  const std::string bytes = EncodeBinary(SampleOf(domain::RenewalStarted{}));
  ASSERT_GE(bytes.size(), 6u);
  EXPECT_EQ(bytes.substr(0, 6), std::string("\x01\x01\x03\x00\x01\x00", 6));
}

TEST(CodecBinary, RoundTripsExtremeValues) {
  EventEnvelope envelope = SampleOf(domain::ExceptionFiled{
      .classes = std::numeric_limits<int64_t>::min(),
      .course_name = std::string("nul\0inside", 10),
      .course_date = samples::DateOf("1900-01-01"),
      .students = std::numeric_limits<int64_t>::max(),
      .organization = "",
      .manager_name = std::string(100'000, 'x'),
      .manager_email = "\xff\xfe not even UTF-8",
  });
  envelope.event.meta.at = domain::Instant::FromMillis(-1);
  envelope.event.meta.actor = {.role = domain::Role::kAuditor, .id = ""};
  envelope.stream_version = std::numeric_limits<uint64_t>::max();
  envelope.global_position = 0;
  envelope.prev_hash = "";
  envelope.hash = "";
  const Result<EventEnvelope> decoded = DecodeBinary(EncodeBinary(envelope));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, envelope);

  const EventEnvelope survey = SampleOf(domain::MtmSurveyRecorded{
      .course_name = "c", .course_date = samples::DateOf("2999-12-31"), .average_score = -0.1});
  const Result<EventEnvelope> decoded_survey = DecodeBinary(EncodeBinary(survey));
  ASSERT_TRUE(decoded_survey.ok()) << decoded_survey.error().message;
  EXPECT_EQ(*decoded_survey, survey);
}

TEST(CodecBinary, RefusesEveryTruncation) {
  for (const EventEnvelope& sample : SampleEnvelopes()) {
    SCOPED_TRACE(domain::EventName(sample.event.payload));
    const std::string bytes = EncodeBinary(sample);
    for (size_t length = 0; length < bytes.size(); ++length) {
      const Result<EventEnvelope> decoded = DecodeBinary(std::string_view(bytes).substr(0, length));
      ASSERT_FALSE(decoded.ok()) << "a prefix of " << length << " bytes decoded";
      EXPECT_FALSE(decoded.error().message.empty());
    }
  }
}

TEST(CodecBinary, NamesTheTruncatedField) {
  const std::string bytes = EncodeBinary(SampleOf(domain::RenewalStarted{}));
  const Result<EventEnvelope> decoded = DecodeBinary(bytes.substr(0, bytes.size() - 2));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().message, "truncated at byte " + std::to_string(bytes.size() - 4) +
                                         ": RenewalStarted.anniversary needs 4 bytes, 2 left");
}

// Decoding reuses one reader per thread: whatever a refused record left in it (a failure, a
// half-read field, a refused flag) must not reach the next record.
TEST(CodecBinary, ARefusedRecordLeavesNothingForTheNext) {
  const EventEnvelope sample = SampleOf(domain::RenewalStarted{});
  const std::string bytes = EncodeBinary(sample);
  std::string unflagged = bytes;
  unflagged[0] = 0;
  const std::vector<std::string> refused = {"", unflagged, bytes.substr(0, bytes.size() - 2),
                                            bytes + "x", std::string(1, '\x01')};
  for (const std::string& bad : refused) {
    ASSERT_FALSE(DecodeBinary(bad).ok());
    const Result<EventEnvelope> decoded = DecodeBinary(bytes);
    ASSERT_TRUE(decoded.ok()) << "after " << bad.size()
                              << " bad bytes: " << decoded.error().message;
    EXPECT_EQ(EncodeBinary(decoded.value()), bytes);
  }
}

TEST(CodecBinary, RefusesEmptyInput) {
  const Result<EventEnvelope> decoded = DecodeBinary("");
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.error().message, HasSubstr("empty"));
}

TEST(CodecBinary, RefusesTrailingBytes) {
  const std::string bytes = EncodeBinary(SampleOf(domain::TermsAccepted{}));
  const Result<EventEnvelope> decoded = DecodeBinary(bytes + std::string("\0\0\0", 3));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().message,
            "3 trailing bytes after the TermsAccepted event (which ends at byte " +
                std::to_string(bytes.size()) + ")");
}

TEST(CodecBinary, RefusesUnknownTag) {
  std::string bytes = EncodeBinary(SampleOf(domain::TermsAccepted{}));
  PutU16(bytes, kTagOffset, 999);
  const Result<EventEnvelope> decoded = DecodeBinary(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().message, "unknown event tag 999 (schema version 1)");
}

TEST(CodecBinary, RefusesUnknownSchemaVersion) {
  std::string bytes = EncodeBinary(SampleOf(domain::RenewalStarted{}));
  PutU16(bytes, kSchemaVersionOffset, 2);
  const Result<EventEnvelope> decoded = DecodeBinary(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().message,
            "RenewalStarted (tag 3) has no schema version 2; this build reads version 1");
}

TEST(CodecBinary, RefusesUnknownFormatVersion) {
  std::string bytes = EncodeBinary(SampleOf(domain::RenewalStarted{}));
  bytes[1] = 2;
  const Result<EventEnvelope> decoded = DecodeBinary(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().message,
            "unknown format version 2 at byte 1; this build reads version 1");
}

TEST(CodecBinary, RefusesBigEndianOrUnflaggedInput) {
  std::string bytes = EncodeBinary(SampleOf(domain::RenewalStarted{}));
  bytes[0] = 0;
  const Result<EventEnvelope> decoded = DecodeBinary(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.error().message, StartsWith("byte 0 is 0, not 1"));
}

TEST(CodecBinary, RefusesAByteThatNamesNoEnumValue) {
  std::string bytes = EncodeBinary(SampleOf(domain::RenewalStarted{}));
  const size_t kind_offset = bytes.size() - 5;  // kind (u8), then anniversary (i32)
  bytes[kind_offset] = 9;
  const Result<EventEnvelope> decoded = DecodeBinary(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().message, "RenewalStarted.kind: byte 9 at offset " +
                                         std::to_string(kind_offset) + " is not a renewal kind");
}

TEST(CodecBinary, RefusesAMalformedMcid) {
  std::string bytes = EncodeBinary(SampleOf(domain::TermsAccepted{}));
  bytes[kMcidOffset + 8] = 'x';  // the first digit
  const Result<EventEnvelope> decoded = DecodeBinary(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().message, "TermsAccepted.mcid: 'x001000001' is not an MCID");

  bytes[kMcidOffset + 8] = '\xff';  // not even text: the message stays printable
  const Result<EventEnvelope> garbled = DecodeBinary(bytes);
  ASSERT_FALSE(garbled.ok());
  EXPECT_EQ(garbled.error().message, "TermsAccepted.mcid: '\\xff001000001' is not an MCID");
}

TEST(CodecBinary, RefusesAHugeStringLengthWithoutAllocating) {
  std::string bytes = EncodeBinary(SampleOf(domain::TermsAccepted{}));
  for (size_t byte = 0; byte < 8; ++byte) bytes[kMcidOffset + byte] = '\x7f';
  const Result<EventEnvelope> decoded = DecodeBinary(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.error().message,
              StartsWith("truncated at byte 14: TermsAccepted.mcid declares 9187201950435737471 "
                         "bytes"));
}

// Whatever the bytes, decoding answers; and what it accepts it would have written the same way.
TEST(CodecBinary, SurvivesGarbage) {
  std::mt19937 random(20170301);
  std::uniform_int_distribution<int> byte_value(0, 255);
  std::uniform_int_distribution<int> length(0, 160);
  for (int attempt = 0; attempt < 20'000; ++attempt) {
    std::string bytes(static_cast<size_t>(length(random)), '\0');
    for (char& byte : bytes) byte = static_cast<char>(byte_value(random));
    // Half the attempts carry a valid header, to get past it into the envelope and payload.
    if (attempt % 2 == 0 && bytes.size() >= 6) {
      bytes[0] = 1;
      bytes[1] = 1;
      PutU16(bytes, kTagOffset, static_cast<uint16_t>(1 + attempt % 19));
      PutU16(bytes, kSchemaVersionOffset, 1);
    }
    const Result<EventEnvelope> decoded = DecodeBinary(bytes);
    if (decoded.ok()) {
      EXPECT_EQ(EncodeBinary(*decoded), bytes);
    } else {
      EXPECT_FALSE(decoded.error().message.empty());
    }
  }
}

TEST(CodecBinary, DecodesEverySingleByteChangeCanonicallyOrRefusesIt) {
  for (const EventEnvelope& sample : SampleEnvelopes()) {
    SCOPED_TRACE(domain::EventName(sample.event.payload));
    const std::string bytes = EncodeBinary(sample);
    for (size_t offset = 0; offset < bytes.size(); ++offset) {
      for (const uint8_t flip : {0x01, 0x80, 0xff}) {
        std::string changed = bytes;
        changed[offset] = static_cast<char>(changed[offset] ^ flip);
        const Result<EventEnvelope> decoded = DecodeBinary(changed);
        if (decoded.ok()) {
          EXPECT_NE(*decoded, sample) << "offset " << offset;
          EXPECT_EQ(EncodeBinary(*decoded), changed) << "offset " << offset;
        }
      }
    }
  }
}

}  // namespace
}  // namespace mct::consumers
