// The hash chain's link (architecture invariant 6): an event's hash covers its predecessor's hash
// and every byte of its own encoding, and nothing else.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "consumers/codec.h"
#include "domain/sha256.h"
#include "tests/consumers/event_samples.h"

namespace mct::consumers {
namespace {

using samples::SampleEnvelope;
using samples::SampleEnvelopes;

TEST(CodecHash, IsSha256OfPrevHashThenTheEncodingWithoutHash) {
  for (const EventEnvelope& sample : SampleEnvelopes()) {
    EventEnvelope unhashed = sample;
    unhashed.hash.clear();
    EXPECT_EQ(ComputeEventHash(sample),
              domain::Sha256Hex(sample.prev_hash + EncodeBinary(unhashed)));
    EXPECT_TRUE(domain::IsSha256Hex(ComputeEventHash(sample)));
  }
}

TEST(CodecHash, IgnoresTheHashFieldItself) {
  EventEnvelope envelope = SampleEnvelope(domain::TermsAccepted{}, 0);
  const std::string hash = ComputeEventHash(envelope);
  envelope.hash = std::string(64, 'f');
  EXPECT_EQ(ComputeEventHash(envelope), hash);
}

TEST(CodecHash, ChangesWhenPrevHashChanges) {
  EventEnvelope envelope = SampleEnvelope(domain::TermsAccepted{}, 0);
  const std::string hash = ComputeEventHash(envelope);
  envelope.prev_hash = domain::Sha256Hex("another predecessor");
  EXPECT_NE(ComputeEventHash(envelope), hash);
  envelope.prev_hash.clear();  // as if it were the stream's first event
  EXPECT_NE(ComputeEventHash(envelope), hash);
}

TEST(CodecHash, ChangesWhenAnyByteOfTheEncodingChanges) {
  int decodable_changes = 0;
  for (const EventEnvelope& sample : SampleEnvelopes()) {
    SCOPED_TRACE(domain::EventName(sample.event.payload));
    EventEnvelope unhashed = sample;
    unhashed.hash.clear();
    const std::string bytes = EncodeBinary(unhashed);
    for (size_t offset = 0; offset < bytes.size(); ++offset) {
      for (const uint8_t flip : {0x01, 0x80, 0xff}) {
        std::string changed = bytes;
        changed[offset] = static_cast<char>(changed[offset] ^ flip);
        // A change that does not decode is refused before any hash is taken.
        const Result<EventEnvelope> decoded = DecodeBinary(changed);
        if (!decoded.ok()) continue;
        ++decodable_changes;
        EXPECT_NE(ComputeEventHash(*decoded), sample.hash) << "offset " << offset;
      }
    }
  }
  EXPECT_GT(decodable_changes, 1000);  // the loop above really tested something
}

TEST(CodecHash, ChangesWhenAnyEnvelopeFieldChanges) {
  const EventEnvelope original = SampleEnvelope(domain::VoucherApplied{.voucher_code = "V1"}, 4);
  const std::vector<std::function<void(EventEnvelope&)>> changes = {
      [](EventEnvelope& e) { e.event.meta.mcid = samples::McidOf("0001000002"); },
      [](EventEnvelope& e) { e.event.meta.at = e.event.meta.at.AddHours(1); },
      [](EventEnvelope& e) { e.event.meta.actor.role = domain::Role::kSystem; },
      [](EventEnvelope& e) { e.event.meta.actor.id += "x"; },
      [](EventEnvelope& e) { e.event.meta.command_id += "x"; },
      [](EventEnvelope& e) { e.event.meta.correlation_id += "x"; },
      [](EventEnvelope& e) { e.event.meta.causation_id += "x"; },
      [](EventEnvelope& e) { ++e.stream_version; },
      [](EventEnvelope& e) { ++e.global_position; },
      [](EventEnvelope& e) { e.event.payload = domain::VoucherApplied{.voucher_code = "V2"}; },
      [](EventEnvelope& e) { e.event.payload = domain::AlumniApplied{}; },
  };
  for (size_t change = 0; change < changes.size(); ++change) {
    EventEnvelope changed = original;
    changes[change](changed);
    EXPECT_NE(ComputeEventHash(changed), original.hash) << "change " << change;
  }
}

TEST(CodecHash, ChainsEachEventToItsPredecessor) {
  EventEnvelope first = SampleEnvelope(domain::TermsAccepted{}, 0);
  first.prev_hash.clear();
  first.hash = ComputeEventHash(first);
  EventEnvelope second = SampleEnvelope(domain::AlumniApplied{}, 1);
  second.prev_hash = first.hash;
  second.hash = ComputeEventHash(second);

  first.event.meta.command_id = "tampered";
  EXPECT_NE(ComputeEventHash(first), second.prev_hash);
}

}  // namespace
}  // namespace mct::consumers
