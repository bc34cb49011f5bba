// The JSON rendering for people, exports and scenario files: field names and order, nulls, and a
// strict reader whose every refusal names the field.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <variant>
#include <vector>

#include "consumers/codec.h"
#include "domain/events.h"
#include "tests/consumers/event_samples.h"

namespace mct::consumers {
namespace {

using nlohmann::json;
using samples::SampleEnvelope;
using samples::SampleEnvelopes;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kEnvelopeKeys[] = {
    "mcid",           "at",           "actor",          "command_id",
    "correlation_id", "causation_id", "stream_version", "global_position",
    "prev_hash",      "hash"};

std::vector<std::string> KeysOf(const nlohmann::ordered_json& object) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.push_back(key);
  return keys;
}

// The sample of one event type, as an export line.
json ExportOf(domain::Event payload) { return json(ToJson(SampleEnvelope(std::move(payload), 2))); }

// The error EventFromJson gives, or "accepted".
std::string ErrorOf(const json& event, EnvelopeFields fields = EnvelopeFields::kComplete) {
  const Result<EventEnvelope> read = EventFromJson(event, fields);
  return read.ok() ? "accepted" : read.error().message;
}

json GivenEvent() {
  return json::parse(R"({"event": "RenewalStarted", "mcid": "1000001",
                         "at": "2017-03-01T09:00:00Z", "kind": "renewal",
                         "anniversary": "2017-05-01"})");
}

TEST(CodecJson, RoundTripsEveryEventType) {
  const std::vector<EventEnvelope> samples = SampleEnvelopes();
  ASSERT_EQ(samples::TypesCovered(samples).size(), std::variant_size_v<domain::Event>);
  for (const EventEnvelope& sample : samples) {
    SCOPED_TRACE(domain::EventName(sample.event.payload));
    const Result<EventEnvelope> read =
        EventFromJson(json(ToJson(sample)), EnvelopeFields::kComplete);
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(*read, sample);
    // Through text too, as an export file would carry it.
    const Result<EventEnvelope> reparsed =
        EventFromJson(json::parse(ToJson(sample).dump()), EnvelopeFields::kComplete);
    ASSERT_TRUE(reparsed.ok()) << reparsed.error().message;
    EXPECT_EQ(*reparsed, sample);
  }
}

TEST(CodecJson, RendersEventThenEnvelopeThenPayloadInOrder) {
  const nlohmann::ordered_json rendered = ToJson(
      SampleEnvelope(domain::RefundIssued{.order_id = "CT1", .amount_minor = 5, .reason = "r"}, 0));
  EXPECT_THAT(KeysOf(rendered),
              ElementsAre("event", "mcid", "at", "actor", "command_id", "correlation_id",
                          "causation_id", "stream_version", "global_position", "prev_hash", "hash",
                          "order_id", "amount_minor", "reason"));
  EXPECT_EQ(rendered["event"], "RefundIssued");
  EXPECT_EQ(rendered["actor"].dump(), R"({"role":"support","id":"support-42"})");
}

TEST(CodecJson, RendersEnumsDatesAndInstantsAsText) {
  const EventEnvelope sample =
      SampleEnvelope(domain::RenewalStarted{.kind = domain::RenewalKind::kReinstatement,
                                            .anniversary = samples::DateOf("2016-02-29")},
                     0);
  const nlohmann::ordered_json rendered = ToJson(sample);
  EXPECT_EQ(rendered["at"], "2017-03-01T09:05:00.250Z");
  EXPECT_EQ(rendered["kind"], "reinstatement");
  EXPECT_EQ(rendered["anniversary"], "2016-02-29");
  EXPECT_EQ(rendered["stream_version"], 1);
}

TEST(CodecJson, PayloadToJsonIsTheEventNameThenThePayload) {
  const domain::Event event =
      domain::RenewalCompleted{.kind = domain::RenewalKind::kRenewal,
                               .order_id = "CT00000001",
                               .previous_anniversary = samples::DateOf("2017-05-01"),
                               .new_anniversary = samples::DateOf("2018-05-01")};
  EXPECT_EQ(PayloadToJson(event).dump(),
            R"({"event":"RenewalCompleted","kind":"renewal","order_id":"CT00000001",)"
            R"("previous_anniversary":"2017-05-01","new_anniversary":"2018-05-01"})");
  EXPECT_EQ(PayloadToJson(domain::TermsAccepted{}).dump(), R"({"event":"TermsAccepted"})");
}

