// The event wire format: every event in an envelope, written as cereal portable binary for the log
// and rendered as JSON for people and exports.
//
// The envelope (fixed now, filled by the store): tag, schema version, MCID, stream version, global
// position, `at`, actor, command_id, correlation and causation ids, the SHA-256 of the previous
// event of the stream and of this one, then the payload. The tag names the payload type and is
// never reused; the schema version lets old payloads be read through upcasters, and the golden
// files under tests/golden/ prove old bytes still decode.
//
// Thread-safety: free functions over values; safe from any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "domain/events.h"
#include "domain/result.h"

namespace mct::consumers {

struct EventEnvelope {
  domain::RecordedEvent event;   // meta (mcid, at, actor, ids) and payload
  uint64_t stream_version = 0;   // 1 for a trainer's first event
  uint64_t global_position = 0;  // 1 for the log's first event
  std::string prev_hash;         // hex SHA-256 of the stream's previous event; empty for the first
  std::string hash;              // hex SHA-256 of this event (see ComputeEventHash)
  bool operator==(const EventEnvelope&) const = default;
};

// --- Binary (the log) ---------------------------------------------------------------------------

// Portable binary: a format version byte, tag, schema version, the envelope, the payload.
std::string EncodeBinary(const EventEnvelope& envelope);
// How much of an envelope a decode fills in. Every field is read and checked either way.
enum class DecodedFields {
  kAll,
  // What a projection folds: MCID, positions, `at`, the actor's role and the payload. The actor
  // id, command, correlation and causation ids and both hashes are left empty: a rebuild decodes
  // every event of the log, and those six strings are most of each record's bytes. Never for
  // anything that verifies, exports or shows an event.
  kForFolding,
};

// Refuses unknown tags, unknown schema versions and truncated or trailing bytes; never throws.
Result<EventEnvelope> DecodeBinary(std::string_view bytes,
                                   DecodedFields fields = DecodedFields::kAll);
// DecodeBinary of one entry of the log: `position_key` is its key (keys::Position), and an
// error names that position.
Result<EventEnvelope> DecodeLogEntry(std::string_view position_key, std::string_view bytes,
                                     DecodedFields fields = DecodedFields::kAll);
// DecodeLogEntry into `into`, a default-constructed envelope where the caller keeps it (a chunk's
// next element): no envelope is moved. After an error `into` holds part of the event; drop it.
Status DecodeLogEntryInto(std::string_view position_key, std::string_view bytes,
                          DecodedFields fields, EventEnvelope& into);

// SHA-256 (hex) of `prev_hash` followed by the binary encoding of the envelope with its `hash`
// field empty: changing any byte of the event, or its predecessor's hash, changes it.
std::string ComputeEventHash(const EventEnvelope& envelope);

// --- JSON (people, exports, scenario files) -----------------------------------------------------

// `{"event": "RenewalStarted", <envelope fields>, <payload fields>}` with domain.md's names, in
// that order. Enumerations are their snake_case names; dates `YYYY-MM-DD`; instants RFC 3339.
nlohmann::ordered_json ToJson(const EventEnvelope& envelope);
// The payload alone, after `"event"`: what a scenario's `then.events` is compared with.
nlohmann::ordered_json PayloadToJson(const domain::Event& event);

// How much of the envelope a JSON event must carry.
enum class EnvelopeFields {
  kComplete,  // an export line: every envelope field present
  kMetaOnly,  // a scenario's given event: `mcid` and `at` required; actor, ids optional;
              // position and hashes, if copied from an export, left to the log it goes to;
              // a text or integer payload field may be left out or null
              // (read as empty or 0), an integer written as 40000.0
};
// Reads an event back. Every payload field is required (nullable ones may be null); an unknown
// key, a wrong type or a malformed value is an Error naming the field.
Result<EventEnvelope> EventFromJson(const nlohmann::json& json, EnvelopeFields fields);

}  // namespace mct::consumers
