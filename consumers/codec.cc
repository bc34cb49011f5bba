// The binary side of the codec: the log's record layout, the (tag, schema version) table that
// reads it back, and the hash chain. The JSON side is in codec_json.cc.
//
// Record layout, version 1 (all integers little-endian; strings are a uint64 length then bytes):
//
//   u8   1                cereal's endianness flag (little-endian)
//   u8   format version   1: this envelope layout
//   u16  tag              the payload type (events.h), never reused
//   u16  schema version   of that payload type
//   str  mcid
//   u64  stream version
//   u64  global position
//   i64  at               milliseconds since 1970-01-01T00:00:00Z
//   u8   actor role       wire byte (codec_enums.cc)
//   str  actor id
//   str  command id
//   str  correlation id
//   str  causation id
//   str  prev hash        hex; empty for a stream's first event
//   str  hash             hex; empty while the hash itself is computed
//   ...  payload          its fields in event_fields.h order: strings, i64 integers, f64
//                         doubles, i32 dates (days since 1970-01-01), i64 instants (ms), u8 enums
#include "consumers/codec.h"

#include <chrono>
#include <cstdint>
#include <exception>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "consumers/binary_archive.h"
#include "consumers/codec_enums.h"
#include "consumers/event_fields.h"
#include "consumers/keys.h"
#include "consumers/payload_io.h"
#include "domain/hex.h"
#include "domain/sha256.h"

