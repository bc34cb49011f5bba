// Result<T>: a value or an Error with a message for people. The project's [[nodiscard]] answer for
// work that can fail at the edges (decoding, storage, files); business "no"s are Rejections.
//
// A plain value type; not synchronised.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace mct {

struct Error {
  Error(std::string message_text, std::string code_text = "")  // NOLINT(google-explicit-constructor)
      : message(std::move(message_text)), code(std::move(code_text)) {}
  std::string message;
  std::string code;  // a stable snake_case code when the caller must tell errors apart
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Error error) : value_(std::move(error)) {}      // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(value_); }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<T>(value_); }
  T& value() & { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  const Error& error() const { return std::get<Error>(value_); }
  const T* operator->() const { return &value(); }
  const T& operator*() const { return value(); }

 private:
  std::variant<T, Error> value_;
};

// For work that returns nothing but can fail.
struct Done {};
using Status = Result<Done>;
inline Status Ok() { return Done{}; }

}  // namespace mct
