// Bytes as text: lowercase hex (hashes, tokens), and bytes made safe to quote in a message.
// Pure; safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace mct::domain {

// Two lowercase hex digits per byte.
std::string HexOf(std::string_view bytes);

// `text` with A-Z as a-z and every other byte as it is: hex digits, e-mail addresses and token
// fingerprints compare so.
std::string AsciiLowercase(std::string_view text);

// Printable ASCII as is, every other byte as \xNN: a message about damaged or hostile bytes is
// itself valid UTF-8 (it may end up in JSON or a log line).
std::string Printable(std::string_view bytes);

}  // namespace mct::domain
