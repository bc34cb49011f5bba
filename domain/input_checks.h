// The first check of Decide: is the command well-formed (`invalid_input`, naming the field)?
// Only shape is judged here; whether a well-formed value is allowed is a rule's business.
//
// Pure; safe from any thread.
#pragma once

#include <optional>

#include "domain/commands.h"
#include "domain/decide.h"

namespace mct::domain {

// nullopt when every field of `command` is well-formed.
std::optional<Rejection> CheckInput(const Command& command);

// Heuristic e-mail shape: one word (no white space or control character) with one '@', something
// before it, and a domain of two dot-separated labels or more, none empty.
bool LooksLikeEmail(std::string_view text);

// `text` without leading and trailing white space.
std::string_view Trim(std::string_view text);

}  // namespace mct::domain
