// Sample events for the codec tests: every event type at least once, every field away from its
// default, so that a field the codec forgot, swapped or truncated shows up as a difference.
// (The golden files have their own frozen list in codec_golden_test.cc; these may change freely.)
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "consumers/codec.h"
#include "domain/events.h"
#include "domain/sha256.h"
#include "domain/values.h"

namespace mct::consumers::samples {

inline domain::Mcid McidOf(std::string_view text) { return *domain::Mcid::Parse(text); }
inline domain::Date DateOf(std::string_view text) { return *domain::Date::Parse(text); }
inline domain::Instant InstantOf(std::string_view text) { return *domain::Instant::Parse(text); }

inline std::vector<domain::Event> SamplePayloads() {
  using namespace mct::domain;  // NOLINT(google-build-using-namespace): test data only
  return {
      TrainerEnrolled{.name = "佐藤 花子 (Hanako \"Sato\")",
                      .email = "hanako@example.jp",
                      .anniversary = DateOf("2017-05-01")},
      CertificationRecorded{.certification_id = "MCSD-2016", .track = Track::kDeveloper},
      RenewalStarted{.kind = RenewalKind::kReinstatement, .anniversary = DateOf("2016-02-29")},
      FteCodeIssued{.alias = "FAREAST\\hsato",
                    .code_sha256 = Sha256Hex("482913"),
                    .expires_at = InstantOf("2017-03-03T09:00:00.125Z")},
      ProfileChosen{.employer_type = EmployerType::kLearningPartner,
                    .employer_detail = "MPN 4412345",
                    .track = Track::kDynamics},
      ExceptionFiled{.classes = 3,
                     .course_name = "20410D Installing Windows Server",
                     .course_date = DateOf("2017-02-10"),
                     .students = 14,
                     .organization = "Contoso Learning",
                     .manager_name = "Taro Yamada",
                     .manager_email = "taro@contoso.example"},
      MtmSurveyRecorded{.course_name = "20411D Administering Windows Server",
                        .course_date = DateOf("2017-01-20"),
                        .average_score = 8.75},
      MtmReportUploaded{.media_type = "application/pdf",
                        .size = 5'242'880,
                        .sha256 = Sha256Hex("report"),
                        .mct_full_name = "Hanako Sato",
                        .course_name = "20412D Configuring Advanced Services",
                        .course_date = DateOf("2017-02-24")},
      RequirementsConfirmed{},
      TermsAccepted{},
      VoucherApplied{.voucher_code = "MCTV-2017-0001"},
      BillingAddressEntered{.first_name = "Hanako",
                            .last_name = "Sato",
                            .email = "billing@example.jp",
                            .phone = "+81-3-1234-5678",
                            .address1 = "1-2-3 Shinjuku",
                            .address2 = "Room 405",
                            .city = "Shinjuku-ku",
                            .state = "Tokyo",
                            .postal_code = "160-0022",
                            .country = "JP"},
      PaymentPlaced{.order_id = "CT00012345",
                    .method = PaymentMethod::kDebitCard,
                    .card_brand = CardBrand::kMastercard,
                    .card_last4 = "4444",
                    .payer_name = "HANAKO SATO",
                    .amount_minor = 40000,
                    .currency = "JPY",
                    .tax_minor = 7,
                    .idempotency_key = "order-1",
                    .voucher_code = "MCTV-2017-0002"},
      // A voucher order: no card, so brand and last four are empty (JSON null).
      PaymentPlaced{.order_id = "CT00012346",
                    .method = PaymentMethod::kVoucher,
                    .card_brand = CardBrand::kNone,
                    .card_last4 = "",
                    .payer_name = "Hanako Sato",
                    .amount_minor = 40000,
                    .currency = "USD",
                    .tax_minor = 0,
                    .idempotency_key = "order-2",
                    .voucher_code = "MCTV-2017-0003"},
      RenewalCompleted{.kind = RenewalKind::kReinstatement,
                       .order_id = "CT00012345",
                       .previous_anniversary = DateOf("2016-02-29"),
                       .new_anniversary = DateOf("2018-02-28")},
      WelcomeKitOrdered{.order_id = "CT00012345"},
      RefundIssued{.order_id = "CT00012345", .amount_minor = -1, .reason = "charged twice"},
      RefundSettled{.order_id = "CT00012345"},
      AlumniApplied{},
      AlumniSwitchedBack{},
  };
}

// `payload` in an envelope whose every field is set, hashed as the store would hash it.
inline EventEnvelope SampleEnvelope(domain::Event payload, uint64_t index) {
  EventEnvelope envelope;
  // Field by field: GCC 12 at -O3 takes a designated-initialiser temporary here for uninitialised.
  domain::EventMeta& meta = envelope.event.meta;
  meta.mcid = McidOf("0001000001");
  meta.at = domain::Instant::FromMillis(1488359100250 + static_cast<int64_t>(index) * 60'000);
  meta.actor.role = domain::Role::kSupport;
  meta.actor.id = "support-42";
  meta.command_id = "cmd-" + std::to_string(index);
  meta.correlation_id = "corr-7";
  meta.causation_id = "cause-" + std::to_string(index);
  envelope.event.payload = std::move(payload);
  envelope.stream_version = index + 1;
  envelope.global_position = 1'000'000'000'000ULL + index;
  envelope.prev_hash = domain::Sha256Hex("event " + std::to_string(index));
  envelope.hash = ComputeEventHash(envelope);
  return envelope;
}

inline std::vector<EventEnvelope> SampleEnvelopes() {
  std::vector<EventEnvelope> envelopes;
  for (domain::Event& payload : SamplePayloads()) {
    envelopes.push_back(SampleEnvelope(std::move(payload), envelopes.size()));
  }
  return envelopes;
}

// The variant indices `events` cover: all of them when every event type is there.
inline std::set<size_t> TypesCovered(const std::vector<EventEnvelope>& envelopes) {
  std::set<size_t> covered;
  for (const EventEnvelope& envelope : envelopes) covered.insert(envelope.event.payload.index());
  return covered;
}

}  // namespace mct::consumers::samples
