// Reading the OpenAPI document in tests: an operation of a route, the error codes a response
// lists, a reference to a component schema.
//
// Test-only; free functions over a document the caller keeps.
#pragma once

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "admin/server/route_table.h"

namespace mct::admin::server::testing {

// The operation of `method` (GET, POST) on `path`; null when the document has none.
inline const nlohmann::ordered_json& OperationOf(const nlohmann::ordered_json& document,
                                                 std::string method, const std::string& path) {
  static const nlohmann::ordered_json kNone;
  std::transform(method.begin(), method.end(), method.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto& paths = document["paths"];
  if (!paths.contains(path) || !paths[path].contains(method)) return kNone;
  return paths[path][method];
}
inline const nlohmann::ordered_json& OperationOf(const nlohmann::ordered_json& document,
                                                 const Route& route) {
  return OperationOf(document, std::string(route.method), std::string(route.path));
}

// The `code` values the response of `operation` at `status` says it carries (the enum of its
// schema's code); empty when there is no such response.
inline std::vector<std::string> CodesAt(const nlohmann::ordered_json& operation, int status) {
  std::vector<std::string> codes;
  const std::string key = std::to_string(status);
  if (!operation.contains("responses") || !operation["responses"].contains(key)) return codes;
  const auto& response = operation["responses"][key];
  if (!response.contains("content") || !response["content"].contains("application/json"))
    return codes;
  const auto& schema = response["content"]["application/json"]["schema"];
  if (!schema.contains("allOf")) return codes;
  for (const auto& part : schema["allOf"]) {
    if (!part.contains("properties")) continue;
    for (const auto& code : part["properties"]["code"]["enum"])
      codes.push_back(code.get<std::string>());
  }
  return codes;
}

inline nlohmann::ordered_json Ref(const std::string& schema) {
  return {{"$ref", "#/components/schemas/" + schema}};
}

}  // namespace mct::admin::server::testing
