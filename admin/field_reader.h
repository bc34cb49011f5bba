// FieldReader: reads the fields of one JSON object strictly. Each accessor names the field it
// reads; the first problem (missing, wrong type, malformed value) is remembered with the field's
// name, and Finish() also refuses any key nobody read (architecture invariant 9: unknown fields
// are refused, never ignored).
//
// Not thread-safe; one reader per object, used once.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "domain/result.h"
#include "domain/values.h"

namespace mct::admin {

// Why `date`, given in a command, is refused, or nullopt: a command's dates lie from 1900 to
// 9998, so that every date the rules derive from them (a window 90 days before, an anniversary a
// year after) is still written YYYY-MM-DD (a year 0000 anniversary made a window open in year -1).
std::optional<std::string> CommandDateProblem(const domain::Date& date);

// The longest text a command's field may hold, in bytes. Far above any name, address, course or
// key a person types; low enough that an event of ~20 such fields, each escaped at worst six
// bytes a byte, stays within the export line that import reads (1 MiB): a log the product
// accepted can always be restored from its export.
inline constexpr size_t kMaxTextBytes = 4096;
// Why `text` given as `name` is refused for its length, or nullopt.
std::optional<std::string> TextLengthProblem(std::string_view text);

class FieldReader {
 public:
  // `context` prefixes field names in messages ("card" gives "card.number").
  FieldReader(const nlohmann::json& object, std::string context);

  // A string; absent gives `fallback`.
  std::string Text(std::string_view key, std::string fallback = "");
  // An integer; absent gives 0.
  int64_t Integer(std::string_view key);
  // A number; absent gives 0.
  double Number(std::string_view key);
  // A number; absent is an error (where no value may be made up, as a survey's score).
  double RequiredNumber(std::string_view key);
  // A boolean; absent gives false.
  bool Flag(std::string_view key);
  // `YYYY-MM-DD`; absent is an error.
  domain::Date RequiredDate(std::string_view key);
  // `YYYY-MM-DD`; absent or empty gives nullopt.
  std::optional<domain::Date> OptionalDate(std::string_view key);
  // An RFC 3339 instant; absent is an error.
  domain::Instant RequiredInstant(std::string_view key);
  // A value of a closed set, parsed by `parse`; absent is an error.
  template <typename Enum, typename Parse>
  Enum RequiredEnum(std::string_view key, Parse parse) {
    const std::string text = Text(key);
    if (!ok()) return Enum{};
    if (!Has(key)) {
      Fail(key, "is required");
      return Enum{};
    }
    if (auto value = parse(text)) return *value;
    Fail(key, "'" + text + "' is not one of the allowed values");
    return Enum{};
  }
  // A nested object, or nullptr when absent; a non-object is an error.
  const nlohmann::json* Object(std::string_view key);
  // Marks a key as read without reading it (the caller handles it elsewhere).
  void Skip(std::string_view key) { seen_.insert(std::string(key)); }
  bool Has(std::string_view key) const;

  // Records a problem with `key` unless one is already recorded.
  void Fail(std::string_view key, std::string what);
  bool ok() const { return error_.empty(); }
  // The first problem, or an unknown key, or Ok.
  Status Finish() const;

 private:
  const nlohmann::json* Find(std::string_view key);
  std::string Name(std::string_view key) const;

  const nlohmann::json& object_;
  std::string context_;
  std::set<std::string, std::less<>> seen_;
  std::string error_;
};

}  // namespace mct::admin
