// The JSON form of commands: `{"command": "PlaceOrder", <fields>}` with the fields of
// shared/scenarios/README.md. Used by the scenario runner and by the HTTP front door, so a
// command means the same whichever door it came through.
//
// Decoding is strict: an unknown field, a wrong type or a malformed value is an Error naming the
// field, answered `invalid_input`. Whether a well-formed value is allowed is Decide's business.
//
// Thread-safety: free functions; safe from any thread.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string_view>

#include "domain/commands.h"
#include "domain/result.h"

namespace mct::admin {

// Reads the command body of `object`. Keys listed in `envelope_keys` (for example "mcid", "at",
// "actor", "command_id") are left for the caller; any other key the command does not have is an
// Error.
Result<domain::CommandBody> CommandBodyFromJson(const nlohmann::json& object,
                                                std::initializer_list<std::string_view> envelope_keys);

// Reads `{"role": ..., "id": ...}`.
Result<domain::Actor> ActorFromJson(const nlohmann::json& object);

}  // namespace mct::admin
