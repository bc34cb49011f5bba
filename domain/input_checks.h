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

// Heuristic e-mail shape: one '@' with something on both sides and a dot in the domain.
bool LooksLikeEmail(std::string_view text);

// `text` without leading and trailing white space.
std::string_view Trim(std::string_view text);

}  // namespace mct::domain
