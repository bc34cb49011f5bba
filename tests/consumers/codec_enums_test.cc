// The wire bytes of the domain's enumerations are part of the log format: pinned here value by
// value, so reordering an enum in domain/values.h cannot change what the log means.
#include "consumers/codec_enums.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <utility>
#include <vector>

namespace mct::consumers {
namespace {

using domain::CardBrand;
using domain::EmployerType;
using domain::PaymentMethod;
using domain::RenewalKind;
using domain::Role;
using domain::Track;

// Every value of E with its wire byte, as committed; and every other byte names nothing.
template <typename E>
void ExpectWireBytes(const std::vector<std::pair<E, uint8_t>>& expected) {
  std::set<int> used;
  for (const auto& [value, byte] : expected) {
    SCOPED_TRACE(domain::ToString(value));
    EXPECT_EQ(WireEnum<E>::ToWire(value), byte);
    EXPECT_EQ(WireEnum<E>::FromWire(byte), value);
    EXPECT_EQ(WireEnum<E>::Parse(domain::ToString(value)), value);
    used.insert(byte);
  }
  for (int byte = 0; byte <= UINT8_MAX; ++byte) {
    if (used.count(byte) == 0) {
      EXPECT_EQ(WireEnum<E>::FromWire(static_cast<uint8_t>(byte)), std::nullopt) << byte;
    }
  }
}

TEST(CodecEnums, TrackBytesAreFixed) {
  ExpectWireBytes<Track>(
      {{Track::kItPro, 1}, {Track::kDeveloper, 2}, {Track::kDynamics, 3}, {Track::kIw, 4}});
}

TEST(CodecEnums, EmployerTypeBytesAreFixed) {
  ExpectWireBytes<EmployerType>({{EmployerType::kMicrosoftFte, 1},
                                 {EmployerType::kAcademic, 2},
                                 {EmployerType::kFreelance, 3},
                                 {EmployerType::kGovernment, 4},
                                 {EmployerType::kImagineAcademy, 5},
                                 {EmployerType::kLearningPartner, 6},
                                 {EmployerType::kOther, 7}});
}

TEST(CodecEnums, PaymentMethodBytesAreFixed) {
  ExpectWireBytes<PaymentMethod>({{PaymentMethod::kCreditCard, 1},
                                  {PaymentMethod::kDebitCard, 2},
                                  {PaymentMethod::kPaypal, 3},
                                  {PaymentMethod::kVoucher, 4}});
}

TEST(CodecEnums, CardBrandBytesAreFixed) {
  ExpectWireBytes<CardBrand>({{CardBrand::kNone, 0},
                              {CardBrand::kVisa, 1},
                              {CardBrand::kMastercard, 2},
                              {CardBrand::kAmex, 3}});
}

TEST(CodecEnums, RenewalKindBytesAreFixed) {
  ExpectWireBytes<RenewalKind>({{RenewalKind::kRenewal, 1}, {RenewalKind::kReinstatement, 2}});
}

TEST(CodecEnums, RoleBytesAreFixed) {
  ExpectWireBytes<Role>(
      {{Role::kTrainer, 1}, {Role::kSupport, 2}, {Role::kSystem, 3}, {Role::kAuditor, 4}});
}

TEST(CodecEnums, NamesListEveryNamedValueForMessages) {
  EXPECT_EQ(NamesOf<Track>(), "it_pro, developer, dynamics, iw");
  EXPECT_EQ(NamesOf<CardBrand>(), "visa, mastercard, amex");
}

}  // namespace
}  // namespace mct::consumers
