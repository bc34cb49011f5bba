#include "admin/server/route_errors.h"

namespace mct::admin::server {
namespace {

// What the commands route and the upload route answer after their own checks: the store could not
// save (api_commands.cc Answer), or Decide said no.
void AddCommandOutcomes(std::vector<RouteError>& out) {
  out.push_back({503, "unavailable",
                 "the command could not be saved (nothing was written: retry), or could not be "
                 "made durable (it may have been saved: retry with the command_id the message "
                 "names)"});
  for (const domain::RejectionCode code : domain::AllRejectionCodes()) {
    out.push_back({RejectionStatus(code), std::string(domain::ToString(code)),
                   "the command was rejected with this code"});
  }
}

// What every read of the read models answers about ?after= and the query itself.
void AddReadOutcomes(std::vector<RouteError>& out) {
  out.push_back({400, "invalid_input",
                 "a malformed parameter, one given twice or not UTF-8 text, or ?after= beyond the "
                 "log's head"});
  out.push_back({503, "read_models_behind",
                 "?after= named a position the read models have not applied within the wait"});
}

// What a route that asks the read models answers while they are being rebuilt at start-up.
void AddRebuildOutcome(const Route& route, std::vector<RouteError>& out) {
  if (!AsksTheReadModels(route)) return;
  out.push_back({503, "not_ready",
                 "the read models are being rebuilt for this build's layout (mctd's start after "
                 "an upgrade; GET /v1/rebuild follows it): the log's questions, the history and "
                 "as_of= ones, answer meanwhile"});
}

}  // namespace

int RejectionStatus(domain::RejectionCode code) {
  switch (code) {
    case domain::RejectionCode::kInvalidInput:
      return 400;
    case domain::RejectionCode::kForbidden:
      return 403;
    case domain::RejectionCode::kUnknownTrainer:
      return 404;
    case domain::RejectionCode::kVersionConflict:
      return 409;
    default:
      return 422;
  }
}

std::vector<RouteError> RouteErrors(const Route& route) {
  std::vector<RouteError> out;
  // The exception handler of http_api.cc answers any route whose handler throws.
  out.push_back({500, "internal", "the server failed; nothing was written"});
  // HttpApi::RefuseByItsHead, before any route's own checks; the connection ends after it.
  out.push_back({400, "invalid_input",
                 "a body whose length is not sure: Content-Length twice, beside "
                 "Transfer-Encoding, or not a number"});
  if (route.access == RouteAccess::kPublic) {
    if (route.path == "/readyz") {
      out.push_back({503, "not_ready",
                     "the read models are still catching up, or being rebuilt for this build's "
                     "layout"});
    }
    return out;
  }
  // HttpApi::Authorize: the token is authenticated, then counted against the rate limit.
  out.push_back({429, "rate_limited", "over the client's request rate; slow down and retry"});
  out.push_back({401, "unauthorized", "no bearer token, or one that is not valid"});
  out.push_back({400, "invalid_input", "a query parameter the route does not take"});
  switch (route.access) {
    case RouteAccess::kPublic:
      break;
    case RouteAccess::kCommand:
      out.push_back({400, "invalid_input",
                     "malformed JSON, a wrong type, an unknown field, a field the server sets, or "
                     "an MCID that is not 4 to 10 digits"});
      out.push_back({411, "invalid_input", "a chunked body: send the command with Content-Length"});
      out.push_back({413, "invalid_input", "the body is larger than the server's limit"});
      out.push_back({415, "invalid_input", "the body is not application/json"});
      AddCommandOutcomes(out);
      break;
    case RouteAccess::kUpload:
      out.push_back({400, "invalid_input",
                     "no file, an unknown form field, a malformed course_date or MCID, a "
                     "Content-Type without a boundary, a command_id empty or not the "
                     "Idempotency-Key's"});
      out.push_back({413, "invalid_input",
                     "the file, or the text fields together, larger than the server's limits"});
      out.push_back({415, "invalid_input", "the body is not multipart/form-data"});
      AddCommandOutcomes(out);
      break;
    case RouteAccess::kStatus:
    case RouteAccess::kRecords:
      out.push_back({403, "forbidden", "the role may not read this trainer (ROLE-5)"});
      out.push_back({404, "unknown_trainer", "no trainer is enrolled with the MCID"});
      AddReadOutcomes(out);
      AddRebuildOutcome(route, out);
      break;
    case RouteAccess::kFleet:
      out.push_back({403, "forbidden", "the role may not read the fleet (ROLE-5)"});
      AddReadOutcomes(out);
      AddRebuildOutcome(route, out);
      break;
    case RouteAccess::kAudit:
      out.push_back({400, "invalid_input", "a query parameter given twice or not UTF-8 text"});
      out.push_back({403, "forbidden", "the role may not audit (ROLE-5)"});
      if (route.method == "POST" && route.path == "/v1/rebuild") {
        out.push_back({409, "rebuild_running", "a rebuild is running already; follow it with GET"});
      }
      if (route.method == "POST") {
        out.push_back({413, "invalid_input",
                       "a body declared larger than a command's limit (the route takes none); "
                       "the connection ends"});
      }
      break;
  }
  return out;
}

}  // namespace mct::admin::server
