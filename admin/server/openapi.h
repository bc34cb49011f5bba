// The OpenAPI 3 document of mctd, generated from the route table (route_table.h) and the command
// field list, so the document, the server and the role tests cannot drift apart. The committed
// copy, docs/openapi.json, is checked against it by a test.
//
// Pure; safe from any thread.
#pragma once

#include <nlohmann/json.hpp>

namespace mct::admin::server {

nlohmann::ordered_json OpenApiDocument();

}  // namespace mct::admin::server
