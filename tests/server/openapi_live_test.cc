// The OpenAPI document held to a running server: every route is driven into the errors it can
// answer (bad tokens, each role, malformed input, unknown trainers, ?after= beyond the read
// models, the rate limit, ...) and each answer must be listed in that route's responses, and each
// response it lists must have been answered (unless no test can provoke it); and every 200 body
// must fit the schema the document gives it.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "admin/server/openapi.h"
#include "admin/server/route_table.h"
#include "domain/roles.h"
#include "tests/server/openapi_support.h"
#include "tests/server/raw_http.h"
#include "tests/server/schema_check.h"
#include "tests/server/server_fixture.h"

namespace mct::admin::server::testing {
namespace {

using Errors = std::set<std::pair<int, std::string>>;

std::string Name(const Route& route) {
  return std::string(route.method) + " " + std::string(route.path);
}

// The route's path for `mcid`, with the query parameters it needs and `query` after them.
std::string Concrete(const Route& route, const std::string& mcid, const std::string& query = "") {
  std::string path(route.path);
  if (const auto at = path.find("{mcid}"); at != std::string::npos) path.replace(at, 6, mcid);
  std::string params;
  if (path == "/v1/due") params = "from=" + Day(0) + "&to=" + Day(365);
  if (path == "/v1/lookup") params = "email=trainer" + std::string(kOwn) + "%40example.jp";
  if (!query.empty()) params += (params.empty() ? "" : "&") + query;
  return params.empty() ? path : path + "?" + params;
}

// A well-formed request of `route`: a command the caller's role may send, a JPEG report, a GET.
Answer Call(const TestServer& server, const Route& route, const std::string& token,
            const std::string& mcid = kOwn, const std::string& query = "") {
  const std::string path = Concrete(route, mcid, query);
  if (route.access == RouteAccess::kUpload) {
    return server.PostMultipart(path, UploadForm(JpegBytes(), "report.jpg", "image/jpeg"), token);
  }
  if (route.access == RouteAccess::kCommand) {
    return server.Post(path, SampleCommand("StartRenewal").dump(), "application/json", token);
  }
  if (route.method == "POST") {
    const Answer answer = server.Post(path, "", "application/json", token);
    // A rebuild catches the read models up: done before anything else, ?after= stays provokable.
    if (route.path == "/v1/rebuild" && answer.status == 200) server.WaitForRebuild();
    return answer;
  }
  return server.Get(path, token);
}

class OpenApiLive : public ::testing::Test {
 protected:
  static ServerConfig Config() {
    ServerConfig config;
    config.read_wait = std::chrono::milliseconds(100);
    config.max_body_bytes = 4096;
    config.max_upload_bytes = 64 * 1024;
    return config;
  }

  void SetUp() override {
    server_.ToRequirements(kOwn);
    server_.Enroll(kOther);
    server_.CaughtUpChecksum();
  }

  // Keeps each error answer of `route` (not 2xx), to compare with the document.
  void Note(const Route& route, const Answer& answer) {
    ASSERT_NE(answer.status, 0) << Name(route) << ": " << answer.Describe();
    if (answer.status < 300) return;
    answered_[Name(route)].insert({answer.status, answer.code()});
  }

