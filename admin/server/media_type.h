// A Content-Type header's value read as RFC 9110 (8.3.1, 5.6.6) says: a media type, then
// parameters after ';', each `name=value` with the value a token or a quoted string. Type, subtype
// and parameter names are case-insensitive; white space may surround the ';'. An unquoted value is
// read up to the next ';' or white space, token characters or not (clients send boundaries such
// as ----=_Part_0 unquoted).
//
// Why not the library's: cpp-httplib 0.11 tells multipart/form-data by a case-sensitive prefix and
// reads its boundary up to the end of the header, so `Multipart/Form-Data`, `BOUNDARY=`, or a
// parameter after the boundary made a valid upload a 415 or a 400.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mct::admin::server {

// The media type, lower case, without its parameters and the white space around it.
std::string MediaTypeOf(std::string_view content_type);

// The value of the parameter `name` (any case), unquoted, as sent; nullopt when it is absent or
// the parameters cannot be read (an unclosed quote, a parameter without '='). A parameter given
// twice: the first.
std::optional<std::string> MediaTypeParameter(std::string_view content_type, std::string_view name);

// JSON is UTF-8 (RFC 8259, 8.1): application/json with no charset, or a charset that says UTF-8.
bool IsJson(std::string_view content_type);

// `multipart/form-data; boundary=B` in the one form cpp-httplib reads (the boundary quoted when it
// holds more than token characters), for a Content-Type that is multipart/form-data with a
// boundary in any of the forms RFC 9110 allows; nullopt for any other.
std::optional<std::string> CanonicalMultipartFormData(std::string_view content_type);

}  // namespace mct::admin::server
