#include "admin/field_reader.h"

namespace mct::admin {

FieldReader::FieldReader(const nlohmann::json& object, std::string context)
    : object_(object), context_(std::move(context)) {
  if (!object_.is_object()) error_ = (context_.empty() ? "body" : context_) + ": must be an object";
}

std::string FieldReader::Name(std::string_view key) const {
  return context_.empty() ? std::string(key) : context_ + "." + std::string(key);
}

void FieldReader::Fail(std::string_view key, std::string what) {
  if (error_.empty()) error_ = Name(key) + ": " + what;
}

bool FieldReader::Has(std::string_view key) const {
  return object_.is_object() && object_.find(std::string(key)) != object_.end();
}

const nlohmann::json* FieldReader::Find(std::string_view key) {
  seen_.insert(std::string(key));
  if (!object_.is_object()) return nullptr;
  const auto found = object_.find(std::string(key));
  return found == object_.end() ? nullptr : &*found;
}

std::optional<std::string> TextLengthProblem(std::string_view text) {
  if (text.size() <= kMaxTextBytes) return std::nullopt;
  return "is longer than " + std::to_string(kMaxTextBytes) + " bytes";
}

std::string FieldReader::Text(std::string_view key, std::string fallback) {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return fallback;
  if (!value->is_string()) {
    Fail(key, "must be a string");
    return fallback;
  }
  if (auto problem = TextLengthProblem(value->get_ref<const std::string&>())) {
    Fail(key, *problem);
    return fallback;
  }
  return value->get<std::string>();
}

int64_t FieldReader::Integer(std::string_view key) {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return 0;
  if (!value->is_number_integer()) {
    Fail(key, "must be a whole number");
    return 0;
  }
  if (value->is_number_unsigned() && value->get<uint64_t>() > INT64_MAX) {
    Fail(key, "is too large");
    return 0;
  }
  return value->get<int64_t>();
}

double FieldReader::Number(std::string_view key) {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return 0;
  if (!value->is_number()) {
    Fail(key, "must be a number");
    return 0;
  }
  return value->get<double>();
}

double FieldReader::RequiredNumber(std::string_view key) {
  if (!Has(key)) {
    Find(key);
    Fail(key, "is required (a number)");
    return 0;
  }
  return Number(key);
}

bool FieldReader::Flag(std::string_view key) {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return false;
  if (!value->is_boolean()) {
    Fail(key, "must be true or false");
    return false;
  }
  return value->get<bool>();
}

domain::Date FieldReader::RequiredDate(std::string_view key) {
  if (!Has(key)) {
    Find(key);
    Fail(key, "is required (a date YYYY-MM-DD)");
    return {};
  }
  if (auto date = OptionalDate(key)) return *date;
  Fail(key, "is required (a date YYYY-MM-DD)");
  return {};
}

std::optional<std::string> CommandDateProblem(const domain::Date& date) {
  static const domain::Date kFirst = *domain::Date::Parse("1900-01-01");
  static const domain::Date kLast = *domain::Date::Parse("9998-12-31");
  if (date >= kFirst && date <= kLast) return std::nullopt;
  // Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict) on "'" + a returned string.
  std::string problem = "'";
  problem += date.ToString();
  problem += "' is not a date from 1900-01-01 to 9998-12-31";
  return problem;
}

std::optional<domain::Date> FieldReader::OptionalDate(std::string_view key) {
  const std::string text = Text(key);
  if (text.empty()) return std::nullopt;
  auto date = domain::Date::Parse(text);
  if (!date) {
    Fail(key, "'" + text + "' is not a date YYYY-MM-DD");
  } else if (auto problem = CommandDateProblem(*date)) {
    Fail(key, *problem);
  }
  return date;
}

domain::Instant FieldReader::RequiredInstant(std::string_view key) {
  const std::string text = Text(key);
  if (!Has(key)) {
    Fail(key, "is required (an instant such as 2017-03-01T09:00:00Z)");
    return {};
  }
  auto instant = domain::Instant::Parse(text);
  if (!instant) {
    Fail(key, "'" + text + "' is not an RFC 3339 instant such as 2017-03-01T09:00:00Z");
    return {};
  }
  return *instant;
}

const nlohmann::json* FieldReader::Object(std::string_view key) {
  const nlohmann::json* value = Find(key);
  if (value != nullptr && !value->is_object()) {
    Fail(key, "must be an object");
    return nullptr;
  }
  return value;
}

Status FieldReader::Finish() const {
  if (!error_.empty()) return Error{error_};
  for (const auto& [key, value] : object_.items()) {
    if (!seen_.contains(key)) return Error{Name(key) + ": unknown field"};
  }
  return Ok();
}

}  // namespace mct::admin