  // Every error `route` can be brought to answer on a server that runs no projection runner.
  void Provoke(const Route& route) {
    for (const Caller& caller : server_.Callers()) Note(route, Call(server_, route, caller.token));
    const std::string& support = server_.Support();
    if (route.path.find("{mcid}") != std::string_view::npos) {
      Note(route, Call(server_, route, support, "12"));       // not 4 to 10 digits
      Note(route, Call(server_, route, support, "9999999"));  // nobody enrolled
    }
    if (route.access == RouteAccess::kStatus || route.access == RouteAccess::kRecords) {
      Note(route, Call(server_, route, support, kOwn, "as_of=yesterday"));
    }
    if (ReadsReadModels(route)) {
      Note(route, Call(server_, route, support, kOwn, "after=abc"));
      Note(route, Call(server_, route, support, kOwn, "after=999999999"));
    }
    const std::string path(route.path);
    if (path == "/v1/due") {
      Note(route, server_.Get("/v1/due?from=" + Day(0), support));
      Note(route, server_.Get("/v1/due?from=" + Day(10) + "&to=" + Day(0), support));
    }
    if (path == "/v1/reports") Note(route, server_.Get("/v1/reports?month=2026-13", support));
    if (path == "/v1/lookup") Note(route, server_.Get("/v1/lookup", support));
    if (path == "/readyz") {
      server_.SetReady(false);
      Note(route, server_.Get("/readyz"));
      server_.SetReady(true);
    }
    Note(route, TwoLengths(route));
    if (route.access == RouteAccess::kAudit && route.method == "POST") {
      Note(route, Raw(route, "Content-Length: 99999999999\r\n"));
    }
    if (route.access == RouteAccess::kCommand) ProvokeCommand(route);
    if (route.access == RouteAccess::kUpload) ProvokeUpload(route);
  }

  // `route` with Content-Length sent twice (a body whose length is not sure), as raw bytes: no
  // client library sends that.
  Answer TwoLengths(const Route& route) {
    return Raw(route, "Content-Length: 0\r\nContent-Length: 0\r\n");
  }

  // `route` as support, its head with `headers` (each ending in CRLF) and no body, as raw bytes.
  Answer Raw(const Route& route, const std::string& headers) {
    const std::string raw =
        RawExchange(server_.port(), std::string(route.method) + " " + Concrete(route, kOwn) +
                                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                                        server_.Support() + "\r\n" + headers + "\r\n");
    Answer answer;
    answer.status = RawStatus(raw);
    answer.body = RawBody(raw);
    answer.json = Json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
    return answer;
  }

  void ProvokeCommand(const Route& route) {
    const std::string path = Concrete(route, kOwn);
    const std::string& support = server_.Support();
    Note(route, server_.Post(path, R"({"command": "StartRenewal")", "application/json", support));
    Note(route, server_.Post(path, R"({"command": "StartRenewal"})", "text/plain", support));
    Note(route, server_.Post(path, std::string(5000, ' ') + "{}", "application/json", support));
    Note(route,
         server_.PostChunked(path, R"({"command": "StartRenewal"})", "application/json", support));
    // Each command with each role: forbidden, or the rules' verdict (a renewal is in progress).
    for (const std::string_view command : domain::AllCommandNames()) {
      if (command == "UploadMtmReport") continue;
      for (const Caller& caller : server_.Callers()) {
        Note(route, server_.Command(kOwn, SampleCommand(command), caller.token));
      }
    }
  }

  void ProvokeUpload(const Route& route) {
    const std::string path = Concrete(route, kOwn);
    const std::string& support = server_.Support();
    Note(route, server_.Post(path, "{}", "application/json", support));
    Note(route, server_.PostMultipart(path, {{"mct_full_name", "Hanako Sato", "", ""}}, support));
    Note(route, server_.PostMultipart(
                    path, UploadForm(JpegBytes(100 * 1024), "big.jpg", "image/jpeg"), support));
    Note(route,
         server_.PostMultipart(
             path, UploadForm("GIF89a" + std::string(100, 'x'), "r.gif", "image/gif"), support));
  }

  // Appends an event the read models have not applied; answers its log position.
  uint64_t AppendUnapplied() {
    const Answer answer =
        server_.Command("1000003", TestServer::EnrollBody("1000003"), server_.Support());
    EXPECT_EQ(answer.status, 200) << answer.Describe();
    return answer.json["events"].back()["global_position"].get<uint64_t>();
  }