// PAY-5: only brand and last four digits; nothing that could hold a card number or code.
TEST(CodecJson, PaymentPlacedHasNoCardNumberField) {
  const nlohmann::ordered_json rendered =
      PayloadToJson(domain::PaymentPlaced{.order_id = "CT1",
                                          .method = domain::PaymentMethod::kCreditCard,
                                          .card_brand = domain::CardBrand::kVisa,
                                          .card_last4 = "1111",
                                          .payer_name = "P",
                                          .amount_minor = 40000,
                                          .currency = "USD",
                                          .tax_minor = 0,
                                          .idempotency_key = "k",
                                          .voucher_code = ""});
  EXPECT_THAT(KeysOf(rendered), ElementsAre("event", "order_id", "method", "card_brand",
                                            "card_last4", "payer_name", "amount_minor", "currency",
                                            "tax_minor", "idempotency_key", "voucher_code"));
  EXPECT_THAT(rendered.dump(), ::testing::Not(HasSubstr("number")));
  EXPECT_THAT(rendered.dump(), ::testing::Not(HasSubstr("security")));
  EXPECT_EQ(rendered["card_brand"], "visa");
  EXPECT_EQ(rendered["card_last4"], "1111");

  json with_number = ExportOf(domain::PaymentPlaced{});
  with_number["card_number"] = "4111111111111111";
  EXPECT_EQ(ErrorOf(with_number), "PaymentPlaced.card_number: unknown field");
}

TEST(CodecJson, RendersEmptyCardFieldsAndVoucherCodeAsNull) {
  domain::PaymentPlaced paypal;
  paypal.order_id = "CT1";
  paypal.method = domain::PaymentMethod::kPaypal;
  const nlohmann::ordered_json rendered = PayloadToJson(paypal);
  EXPECT_TRUE(rendered["card_brand"].is_null());
  EXPECT_TRUE(rendered["card_last4"].is_null());
  EXPECT_TRUE(rendered["voucher_code"].is_null());
  // Empty strings elsewhere stay strings.
  EXPECT_EQ(PayloadToJson(domain::ProfileChosen{})["employer_detail"], "");
}

TEST(CodecJson, ReadsNullAsEmptyOnlyWhereNullable) {
  domain::PaymentPlaced paypal;
  paypal.method = domain::PaymentMethod::kPaypal;
  json payment = ExportOf(paypal);
  ASSERT_TRUE(payment["card_brand"].is_null());
  EXPECT_EQ(ErrorOf(payment), "accepted");

  payment["card_last4"] = "";
  EXPECT_EQ(ErrorOf(payment), "PaymentPlaced.card_last4: '' is not allowed; write null for none");

  json profile = ExportOf(domain::ProfileChosen{});
  profile["employer_detail"] = nullptr;
  EXPECT_EQ(ErrorOf(profile), "ProfileChosen.employer_detail: expected a string, got null");
}

TEST(CodecJson, MetaOnlyFillsTheTrainerAsActorAndEmptyIds) {
  const Result<EventEnvelope> read = EventFromJson(GivenEvent(), EnvelopeFields::kMetaOnly);
  ASSERT_TRUE(read.ok()) << read.error().message;
  const domain::EventMeta& meta = read->event.meta;
  EXPECT_EQ(meta.mcid.str(), "1000001");
  EXPECT_EQ(meta.at, samples::InstantOf("2017-03-01T09:00:00Z"));
  EXPECT_EQ(meta.actor, (domain::Actor{.role = domain::Role::kTrainer, .id = "1000001"}));
  EXPECT_EQ(meta.command_id, "");
  EXPECT_EQ(meta.correlation_id, "");
  EXPECT_EQ(meta.causation_id, "");
  EXPECT_EQ(read->stream_version, 0u);
  EXPECT_EQ(read->global_position, 0u);
  EXPECT_EQ(read->prev_hash, "");
  EXPECT_EQ(read->hash, "");
  EXPECT_EQ(read->event.payload,
            domain::Event(domain::RenewalStarted{.kind = domain::RenewalKind::kRenewal,
                                                 .anniversary = samples::DateOf("2017-05-01")}));
}

