#include "consumers/json_field_reader.h"

#include <limits>
#include <optional>
#include <utility>

#include "consumers/json_text.h"

namespace mct::consumers {

std::string DescribeJson(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::binary:
      return "binary data";
    case nlohmann::json::value_t::discarded:
      return "nothing";
    default:
      return value.dump();  // null, a boolean or a number: short
  }
}

JsonFieldReader::JsonFieldReader(const nlohmann::json& object, std::string scope)
    : object_(object), scope_(std::move(scope)) {}

void JsonFieldReader::Fail(std::string_view field, std::string_view problem) {
  if (!ok()) return;
  error_ = scope_;
  error_ += '.';
  error_ += field;
  error_ += ": ";
  error_ += problem;
}

void JsonFieldReader::Absorb(const JsonFieldReader& nested) {
  if (ok()) error_ = nested.error();
}

void JsonFieldReader::RefuseUnknownKeys(std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : object_.items()) {
    bool known = false;
    for (std::string_view name : allowed) known = known || name == key;
    if (!known) {
      Fail(key, "unknown field");
      return;
    }
  }
}

const nlohmann::json* JsonFieldReader::Get(std::string_view name) {
  if (!ok()) return nullptr;
  const auto found = object_.find(name);
  if (found == object_.end()) {
    Fail(name, "missing");
    return nullptr;
  }
  return &*found;
}

bool JsonFieldReader::GetString(std::string_view name, std::string& value) {
  const nlohmann::json* json = Get(name);
  if (json == nullptr) return false;
  if (!json->is_string()) {
    Fail(name, "expected a string, got " + DescribeJson(*json));
    return false;
  }
  value = json->get<std::string>();
  return true;
}

bool JsonFieldReader::LeftOut(std::string_view name) const {
  if (!lenient_ || !ok()) return false;
  const auto found = object_.find(name);
  return found == object_.end() || found->is_null();
}

std::optional<int64_t> JsonFieldReader::WholeNumber(const nlohmann::json& json) const {
  return lenient_ ? WholeNumberOf(json) : std::nullopt;
}

void JsonFieldReader::operator()(std::string_view name, std::string& value, Nullable nullable) {
  if (LeftOut(name)) {
    value.clear();
    return;
  }
  if (nullable == Nullable::kWhenEmpty) {
    const nlohmann::json* json = Get(name);
    if (json != nullptr && json->is_null()) {
      value.clear();
      return;
    }
    std::string text;
    if (!GetString(name, text)) return;
    if (text.empty()) {
      Fail(name, "'' is not allowed; write null for none");
      return;
    }
    value = std::move(text);
    return;
  }
  GetString(name, value);
}

void JsonFieldReader::operator()(std::string_view name, int64_t& value) {
  if (LeftOut(name)) {
    value = 0;
    return;
  }
  const nlohmann::json* json = Get(name);
  if (json == nullptr) return;
  if (const std::optional<int64_t> whole = WholeNumber(*json)) {
    value = *whole;
  } else if (json->is_number_unsigned()) {
    const auto unsigned_value = json->get<uint64_t>();
    if (unsigned_value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      Fail(name, json->dump() + " is out of range");
      return;
    }
    value = static_cast<int64_t>(unsigned_value);
  } else if (json->is_number_integer()) {
    value = json->get<int64_t>();
  } else {
    Fail(name, "expected an integer, got " + DescribeJson(*json));
  }
}

void JsonFieldReader::operator()(std::string_view name, uint64_t& value) {
  if (LeftOut(name)) {
    value = 0;
    return;
  }
  const nlohmann::json* json = Get(name);
  if (json == nullptr) return;
  if (const std::optional<int64_t> whole = WholeNumber(*json); whole && *whole >= 0) {
    value = static_cast<uint64_t>(*whole);
  } else if (json->is_number_unsigned()) {
    value = json->get<uint64_t>();
  } else if (json->is_number_integer() && json->get<int64_t>() >= 0) {
    value = static_cast<uint64_t>(json->get<int64_t>());
  } else {
    Fail(name, "expected a non-negative integer, got " + DescribeJson(*json));
  }
}

void JsonFieldReader::operator()(std::string_view name, double& value) {
  const nlohmann::json* json = Get(name);
  if (json == nullptr) return;
  if (!json->is_number()) {
    Fail(name, "expected a number, got " + DescribeJson(*json));
    return;
  }
  value = json->get<double>();
}

void JsonFieldReader::operator()(std::string_view name, domain::Date& value) {
  std::string text;
  if (!GetString(name, text)) return;
  const std::optional<domain::Date> parsed = domain::Date::Parse(text);
  if (!parsed) {
    Fail(name, "'" + text + "' is not a date YYYY-MM-DD");
    return;
  }
  value = *parsed;
}

void JsonFieldReader::operator()(std::string_view name, domain::Instant& value) {
  std::string text;
  if (!GetString(name, text)) return;
  const std::optional<domain::Instant> parsed = domain::Instant::Parse(text);
  if (!parsed) {
    Fail(name, "'" + text + "' is not an instant like 2017-03-01T09:00:00Z");
    return;
  }
  value = *parsed;
}

void JsonFieldReader::operator()(std::string_view name, domain::Mcid& value) {
  std::string text;
  if (!GetString(name, text)) return;
  const std::optional<domain::Mcid> parsed = domain::Mcid::Parse(text);
  if (!parsed) {
    Fail(name, "'" + text + "' is not an MCID (4 to 10 digits)");
    return;
  }
  value = *parsed;
}

const nlohmann::json* JsonFieldReader::Object(std::string_view name) {
  const nlohmann::json* json = Get(name);
  if (json == nullptr) return nullptr;
  if (!json->is_object()) {
    Fail(name, "expected an object, got " + DescribeJson(*json));
    return nullptr;
  }
  return json;
}

}  // namespace mct::consumers
