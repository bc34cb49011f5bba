#include "admin/server/media_type.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace mct::admin::server {
namespace {

bool IsWhiteSpace(char c) { return c == ' ' || c == '\t'; }

std::string Lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trimmed(std::string_view text) {
  while (!text.empty() && IsWhiteSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsWhiteSpace(text.back())) text.remove_suffix(1);
  return text;
}

// RFC 9110, 5.6.2: tchar.
bool IsTokenCharacter(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

struct Parameter {
  std::string name;  // lower case
  std::string value;
};

// The parameters after the media type; nullopt when they cannot be read.
std::optional<std::vector<Parameter>> ParametersOf(std::string_view content_type) {
  std::vector<Parameter> parameters;
  size_t at = content_type.find(';');
  while (at != std::string_view::npos && at < content_type.size()) {
    ++at;  // past the ';'
    while (at < content_type.size() && IsWhiteSpace(content_type[at])) ++at;
    if (at == content_type.size() || content_type[at] == ';') continue;  // an empty parameter
    const size_t equals = content_type.find_first_of("=;", at);
    if (equals == std::string_view::npos || content_type[equals] != '=') return std::nullopt;
    Parameter parameter{Lowercase(Trimmed(content_type.substr(at, equals - at))), ""};
    at = equals + 1;
    if (at < content_type.size() && content_type[at] == '"') {
      for (++at;; ++at) {
        if (at >= content_type.size()) return std::nullopt;  // the quote is never closed
        if (content_type[at] == '"') break;
        if (content_type[at] == '\\' && at + 1 < content_type.size()) ++at;
        parameter.value.push_back(content_type[at]);
      }
      ++at;  // past the closing quote
    } else {
      // A token, read leniently: mail and HTTP clients send unquoted boundaries such as
      // ----=_Part_0 that hold more than token characters.
      while (at < content_type.size() && content_type[at] != ';' && content_type[at] != '"' &&
             !IsWhiteSpace(content_type[at])) {
        parameter.value.push_back(content_type[at++]);
      }
    }
    while (at < content_type.size() && IsWhiteSpace(content_type[at])) ++at;
    if (at < content_type.size() && content_type[at] != ';') return std::nullopt;
    parameters.push_back(std::move(parameter));
  }
  return parameters;
}

}  // namespace

std::string MediaTypeOf(std::string_view content_type) {
  return Lowercase(Trimmed(content_type.substr(0, content_type.find(';'))));
}

std::optional<std::string> MediaTypeParameter(std::string_view content_type,
                                              std::string_view name) {
  const auto parameters = ParametersOf(content_type);
  if (!parameters) return std::nullopt;
  const std::string wanted = Lowercase(name);
  for (const Parameter& parameter : *parameters) {
    if (parameter.name == wanted) return parameter.value;
  }
  return std::nullopt;
}

bool IsJson(std::string_view content_type) {
  if (MediaTypeOf(content_type) != "application/json") return false;
  const auto charset = MediaTypeParameter(content_type, "charset");
  if (!charset) return true;
  const std::string lowered = Lowercase(*charset);
  return lowered == "utf-8" || lowered == "utf8";
}

std::optional<std::string> CanonicalMultipartFormData(std::string_view content_type) {
  if (MediaTypeOf(content_type) != "multipart/form-data") return std::nullopt;
  const auto boundary = MediaTypeParameter(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->find('"') != std::string::npos) {
    return std::nullopt;
  }
  const bool token = std::all_of(boundary->begin(), boundary->end(), IsTokenCharacter);
  return "multipart/form-data; boundary=" + (token ? *boundary : "\"" + *boundary + "\"");
}

}  // namespace mct::admin::server
