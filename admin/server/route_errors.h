// The errors each route of the route table can answer, for the OpenAPI document: what the
// handlers (http_api.cc, api_commands.cc, api_reads.cc) send with SendError, by status and code.
// The server does not read this list: openapi_live_test.cc walks the real server into these
// errors and openapi_test.cc scans the handlers' sources, so an error added there and not here
// fails a test.
//
// Constant data; safe from any thread.
#pragma once

#include <string>
#include <vector>

#include "admin/server/route_table.h"
#include "domain/decide.h"

namespace mct::admin::server {

// One error answer: the HTTP status and the `code` of its JSON body `{"code", "message"}`.
struct RouteError {
  int status;
  std::string code;
  std::string when;  // for people: what the request did to get this answer
};

// The errors `route` can answer, the rejections of Decide included (by RejectionStatus). Not
// listed: 404 `not_found`, which only a path no route matches gets.
std::vector<RouteError> RouteErrors(const Route& route);

// The HTTP status a command's rejection is answered with (the contract of http_api.h): 400
// invalid_input, 403 forbidden, 404 unknown_trainer, 409 version_conflict, 422 every other code.
int RejectionStatus(domain::RejectionCode code);

}  // namespace mct::admin::server
