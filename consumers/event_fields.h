// The payload fields of every event type, listed once: their domain.md names, in wire order.
// The binary codec writes and reads them in this order and the JSON codec names them so, which
// keeps the two formats from disagreeing about a field. Private to consumers/.
//
// The order is part of the binary log format of each type's current schema version: changing a
// list (adding, removing, reordering or retyping a field) means a new schema version for that type
// and an upcaster for the old one in codec.cc, and golden files for both.
//
// A visitor is called as `visit(name, field)` or `visit(name, field, Nullable::kWhenEmpty)`, with
// `field` a reference to std::string, int64_t, double, domain::Date, domain::Instant or one of the
// domain's enumerations; `Event` may be const. Stateless; safe from any thread.
#pragma once

#include <string_view>
#include <type_traits>

#include "domain/events.h"

namespace mct::consumers {

// Whether JSON renders an empty value as null (and reads null back as empty). Binary ignores it.
enum class Nullable { kNo, kWhenEmpty };

template <typename Payload>
struct FieldList;

template <typename Event, typename Visitor>
void VisitFields(Event& event, Visitor& visit) {
  FieldList<std::remove_const_t<Event>>::Visit(event, visit);
}

template <>
struct FieldList<domain::TrainerEnrolled> {
  template <typename Event, typename Visitor>
  static void Visit(Event& event, Visitor& visit) {
    visit("name", event.name);
    visit("email", event.email);
    visit("anniversary", event.anniversary);
  }
};

template <>
struct FieldList<domain::CertificationRecorded> {
  template <typename Event, typename Visitor>
  static void Visit(Event& event, Visitor& visit) {
    visit("certification_id", event.certification_id);
    visit("track", event.track);
  }
};

template <>
struct FieldList<domain::RenewalStarted> {
  template <typename Event, typename Visitor>
  static void Visit(Event& event, Visitor& visit) {
    visit("kind", event.kind);
    visit("anniversary", event.anniversary);
  }
};

template <>
struct FieldList<domain::FteCodeIssued> {
  template <typename Event, typename Visitor>
  static void Visit(Event& event, Visitor& visit) {
    visit("alias", event.alias);
    visit("code_sha256", event.code_sha256);
    visit("expires_at", event.expires_at);
  }
};

template <>
struct FieldList<domain::ProfileChosen> {
  template <typename Event, typename Visitor>
  static void Visit(Event& event, Visitor& visit) {
    visit("employer_type", event.employer_type);
    visit("employer_detail", event.employer_detail);
    visit("track", event.track);
  }
};

template <>
struct FieldList<domain::ExceptionFiled> {
  template <typename Event, typename Visitor>
  static void Visit(Event& event, Visitor& visit) {
    visit("classes", event.classes);
    visit("course_name", event.course_name);
    visit("course_date", event.course_date);
    visit("students", event.students);
    visit("organization", event.organization);
    visit("manager_name", event.manager_name);
    visit("manager_email", event.manager_email);
  }
};

template <>
struct FieldList<domain::MtmSurveyRecorded> {
  template <typename Event, typename Visitor>
  static void Visit(Event& event, Visitor& visit) {
    visit("course_name", event.course_name);
    visit("course_date", event.course_date);
    visit("average_score", event.average_score);
  }
};

template <>
struct FieldList<domain::MtmReportUploaded> {
  template <typename Event, typename Visitor>
  static void Visit(Event& event, Visitor& visit) {
    visit("media_type", event.media_type);
    visit("size", event.size);
    visit("sha256", event.sha256);
    visit("mct_full_name", event.mct_full_name);
    visit("course_name", event.course_name);
    visit("course_date", event.course_date);
  }
};

// The events that carry nothing but the envelope.
struct NoFields {
  template <typename Event, typename Visitor>
  static void Visit(Event& /*event*/, Visitor& /*visit*/) {}
};
template <>
struct FieldList<domain::RequirementsConfirmed> : NoFields {};
template <>
struct FieldList<domain::TermsAccepted> : NoFields {};
template <>
struct FieldList<domain::AlumniApplied> : NoFields {};
template <>
struct FieldList<domain::AlumniSwitchedBack> : NoFields {};

template <>
struct FieldList<domain::VoucherApplied> {
  template <typename Event, typename Visitor>
  static void Visit(Event& event, Visitor& visit) {
    visit("voucher_code", event.voucher_code);
  }
};

template <>
struct FieldList<domain::BillingAddressEntered> {
  template <typename Event, typename Visitor>
  static void Visit(Event& event, Visitor& visit) {
    visit("first_name", event.first_name);
    visit("last_name", event.last_name);
    visit("email", event.email);
    visit("phone", event.phone);
    visit("address1", event.address1);
    visit("address2", event.address2);
    visit("city", event.city);
    visit("state", event.state);
    visit("postal_code", event.postal_code);
    visit("country", event.country);
  }
};

// PAY-5: brand and last four digits only; there is no field a card number could travel in.
template <>
struct FieldList<domain::PaymentPlaced> {
  template <typename Event, typename Visitor>
  static void Visit(Event& event, Visitor& visit) {
    visit("order_id", event.order_id);
    visit("method", event.method);
    visit("card_brand", event.card_brand, Nullable::kWhenEmpty);
    visit("card_last4", event.card_last4, Nullable::kWhenEmpty);
    visit("payer_name", event.payer_name);
    visit("amount_minor", event.amount_minor);
    visit("currency", event.currency);
    visit("tax_minor", event.tax_minor);
    visit("idempotency_key", event.idempotency_key);
    visit("voucher_code", event.voucher_code, Nullable::kWhenEmpty);
  }
};

template <>
struct FieldList<domain::RenewalCompleted> {
  template <typename Event, typename Visitor>
  static void Visit(Event& event, Visitor& visit) {
    visit("kind", event.kind);
    visit("order_id", event.order_id);
    visit("previous_anniversary", event.previous_anniversary);
    visit("new_anniversary", event.new_anniversary);
  }
};

template <>
struct FieldList<domain::WelcomeKitOrdered> {
  template <typename Event, typename Visitor>
  static void Visit(Event& event, Visitor& visit) {
    visit("order_id", event.order_id);
  }
};

template <>
struct FieldList<domain::RefundIssued> {
  template <typename Event, typename Visitor>
  static void Visit(Event& event, Visitor& visit) {
    visit("order_id", event.order_id);
    visit("amount_minor", event.amount_minor);
    visit("reason", event.reason);
  }
};

template <>
struct FieldList<domain::RefundSettled> {
  template <typename Event, typename Visitor>
  static void Visit(Event& event, Visitor& visit) {
    visit("order_id", event.order_id);
  }
};

}  // namespace mct::consumers
