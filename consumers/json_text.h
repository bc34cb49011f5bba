// ParseJsonText: one JSON text read strictly, for every door that takes JSON from outside (command
// bodies, mctctl's commands, scenario files, imported exports). Besides what the JSON grammar
// refuses, it refuses a raw NUL byte (nlohmann would take it for the end of the input and read
// what came before it) and an object that names a key twice: RFC 8259 leaves the meaning of such
// an object open, nlohmann keeps the last value, a proxy or an auditor's tool may keep the first,
// and then two readers disagree about which command was sent.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "domain/result.h"

namespace mct::consumers {

// The parsed text, or an Error whose message says what is wrong and where ("at column 12: ...",
// "card.number: given twice"), to be put after the caller's own words.
Result<nlohmann::json> ParseJsonText(std::string_view text);

// A number written with a fraction that is whole (40000.0) as that integer, within ±2^53 where
// every whole number is exact in a double; nullopt for anything else (an integer included).
std::optional<int64_t> WholeNumberOf(const nlohmann::json& value);

}  // namespace mct::consumers
