#include "consumers/codec_enums.h"

// Each ToWire is a switch without a default, so -Wswitch (an error here) refuses a build in which
// a new enumerator has no wire byte yet. FromWire is its inverse; the codec tests check both
// directions for every value.

namespace mct::consumers {

using domain::CardBrand;
using domain::EmployerType;
using domain::PaymentMethod;
using domain::RenewalKind;
using domain::Role;
using domain::Track;

uint8_t WireEnum<Track>::ToWire(Track value) {
  switch (value) {
    case Track::kItPro:
      return 1;
    case Track::kDeveloper:
      return 2;
    case Track::kDynamics:
      return 3;
    case Track::kIw:
      return 4;
  }
  return 0;
}

std::optional<Track> WireEnum<Track>::FromWire(uint8_t byte) {
  switch (byte) {
    case 1:
      return Track::kItPro;
    case 2:
      return Track::kDeveloper;
    case 3:
      return Track::kDynamics;
    case 4:
      return Track::kIw;
    default:
      return std::nullopt;
  }
}

uint8_t WireEnum<EmployerType>::ToWire(EmployerType value) {
  switch (value) {
    case EmployerType::kMicrosoftFte:
      return 1;
    case EmployerType::kAcademic:
      return 2;
    case EmployerType::kFreelance:
      return 3;
    case EmployerType::kGovernment:
      return 4;
    case EmployerType::kImagineAcademy:
      return 5;
    case EmployerType::kLearningPartner:
      return 6;
    case EmployerType::kOther:
      return 7;
  }
  return 0;
}

std::optional<EmployerType> WireEnum<EmployerType>::FromWire(uint8_t byte) {
  switch (byte) {
    case 1:
      return EmployerType::kMicrosoftFte;
    case 2:
      return EmployerType::kAcademic;
    case 3:
      return EmployerType::kFreelance;
    case 4:
      return EmployerType::kGovernment;
    case 5:
      return EmployerType::kImagineAcademy;
    case 6:
      return EmployerType::kLearningPartner;
    case 7:
      return EmployerType::kOther;
    default:
      return std::nullopt;
  }
}

uint8_t WireEnum<PaymentMethod>::ToWire(PaymentMethod value) {
  switch (value) {
    case PaymentMethod::kCreditCard:
      return 1;
    case PaymentMethod::kDebitCard:
      return 2;
    case PaymentMethod::kPaypal:
      return 3;
    case PaymentMethod::kVoucher:
      return 4;
  }
  return 0;
}

std::optional<PaymentMethod> WireEnum<PaymentMethod>::FromWire(uint8_t byte) {
  switch (byte) {
    case 1:
      return PaymentMethod::kCreditCard;
    case 2:
      return PaymentMethod::kDebitCard;
    case 3:
      return PaymentMethod::kPaypal;
    case 4:
      return PaymentMethod::kVoucher;
    default:
      return std::nullopt;
  }
}

uint8_t WireEnum<CardBrand>::ToWire(CardBrand value) {
  switch (value) {
    case CardBrand::kNone:
      return 0;  // not a card payment
    case CardBrand::kVisa:
      return 1;
    case CardBrand::kMastercard:
      return 2;
    case CardBrand::kAmex:
      return 3;
  }
  return 0;
}

std::optional<CardBrand> WireEnum<CardBrand>::FromWire(uint8_t byte) {
  switch (byte) {
    case 0:
      return CardBrand::kNone;
    case 1:
      return CardBrand::kVisa;
    case 2:
      return CardBrand::kMastercard;
    case 3:
      return CardBrand::kAmex;
    default:
      return std::nullopt;
  }
}

uint8_t WireEnum<RenewalKind>::ToWire(RenewalKind value) {
  switch (value) {
    case RenewalKind::kRenewal:
      return 1;
    case RenewalKind::kReinstatement:
      return 2;
  }
  return 0;
}

std::optional<RenewalKind> WireEnum<RenewalKind>::FromWire(uint8_t byte) {
  switch (byte) {
    case 1:
      return RenewalKind::kRenewal;
    case 2:
      return RenewalKind::kReinstatement;
    default:
      return std::nullopt;
  }
}

uint8_t WireEnum<Role>::ToWire(Role value) {
  switch (value) {
    case Role::kTrainer:
      return 1;
    case Role::kSupport:
      return 2;
    case Role::kSystem:
      return 3;
    case Role::kAuditor:
      return 4;
  }
  return 0;
}

std::optional<Role> WireEnum<Role>::FromWire(uint8_t byte) {
  switch (byte) {
    case 1:
      return Role::kTrainer;
    case 2:
      return Role::kSupport;
    case 3:
      return Role::kSystem;
    case 4:
      return Role::kAuditor;
    default:
      return std::nullopt;
  }
}

}  // namespace mct::consumers
