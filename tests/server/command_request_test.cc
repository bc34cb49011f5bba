// The commands route without its server (command_request.h): a request's bytes to a domain command
// or a refusal, and a command's answer to the status and body the route sends.
#include "admin/server/command_request.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "admin/field_reader.h"

namespace mct::admin::server {
namespace {

const domain::Actor kSupport{domain::Role::kSupport, "support-1"};

CommandRequest Request(std::string_view body, std::string_view content_type = "application/json") {
  return CommandRequest{"1000001", content_type, body, "", kSupport};
}

CommandRefusal Refused(const CommandRequest& request, size_t max_body_bytes = 64 * 1024) {
  auto decoded = DecodeCommandRequest(request, max_body_bytes);
  EXPECT_TRUE(std::holds_alternative<CommandRefusal>(decoded));
  if (!std::holds_alternative<CommandRefusal>(decoded)) return {};
  return std::get<CommandRefusal>(decoded);
}

DecodedCommand Decoded(const CommandRequest& request) {
  auto decoded = DecodeCommandRequest(request, 64 * 1024);
  if (const auto* refusal = std::get_if<CommandRefusal>(&decoded)) {
    ADD_FAILURE() << refusal->status << " " << refusal->message;
    return {};
  }
  return std::get<DecodedCommand>(decoded);
}

TEST(DecodeCommandRequest, TakesTheTrainerFromThePathAndTheActorFromTheToken) {
  const DecodedCommand decoded =
      Decoded(Request(R"({"command":"StartRenewal","command_id":"client-1"})"));
  EXPECT_EQ(decoded.command.mcid.str(), "1000001");
  EXPECT_EQ(decoded.command.actor, kSupport);
  EXPECT_EQ(decoded.command.command_id, "client-1");
  EXPECT_EQ(decoded.id_origin, consumers::CommandIdOrigin::kClient);
  EXPECT_TRUE(std::holds_alternative<domain::StartRenewal>(decoded.command.body));
}

// Text longer than kMaxTextBytes is refused, naming the field: an event must fit an export line
// that import reads back (field_reader.h).
TEST(DecodeCommandRequest, RefusesTextLongerThanTheLimit) {
  const std::string longest(kMaxTextBytes, 'a');
  const std::string too_long(kMaxTextBytes + 1, 'a');
  auto enrol = [](const std::string& name, const std::string& command_id) {
    return nlohmann::json{{"command", "EnrollTrainer"},
                          {"name", name},
                          {"email", "a@example.jp"},
                          {"anniversary", "2017-05-01"},
                          {"command_id", command_id}}
        .dump();
  };
  EXPECT_EQ(Decoded(Request(enrol(longest, longest))).command.command_id, longest);
  const CommandRefusal name = Refused(Request(enrol(too_long, "c-1")));
  EXPECT_EQ(name.status, 400);
  EXPECT_EQ(name.message, "EnrollTrainer.name: is longer than 4096 bytes");
  const CommandRefusal id = Refused(Request(enrol("Hanako Sato", too_long)));
  EXPECT_EQ(id.status, 400);
  EXPECT_EQ(id.message, "command_id: is longer than 4096 bytes");
}

TEST(DecodeCommandRequest, MintsACommandIdWhenTheBodyHasNone) {
  const DecodedCommand first = Decoded(Request(R"({"command":"StartRenewal"})"));
  const DecodedCommand second = Decoded(Request(R"({"command":"StartRenewal"})"));
  EXPECT_EQ(first.id_origin, consumers::CommandIdOrigin::kMintedNow);
  EXPECT_FALSE(first.command.command_id.empty());
  EXPECT_NE(first.command.command_id, second.command.command_id);
}

TEST(DecodeCommandRequest, RefusesWhatTheServerDecides) {
  for (const char* field : {"mcid", "at", "actor"}) {
    const std::string body = std::string(R"({"command":"StartRenewal",")") + field + R"(":"x"})";
    const CommandRefusal refusal = Refused(Request(body));
    EXPECT_EQ(refusal.status, 400) << field;
    EXPECT_EQ(refusal.message.rfind(field, 0), 0u) << refusal.message;
    EXPECT_EQ(refusal.command, "StartRenewal");
  }
}

TEST(DecodeCommandRequest, NamesTheStatusOfEachKindOfBadRequest) {
  EXPECT_EQ(Refused(Request(R"({"command":"StartRenewal"})", "text/plain")).status, 415);
  EXPECT_EQ(Refused(Request(R"({"command":"StartRenewal"})"), 10).status, 413);
  EXPECT_EQ(Refused(Request(R"({"command":"StartRenewal"})", "application/jsonfoo")).status, 415);
  EXPECT_TRUE(std::holds_alternative<domain::StartRenewal>(
      Decoded(Request(R"({"command":"StartRenewal"})", "Application/JSON ; charset=utf-8"))
          .command.body));
  // JSON is UTF-8 (RFC 8259): another charset is refused, utf-8 in any spelling taken.
  for (const char* type : {"application/json; charset=latin1", "application/json;charset=UTF-16",
                           "application/json; charset="}) {
    EXPECT_EQ(Refused(Request(R"({"command":"StartRenewal"})", type)).status, 415) << type;
  }
  for (const char* type : {"application/json;charset=UTF-8", "application/json; charset=\"utf-8\"",
                           "application/json; charset=utf8; x=y"}) {
    EXPECT_TRUE(std::holds_alternative<domain::StartRenewal>(
        Decoded(Request(R"({"command":"StartRenewal"})", type)).command.body))
        << type;
  }
  EXPECT_EQ(Refused(Request(R"({"command":)")).status, 400);
  EXPECT_EQ(Refused(Request(R"([1,2])")).message, "the body must be a JSON object");
  const CommandRefusal unknown = Refused(Request(R"({"command":"Nope"})"));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.command, "unknown");
  EXPECT_NE(Refused(Request(R"({"command":"UploadMtmReport"})")).message.find("mtm-report"),
            std::string::npos);
  CommandRequest bad_path = Request(R"({"command":"StartRenewal"})");
  bad_path.mcid = "12";
  EXPECT_EQ(Refused(bad_path).message, "mcid: not 4 to 10 digits");
  EXPECT_EQ(Refused(Request(R"({"command":"StartRenewal","command_id":""})")).message,
            "command_id: must be a non-empty string");
}

TEST(DecodeCommandRequest, TakesAnOrdersIdempotencyKeyFromTheHeaderUnlessTheBodyDisagrees) {
  const std::string order =
      R"({"command":"PlaceOrder","method":"paypal","payer_name":"HANAKO SATO","confirmed":true)";
  const std::string plain = order + "}";
  CommandRequest request = Request(plain);
  request.idempotency_key = "order-1";
  const DecodedCommand decoded = Decoded(request);
  EXPECT_EQ(std::get<domain::PlaceOrder>(decoded.command.body).idempotency_key, "order-1");

  const std::string agreeing = order + R"(,"idempotency_key":"order-1"})";
  request.body = agreeing;
  EXPECT_EQ(std::get<domain::PlaceOrder>(Decoded(request).command.body).idempotency_key, "order-1");

  const std::string disagreeing = order + R"(,"idempotency_key":"order-2"})";
  request.body = disagreeing;
  EXPECT_EQ(Refused(request).message,
            "idempotency_key: the body and the Idempotency-Key header differ");
}

TEST(DecodeCommandRequest, TakesAnotherCommandsIdFromTheIdempotencyKeyUnlessTheBodyDisagrees) {
  CommandRequest request = Request(R"({"command":"StartRenewal"})");
  request.idempotency_key = "start-1";
  EXPECT_EQ(Decoded(request).command.command_id, "start-1");

  request.body = R"({"command":"StartRenewal","command_id":"start-1"})";
  EXPECT_EQ(Decoded(request).command.command_id, "start-1");

  request.body = R"({"command":"StartRenewal","command_id":"start-2"})";
  EXPECT_EQ(Refused(request).message, "command_id: the body and the Idempotency-Key header differ");

  // An order's key is its own (PAY-8): its command id is still minted.
  request.body =
      R"({"command":"PlaceOrder","method":"paypal","payer_name":"HANAKO SATO","confirmed":true})";
  EXPECT_NE(Decoded(request).command.command_id, "start-1");
}

TEST(RenderCommandReply, ARejectionIsItsCodeWithItsStatus) {
  consumers::CommandAnswer answer;
  answer.kind = consumers::CommandAnswer::Kind::kRejected;
  answer.rejection = {domain::RejectionCode::kTermsNotAccepted, "tick the terms"};
  const CommandReply reply = RenderCommandReply(answer, "c-1");
  EXPECT_EQ(reply.status, 422);
  EXPECT_EQ(reply.outcome, "rejected");
  EXPECT_EQ(reply.code, "terms_not_accepted");
  EXPECT_EQ(nlohmann::json::parse(reply.body),
            (nlohmann::json{{"code", "terms_not_accepted"}, {"message", "tick the terms"}}));
  // Input the rules find malformed is counted as the malformed bodies are: "invalid".
  answer.rejection = {domain::RejectionCode::kInvalidInput, "idempotency_key: required"};
  const CommandReply invalid = RenderCommandReply(answer, "c-2");
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(invalid.outcome, "invalid");
  EXPECT_EQ(invalid.code, "invalid_input");

  answer.rejection = {domain::RejectionCode::kVersionConflict, "again"};
  EXPECT_EQ(RenderCommandReply(answer, "c-1").status, 409);
}

TEST(RenderCommandReply, AStoreFailureIsA503ThatSaysNothingWasWritten) {
  const CommandReply reply = RenderCommandReply(Error("disk full"), "c-1");
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.outcome, "failed");
  const auto body = nlohmann::json::parse(reply.body);
  EXPECT_EQ(body["code"], "unavailable");
  EXPECT_NE(body["message"].get<std::string>().find("disk full"), std::string::npos);
  EXPECT_NE(body["message"].get<std::string>().find("nothing was written"), std::string::npos);
}

// Regression: a failed sync was answered "nothing was written", though its events may be in the
// log after a restart; a client then sent the command again under a new id, and it was done twice.
TEST(RenderCommandReply, ASyncThatFailedSaysToRetryUnderTheSameId) {
  const CommandReply reply = RenderCommandReply(
      Error("the disk refused the sync", consumers::EventStore::kOutcomeUnknown), "srv-42");
  EXPECT_EQ(reply.status, 503);
  const std::string message = nlohmann::json::parse(reply.body)["message"];
  EXPECT_EQ(message.find("nothing was written"), std::string::npos) << message;
  EXPECT_NE(message.find("may or may not have been saved"), std::string::npos) << message;
  EXPECT_NE(message.find("send it again with command_id srv-42"), std::string::npos) << message;
}

TEST(RenderCommandReply, AnAcceptedOrRetriedCommandAnswersItsEvents) {
  consumers::CommandAnswer answer;
  consumers::EventEnvelope envelope;
  envelope.global_position = 7;
  envelope.stream_version = 2;
  envelope.event.meta.mcid = *domain::Mcid::Parse("1000001");
  envelope.event.meta.actor = kSupport;
  envelope.event.payload = domain::RequirementsConfirmed{};
  answer.events = {envelope};
  const CommandReply accepted = RenderCommandReply(answer, "c-1");
  EXPECT_EQ(accepted.status, 200);
  EXPECT_EQ(accepted.outcome, "accepted");
  const auto body = nlohmann::json::parse(accepted.body);
  EXPECT_EQ(body["outcome"], "accepted");
  EXPECT_EQ(body["command_id"], "c-1");
  ASSERT_EQ(body["events"].size(), 1u);
  EXPECT_EQ(body["events"][0]["global_position"], 7);

  answer.kind = consumers::CommandAnswer::Kind::kRetried;
  EXPECT_EQ(RenderCommandReply(answer, "c-1").outcome, "retried");
}

}  // namespace
}  // namespace mct::admin::server
