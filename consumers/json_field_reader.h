// Strict reading of one JSON object's fields for the event codec: every value is checked for its
// type and form, and every failure is a message that names the field ("TrainerEnrolled.anniversary:
// '2017-13-01' is not a date YYYY-MM-DD"). Private to consumers/.
//
// The reader is a visitor for event_fields.h (`reader(name, field)` fills `field` from the key
// `name`) and serves the envelope fields too. Like the binary reader, it keeps the first failure
// and does nothing after it; check ok() once at the end.
//
// Not thread-safe: one reader per object, used by one thread.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "consumers/codec_enums.h"
#include "consumers/event_fields.h"
#include "domain/values.h"

namespace mct::consumers {

// A short description of a JSON value for messages: `null`, `true`, `12`, or `a string`,
// `an array`, `an object` (never the whole value, which may be long).
std::string DescribeJson(const nlohmann::json& value);

class JsonFieldReader {
 public:
  // `object` must be a JSON object and outlive the reader; `scope` prefixes every message
  // ("RenewalStarted", "RenewalStarted.actor").
  JsonFieldReader(const nlohmann::json& object, std::string scope);

  bool ok() const { return error_.empty(); }
  // "<scope>.<field>: <problem>" for the first failure; empty while ok().
  const std::string& error() const { return error_; }
  void Fail(std::string_view field, std::string_view problem);
  // Takes over the first failure of a reader of a nested object, whose messages are already
  // scoped ("RenewalStarted.actor.role: missing").
  void Absorb(const JsonFieldReader& nested);

  // From now on the reader takes what an author writes by hand in a scenario's given event: a
  // text or integer field left out or null reads as empty or 0 (an employer_detail a freelance
  // profile has none of, PaymentPlaced's tax_minor that is always 0), and an integer may be
  // written as a whole number with a fraction (40000.0). An export line is read strictly.
  void AllowLeftOutFields() { lenient_ = true; }

  bool Has(std::string_view name) const { return object_.contains(name); }
  // Fails on the first key that is not one of `allowed`: "<scope>.<key>: unknown field".
  void RefuseUnknownKeys(std::initializer_list<std::string_view> allowed);

  // A required string; when `nullable` is kWhenEmpty, null reads as empty and an empty string is
  // refused (null is the one way to say "none"). After AllowLeftOutFields, see there.
  void operator()(std::string_view name, std::string& value, Nullable nullable = Nullable::kNo);
  void operator()(std::string_view name, int64_t& value);
  void operator()(std::string_view name, uint64_t& value);
  void operator()(std::string_view name, double& value);
  void operator()(std::string_view name, domain::Date& value);
  void operator()(std::string_view name, domain::Instant& value);
  void operator()(std::string_view name, domain::Mcid& value);

  // An enumeration by its snake_case name; a nullable one reads null as the value named "".
  template <typename E>
  requires std::is_enum_v<E>
  void operator()(std::string_view name, E& value, Nullable nullable = Nullable::kNo) {
    std::string text;
    (*this)(name, text, nullable);
    if (!ok()) return;
    const std::optional<E> parsed = WireEnum<E>::Parse(text);
    if (!parsed) {
      Fail(name, "'" + text + "' is not a " + std::string(WireEnum<E>::kWhat) + " (" +
                     NamesOf<E>() + ")");
      return;
    }
    value = *parsed;
  }

  // The object under `name`, or nullptr after failing (missing, or not an object).
  const nlohmann::json* Object(std::string_view name);

 private:
  // The value under `name`, or nullptr after failing with "missing".
  const nlohmann::json* Get(std::string_view name);
  // The string under `name` into `value`; false after failing.
  bool GetString(std::string_view name, std::string& value);

  const nlohmann::json& object_;
  std::string scope_;
  // After AllowLeftOutFields: whether `name` is left out or null, which then reads as empty.
  bool LeftOut(std::string_view name) const;
  // After AllowLeftOutFields: a whole number written with a fraction, as an integer.
  std::optional<int64_t> WholeNumber(const nlohmann::json& json) const;

  bool lenient_ = false;
  std::string error_;
};

}  // namespace mct::consumers
