// The stored form of a trainer's view: what each format holds, and that a view of the format
// before orders kept their currency still reads (with the currency unknown) while one of a format
// no build of this code wrote is refused with the way out named.
#include "consumers/view_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "consumers/binary_archive.h"
#include "consumers/codec_enums.h"

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

// A view as the format-1 encoder wrote it, field by field (frozen here, whatever today's encoder
// does): two orders, the second refunded and settled.
std::string FormatOneView() {
  BinaryWriter& out = BinaryWriter::ForThisThread();
  const auto date = [&out](const char* text) {
    out.I32(static_cast<int32_t>(domain::Date::Parse(text)->days().time_since_epoch().count()));
  };
  out.U8(1);  // format
  out.U8(1);  // enrolled
  out.String("Hanako Sato");
  out.String("h@example.jp");
  date("2018-05-01");  // anniversary
  out.I64(7);          // version
  out.U64(0);          // tracks held
  out.U8(0);           // alumni
  out.U8(0);           // no application
  out.U64(2);          // orders
  for (const char* id : {"CT00000001", "CT00000002"}) {
    const bool refunded = std::string_view(id) == "CT00000002";
    out.String(id);
    out.U8(WireEnum<domain::RenewalKind>::ToWire(domain::RenewalKind::kRenewal));
    out.U8(WireEnum<domain::PaymentMethod>::ToWire(domain::PaymentMethod::kCreditCard));
    out.I64(40000);
    out.String(std::string("key-") + id);
    date("2017-03-10");  // completed on
    date("2017-05-01");  // previous anniversary
    date("2018-05-01");  // new anniversary
    out.U8(0);           // welcome kit
    out.U8(refunded ? 1 : 0);
    if (refunded) date("2017-04-02");
    out.U8(refunded ? 1 : 0);  // settled
  }
  out.String("2017-03");  // funnel month
  out.U8(0);              // funnel reached
  return out.Take();
}

TEST(ViewCodec, TheFormatWithoutCurrenciesStillReads) {
  auto decoded = DecodeView(FormatOneView());
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  const domain::TrainerState& state = decoded.value().state;
  EXPECT_EQ(state.name, "Hanako Sato");
  EXPECT_EQ(state.version, 7);
  ASSERT_EQ(state.orders.size(), 2U);
  for (const domain::Order& order : state.orders) {
    EXPECT_EQ(order.currency, "");  // unknown in that format
    EXPECT_EQ(order.amount_minor, 40000);
    EXPECT_EQ(order.idempotency_key, "key-" + order.order_id);
  }
  ASSERT_TRUE(state.orders[1].refund_issued_on.has_value());
  EXPECT_EQ(state.orders[1].refund_issued_on->ToString(), "2017-04-02");
  EXPECT_TRUE(state.orders[1].refund_settled);
  EXPECT_EQ(decoded.value().funnel_month, "2017-03");
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