// domain.md's PaymentPlaced has no voucher_code, and scenario authors write from domain.md.
TEST(CodecJson, MetaOnlyReadsAnOmittedNullableFieldAsNone) {
  json given = json::parse(R"({"event": "PaymentPlaced", "mcid": "1000001",
      "at": "2017-03-01T09:10:00Z", "order_id": "CT20170301", "method": "credit_card",
      "card_brand": "visa", "card_last4": "1111", "payer_name": "HANAKO SATO",
      "amount_minor": 40000, "currency": "USD", "tax_minor": 0, "idempotency_key": "order-1"})");
  const Result<EventEnvelope> read = EventFromJson(given, EnvelopeFields::kMetaOnly);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(std::get<domain::PaymentPlaced>(read->event.payload).voucher_code, "");

  given.erase("card_brand");
  given.erase("card_last4");
  ASSERT_TRUE(EventFromJson(given, EnvelopeFields::kMetaOnly).ok());
}

// Given events are written by hand: a text or integer field left out or null reads as empty or 0
// (a freelance profile's employer_detail, PaymentPlaced's constant tax_minor), and 40000.0 as
// 40000; a date is still required and a wrong type still refused. An export line stays strict.
TEST(CodecJson, MetaOnlyTakesLeftOutTextAndIntegersAndWholeFloats) {
  json given = json::parse(R"({"event": "PaymentPlaced", "mcid": "1000001",
      "at": "2017-03-01T09:10:00Z", "order_id": "CT20170301", "method": "credit_card",
      "card_brand": "visa", "card_last4": "1111", "amount_minor": 40000.0, "currency": "USD",
      "payer_name": null, "idempotency_key": "order-1"})");
  const Result<EventEnvelope> read = EventFromJson(given, EnvelopeFields::kMetaOnly);
  ASSERT_TRUE(read.ok()) << read.error().message;
  const auto& paid = std::get<domain::PaymentPlaced>(read->event.payload);
  EXPECT_EQ(paid.amount_minor, 40000);
  EXPECT_EQ(paid.tax_minor, 0);
  EXPECT_EQ(paid.payer_name, "");

  given["amount_minor"] = 40000.5;
  EXPECT_EQ(ErrorOf(given, EnvelopeFields::kMetaOnly),
            "PaymentPlaced.amount_minor: expected an integer, got 40000.5");
  given["amount_minor"] = "40000";
  EXPECT_EQ(ErrorOf(given, EnvelopeFields::kMetaOnly),
            "PaymentPlaced.amount_minor: expected an integer, got a string");

  json profile = json::parse(R"({"event": "ProfileChosen", "mcid": "1000001",
      "at": "2017-03-01T09:10:00Z", "employer_type": "freelance", "track": "it_pro"})");
  const Result<EventEnvelope> chosen = EventFromJson(profile, EnvelopeFields::kMetaOnly);
  ASSERT_TRUE(chosen.ok()) << chosen.error().message;
  EXPECT_EQ(std::get<domain::ProfileChosen>(chosen->event.payload).employer_detail, "");

  json enrolled = json::parse(R"({"event": "TrainerEnrolled", "mcid": "1000001",
      "at": "2016-05-01T00:00:00Z", "name": "Hanako Sato", "email": "h@example.jp"})");
  EXPECT_EQ(ErrorOf(enrolled, EnvelopeFields::kMetaOnly), "TrainerEnrolled.anniversary: missing");
}

TEST(CodecJson, MetaOnlyReadsActorAndIdsWhenGiven) {
  json given = GivenEvent();
  given["actor"] = {{"role", "system"}, {"id", "member-site"}};
  given["command_id"] = "c1";
  given["correlation_id"] = "r1";
  given["causation_id"] = "k1";
  const Result<EventEnvelope> read = EventFromJson(given, EnvelopeFields::kMetaOnly);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->event.meta.actor,
            (domain::Actor{.role = domain::Role::kSystem, .id = "member-site"}));
  EXPECT_EQ(read->event.meta.command_id, "c1");
  EXPECT_EQ(read->event.meta.correlation_id, "r1");
  EXPECT_EQ(read->event.meta.causation_id, "k1");
}

