// The write routes: one command as JSON, and the survey report upload (REQ-5).
#include <chrono>
#include <iterator>
#include <mutex>

#include "admin/cli.h"
#include "admin/field_reader.h"
#include "admin/server/command_request.h"
#include "admin/server/http_api.h"
#include "admin/server/route_table.h"
#include "admin/server/uploads.h"
#include "consumers/command_ids.h"
#include "consumers/text_checks.h"
#include "domain/roles.h"
#include "domain/sha256.h"

namespace mct::admin::server {
namespace {

// What a command's answer was, for the route that sent it.
struct Answered {
  int status = 0;
  bool retried = false;  // the first answer of an earlier copy: nothing of this request written
};

// Runs `command` and answers it.
Answered Answer(Store& store, Metrics& metrics, const domain::Command& command,
                consumers::CommandIdOrigin id_origin, httplib::Response& response,
                const std::function<void()>& appended) {
  const auto started = std::chrono::steady_clock::now();
  const auto answer = store.commands->Handle(command, id_origin);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const CommandReply reply = RenderCommandReply(answer, command.command_id);
  metrics.CommandAnswered(domain::CommandName(command.body), reply.outcome, reply.code, seconds);
  if (reply.outcome == "accepted") appended();
  response.status = reply.status;
  response.set_content(reply.body, "application/json");
  return Answered{reply.status, reply.outcome == "retried"};
}

// The request's Idempotency-Key, "" when it has none; or why it cannot be taken. It says which
// retry a request is (PAY-8's order, or a command id): two keys would leave that to chance, and
// a header is not read by the JSON parser, so its text is checked here (invalid_input first,
// domain.md).
Result<std::string> IdempotencyKeyOf(const httplib::Request& request) {
  const auto [first_key, no_more_keys] = request.headers.equal_range("Idempotency-Key");
  if (first_key == no_more_keys) return std::string();
  if (std::next(first_key) != no_more_keys) {
    return Error{"Idempotency-Key: sent more than once; send one key"};
  }
  if (!consumers::IsUtf8(first_key->second)) {
    return Error{consumers::NotUtf8Message("Idempotency-Key")};
  }
  if (auto problem = TextLengthProblem(first_key->second)) {
    return Error{"Idempotency-Key: " + *problem};
  }
  return first_key->second;
}

}  // namespace

void HttpApi::HandleCommand(const httplib::Request& request, httplib::Response& response) {
  auto actor = Authorize(request, response);
  if (!actor) return;
  if (RefusedForItsQuery(request, response)) {
    return metrics_.CommandRefused("unknown", "invalid_input");
  }
  const auto idempotency_key = IdempotencyKeyOf(request);
  if (!idempotency_key.ok()) {
    metrics_.CommandRefused("unknown", "invalid_input");
    return SendError(response, 400, "invalid_input", idempotency_key.error().message);
  }
  const std::string content_type = request.get_header_value("Content-Type");
  const std::string mcid = request.matches[1].str();
  auto decoded = DecodeCommandRequest(
      CommandRequest{mcid, content_type, request.body, idempotency_key.value(), *actor},
      options_.max_body_bytes);
  if (const auto* refusal = std::get_if<CommandRefusal>(&decoded)) {
    // Refused before it is decided, as a 4xx of its own.
    metrics_.CommandRefused(refusal->command, "invalid_input");
    return SendError(response, refusal->status, "invalid_input", refusal->message);
  }
  const auto& [command, id_origin] = std::get<DecodedCommand>(decoded);
  Answer(store_, metrics_, command, id_origin, response, appended_);
}

void HttpApi::HandleUpload(const httplib::Request& request, httplib::Response& response) {
  auto actor = Authorize(request, response);
  if (!actor) return;
  if (RefusedForItsQuery(request, response)) {
    return metrics_.CommandRefused("UploadMtmReport", "invalid_input");
  }
  // Counted like a command refused before it is decided (invalid_input).
  auto refuse = [&](int status, const std::string& message) {
    metrics_.CommandRefused("UploadMtmReport", "invalid_input");
    SendError(response, status, "invalid_input", message);
  };
  auto mcid = domain::Mcid::Parse(request.matches[1].str());
  if (!mcid) return refuse(400, "mcid: not 4 to 10 digits");
  if (!request.is_multipart_form_data()) {
    return refuse(415, "send the report as multipart/form-data");
  }
  if (!request.has_file("file")) return refuse(400, "file: required");
  size_t text_bytes = 0;
  for (const auto& [name, part] : request.files) {
    if (name != "file" && name != "mct_full_name" && name != "course_name" &&
        name != "course_date" && name != "command_id") {
      return refuse(400, name + ": unknown field");
    }
    if (request.files.count(name) > 1) return refuse(400, name + ": sent more than once");
    if (name != "file") text_bytes += part.content.size();
  }
  // The form's text is what a command's body would carry: held to the same limit.
  if (text_bytes > options_.max_body_bytes) {
    return refuse(413, "the form's text fields are larger than " +
                           std::to_string(options_.max_body_bytes) + " bytes together");
  }
  // invalid_input comes first (domain.md); a form field is not read by the JSON parser.
  for (const char* field : {"mct_full_name", "course_name", "course_date", "command_id"}) {
    if (!consumers::IsUtf8(request.get_file_value(field).content)) {
      return refuse(400, consumers::NotUtf8Message(field));
    }
    // As a command's text (field_reader.h): every accepted event exports and imports.
    if (auto problem = TextLengthProblem(request.get_file_value(field).content)) {
      return refuse(400, std::string(field) + ": " + *problem);
    }
  }
  const std::string& bytes = request.get_file_value("file").content;
  if (bytes.size() > options_.max_upload_bytes) {
    return refuse(
        413, "the report is larger than " + std::to_string(options_.max_upload_bytes) + " bytes");
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
      return refuse(400, "course_date: '" + date + "' is not a date YYYY-MM-DD");
    }
    if (auto problem = CommandDateProblem(*upload.course_date)) {
      return refuse(400, "course_date: " + *problem);
    }
  }
  // A retry after a lost answer is safe with a command id, as for any command (invariant 5): the
  // form's `command_id`, or the Idempotency-Key header; if both are sent they must agree.
  const auto idempotency_key = IdempotencyKeyOf(request);
  if (!idempotency_key.ok()) return refuse(400, idempotency_key.error().message);
  const std::string& key = idempotency_key.value();
  std::string command_id =
      request.has_file("command_id") ? request.get_file_value("command_id").content : key;
  if (request.has_file("command_id") && command_id.empty()) {
    return refuse(400, "command_id: must not be empty");
  }
  if (!key.empty() && command_id != key) {
    return refuse(400, "command_id: the form and the Idempotency-Key header differ");
  }
  const auto id_origin = command_id.empty() ? consumers::CommandIdOrigin::kMintedNow
                                            : consumers::CommandIdOrigin::kClient;
  if (command_id.empty()) command_id = consumers::MintCommandId();
  domain::Command command;
  command.mcid = *mcid;
  command.at = Now();
  command.actor = *actor;
  command.command_id = std::move(command_id);
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
    } else if (const Answered answered =
                   Answer(store_, metrics_, command, id_origin, response, appended_);
               (answered.status >= 400 && answered.status < 500) || answered.retried) {
      // Refused, or a retry answered by its first copy (which may have sent other bytes): no
      // event names this file. After a 503 one may (a failed sync), so it stays.
      TakeBackUpload(kept.value());
    }
  }
  std::error_code ignored;
  std::filesystem::remove(staged_path, ignored);  // gone already when kept
}

}  // namespace mct::admin::server