namespace mct::consumers {
namespace {

using domain::Event;

// The envelope layout above; a new layout gets a new number and this file reads both.
constexpr uint8_t kFormatVersion = 1;

// --- Decoding table ------------------------------------------------------------------------------

// Reads one payload of a known (tag, schema version) and answers today's event type.
struct PayloadDecoder {
  uint16_t tag;
  uint16_t schema_version;
  std::string_view name;
  Event (*read)(BinaryReader& in);
};

template <typename Payload>
Event ReadCurrent(BinaryReader& in) {
  Payload payload;
  PayloadReader reader(in, Payload::kName);
  VisitFields(payload, reader);
  return payload;
}

template <typename Payload>
constexpr PayloadDecoder Current() {
  return {Payload::kTag, Payload::kSchemaVersion, Payload::kName, &ReadCurrent<Payload>};
}

// Every (tag, schema version) this build reads. When a payload type changes, its kSchemaVersion
// goes up, and the old version stays readable through one more entry here, an upcaster:
//   {domain::RenewalStarted::kTag, 1, "RenewalStarted", &UpcastRenewalStartedV1},
// where UpcastRenewalStartedV1 reads the version-1 fields and returns today's struct.
constexpr PayloadDecoder kDecoders[] = {
    Current<domain::TrainerEnrolled>(),       Current<domain::CertificationRecorded>(),
    Current<domain::RenewalStarted>(),        Current<domain::FteCodeIssued>(),
    Current<domain::ProfileChosen>(),         Current<domain::ExceptionFiled>(),
    Current<domain::MtmSurveyRecorded>(),     Current<domain::MtmReportUploaded>(),
    Current<domain::RequirementsConfirmed>(), Current<domain::TermsAccepted>(),
    Current<domain::VoucherApplied>(),        Current<domain::BillingAddressEntered>(),
    Current<domain::PaymentPlaced>(),         Current<domain::RenewalCompleted>(),
    Current<domain::WelcomeKitOrdered>(),     Current<domain::RefundIssued>(),
    Current<domain::RefundSettled>(),         Current<domain::AlumniApplied>(),
    Current<domain::AlumniSwitchedBack>(),
};

constexpr bool DecodersAreUnique() {
  for (size_t first = 0; first < std::size(kDecoders); ++first) {
    for (size_t second = first + 1; second < std::size(kDecoders); ++second) {
      if (kDecoders[first].tag == kDecoders[second].tag &&
          kDecoders[first].schema_version == kDecoders[second].schema_version) {
        return false;
      }
    }
  }
  return true;
}
static_assert(DecodersAreUnique(), "two decoders for one (tag, schema version)");

template <typename Payload>
constexpr bool ReadsCurrentVersionOf() {
  for (const PayloadDecoder& decoder : kDecoders) {
    if (decoder.tag == Payload::kTag && decoder.schema_version == Payload::kSchemaVersion &&
        decoder.name == Payload::kName) {
      return true;
    }
  }
  return false;
}
template <typename... Payloads>
constexpr bool ReadsEveryCurrentVersion(const std::variant<Payloads...>* /*unused*/) {
  return (ReadsCurrentVersionOf<Payloads>() && ...);
}
static_assert(ReadsEveryCurrentVersion(static_cast<const Event*>(nullptr)),
              "an event type has no decoder for its current schema version");

const PayloadDecoder* FindDecoder(uint16_t tag, uint16_t schema_version) {
  for (const PayloadDecoder& decoder : kDecoders) {
    if (decoder.tag == tag && decoder.schema_version == schema_version) return &decoder;
  }
  return nullptr;
}

// Why no decoder was found: an unknown tag, or a known one at a version this build cannot read.
std::string NoDecoderMessage(uint16_t tag, uint16_t schema_version) {
  std::string name;
  std::string versions;
  for (const PayloadDecoder& decoder : kDecoders) {
    if (decoder.tag != tag) continue;
    name = decoder.name;
    if (!versions.empty()) versions += ", ";
    versions += std::to_string(decoder.schema_version);
  }
  if (name.empty()) {
    return "unknown event tag " + std::to_string(tag) + " (schema version " +
           std::to_string(schema_version) + ")";
  }
  return name + " (tag " + std::to_string(tag) + ") has no schema version " +
         std::to_string(schema_version) + "; this build reads version " + versions;
}

// Decodes into `envelope`, a default-constructed one (decoding where the caller keeps it: an
// envelope is about 600 bytes, and a rebuild decodes millions). May throw: see DecodeInto.
Status DecodeUnguarded(std::string_view bytes, DecodedFields fields, EventEnvelope& envelope) {
  // One reader per thread, pointed at each record in turn: making a stream and an archive per
  // event cost about as much as the rest of decoding it (rebuilds decode millions).
  static thread_local BinaryReader in({});
  in.Reset(bytes);
  const uint8_t format_version = in.U8({"", "format version"});
  if (in.ok() && format_version != kFormatVersion) {
    return Error{"unknown format version " + std::to_string(format_version) +
                 " at byte 1; this build reads version " + std::to_string(kFormatVersion)};
  }
  const uint16_t tag = in.U16({"", "tag"});
  const uint16_t schema_version = in.U16({"", "schema version"});
  if (!in.ok()) return Error{in.error()};
  const PayloadDecoder* decoder = FindDecoder(tag, schema_version);
  if (decoder == nullptr) return Error{NoDecoderMessage(tag, schema_version)};

  const std::string_view scope = decoder->name;
  domain::EventMeta& meta = envelope.event.meta;
  const std::string mcid = in.String({scope, "mcid"});
  envelope.stream_version = in.U64({scope, "stream_version"});
  envelope.global_position = in.U64({scope, "global_position"});
  meta.at = domain::Instant::FromMillis(in.I64({scope, "at"}));
  meta.actor.role = PayloadReader::ReadEnum<domain::Role>(in, {scope, "actor.role"});
  const auto audit_field = [fields](std::string& into, FieldRef where) {
    if (fields == DecodedFields::kAll) {
      into = in.String(where);
    } else {
      in.SkipString(where);
      into.clear();  // whatever `into` held before is not this event's
    }
  };
  audit_field(meta.actor.id, {scope, "actor.id"});
  audit_field(meta.command_id, {scope, "command_id"});
  audit_field(meta.correlation_id, {scope, "correlation_id"});
  audit_field(meta.causation_id, {scope, "causation_id"});
  audit_field(envelope.prev_hash, {scope, "prev_hash"});
  audit_field(envelope.hash, {scope, "hash"});
  envelope.event.payload = decoder->read(in);
  if (!in.ok()) return Error{in.error()};

  const std::optional<domain::Mcid> parsed_mcid = domain::Mcid::Parse(mcid);
  if (!parsed_mcid) {
    return Error{std::string(scope) + ".mcid: '" + domain::Printable(mcid) + "' is not an MCID"};
  }
  meta.mcid = *parsed_mcid;
  if (in.remaining() != 0) {
    return Error{std::to_string(in.remaining()) + " trailing bytes after the " +
                 std::string(scope) + " event (which ends at byte " + std::to_string(in.offset()) +
                 ")"};
  }
  return Ok();
}

// DecodeUnguarded, never throwing. The reader checks every length before cereal reads, so cereal
// should never throw; if it does anyway, the record is refused like any other bad input.
Status DecodeInto(std::string_view bytes, DecodedFields fields, EventEnvelope& envelope) {
  try {
    return DecodeUnguarded(bytes, fields, envelope);
  } catch (const std::exception& error) {
    return Error{std::string("undecodable event: ") + error.what()};
  } catch (...) {
    return Error{"undecodable event"};
  }
}

// The envelope's bytes with `hash` in its hash field (empty for the bytes the hash covers), in
// this thread's writer.
BinaryWriter& EncodeWithHash(const EventEnvelope& envelope, std::string_view hash) {
  const domain::EventMeta& meta = envelope.event.meta;
  BinaryWriter& out = BinaryWriter::ForThisThread();
  out.U8(kFormatVersion);
  out.U16(domain::EventTag(envelope.event.payload));
  out.U16(domain::EventSchemaVersion(envelope.event.payload));
  out.String(meta.mcid.str());
  out.U64(envelope.stream_version);
  out.U64(envelope.global_position);
  out.I64(meta.at.millis());
  out.U8(WireEnum<domain::Role>::ToWire(meta.actor.role));
  out.String(meta.actor.id);
  out.String(meta.command_id);
  out.String(meta.correlation_id);
  out.String(meta.causation_id);
  out.String(envelope.prev_hash);
  out.String(hash);
  PayloadWriter writer(out);
  std::visit([&writer](const auto& payload) { VisitFields(payload, writer); },
             envelope.event.payload);
  return out;
}

}  // namespace

std::string EncodeBinary(const EventEnvelope& envelope) {
  return EncodeWithHash(envelope, envelope.hash).Take();
}

Result<EventEnvelope> DecodeBinary(std::string_view bytes, DecodedFields fields) {
  EventEnvelope envelope;
  if (Status decoded = DecodeInto(bytes, fields, envelope); !decoded.ok()) return decoded.error();
  return envelope;
}

Result<EventEnvelope> DecodeLogEntry(std::string_view position_key, std::string_view bytes,
                                     DecodedFields fields) {
  EventEnvelope envelope;
  if (Status decoded = DecodeLogEntryInto(position_key, bytes, fields, envelope); !decoded.ok()) {
    return decoded.error();
  }
  return envelope;
}

Status DecodeLogEntryInto(std::string_view position_key, std::string_view bytes,
                          DecodedFields fields, EventEnvelope& into) {
  if (position_key.size() != 8) {
    return Error{"a log key of " + std::to_string(position_key.size()) +
                 " bytes is not a position: the log is damaged (run `mctctl verify`)"};
  }
  const uint64_t position = keys::ReadBigEndian64(position_key);
  Status decoded = DecodeInto(bytes, fields, into);
  if (!decoded.ok()) {
    return Error{"event at position " + std::to_string(position) +
                 " cannot be read: " + decoded.error().message};
  }
  // A record copied under another key would be folded as the position it names: a reader keeping
  // its place by the events it read would go back and fold the log again.
  if (into.global_position != position) {
    return Error{"the event at log position " + std::to_string(position) + " says it is at " +
                 std::to_string(into.global_position) +
                 ": the log is damaged (run `mctctl verify`)"};
  }
  return Ok();
}

std::string ComputeEventHash(const EventEnvelope& envelope) {
  // Hashed where they were written: these bytes are never kept.
  return domain::Sha256Hex({envelope.prev_hash, EncodeWithHash(envelope, "").View()});
}

}  // namespace mct::consumers
