// The HTTP API's routes and who may call each (ROLE-1..5), in one place: the server dispatches
// from it, `mctd --openapi` writes the OpenAPI document from it, and the tests walk it with every
// role. Command routes defer to domain/roles.h per command (RoleMaySend).
//
// Constant data; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/roles.h"
#include "domain/values.h"

namespace mct::admin::server {

enum class RouteAccess : uint8_t {
  kPublic,    // no token: health, readiness, metrics
  kCommand,   // by command, as ROLE-1..4 (a trainer only on their own MCID)
  kUpload,    // UploadMtmReport's roles (REQ-5)
  kStatus,    // ROLE-5: own trainer, or any for support, auditor, system
  kRecords,   // ROLE-5: own trainer, or any for support and auditors
  kFleet,     // support, auditors
  kAudit,     // support, auditors
};

struct Route {
  std::string_view method;   // GET, POST
  std::string_view path;     // OpenAPI form: /v1/trainers/{mcid}
  RouteAccess access;
  std::string_view summary;
};

const std::vector<Route>& Routes();

// Whether `role` may use a route of `access` on the trainer `mcid` (empty for fleet routes) as the
// actor `actor_id`. Command routes answer true here: Decide says `forbidden` per command.
bool MayCall(RouteAccess access, domain::Role role, std::string_view actor_id, std::string_view mcid);

// The methods the routes at `path` (a request's path, an MCID in it) answer; empty when no route
// is there. For a 405's Allow header.
std::vector<std::string_view> MethodsAt(std::string_view path);

// Whether `route` reads the read models and so takes ?after= (read your writes, api_reads.h): the
// GETs of a trainer's status, history and gaps, and of the fleet.
bool ReadsReadModels(const Route& route);
// Whether `route` asks the read models themselves (the history, which takes ?after= with the
// rest, reads only the log): refused 503 not_ready while they are being rebuilt for this
// build's layout (HttpApi::RebuildOtherLayout).
bool AsksTheReadModels(const Route& route);

// The query parameters `route` takes, for the server (any other is refused: a misspelt ?asof=
// must not answer the present as if it were the past) and the OpenAPI document.
std::vector<std::string_view> QueryParameters(const Route& route);

// The first of `names`, a request's query parameters, that the route for `method` (HEAD as GET)
// and `path` does not take; nullopt when it takes them all, or when no route is there.
std::optional<std::string> UnknownQueryParameter(std::string_view method, std::string_view path,
                                                 const std::vector<std::string>& names);

// The roles allowed on a route, for the OpenAPI document ("trainer (own)", "support", ...).
std::vector<std::string> AllowedRoles(RouteAccess access);

// The roles RoleMaySend lets send the command `command_name`, named as AllowedRoles names them
// (a trainer only on their own MCID, ROLE-1); empty for a name that is no command.
std::vector<std::string> RolesSending(std::string_view command_name);

}  // namespace mct::admin::server
