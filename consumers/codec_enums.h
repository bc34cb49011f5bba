// How the codec writes the domain's closed sets: a fixed wire byte for the binary log and the
// snake_case name (domain/values.h) for JSON. Private to consumers/.
//
// The wire bytes are part of the log format and are fixed forever, independent of the order in
// which the enumerators are declared: a new value takes a new byte, and a byte is never reused.
// Byte 0 is never a value, except CardBrand's "no card", so zeroed bytes do not decode silently.
//
// Stateless functions; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/values.h"

namespace mct::consumers {

// WireEnum<E>: the wire byte of each value, the value of each byte (nullopt for a byte that names
// none), the JSON name parser, and what the set is called in error messages.
template <typename E>
struct WireEnum;

template <>
struct WireEnum<domain::Track> {
  static constexpr std::string_view kWhat = "track";
  static uint8_t ToWire(domain::Track value);
  static std::optional<domain::Track> FromWire(uint8_t byte);
  static std::optional<domain::Track> Parse(std::string_view text) {
    return domain::ParseTrack(text);
  }
};

template <>
struct WireEnum<domain::EmployerType> {
  static constexpr std::string_view kWhat = "employer type";
  static uint8_t ToWire(domain::EmployerType value);
  static std::optional<domain::EmployerType> FromWire(uint8_t byte);
  static std::optional<domain::EmployerType> Parse(std::string_view text) {
    return domain::ParseEmployerType(text);
  }
};

template <>
struct WireEnum<domain::PaymentMethod> {
  static constexpr std::string_view kWhat = "payment method";
  static uint8_t ToWire(domain::PaymentMethod value);
  static std::optional<domain::PaymentMethod> FromWire(uint8_t byte);
  static std::optional<domain::PaymentMethod> Parse(std::string_view text) {
    return domain::ParsePaymentMethod(text);
  }
};

template <>
struct WireEnum<domain::CardBrand> {
  static constexpr std::string_view kWhat = "card brand";
  static uint8_t ToWire(domain::CardBrand value);
  static std::optional<domain::CardBrand> FromWire(uint8_t byte);
  static std::optional<domain::CardBrand> Parse(std::string_view text) {
    return domain::ParseCardBrand(text);
  }
};

template <>
struct WireEnum<domain::RenewalKind> {
  static constexpr std::string_view kWhat = "renewal kind";
  static uint8_t ToWire(domain::RenewalKind value);
  static std::optional<domain::RenewalKind> FromWire(uint8_t byte);
  static std::optional<domain::RenewalKind> Parse(std::string_view text) {
    return domain::ParseRenewalKind(text);
  }
};

template <>
struct WireEnum<domain::Role> {
  static constexpr std::string_view kWhat = "role";
  static uint8_t ToWire(domain::Role value);
  static std::optional<domain::Role> FromWire(uint8_t byte);
  static std::optional<domain::Role> Parse(std::string_view text) {
    return domain::ParseRole(text);
  }
};

// The JSON names of every value of E, comma-separated in wire-byte order ("it_pro, developer,
// dynamics, iw"), for error messages. The empty name (CardBrand's "no card") is left out.
template <typename E>
std::string NamesOf() {
  std::string names;
  for (int byte = 0; byte <= UINT8_MAX; ++byte) {
    const std::optional<E> value = WireEnum<E>::FromWire(static_cast<uint8_t>(byte));
    if (!value || domain::ToString(*value).empty()) continue;
    if (!names.empty()) names += ", ";
    names += domain::ToString(*value);
  }
  return names;
}

}  // namespace mct::consumers
