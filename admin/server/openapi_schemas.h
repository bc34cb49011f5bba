// The schemas of mctd's OpenAPI document (openapi.h), kept apart from the paths: the commands a
// client sends (openapi_commands.cc) and the answers it gets back (openapi_answers.cc). Each is
// built from the tables the server itself uses: the role table (domain/roles.h), the codec's
// field lists and enum names (consumers/json_schema.h), the rejection codes.
//
// Pure; safe from any thread.
#pragma once

#include <nlohmann/json.hpp>

#include "admin/server/route_table.h"

namespace mct::admin::server {

using OpenApiJson = nlohmann::ordered_json;

// components/schemas entries: one per command the commands route takes, named as the command,
// each with `x-roles`, the roles that may send it (RoleMaySend).
OpenApiJson CommandSchemas();
// The commands route's request body schema: one of the command schemas, by "command".
OpenApiJson CommandRequestSchema();

// components/schemas entries for the answers: Error, the event (EventEnvelope and one schema per
// event type), CommandAnswer and each read's body.
OpenApiJson AnswerSchemas();
// The 200 response of `route`: its media type and the schema of its body.
OpenApiJson SuccessResponse(const Route& route);

// "#/components/schemas/<name>".
OpenApiJson SchemaRef(const std::string& name);

}  // namespace mct::admin::server
