// The OpenAPI document: the committed docs/openapi.json is exactly what `mctd --openapi` prints, so
// a change of a route or a role that does not update the document fails here; every route of the
// route table is in it with its roles, its answer's schema and the errors its handler sends; each
// command with the roles the role table lets send it; the enumerations as the codec names them.
// (openapi_live_test.cc holds the document to what a running server answers.)
#include "admin/server/openapi.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <iterator>
#include <regex>
#include <set>
#include <string>
#include <tuple>
#include <variant>

#include "admin/server/route_table.h"
#include "consumers/codec.h"
#include "consumers/json_schema.h"
#include "domain/decide.h"
#include "domain/roles.h"
#include "tests/server/openapi_support.h"
#include "tests/server/schema_check.h"

namespace mct::admin::server {
namespace {

using testing::CodesAt;
using testing::OperationOf;
using testing::SchemaCheck;
using Json = nlohmann::ordered_json;

const char* const kCommitted = MCT_SOURCE_DIR "/docs/openapi.json";

std::string Committed() {
  std::ifstream in(kCommitted, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(OpenApi, TheCommittedDocumentIsTheGeneratedOne) {
  const std::string committed = Committed();
  ASSERT_FALSE(committed.empty()) << kCommitted << " is missing";
  // mctd --openapi prints dump(2) and a newline.
  EXPECT_EQ(committed, OpenApiDocument().dump(2) + "\n")
      << "docs/openapi.json is out of date: regenerate it with `mctd --openapi > docs/openapi.json`";
}

TEST(OpenApi, EveryRouteIsDocumentedWithItsRoles) {
  const auto document = nlohmann::ordered_json::parse(Committed(), nullptr, false);
  ASSERT_FALSE(document.is_discarded());
  const auto& paths = document["paths"];
  size_t operations = 0;
  for (const Route& route : Routes()) {
    std::string method(route.method);
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::string path(route.path);
    SCOPED_TRACE(method + " " + path);
    ASSERT_TRUE(paths.contains(path));
    ASSERT_TRUE(paths[path].contains(method));
    const auto& operation = paths[path][method];
    std::vector<std::string> roles;
    for (const auto& role : operation["x-roles"]) roles.push_back(role.get<std::string>());
    EXPECT_EQ(roles, AllowedRoles(route.access));
    EXPECT_EQ(operation.contains("security"), route.access != RouteAccess::kPublic);
    ++operations;
  }
  // Nothing documented that the table does not have.
  size_t documented = 0;
  for (const auto& [path, methods] : paths.items()) documented += methods.size();
  EXPECT_EQ(documented, operations);
}

TEST(OpenApi, RolesFollowTheRoleTable) {
  // ROLE-4: the auditor sends no command; ROLE-5: only support and auditors verify and export.
  auto roles_of = [](std::string_view path) {
    for (const Route& route : Routes()) {
      if (route.path == path) return AllowedRoles(route.access);
    }
    return std::vector<std::string>{};
  };
  const auto commands = roles_of("/v1/trainers/{mcid}/commands");
  EXPECT_EQ(std::count(commands.begin(), commands.end(), "auditor"), 0);
  EXPECT_EQ(std::count(commands.begin(), commands.end(), "trainer (own MCID)"), 1);
  EXPECT_EQ(roles_of("/v1/verify"), (std::vector<std::string>{"support", "auditor"}));
  EXPECT_EQ(roles_of("/v1/trainers/{mcid}"),
            (std::vector<std::string>{"trainer (own MCID)", "support", "system", "auditor"}));
  EXPECT_EQ(roles_of("/v1/trainers/{mcid}/mtm-report"),
            (std::vector<std::string>{"trainer (own MCID)", "support"}));
  EXPECT_TRUE(roles_of("/healthz").empty());
}

TEST(OpenApi, EveryRouteAnswers200WithAMediaTypeAndASchema) {
  const Json document = OpenApiDocument();
  const SchemaCheck check(document);
  for (const Route& route : Routes()) {
    SCOPED_TRACE(std::string(route.method) + " " + std::string(route.path));
    const Json& ok = OperationOf(document, route)["responses"]["200"];
    ASSERT_TRUE(ok.contains("content")) << ok.dump();
    ASSERT_FALSE(ok["content"].empty());
    for (const auto& [media_type, content] : ok["content"].items()) {
      ASSERT_TRUE(content.contains("schema")) << media_type;
      if (content["schema"].contains("$ref")) {
        EXPECT_FALSE(check.Resolve(content["schema"]["$ref"]).is_null()) << content.dump();
      }
    }
  }
}

// A client told to come back later (429 rate_limited, 503 read_models_behind) is told when.
TEST(OpenApi, AnswersThatSayComeBackLaterDocumentRetryAfter) {
  const Json document = OpenApiDocument();
  int checked = 0;
  for (const Route& route : Routes()) {
    SCOPED_TRACE(std::string(route.method) + " " + std::string(route.path));
    const Json& responses = OperationOf(document, route)["responses"];
    for (const char* status : {"429", "503"}) {
      if (!responses.contains(status)) continue;
      const std::string description = responses[status]["description"];
      if (description.find("rate_limited") == std::string::npos &&
          description.find("read_models_behind") == std::string::npos) {
        continue;
      }
      EXPECT_TRUE(responses[status].contains("headers") &&
                  responses[status]["headers"].contains("Retry-After"))
          << status << ": " << responses[status].dump();
      ++checked;
    }
  }
  EXPECT_GT(checked, 10);  // every route with a token has a 429
}

// A $ref to a schema the document does not define would leave a body undescribed.
TEST(OpenApi, EveryReferenceResolves) {
  const Json document = OpenApiDocument();
  const SchemaCheck check(document);
  size_t references = 0;
  std::function<void(const Json&)> walk = [&](const Json& node) {
    if (node.is_object()) {
      if (node.contains("$ref")) {
        ++references;
        EXPECT_FALSE(check.Resolve(node["$ref"].get<std::string>()).is_null()) << node.dump();
      }
      for (const auto& [key, child] : node.items()) walk(child);
    } else if (node.is_array()) {
      for (const auto& child : node) walk(child);
    }
  };
  walk(document);
  EXPECT_GT(references, 0u);
}

// ROLE-1..4: each command's schema names the roles RoleMaySend lets send it, a trainer on their
// own MCID only; the commands route takes every command but UploadMtmReport, which has its route.
TEST(OpenApi, EveryCommandListsTheRolesThatMaySendIt) {
  const Json document = OpenApiDocument();
  const auto& schemas = document["components"]["schemas"];
  std::set<std::string> in_request_body;
  for (const auto& option :
       OperationOf(document, "POST",
                   "/v1/trainers/{mcid}/commands")["requestBody"]["content"]["application/json"]
                                                  ["schema"]["oneOf"]) {
    in_request_body.insert(
        option["$ref"].get<std::string>().substr(sizeof("#/components/schemas/") - 1));
  }
  for (const std::string_view command : domain::AllCommandNames()) {
    const std::string name(command);
    SCOPED_TRACE(name);
    std::vector<std::string> may_send;
    for (const domain::Role role : domain::AllRoles()) {
      if (!domain::RoleMaySend(role, command)) continue;
      const std::string role_name(domain::ToString(role));
      may_send.push_back(role == domain::Role::kTrainer ? role_name + " (own MCID)" : role_name);
    }
    if (name == "UploadMtmReport") {
      EXPECT_EQ(in_request_body.count(name), 0u);
      EXPECT_EQ(OperationOf(document, "POST", "/v1/trainers/{mcid}/mtm-report")["x-roles"],
                Json(may_send));
      continue;
    }
    ASSERT_TRUE(schemas.contains(name));
    EXPECT_EQ(in_request_body.count(name), 1u);
    EXPECT_EQ(schemas[name]["x-roles"], Json(may_send));
    for (const auto& role : may_send) {
      EXPECT_NE(schemas[name]["description"].get<std::string>().find(role), std::string::npos)
          << schemas[name]["description"];
    }
  }
  EXPECT_EQ(in_request_body.size(), domain::AllCommandNames().size() - 1);
}

// The closed sets a command or an event carries are the codec's names, whatever the field.
TEST(OpenApi, EnumerationsAreTheCodecsNames) {
  const Json document = OpenApiDocument();
  const auto& schemas = document["components"]["schemas"];
  const std::vector<std::tuple<std::string, std::string, std::vector<std::string>>> fields = {
      {"RecordCertification", "track", consumers::JsonNamesOf<domain::Track>()},
      {"ChooseProfile", "track", consumers::JsonNamesOf<domain::Track>()},
      {"ChooseProfile", "employer_type", consumers::JsonNamesOf<domain::EmployerType>()},
      {"PlaceOrder", "method", consumers::JsonNamesOf<domain::PaymentMethod>()},
      {"PaymentPlaced", "method", consumers::JsonNamesOf<domain::PaymentMethod>()},
      {"PaymentPlaced", "card_brand", consumers::JsonNamesOf<domain::CardBrand>()},
      {"ProfileChosen", "employer_type", consumers::JsonNamesOf<domain::EmployerType>()},
      {"RenewalStarted", "kind", consumers::JsonNamesOf<domain::RenewalKind>()},
      {"EventEnvelope", "actor", {}},
  };
  for (const auto& [schema_name, field, names] : fields) {
    SCOPED_TRACE(schema_name + "." + field);
    ASSERT_TRUE(schemas.contains(schema_name));
    Json schema = schemas[schema_name];
    if (schema.contains("allOf")) schema = schema["allOf"][1];  // an event's payload part
    if (field == "actor") {
      EXPECT_EQ(schema["properties"]["actor"]["properties"]["role"]["enum"],
                Json(consumers::JsonNamesOf<domain::Role>()));
      continue;
    }
    EXPECT_EQ(schema["properties"][field]["enum"], Json(names));
    // What the domain's parsers accept, independently of the codec's wire tables.
    for (const auto& name : names) {
      const bool parses = domain::ParseTrack(name) || domain::ParseEmployerType(name) ||
                          domain::ParsePaymentMethod(name) || domain::ParseCardBrand(name) ||
                          domain::ParseRenewalKind(name);
      EXPECT_TRUE(parses) << name;
    }
  }
  EXPECT_EQ(consumers::JsonNamesOf<domain::Track>().size(), 4u);          // AUD-1
  EXPECT_EQ(consumers::JsonNamesOf<domain::EmployerType>().size(), 7u);   // PROF-1
  EXPECT_EQ(consumers::JsonNamesOf<domain::PaymentMethod>().size(), 4u);  // PAY-1
}

// Each event type as consumers::ToJson renders it fits the schema of its name, member for member.
TEST(OpenApi, EveryEventTheCodecRendersFitsItsSchema) {
  const Json document = OpenApiDocument();
  const SchemaCheck check(document);
  size_t events = 0;
  std::apply(
      [&](auto... payloads) {
        (
            [&] {
              consumers::EventEnvelope envelope;
              envelope.event.payload = payloads;
              envelope.stream_version = 1;
              envelope.global_position = 1;
              envelope.hash = std::string(64, 'a');
              const nlohmann::json rendered = consumers::ToJson(envelope);
              const std::string name = rendered["event"];
              SCOPED_TRACE(name);
              EXPECT_EQ(check.Problems(rendered, testing::Ref(name)), std::vector<std::string>{});
              EXPECT_EQ(check.Problems(rendered, testing::Ref("Event")),
                        std::vector<std::string>{});
              ++events;
            }(),
            ...);
      },
      std::tuple<domain::TrainerEnrolled, domain::CertificationRecorded, domain::RenewalStarted,
                 domain::FteCodeIssued, domain::ProfileChosen, domain::ExceptionFiled,
                 domain::MtmSurveyRecorded, domain::MtmReportUploaded,
                 domain::RequirementsConfirmed, domain::TermsAccepted, domain::VoucherApplied,
                 domain::BillingAddressEntered, domain::PaymentPlaced, domain::RenewalCompleted,
                 domain::WelcomeKitOrdered, domain::RefundIssued, domain::RefundSettled,
                 domain::AlumniApplied, domain::AlumniSwitchedBack>{});
  EXPECT_EQ(events, std::variant_size_v<domain::Event>);
  EXPECT_EQ(document["components"]["schemas"]["Event"]["oneOf"].size(),
            std::variant_size_v<domain::Event>);
}

// http_api.h's contract: each rejection of a command is answered with its status and code, and the
// document lists the code under that status on both routes that run commands.
TEST(OpenApi, EveryRejectionIsDocumentedWithItsStatus) {
  const Json document = OpenApiDocument();
  for (const char* path : {"/v1/trainers/{mcid}/commands", "/v1/trainers/{mcid}/mtm-report"}) {
    const Json& operation = OperationOf(document, "POST", path);
    for (const domain::RejectionCode code : domain::AllRejectionCodes()) {
      const std::string name(domain::ToString(code));
      const int status = name == "invalid_input"      ? 400
                         : name == "forbidden"        ? 403
                         : name == "unknown_trainer"  ? 404
                         : name == "version_conflict" ? 409
                                                      : 422;
      const auto codes = CodesAt(operation, status);
      EXPECT_EQ(std::count(codes.begin(), codes.end(), name), 1)
          << path << " " << status << " " << name;
    }
  }
}

// Every literal (status, code) a handler passes to SendError is documented on some route; which
// route answers which is held to the running server by openapi_live_test.cc. `not_found` answers
// only paths no route matches, so the Error schema names it instead.
TEST(OpenApi, EveryErrorTheHandlersSendIsDocumented) {
  const Json document = OpenApiDocument();
  std::set<std::pair<int, std::string>> documented;
  for (const Route& route : Routes()) {
    for (const auto& [status, unused] : OperationOf(document, route)["responses"].items()) {
      for (const auto& code : CodesAt(OperationOf(document, route), std::stoi(status))) {
        documented.insert({std::stoi(status), code});
      }
    }
  }
  const std::regex send_error(R"re(SendError\(\s*response,\s*(\d{3}),\s*"([a-z_]+)")re");
  size_t sent = 0;
  for (const char* file : {"http_api.cc", "api_commands.cc", "api_reads.cc"}) {
    std::ifstream in(std::string(MCT_SOURCE_DIR "/admin/server/") + file);
    const std::string source(std::istreambuf_iterator<char>(in), {});
    ASSERT_FALSE(source.empty()) << file;
    for (std::sregex_iterator match(source.begin(), source.end(), send_error), end; match != end;
         ++match) {
      const int status = std::stoi((*match)[1]);
      const std::string code = (*match)[2];
      ++sent;
      // Answers of no route: the Error schema names them.
      if (code == "not_found" || code == "method_not_allowed") {
        EXPECT_NE(document["components"]["schemas"]["Error"]["properties"]["code"]["description"]
                      .get<std::string>()
                      .find(code),
                  std::string::npos)
            << code;
        continue;
      }
      EXPECT_EQ(documented.count({status, code}), 1u) << file << ": " << status << " " << code;
    }
  }
  EXPECT_GE(sent, 10u);  // the pattern still finds the handlers' errors
}

}  // namespace
}  // namespace mct::admin::server
