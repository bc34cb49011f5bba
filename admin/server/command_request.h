// The commands route without its HTTP server: what a request to POST /v1/trainers/{mcid}/commands
// carries turned into a domain command (or a refusal), and a command's answer turned into the
// status and JSON body the route sends. The server's handler only moves bytes in and out, so the
// rules of the route (api_commands.cc) hold whichever server library carries them.
//
// Pure functions of their arguments, apart from the clock and a minted command id; safe from any
// thread.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "consumers/command_ids.h"
#include "consumers/command_service.h"
#include "domain/commands.h"
#include "domain/roles.h"

namespace mct::admin::server {

// What the route reads from a request, after the token was checked. The views are the caller's,
// needed only during DecodeCommandRequest: what it returns owns copies.
struct CommandRequest {
  std::string_view mcid;          // the path's {mcid}
  std::string_view content_type;  // the Content-Type header
  std::string_view body;
  // The Idempotency-Key header, empty when absent: PlaceOrder's key (PAY-8), any other
  // command's id.
  std::string_view idempotency_key;
  domain::Actor actor;               // the token's
};

struct DecodedCommand {
  domain::Command command;  // at: now; command_id: the body's or minted now
  consumers::CommandIdOrigin id_origin = consumers::CommandIdOrigin::kClient;
};

// A request refused before it is decided: 400, 413 or 415 with code `invalid_input`. `command` is
// the command the body names when that is a known name, else "unknown" (a bounded metrics label).
struct CommandRefusal {
  int status = 400;
  std::string message;
  std::string_view command = "unknown";
};

// The command `request` carries, or why it is refused (a malformed or hostile body is a refusal,
// never an exception). A body over `max_body_bytes` is a 413.
std::variant<DecodedCommand, CommandRefusal> DecodeCommandRequest(const CommandRequest& request,
                                                                  size_t max_body_bytes);

// The route's answer to a command that was run.
struct CommandReply {
  int status = 200;
  std::string body;  // JSON: the answer, or {"code", "message"}
  // For metrics: "accepted", "retried", "rejected" or "failed", and the rejection code.
  std::string_view outcome;
  std::string code;
};

// A store failure is a 503 that says nothing was written; a rejection its code with
// RejectionStatus; an accepted or retried command a 200 with its events in the codec's JSON.
CommandReply RenderCommandReply(const Result<consumers::CommandAnswer>& answer,
                                const std::string& command_id);

// {"code", "message"} as JSON text.
std::string ErrorBody(std::string_view code, std::string_view message);

// The 413's message for a command body over `max_body_bytes`.
std::string CommandTooLargeMessage(size_t max_body_bytes);

}  // namespace mct::admin::server
