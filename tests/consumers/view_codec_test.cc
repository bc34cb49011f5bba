// The stored form of a trainer's view: what each format holds, and that a view of the format
// before orders kept their currency still reads (with the currency unknown) while one of a format
// no build of this code wrote is refused with the way out named.
#include "consumers/view_codec.h"

#include <gtest/gtest.h>

#include <string>

namespace mct::consumers {
namespace {

projections::TrainerView ViewWithAnOrder(const std::string& currency) {
  projections::TrainerView view;
  view.state.enrolled = true;
  view.state.name = "Hanako Sato";
  view.state.email = "h@example.jp";
  view.state.anniversary = *domain::Date::Parse("2018-05-01");
  domain::Order order;
  order.order_id = "CT00000001";
  order.amount_minor = 40000;
  order.currency = currency;
  order.idempotency_key = "key-1";
  order.completed_on = *domain::Date::Parse("2017-03-10");
  view.state.orders.push_back(order);
  view.funnel_month = "2017-03";
  return view;
}

// cereal's endianness flag, then the view's format.
constexpr size_t kFormatByte = 1;

TEST(ViewCodec, AnOrderKeepsItsCurrency) {
  const projections::TrainerView view = ViewWithAnOrder("USD");
  const std::string bytes = EncodeView(view);
  EXPECT_EQ(static_cast<int>(bytes.at(kFormatByte)), 2);
  auto decoded = DecodeView(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(EncodeView(decoded.value()), bytes);
  EXPECT_EQ(decoded.value().state.orders.at(0).currency, "USD");
}

TEST(ViewCodec, TheFormatWithoutCurrenciesStillReads) {
  std::string bytes = EncodeView(ViewWithAnOrder("USD"));
  // Format 1 is format 2 without the order's currency (a uint64 length, then the text).
  const std::string currency = std::string("\x03\0\0\0\0\0\0\0", 8) + "USD";
  const size_t at = bytes.find(currency);
  ASSERT_NE(at, std::string::npos);
  bytes.erase(at, currency.size());
  bytes[kFormatByte] = 1;
  auto decoded = DecodeView(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  // All but the currency as written; the currency unknown.
  EXPECT_EQ(EncodeView(decoded.value()), EncodeView(ViewWithAnOrder("")));
}

TEST(ViewCodec, AFormatOfAnotherBuildIsRefusedNamingTheRebuild) {
  std::string bytes = EncodeView(ViewWithAnOrder("USD"));
  bytes[kFormatByte] = 3;
  auto decoded = DecodeView(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("unknown format 3"), std::string::npos)
      << decoded.error().message;
  EXPECT_NE(decoded.error().message.find("rebuild"), std::string::npos);
}

}  // namespace
}  // namespace mct::consumers