// A given event copied from an export line keeps what the store assigned; the log it goes to
// assigns its own, so the values are not read. A key no event has is still refused.
TEST(CodecJson, MetaOnlyLeavesWhatTheStoreAssignsToTheStore) {
  for (const char* key : {"stream_version", "global_position", "prev_hash", "hash"}) {
    json given = GivenEvent();
    given[key] = key == std::string("stream_version") || key == std::string("global_position")
                     ? json(7)
                     : json("ab");
    const Result<EventEnvelope> read = EventFromJson(given, EnvelopeFields::kMetaOnly);
    ASSERT_TRUE(read.ok()) << key << ": " << read.error().message;
    EXPECT_EQ(read->stream_version, 0u) << key;
    EXPECT_EQ(read->global_position, 0u) << key;
    EXPECT_EQ(read->prev_hash, "") << key;
    EXPECT_EQ(read->hash, "") << key;
  }
  json given = GivenEvent();
  given["version"] = 1;
  EXPECT_EQ(ErrorOf(given, EnvelopeFields::kMetaOnly), "RenewalStarted.version: unknown field");
}

TEST(CodecJson, MetaOnlyRequiresMcidAndAt) {
  for (const char* key : {"mcid", "at"}) {
    json given = GivenEvent();
    given.erase(key);
    EXPECT_EQ(ErrorOf(given, EnvelopeFields::kMetaOnly),
              std::string("RenewalStarted.") + key + ": missing");
  }
}

TEST(CodecJson, CompleteRequiresEveryEnvelopeField) {
  for (const char* key : kEnvelopeKeys) {
    json line = ExportOf(domain::TermsAccepted{});
    line.erase(key);
    EXPECT_EQ(ErrorOf(line), std::string("TermsAccepted.") + key + ": missing");
  }
  json line = ExportOf(domain::TermsAccepted{});
  line["actor"].erase("id");
  EXPECT_EQ(ErrorOf(line), "TermsAccepted.actor.id: missing");
}

TEST(CodecJson, RequiresEveryPayloadField) {
  for (const EventEnvelope& sample : SampleEnvelopes()) {
    const json line = json(ToJson(sample));
    const nlohmann::ordered_json payload = PayloadToJson(sample.event.payload);
    for (const auto& [key, value] : payload.items()) {
      if (key == "event") continue;
      json without = line;
      without.erase(key);
      EXPECT_EQ(ErrorOf(without),
                std::string(domain::EventName(sample.event.payload)) + "." + key + ": missing");
    }
  }
}

TEST(CodecJson, RefusesAWrongTypeNamingTheField) {
  for (const EventEnvelope& sample : SampleEnvelopes()) {
    const std::string name(domain::EventName(sample.event.payload));
    const json line = json(ToJson(sample));
    for (const auto& [key, value] : line.items()) {
      if (key == "event") continue;
      json wrong = line;
      wrong[key] = json::array();
      std::string prefix = name;
      prefix.append(".").append(key).append(": expected ");
      const std::string error = ErrorOf(wrong);
      EXPECT_THAT(error, ::testing::StartsWith(prefix));
      EXPECT_THAT(error, HasSubstr("got an array"));
    }
  }
}

TEST(CodecJson, RefusesUnknownKeysAnywhere) {
  json line = ExportOf(domain::TermsAccepted{});
  line["note"] = "hello";
  EXPECT_EQ(ErrorOf(line), "TermsAccepted.note: unknown field");

  json given = GivenEvent();
  given["actor"] = {{"role", "support"}, {"id", "s1"}, {"name", "Sam"}};
  EXPECT_EQ(ErrorOf(given, EnvelopeFields::kMetaOnly), "RenewalStarted.actor.name: unknown field");
}

