// SHA-256 as lowercase hex, for the FTE code hash (PROF-2) and the log's hash chain.
// Pure computation on OpenSSL's libcrypto; safe from any thread.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace mct::domain {

std::string Sha256Hex(std::string_view bytes);
// The SHA-256 of `parts` one after the other, without joining them first.
std::string Sha256Hex(std::initializer_list<std::string_view> parts);

// True when `text` is 64 lowercase or uppercase hex digits.
bool IsSha256Hex(std::string_view text);

}  // namespace mct::domain
