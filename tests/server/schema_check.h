// A small checker of JSON values against the OpenAPI document's schemas, for the tests that hold
// the document to what the server really answers. It knows the parts of the 3.0 dialect the
// document uses ($ref, allOf, oneOf, type, nullable, enum, required, properties,
// additionalProperties, items, pattern, the date and date-time formats) and one rule stricter than
// JSON Schema: an object member no schema names is an error, so an answer's new field that the
// document does not describe fails the test.
//
// Test-only; a checker holds a reference to the document and is used from one thread.
#pragma once

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace mct::admin::server::testing {

class SchemaCheck {
 public:
  using Json = nlohmann::ordered_json;

  explicit SchemaCheck(const Json& document) : document_(document) {}

  // What is wrong with `value` against `schema`, each problem with its path; empty when it fits.
  std::vector<std::string> Problems(const nlohmann::json& value, const Json& schema) const {
    std::vector<std::string> problems;
    Check(value, schema, "$", /*strict=*/true, problems);
    return problems;
  }

  // The schema `ref` ("#/components/schemas/Name") names; null when it names none.
  const Json& Resolve(const std::string& ref) const {
    static const Json kNone;
    const std::string prefix = "#/components/schemas/";
    if (ref.rfind(prefix, 0) != 0) return kNone;
    const auto& schemas = document_["components"]["schemas"];
    const auto found = schemas.find(ref.substr(prefix.size()));
    return found == schemas.end() ? kNone : *found;
  }

 private:
  const Json& Deref(const Json& schema) const {
    return schema.contains("$ref") ? Resolve(schema["$ref"].get<std::string>()) : schema;
  }

  // The member names `schema` describes, through allOf.
  void NamedMembers(const Json& schema, std::set<std::string>& names, bool& open) const {
    const Json& resolved = Deref(schema);
    if (resolved.contains("properties")) {
      for (const auto& [name, unused] : resolved["properties"].items()) names.insert(name);
    }
    if (resolved.contains("additionalProperties") && resolved["additionalProperties"].is_object()) {
      open = true;
    }
    if (resolved.contains("allOf")) {
      for (const auto& part : resolved["allOf"]) NamedMembers(part, names, open);
    }
  }

  static bool TypeFits(const nlohmann::json& value, const std::string& type) {
    if (type == "string") return value.is_string();
    if (type == "integer") return value.is_number_integer();
    if (type == "number") return value.is_number();
    if (type == "boolean") return value.is_boolean();
    if (type == "object") return value.is_object();
    if (type == "array") return value.is_array();
    return false;
  }

  // `strict`: refuse members the schema does not name; off for the parts of an allOf, whose
  // members are named by the parts together.
  void Check(const nlohmann::json& value, const Json& raw_schema, const std::string& path,
             bool strict, std::vector<std::string>& problems) const {
    const Json& schema = Deref(raw_schema);
    if (schema.is_null()) {
      problems.push_back(path + ": unresolved schema " + raw_schema.dump());
      return;
    }
    if (value.is_null()) {
      if (!schema.value("nullable", false) && !schema.contains("allOf") &&
          !schema.contains("oneOf")) {
        problems.push_back(path + ": null where the schema is not nullable");
      }
      return;
    }
    if (schema.contains("allOf")) {
      for (const auto& part : schema["allOf"]) Check(value, part, path, /*strict=*/false, problems);
      if (strict) CheckNoUnnamedMembers(value, schema, path, problems);
    }
    if (schema.contains("oneOf")) {
      int fits = 0;
      for (const auto& option : schema["oneOf"]) fits += Problems(value, option).empty() ? 1 : 0;
      if (fits != 1) {
        problems.push_back(path + ": fits " + std::to_string(fits) +
                           " of oneOf, not one: " + value.dump().substr(0, 200));
      }
    }
    if (schema.contains("type") && !TypeFits(value, schema["type"].get<std::string>())) {
      problems.push_back(path + ": " + value.dump().substr(0, 80) + " is not " +
                         schema["type"].get<std::string>());
      return;
    }
    if (schema.contains("enum") && std::find(schema["enum"].begin(), schema["enum"].end(),
                                             Json(value)) == schema["enum"].end()) {
      problems.push_back(path + ": " + value.dump() + " is not in " + schema["enum"].dump());
    }
    if (value.is_string()) CheckText(value.get<std::string>(), schema, path, problems);
    if (value.is_array() && schema.contains("items")) {
      for (size_t index = 0; index < value.size(); ++index) {
        Check(value[index], schema["items"], path + "[" + std::to_string(index) + "]", true,
              problems);
      }
    }
    if (value.is_object()) CheckObject(value, schema, path, strict, problems);
  }

  void CheckText(const std::string& text, const Json& schema, const std::string& path,
                 std::vector<std::string>& problems) const {
    std::string pattern = schema.value("pattern", "");
    const std::string format = schema.value("format", "");
    if (format == "date") pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
    if (format == "date-time") pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$";
    if (!pattern.empty() && !std::regex_search(text, std::regex(pattern))) {
      problems.push_back(path + ": '" + text + "' does not match " + pattern);
    }
  }

  void CheckObject(const nlohmann::json& value, const Json& schema, const std::string& path,
                   bool strict, std::vector<std::string>& problems) const {
    if (schema.contains("required")) {
      for (const auto& name : schema["required"]) {
        if (!value.contains(name.get<std::string>())) {
          problems.push_back(path + ": lacks the required " + name.get<std::string>());
        }
      }
    }
    const Json additional = schema.value("additionalProperties", Json());
    for (const auto& [name, member] : value.items()) {
      if (schema.contains("properties") && schema["properties"].contains(name)) {
        Check(member, schema["properties"][name], path + "." + name, true, problems);
      } else if (additional.is_object()) {
        Check(member, additional, path + "." + name, true, problems);
      }
    }
    if (strict && !schema.contains("allOf")) CheckNoUnnamedMembers(value, schema, path, problems);
  }

  void CheckNoUnnamedMembers(const nlohmann::json& value, const Json& schema,
                             const std::string& path, std::vector<std::string>& problems) const {
    if (!value.is_object() || schema.contains("oneOf")) return;
    std::set<std::string> names;
    bool open = false;
    NamedMembers(schema, names, open);
    if (open) return;
    for (const auto& [name, unused] : value.items()) {
      if (!names.count(name)) problems.push_back(path + "." + name + ": no schema names it");
    }
  }

  const Json& document_;
};

}  // namespace mct::admin::server::testing