TEST(CodecJson, RefusesMalformedValuesNamingTheField) {
  json enrolled = ExportOf(domain::TrainerEnrolled{});
  enrolled["anniversary"] = "2017-13-01";
  EXPECT_EQ(ErrorOf(enrolled),
            "TrainerEnrolled.anniversary: '2017-13-01' is not a date YYYY-MM-DD");

  json given = GivenEvent();
  given["at"] = "2017-03-01 09:00";
  EXPECT_EQ(ErrorOf(given, EnvelopeFields::kMetaOnly),
            "RenewalStarted.at: '2017-03-01 09:00' is not an instant like 2017-03-01T09:00:00Z");

  given = GivenEvent();
  given["mcid"] = "12ab";
  EXPECT_EQ(ErrorOf(given, EnvelopeFields::kMetaOnly),
            "RenewalStarted.mcid: '12ab' is not an MCID (4 to 10 digits)");

  given = GivenEvent();
  given["kind"] = "Renewal";
  EXPECT_EQ(ErrorOf(given, EnvelopeFields::kMetaOnly),
            "RenewalStarted.kind: 'Renewal' is not a renewal kind (renewal, reinstatement)");

  given = GivenEvent();
  given["actor"] = {{"role", "admin"}, {"id", "a"}};
  EXPECT_EQ(ErrorOf(given, EnvelopeFields::kMetaOnly),
            "RenewalStarted.actor.role: 'admin' is not a role (trainer, support, system, auditor)");

  json payment = ExportOf(domain::PaymentPlaced{});
  payment["card_brand"] = "jcb";
  EXPECT_EQ(ErrorOf(payment),
            "PaymentPlaced.card_brand: 'jcb' is not a card brand (visa, mastercard, amex)");

  json line = ExportOf(domain::TermsAccepted{});
  line["prev_hash"] = "abc";
  EXPECT_EQ(ErrorOf(line), "TermsAccepted.prev_hash: 'abc' is not a hex SHA-256");
}

TEST(CodecJson, RefusesNumbersOfTheWrongKind) {
  json refund = ExportOf(domain::RefundIssued{});
  refund["amount_minor"] = 1.5;
  EXPECT_EQ(ErrorOf(refund), "RefundIssued.amount_minor: expected an integer, got 1.5");
  refund["amount_minor"] = 18446744073709551615ULL;
  EXPECT_EQ(ErrorOf(refund), "RefundIssued.amount_minor: 18446744073709551615 is out of range");
  refund["amount_minor"] = "100";
  EXPECT_EQ(ErrorOf(refund), "RefundIssued.amount_minor: expected an integer, got a string");

  json line = ExportOf(domain::TermsAccepted{});
  line["stream_version"] = -1;
  EXPECT_EQ(ErrorOf(line), "TermsAccepted.stream_version: expected a non-negative integer, got -1");

  json survey = ExportOf(domain::MtmSurveyRecorded{});
  survey["average_score"] = 9;  // a whole number is a number too
  const Result<EventEnvelope> read = EventFromJson(survey, EnvelopeFields::kComplete);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(std::get<domain::MtmSurveyRecorded>(read->event.payload).average_score, 9.0);
}

TEST(CodecJson, RefusesWhatIsNotAnEvent) {
  EXPECT_EQ(ErrorOf(json::array()), "event: expected a JSON object, got an array");
  EXPECT_EQ(ErrorOf(json::object()), "event: missing");
  EXPECT_EQ(ErrorOf(json{{"event", 3}}), "event: expected a string, got 3");
  json given = GivenEvent();
  given["event"] = "RenewalBegun";
  EXPECT_EQ(ErrorOf(given, EnvelopeFields::kMetaOnly),
            "event: 'RenewalBegun' is not an event type");
}

// Every event a committed scenario gives as history reads as a given event.
TEST(CodecJson, ReadsTheGivenEventsOfEveryScenario) {
  const std::filesystem::path folder = std::filesystem::path(MCT_SOURCE_DIR) / "tests/scenarios";
  int events_read = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream file(entry.path());
    const json scenario = json::parse(file);
    if (!scenario.contains("given")) continue;
    for (const json& given : scenario["given"]) {
      if (!given.contains("event")) continue;
      const Result<EventEnvelope> read = EventFromJson(given, EnvelopeFields::kMetaOnly);
      EXPECT_TRUE(read.ok()) << entry.path().filename() << ": " << read.error().message;
      ++events_read;
    }
  }
  EXPECT_GT(events_read, 0);
}

}  // namespace
}  // namespace mct::consumers
