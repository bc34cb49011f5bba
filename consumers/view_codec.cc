#include "consumers/view_codec.h"

#include "consumers/binary_archive.h"
#include "consumers/payload_io.h"

namespace mct::consumers {
namespace {

// A new layout gets a new number; DecodeView reads every number it knows.
// 1: orders without their currency; 2: with it.
constexpr uint8_t kViewFormat = 2;
constexpr uint8_t kViewFormatWithoutCurrency = 1;
constexpr uint8_t kGapsFormat = 1;

void WriteDate(BinaryWriter& out, const domain::Date& date) {
  out.I32(static_cast<int32_t>(date.days().time_since_epoch().count()));
}

domain::Date ReadDate(BinaryReader& in, std::string_view field) {
  return domain::Date(std::chrono::sys_days(std::chrono::days(in.I32({"view", field}))));
}

template <typename E>
void WriteEnum(BinaryWriter& out, E value) {
  out.U8(WireEnum<E>::ToWire(value));
}

template <typename E>
E ReadEnum(BinaryReader& in, std::string_view field) {
  return PayloadReader::ReadEnum<E>(in, {"view", field});
}

// An optional event struct: a presence byte, then its fields in event_fields.h order.
template <typename Payload>
void WriteOptional(BinaryWriter& out, const std::optional<Payload>& value) {
  out.U8(value ? 1 : 0);
  if (!value) return;
  PayloadWriter writer(out);
  VisitFields(*value, writer);
}

template <typename Payload>
std::optional<Payload> ReadOptional(BinaryReader& in, std::string_view field) {
  if (in.U8({"view", field}) == 0) return std::nullopt;
  Payload value;
  PayloadReader reader(in, field);
  VisitFields(value, reader);
  return value;
}

void WriteApplication(BinaryWriter& out, const domain::Application& app) {
  WriteEnum(out, app.kind);
  WriteDate(out, app.anniversary);
  WriteDate(out, app.started_on);
  WriteOptional(out, app.profile);
  WriteOptional(out, app.exception);
  out.U8(app.report_uploaded ? 1 : 0);
  out.U8(app.requirements_confirmed ? 1 : 0);
  out.U8(app.terms_accepted ? 1 : 0);
  out.U8(app.voucher_code ? 1 : 0);
  if (app.voucher_code) out.String(*app.voucher_code);
  WriteOptional(out, app.billing);
}

domain::Application ReadApplication(BinaryReader& in) {
  domain::Application app;
  app.kind = ReadEnum<domain::RenewalKind>(in, "application.kind");
  app.anniversary = ReadDate(in, "application.anniversary");
  app.started_on = ReadDate(in, "application.started_on");
  app.profile = ReadOptional<domain::ProfileChosen>(in, "application.profile");
  app.exception = ReadOptional<domain::ExceptionFiled>(in, "application.exception");
  app.report_uploaded = in.U8({"view", "application.report_uploaded"}) != 0;
  app.requirements_confirmed = in.U8({"view", "application.requirements_confirmed"}) != 0;
  app.terms_accepted = in.U8({"view", "application.terms_accepted"}) != 0;
  if (in.U8({"view", "application.voucher"}) != 0) {
    app.voucher_code = in.String({"view", "application.voucher_code"});
  }
  app.billing = ReadOptional<domain::BillingAddressEntered>(in, "application.billing");
  return app;
}

void WriteOrder(BinaryWriter& out, const domain::Order& order) {
  out.String(order.order_id);
  WriteEnum(out, order.kind);
  WriteEnum(out, order.method);
  out.I64(order.amount_minor);
  out.String(order.currency);
  out.String(order.idempotency_key);
  WriteDate(out, order.completed_on);
  WriteDate(out, order.previous_anniversary);
  WriteDate(out, order.new_anniversary);
  out.U8(order.welcome_kit_ordered ? 1 : 0);
  out.U8(order.refund_issued_on ? 1 : 0);
  if (order.refund_issued_on) WriteDate(out, *order.refund_issued_on);
  out.U8(order.refund_settled ? 1 : 0);
}

domain::Order ReadOrder(BinaryReader& in, uint8_t format) {
  domain::Order order;
  order.order_id = in.String({"view", "order.order_id"});
  order.kind = ReadEnum<domain::RenewalKind>(in, "order.kind");
  order.method = ReadEnum<domain::PaymentMethod>(in, "order.method");
  order.amount_minor = in.I64({"view", "order.amount_minor"});
  // Unknown in the older format: an older build's view, which a rebuild replaces (ReadModels'
  // layout), or one such a build wrote beside this one.
  if (format != kViewFormatWithoutCurrency) order.currency = in.String({"view", "order.currency"});
  order.idempotency_key = in.String({"view", "order.idempotency_key"});
  order.completed_on = ReadDate(in, "order.completed_on");
  order.previous_anniversary = ReadDate(in, "order.previous_anniversary");
  order.new_anniversary = ReadDate(in, "order.new_anniversary");
  order.welcome_kit_ordered = in.U8({"view", "order.welcome_kit_ordered"}) != 0;
  if (in.U8({"view", "order.refunded"}) != 0)
    order.refund_issued_on = ReadDate(in, "order.refund_issued_on");
  order.refund_settled = in.U8({"view", "order.refund_settled"}) != 0;
  return order;
}

// Refuses trailing bytes and reports the first failure.
template <typename T>
Result<T> Finish(const BinaryReader& in, T value, std::string_view what) {
  if (!in.ok()) return Error{std::string(what) + ": " + in.error()};
  if (in.remaining() != 0) {
    return Error{std::string(what) + ": " + std::to_string(in.remaining()) + " trailing bytes"};
  }
  return value;
}

}  // namespace

std::string EncodeView(const projections::TrainerView& view) {
  BinaryWriter& out = BinaryWriter::ForThisThread();
  out.U8(kViewFormat);
  const domain::TrainerState& state = view.state;
  out.U8(state.enrolled ? 1 : 0);
  out.String(state.name);
  out.String(state.email);
  WriteDate(out, state.anniversary);
  out.I64(state.version);
  out.U64(state.tracks_held.size());
  for (const domain::Track track : state.tracks_held) WriteEnum(out, track);
  out.U8(state.alumni ? 1 : 0);
  out.U8(state.application ? 1 : 0);
  if (state.application) WriteApplication(out, *state.application);
  out.U64(state.orders.size());
  for (const auto& order : state.orders) WriteOrder(out, order);
  out.String(view.funnel_month);
  out.U8(view.funnel_reached);
  return out.Take();
}

Result<projections::TrainerView> DecodeView(std::string_view bytes) {
  BinaryReader in(bytes);
  const uint8_t format = in.U8({"view", "format"});
  if (in.ok() && format != kViewFormat && format != kViewFormatWithoutCurrency) {
    in.Fail("view: unknown format " + std::to_string(format) +
            " (written by another build: rebuild the read models with this one)");
  }
  projections::TrainerView view;
  domain::TrainerState& state = view.state;
  state.enrolled = in.U8({"view", "enrolled"}) != 0;
  state.name = in.String({"view", "name"});
  state.email = in.String({"view", "email"});
  state.anniversary = ReadDate(in, "anniversary");
  state.version = in.I64({"view", "version"});
  const uint64_t tracks = in.U64({"view", "tracks_held"});
  for (uint64_t index = 0; index < tracks && in.ok() && index < 16; ++index) {
    state.tracks_held.insert(ReadEnum<domain::Track>(in, "tracks_held"));
  }
  state.alumni = in.U8({"view", "alumni"}) != 0;
  if (in.U8({"view", "application"}) != 0) state.application = ReadApplication(in);
  const uint64_t orders = in.U64({"view", "orders"});
  for (uint64_t index = 0; index < orders && in.ok(); ++index)
    state.orders.push_back(ReadOrder(in, format));
  view.funnel_month = in.String({"view", "funnel_month"});
  view.funnel_reached = in.U8({"view", "funnel_reached"});
  return Finish(in, std::move(view), "trainer view");
}

std::string EncodeGaps(const StoredGaps& gaps) {
  BinaryWriter& out = BinaryWriter::ForThisThread();
  out.U8(kGapsFormat);
  WriteDate(out, gaps.anniversary);
  out.U64(gaps.closed.size());
  for (const auto& gap : gaps.closed) {
    WriteDate(out, gap.from);
    WriteDate(out, gap.to.value_or(gap.from));
  }
  return out.Take();
}

Result<StoredGaps> DecodeGaps(std::string_view bytes) {
  BinaryReader in(bytes);
  const uint8_t format = in.U8({"gaps", "format"});
  if (in.ok() && format != kGapsFormat) in.Fail("gaps: unknown format " + std::to_string(format));
  StoredGaps gaps;
  gaps.anniversary = ReadDate(in, "anniversary");
  const uint64_t count = in.U64({"gaps", "count"});
  for (uint64_t index = 0; index < count && in.ok(); ++index) {
    projections::Gap gap;
    gap.from = ReadDate(in, "gap.from");
    gap.to = ReadDate(in, "gap.to");
    gaps.closed.push_back(gap);
  }
  return Finish(in, std::move(gaps), "gaps");
}

}  // namespace mct::consumers