  const nlohmann::ordered_json document_ = OpenApiDocument();
  TestServer server_{Config()};
  std::map<std::string, Errors> answered_;
};

// Errors no request of a test can bring about: a failed handler or store, or two writers racing,
// or a second rebuild asked while one runs (rebuild_job_test.cc holds a rebuild to prove that).
bool Unprovokable(const std::string& code) {
  return code == "internal" || code == "unavailable" || code == "version_conflict" ||
         code == "rebuild_running";
}

TEST_F(OpenApiLive, EveryErrorARouteAnswersIsInItsResponsesAndTheConverse) {
  for (const Route& route : Routes()) Provoke(route);
  const uint64_t unapplied = AppendUnapplied();
  for (const Route& route : Routes()) {
    if (ReadsReadModels(route)) {
      Note(route,
           Call(server_, route, server_.Support(), kOwn, "after=" + std::to_string(unapplied)));
    }
  }
  // The rate limit: one request takes the caller's whole burst, then every route refuses.
  ServerConfig limited = Config();
  limited.rate_per_second = 0.001;
  limited.rate_burst = 1;
  TestServer slow(limited);
  slow.Get("/v1/due", slow.Support());
  for (const Route& route : Routes()) Note(route, Call(slow, route, slow.Support()));
  // An upgrade's start: the read models an older build wrote are being rebuilt.
  ServerConfig upgraded = Config();
  upgraded.prepare = [](const std::filesystem::path& dir) {
    auto store = Store::Open(dir);
    if (!store.ok()) throw std::runtime_error(store.error().message);
    RecordAnOlderLayout(*store.value());
  };
  upgraded.leave_other_layout = true;
  TestServer rebuilding(upgraded);
  for (const Route& route : Routes()) Note(route, Call(rebuilding, route, rebuilding.Support()));

  for (const Route& route : Routes()) {
    SCOPED_TRACE(Name(route));
    const auto& operation = OperationOf(document_, route);
    const Errors& answered = answered_[Name(route)];
    for (const auto& [status, code] : answered) {
      const auto codes = CodesAt(operation, status);
      EXPECT_EQ(std::count(codes.begin(), codes.end(), code), 1)
          << "answered " << status << " " << code << " but the document does not list it";
    }
    bool answered_a_rejection = false;
    for (const auto& [status, code] : answered) answered_a_rejection |= status == 422;
    for (const auto& [status, unused] : operation["responses"].items()) {
      if (status == "200") continue;
      for (const auto& code : CodesAt(operation, std::stoi(status))) {
        if (Unprovokable(code) || (status == "422" && answered_a_rejection)) continue;
        EXPECT_EQ(answered.count({std::stoi(status), code}), 1u)
            << "the document lists " << status << " " << code << " but it was never answered";
      }
    }
  }
}

// A command's schema lists as required what the server refuses without (absent, or empty where
// the rules need text): a body of only the required fields is never refused invalid_input for
// lack of another, and one without a required field always is (regression: the schemas listed
// only what the JSON reader refuses, so a generated client's minimal body got a 400).
TEST_F(OpenApiLive, ACommandsRequiredFieldsAreWhatTheServerRequires) {
  const auto& schemas = document_["components"]["schemas"];
  for (const std::string_view command : domain::AllCommandNames()) {
    if (command == "UploadMtmReport") continue;
    const std::string name(command);
    SCOPED_TRACE(name);
    const Json sample = SampleCommand(name);
    const Json& required = schemas[name]["required"];
    const bool system_only = !domain::RoleMaySend(domain::Role::kSupport, name);
    const std::string& token = server_.Token(system_only ? "system" : "support");
    Json minimal = Json::object();
    for (const auto& field : required) {
      if (sample.contains(field.get<std::string>()))
        minimal[field.get<std::string>()] = sample[field.get<std::string>()];
    }
    minimal["command"] = name;
    if (name == "PlaceOrder") {  // PayPal's payer (PAY-4); the key here or as the header (PAY-8)
      minimal["payer_name"] = sample["payer_name"];
      minimal["idempotency_key"] = sample["idempotency_key"];
    }
    const Answer only_required = server_.Command(kOther, minimal, token);
    EXPECT_FALSE(only_required.status == 400 && only_required.code() == "invalid_input")
        << minimal.dump() << ": " << only_required.Describe();
    for (const auto& field : required) {
      if (field == "command") continue;
      Json without = sample;
      without.erase(field.get<std::string>());
      const Answer refused = server_.Command(kOther, without, token);
      EXPECT_EQ(refused.code(), "invalid_input") << field << ": " << refused.Describe();
    }
  }
}

TEST_F(OpenApiLive, EveryAnswerFitsItsDocumentedSchema) {
  const SchemaCheck check(document_);
  const std::string& support = server_.Support();
  // The report at the requirements step (REQ-5); then a retry, a payment and a completed renewal
  // put more event types in the history.
  const Answer upload = server_.PostMultipart(
      TestServer::UploadPath(kOwn), UploadForm(JpegBytes(), "report.jpg", "image/jpeg"), support);
  Json retried = SampleCommand("ConfirmRequirements");
  retried["command_id"] = "live-confirm";
  std::vector<Answer> commands = {server_.Command(kOwn, retried, support),
                                  server_.Command(kOwn, retried, support)};
  server_.Command(
      kOwn, {{"command", "AcceptTerms"}, {"accept_terms", true}, {"accept_payment_redirect", true}},
      support);
  Json billing = TestServer::BillingFields();
  billing["command"] = "EnterBillingAddress";
  commands.push_back(server_.Command(kOwn, billing, support));
  commands.push_back(server_.Command(kOwn, SampleCommand("PlaceOrder"), support));
  EXPECT_EQ(commands[1].json.value("outcome", ""), "retried");
  server_.CaughtUpChecksum();

  const Route* command_route = nullptr;
  std::vector<std::pair<const Route*, Answer>> answers;
  for (const Route& route : Routes()) {
    if (route.access == RouteAccess::kCommand) command_route = &route;
    if (route.access == RouteAccess::kUpload) answers.emplace_back(&route, upload);
    if (route.access == RouteAccess::kCommand || route.access == RouteAccess::kUpload) continue;
    answers.emplace_back(&route, Call(server_, route, support, kOther));
    if (route.path == "/v1/trainers/{mcid}" || route.path == "/v1/trainers/{mcid}/history" ||
        route.path == "/v1/trainers/{mcid}/gaps") {
      answers.emplace_back(&route, Call(server_, route, support, kOwn));
      answers.emplace_back(&route, Call(server_, route, support, kOwn, "as_of=" + Day(0)));
    }
    if (route.path == "/v1/reports") {
      answers.emplace_back(&route,
                           Call(server_, route, support, kOwn, "month=" + Day(0).substr(0, 7)));
    }
  }
  ASSERT_NE(command_route, nullptr);
  for (const Answer& answer : commands) answers.emplace_back(command_route, answer);

  for (const auto& [route, answer] : answers) {
    SCOPED_TRACE(Name(*route));
    ASSERT_EQ(answer.status, 200) << answer.Describe();
    const auto& content = OperationOf(document_, *route)["responses"]["200"]["content"];
    ASSERT_EQ(content.size(), 1u);
    const std::string media_type = content.begin().key();
    EXPECT_EQ(answer.content_type.rfind(media_type, 0), 0u) << answer.content_type;
    const auto& schema = content.begin().value()["schema"];
    if (media_type == "application/json") {
      EXPECT_EQ(check.Problems(answer.json, schema), std::vector<std::string>{}) << answer.body;
    } else if (schema.contains("x-line-schema")) {
      std::istringstream lines(answer.body);
      size_t checked = 0;
      for (std::string line; std::getline(lines, line); ++checked) {
        EXPECT_EQ(check.Problems(nlohmann::json::parse(line), schema["x-line-schema"]),
                  std::vector<std::string>{});
      }
      EXPECT_GT(checked, 5u);
    } else {
      EXPECT_FALSE(answer.body.empty());
    }
  }
}

}  // namespace
}  // namespace mct::admin::server::testing
