#include "admin/server/command_request.h"

#include "admin/cli.h"
#include "admin/command_json.h"
#include "admin/field_reader.h"
#include "admin/queries.h"
#include "admin/server/media_type.h"
#include "admin/server/route_errors.h"
#include "consumers/codec.h"
#include "consumers/json_text.h"

namespace mct::admin::server {

std::variant<DecodedCommand, CommandRefusal> DecodeCommandRequest(const CommandRequest& request,
                                                                  size_t max_body_bytes) {
  CommandRefusal refusal;
  auto refuse = [&refusal](int status, std::string message) {
    refusal.status = status;
    refusal.message = std::move(message);
    return refusal;
  };
  // mctd refuses a declared length over the limit, and a chunked body, before reading it
  // (http_api.cc); a front door that reads the body first is held to the limit here.
  if (request.body.size() > max_body_bytes) {
    return refuse(413, CommandTooLargeMessage(max_body_bytes));
  }
  if (!IsJson(request.content_type))
    return refuse(415, "send the command as application/json (UTF-8)");
  auto parsed = consumers::ParseJsonText(request.body);
  if (!parsed.ok()) return refuse(400, "the body is not valid JSON: " + parsed.error().message);
  const nlohmann::json& body = parsed.value();
  if (!body.is_object()) return refuse(400, "the body must be a JSON object");
  if (const auto named = body.find("command"); named != body.end() && named->is_string()) {
    for (std::string_view known : domain::AllCommandNames()) {
      if (known == named->get_ref<const std::string&>()) refusal.command = known;
    }
  }
  for (const char* server_field : {"mcid", "at", "actor"}) {
    if (body.contains(server_field)) {
      return refuse(400,
                    std::string(server_field) +
                        ": set by the server (the path, its clock and your token), not the body");
    }
  }
  auto mcid = domain::Mcid::Parse(std::string(request.mcid));
  if (!mcid) return refuse(400, "mcid: not 4 to 10 digits");
  if (refusal.command == "UploadMtmReport") {
    return refuse(400, "command: upload the report to /v1/trainers/{mcid}/mtm-report");
  }
  DecodedCommand decoded;
  domain::Command& command = decoded.command;
  command.mcid = *mcid;
  command.at = Now();
  command.actor = request.actor;
  // An Idempotency-Key header makes any command safe to retry: for PlaceOrder it is the order's
  // key (PAY-8, below), for every other command its command id, so that a retry is answered
  // with the first answer rather than decided again.
  const bool key_is_the_id = !request.idempotency_key.empty() && refusal.command != "PlaceOrder";
  if (const auto id = body.find("command_id"); id != body.end()) {
    if (!id->is_string() || id->get_ref<const std::string&>().empty()) {
      return refuse(400, "command_id: must be a non-empty string");
    }
    if (auto problem = TextLengthProblem(id->get_ref<const std::string&>())) {
      return refuse(400, "command_id: " + *problem);
    }
    command.command_id = id->get<std::string>();
    if (key_is_the_id && command.command_id != request.idempotency_key) {
      return refuse(400, "command_id: the body and the Idempotency-Key header differ");
    }
  } else if (key_is_the_id) {
    command.command_id = std::string(request.idempotency_key);
  } else {
    command.command_id = consumers::MintCommandId();
    decoded.id_origin = consumers::CommandIdOrigin::kMintedNow;
  }
  auto body_decoded = CommandBodyFromJson(body, {"command_id"});
  if (!body_decoded.ok()) return refuse(400, body_decoded.error().message);
  command.body = std::move(body_decoded).value();
  // PAY-8: the idempotency key may come as a header; if the body has one too they must agree.
  if (auto* order = std::get_if<domain::PlaceOrder>(&command.body);
      order != nullptr && !request.idempotency_key.empty()) {
    if (!order->idempotency_key.empty() && order->idempotency_key != request.idempotency_key) {
      return refuse(400, "idempotency_key: the body and the Idempotency-Key header differ");
    }
    order->idempotency_key = std::string(request.idempotency_key);
  }
  return decoded;
}

CommandReply RenderCommandReply(const Result<consumers::CommandAnswer>& answer,
                                const std::string& command_id) {
  CommandReply reply;
  if (!answer.ok()) {
    reply.status = 503;
    reply.outcome = "failed";
    // Written but not made durable: it may be in the log once the server restarts, so the client
    // is told to retry under the same id (a retry is answered, not done twice).
    const bool unknown = answer.error().code == consumers::EventStore::kOutcomeUnknown;
    reply.body = ErrorBody(
        "unavailable", unknown ? "the command may or may not have been saved (" +
                                     answer.error().message +
                                     "); once the server is back, send it again with command_id " +
                                     command_id + ": a retry is answered, not done twice"
                               : "the command could not be saved (" + answer.error().message +
                                     "); nothing was written, retry later");
    return reply;
  }
  const consumers::CommandAnswer& result = answer.value();
  if (result.kind == consumers::CommandAnswer::Kind::kRejected) {
    reply.status = RejectionStatus(result.rejection.code);
    // Malformed input found by the rules (a PlaceOrder without its key) is counted with the
    // malformed bodies refused before them: every 400 invalid_input is outcome "invalid".
    reply.outcome =
        result.rejection.code == domain::RejectionCode::kInvalidInput ? "invalid" : "rejected";
    reply.code = std::string(domain::ToString(result.rejection.code));
    reply.body = ErrorBody(reply.code, result.rejection.message);
    return reply;
  }
  const bool retried = result.kind == consumers::CommandAnswer::Kind::kRetried;
  reply.outcome = retried ? "retried" : "accepted";
  // Built in place: an initializer list would copy every event's tree once more.
  Json body = Json::object();
  body["outcome"] = reply.outcome;
  // A retry answers the id its events were written under: a PlaceOrder retried by its
  // idempotency key (PAY-8) may come with another command_id, or a freshly minted one, which
  // names nothing in the log.
  body["command_id"] =
      retried && !result.events.empty() ? result.events.front().event.meta.command_id : command_id;
  Json& events = body["events"] = Json::array();
  for (const auto& envelope : result.events) events.push_back(consumers::ToJson(envelope));
  reply.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return reply;
}

std::string ErrorBody(std::string_view code, std::string_view message) {
  return nlohmann::json{{"code", code}, {"message", message}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string CommandTooLargeMessage(size_t max_body_bytes) {
  return "the body is larger than " + std::to_string(max_body_bytes) + " bytes";
}

}  // namespace mct::admin::server
