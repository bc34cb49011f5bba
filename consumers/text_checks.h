// Text the log keeps is valid UTF-8.
//
// Why: the log's JSON renderings (the export, history answers, `mctctl history`) must say exactly
// what its hash chain covers, and JSON carries no other bytes: an event with a stray byte would
// export with a replacement character, and the export would no longer import (its hashes no
// longer match). A command's JSON is checked by its parser; what comes another way (a form field
// of an upload, the Idempotency-Key header, a token's id, a command line) is checked here before
// it is appended.
//
// Pure; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/events.h"

namespace mct::consumers {

bool IsUtf8(std::string_view text);
// The invalid_input message for `field` holding text that is not UTF-8, wherever it is found.
std::string NotUtf8Message(std::string_view field);

// The name of the first text field of `meta` or of `events` that is not valid UTF-8, as
// `actor.id` or `mct_full_name` (events name their fields as the commands that write them do);
// nullopt when every one is.
std::optional<std::string> FirstTextNotUtf8(const domain::EventMeta& meta,
                                            const std::vector<domain::Event>& events);

}  // namespace mct::consumers
