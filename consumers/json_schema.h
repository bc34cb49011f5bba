// JSON Schemas (the OpenAPI 3.0 dialect) of what the JSON codec renders (codec.h ToJson): one
// event's envelope, each event type's payload, and the names of the domain's closed sets. They are
// built from the codec's own field lists (event_fields.h) and enum tables (codec_enums.h), which
// stay private to consumers/: a document made from these functions describes what the codec
// writes, and cannot drift from it when a field or a value is added.
//
// Pure; safe from any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace mct::consumers {

// The JSON names of every value of E in wire-byte order, as the codec writes and reads them;
// CardBrand's "no card" (written as null) is left out. Defined for Track, EmployerType,
// PaymentMethod, CardBrand, RenewalKind and Role.
template <typename E>
std::vector<std::string> JsonNamesOf();

// The envelope ToJson writes before the payload: `event`, `mcid`, `at`, `actor`, the three ids,
// the stream version, the global position and both hashes, every one always present.
nlohmann::ordered_json EnvelopeJsonSchema();

// Each event type's name (domain.md) with the schema of its payload fields, in the order of the
// Event variant; enumerations carry their names, nullable fields `nullable: true`.
std::vector<std::pair<std::string, nlohmann::ordered_json>> PayloadJsonSchemas();

}  // namespace mct::consumers
