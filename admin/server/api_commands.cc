// The write routes: one command as JSON, and the survey report upload (REQ-5).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <mutex>

#include "admin/cli.h"
#include "admin/command_json.h"
#include "admin/queries.h"
#include "admin/server/http_api.h"
#include "admin/server/route_errors.h"
#include "admin/server/route_table.h"
#include "admin/server/uploads.h"
#include "consumers/codec.h"
#include "consumers/command_ids.h"
#include "consumers/json_text.h"
#include "domain/roles.h"
#include "domain/sha256.h"

namespace mct::admin::server {
namespace {

// The media type alone decides (RFC 9110: case-insensitive, parameters such as charset after a
// ';'); "application/jsonfoo" is not JSON.
bool IsJson(const httplib::Request& request) {
  std::string type = request.get_header_value("Content-Type");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type == "application/json";
}

// Runs `command` and answers it; true when it was accepted (or retried: accepted before).
bool Answer(Store& store, Metrics& metrics, const domain::Command& command,
            consumers::CommandIdOrigin id_origin, httplib::Response& response,
            const std::function<void()>& appended) {
  const auto started = std::chrono::steady_clock::now();
  auto answer = store.commands->Handle(command, id_origin);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::string name(domain::CommandName(command.body));
  if (!answer.ok()) {
    metrics.CommandAnswered(name, "failed", "", seconds);
    SendError(response, 503, "unavailable",
              "the command could not be saved (" + answer.error().message +
                  "); nothing was written, retry later");
    return false;
  }
  const consumers::CommandAnswer& result = answer.value();
  if (result.kind == consumers::CommandAnswer::Kind::kRejected) {
    const std::string code(domain::ToString(result.rejection.code));
    metrics.CommandAnswered(name, "rejected", code, seconds);
    SendError(response, RejectionStatus(result.rejection.code), code, result.rejection.message);
    return false;
  }
  const bool retried = result.kind == consumers::CommandAnswer::Kind::kRetried;
  metrics.CommandAnswered(name, retried ? "retried" : "accepted", "", seconds);
  if (!retried) appended();
  // Built in place: an initializer list would copy every event's tree once more.
  Json answer_body = Json::object();
  answer_body["outcome"] = retried ? "retried" : "accepted";
  answer_body["command_id"] = command.command_id;
  Json& events = answer_body["events"] = Json::array();
  for (const auto& envelope : result.events) events.push_back(consumers::ToJson(envelope));
  response.set_content(answer_body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                       "application/json");
  return true;
}

}  // namespace

void HttpApi::HandleCommand(const httplib::Request& request, httplib::Response& response) {
  auto actor = Authorize(request, response);
  if (!actor) return;
  // Refused before it is decided, as a 4xx of its own; counted under the command the body names,
  // or "unknown" (a bounded label: only known names pass).
  std::string_view label = "unknown";
  auto refuse = [&](int status, const std::string& message) {
    metrics_.CommandRefused(label, "invalid_input");
    SendError(response, status, "invalid_input", message);
  };
  // A declared length was checked before the body was read; a chunked body is checked here.
  if (request.body.size() > options_.max_body_bytes) {
    metrics_.CommandRefused(label, "invalid_input");
    return SendCommandTooLarge(response);
  }
  if (!IsJson(request)) {
    return refuse(415, "send the command as application/json");
  }
  auto parsed = consumers::ParseJsonText(request.body);
  if (!parsed.ok()) {
    return refuse(400, "the body is not valid JSON: " + parsed.error().message);
  }
  const nlohmann::json& body = parsed.value();
  if (!body.is_object()) return refuse(400, "the body must be a JSON object");
  if (const auto named = body.find("command"); named != body.end() && named->is_string()) {
    for (std::string_view known : domain::AllCommandNames()) {
      if (known == named->get_ref<const std::string&>()) label = known;
    }
  }
  for (const char* server_field : {"mcid", "at", "actor"}) {
    if (body.contains(server_field)) {
      return refuse(400, std::string(server_field) +
              ": set by the server (the path, its clock and your token), not the body");
    }
  }
  auto mcid = domain::Mcid::Parse(request.matches[1].str());
  if (!mcid) return refuse(400, "mcid: not 4 to 10 digits");
  if (body.contains("command") && body["command"] == "UploadMtmReport") {
    return refuse(400, "command: upload the report to /v1/trainers/{mcid}/mtm-report");
  }
  domain::Command command;
  command.mcid = *mcid;
  command.at = Now();
  command.actor = *actor;
  auto id_origin = consumers::CommandIdOrigin::kClient;
  if (body.contains("command_id")) {
    if (!body["command_id"].is_string() || body["command_id"].get<std::string>().empty()) {
      return refuse(400, "command_id: must be a non-empty string");
    }
    command.command_id = body["command_id"].get<std::string>();
  } else {
    command.command_id = consumers::MintCommandId();
    id_origin = consumers::CommandIdOrigin::kMintedNow;
  }
  auto decoded = CommandBodyFromJson(body, {"command_id"});
  if (!decoded.ok()) return refuse(400, decoded.error().message);
  command.body = std::move(decoded).value();
  // PAY-8: the idempotency key may come as a header; if the body has one too they must agree.
  if (auto* order = std::get_if<domain::PlaceOrder>(&command.body)) {
    const std::string header = request.get_header_value("Idempotency-Key");
    if (!header.empty()) {
      if (!order->idempotency_key.empty() && order->idempotency_key != header) {
        return refuse(400, "idempotency_key: the body and the Idempotency-Key header differ");
      }
      order->idempotency_key = header;
    }
  }
  Answer(store_, metrics_, command, id_origin, response, appended_);
}

void HttpApi::HandleUpload(const httplib::Request& request, httplib::Response& response) {
  auto actor = Authorize(request, response);
  if (!actor) return;
  auto mcid = domain::Mcid::Parse(request.matches[1].str());
  if (!mcid) return SendError(response, 400, "invalid_input", "mcid: not 4 to 10 digits");
  if (!request.is_multipart_form_data()) {
    return SendError(response, 415, "invalid_input", "send the report as multipart/form-data");
  }
  if (!request.has_file("file")) return SendError(response, 400, "invalid_input", "file: required");
  for (const auto& [name, part] : request.files) {
    if (name != "file" && name != "mct_full_name" && name != "course_name" &&
        name != "course_date") {
      return SendError(response, 400, "invalid_input", name + ": unknown field");
    }
  }
  const std::string& bytes = request.get_file_value("file").content;
  if (bytes.size() > options_.max_upload_bytes) {
    return SendError(
        response, 413, "invalid_input",
        "the report is larger than " + std::to_string(options_.max_upload_bytes) + " bytes");
  }
  domain::UploadMtmReport upload;
  upload.media_type = SniffMediaType(bytes);  // never the client's claim
  upload.size = static_cast<int64_t>(bytes.size());
  upload.sha256 = domain::Sha256Hex(bytes);
  upload.mct_full_name = request.get_file_value("mct_full_name").content;
  upload.course_name = request.get_file_value("course_name").content;
  const std::string date = request.get_file_value("course_date").content;
  if (!date.empty()) {
    upload.course_date = domain::Date::Parse(date);
    if (!upload.course_date) {
      return SendError(response, 400, "invalid_input",
                       "course_date: '" + date + "' is not a date YYYY-MM-DD");
    }
  }
  domain::Command command;
  command.mcid = *mcid;
  command.at = Now();
  command.actor = *actor;
  command.command_id = consumers::MintCommandId();
  command.body = upload;
  auto staged = StageUpload(options_.data_dir, bytes);
  if (!staged.ok()) return SendError(response, 500, "internal", staged.error().message);
  const std::filesystem::path staged_path = staged.value();
  {
    // One upload at a time from keeping its file to its command's answer: a refused command
    // takes its file back only when no other upload had kept the same bytes meanwhile.
    static std::mutex one_upload_at_a_time;
    std::lock_guard lock(one_upload_at_a_time);
    auto kept = KeepUpload(options_.data_dir, staged_path, upload.sha256);
    if (!kept.ok()) {
      SendError(response, 500, "internal", kept.error().message + "; nothing was written");
    } else if (!Answer(store_, metrics_, command, consumers::CommandIdOrigin::kMintedNow, response,
                       appended_)) {
      TakeBackUpload(kept.value());
    }
  }
  std::error_code ignored;
  std::filesystem::remove(staged_path, ignored);  // gone already when kept
}

}  // namespace mct::admin::server
