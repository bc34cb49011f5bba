// The HTTP API's errors: every one is JSON {"code", "message"} with the status of http_api.h's
// contract (400, 401, 403, 404, 409, 413, 415, 422, 429), and the Idempotency-Key header of
// PlaceOrder (PAY-8).
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <iostream>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/server/raw_http.h"
#include "tests/server/server_fixture.h"

namespace mct::admin::server::testing {
namespace {

// The error body: a JSON object with a string code and a non-empty message, and nothing else.
void ExpectError(const Answer& answer, int status, const std::string& code) {
  EXPECT_EQ(answer.status, status) << answer.Describe();
  ASSERT_TRUE(answer.json.is_object()) << answer.Describe();
  EXPECT_EQ(answer.json.size(), 2u) << answer.Describe();
  EXPECT_EQ(answer.code(), code) << answer.Describe();
  EXPECT_FALSE(answer.message().empty()) << answer.Describe();
  EXPECT_EQ(answer.content_type.rfind("application/json", 0), 0u) << answer.content_type;
}

class Errors : public ::testing::Test {
 protected:
  void SetUp() override { server_.Enroll(kOwn); }

  Answer Raw(const std::string& body, const std::string& content_type = "application/json") {
    return server_.Post(TestServer::CommandPath(kOwn), body, content_type, server_.Support());
  }

  TestServer server_;
};

TEST_F(Errors, MalformedJsonIs400) {
  ExpectError(Raw(R"({"command": "StartRenewal",)"), 400, "invalid_input");
}

// The media type decides, case-insensitively, whatever parameters follow it.
TEST_F(Errors, JsonWithParametersOrOtherCaseIsJson) {
  const std::string certify =
      R"({"command": "RecordCertification", "certification_id": "C-1", "track": "it_pro"})";
  EXPECT_EQ(Raw(certify, "application/json; charset=utf-8").status, 200);
  EXPECT_EQ(Raw(certify, "Application/JSON").status, 200);
  ExpectError(Raw(certify, "application/jsonfoo"), 415, "invalid_input");
}

TEST_F(Errors, WrongTypeIs400NamingTheField) {
  const Answer answer =
      Raw(R"({"command": "RecordCertification", "certification_id": 7, "track": "it_pro"})");
  ExpectError(answer, 400, "invalid_input");
  EXPECT_NE(answer.message().find("certification_id"), std::string::npos) << answer.message();
}

TEST_F(Errors, UnknownFieldIs400NamingTheField) {
  const Answer answer = Raw(R"({"command": "StartRenewal", "favourite_colour": "blue"})");
  ExpectError(answer, 400, "invalid_input");
  EXPECT_NE(answer.message().find("favourite_colour"), std::string::npos) << answer.message();
}

TEST_F(Errors, FieldsTheServerSetsAreRefusedInTheBody) {
  for (const auto& [field, value] : std::vector<std::pair<std::string, Json>>{
           {"mcid", kOwn},
           {"at", "2017-03-01T09:00:00Z"},
           {"actor", Json{{"role", "support"}, {"id", "someone-else"}}}}) {
    SCOPED_TRACE(field);
    Json body = {{"command", "StartRenewal"}};
    body[field] = value;
    const Answer answer = server_.Command(kOwn, body, server_.Support());
    ExpectError(answer, 400, "invalid_input");
    EXPECT_NE(answer.message().find(field), std::string::npos) << answer.message();
  }
}

TEST_F(Errors, InvalidMcidInThePathIs400NotUnknownTrainer) {
  for (const std::string mcid : {"abc", "123", "12345678901", "1000001x", "-1000001"}) {
    SCOPED_TRACE(mcid);
    ExpectError(server_.Command(mcid, {{"command", "StartRenewal"}}, server_.Support()), 400,
                "invalid_input");
    ExpectError(server_.Get("/v1/trainers/" + mcid, server_.Support()), 400, "invalid_input");
    // domain.md's order: invalid_input before forbidden, also for a trainer reading (regression:
    // a trainer's read of a malformed MCID was 403).
    ExpectError(server_.Get("/v1/trainers/" + mcid + "/history", server_.OwnTrainer()), 400,
                "invalid_input");
  }
}

TEST_F(Errors, NoTokenOrABadTokenIs401) {
  ExpectError(server_.Command(kOwn, {{"command", "StartRenewal"}}, ""), 401, "unauthorized");
  ExpectError(server_.Command(kOwn, {{"command", "StartRenewal"}}, "mct_not-a-token"), 401,
              "unauthorized");
  ExpectError(server_.Get("/v1/trainers/" + std::string(kOwn), ""), 401, "unauthorized");
  // A token in another scheme is no bearer token.
  ExpectError(
      server_.Post(TestServer::CommandPath(kOwn), R"({"command":"StartRenewal"})",
                   "application/json", "", {{"Authorization", "Basic " + server_.Support()}}),
      401, "unauthorized");
  // A 401 names the scheme it wants (RFC 6750), and says when the token sent is no good.
  auto challenge = [](const Answer& answer) {
    const auto found = answer.headers.find("WWW-Authenticate");
    return found == answer.headers.end() ? std::string("(none)") : found->second;
  };
  EXPECT_EQ(challenge(server_.Get("/v1/trainers/" + std::string(kOwn), "")),
            R"(Bearer realm="mctd")");
  EXPECT_EQ(challenge(server_.Get("/v1/trainers/" + std::string(kOwn), "mct_not-a-token")),
            R"(Bearer realm="mctd", error="invalid_token")");
}

// The scheme's name is case-insensitive and may be followed by more than one space (RFC 9110,
// 11.4): each of these is the support token.
TEST_F(Errors, TheBearerSchemeIsReadInAnyCase) {
  server_.CaughtUpChecksum();  // the read models know the trainer enrolled in SetUp
  for (const std::string scheme : {"bearer ", "BEARER ", "Bearer  ", "bEaReR   "}) {
    SCOPED_TRACE(scheme);
    const Answer answer = TestServer::Read(server_.Client()->Get(
        "/v1/trainers/" + std::string(kOwn),
        httplib::Headers{{"Authorization", scheme + server_.Support() + " "}}));
    EXPECT_EQ(answer.status, 200) << answer.Describe();
  }
}

// What is given twice is refused rather than read as whichever came first: the Idempotency-Key
// that decides which order a retry is (PAY-8), the token, a query parameter.
TEST_F(Errors, AHeaderOrParameterGivenTwiceIsRefused) {
  server_.CaughtUpChecksum();
  const Answer keys = TestServer::Read(
      server_.Client()->Post(TestServer::CommandPath(kOwn),
                             httplib::Headers{{"Authorization", "Bearer " + server_.Support()},
                                              {"Idempotency-Key", "a"},
                                              {"Idempotency-Key", "b"}},
                             R"({"command":"StartRenewal"})", "application/json"));
  ExpectError(keys, 400, "invalid_input");
  EXPECT_NE(keys.message().find("Idempotency-Key"), std::string::npos) << keys.Describe();
  const Answer tokens = TestServer::Read(
      server_.Client()->Get("/v1/trainers/" + std::string(kOwn),
                            httplib::Headers{{"Authorization", "Bearer " + server_.Support()},
                                             {"Authorization", "Bearer " + server_.Auditor()}}));
  ExpectError(tokens, 401, "unauthorized");
  const Answer as_of =
      server_.Get("/v1/trainers/" + std::string(kOwn) + "?as_of=2017-01-01&as_of=2030-01-01",
                  server_.Support());
  ExpectError(as_of, 400, "invalid_input");
  EXPECT_NE(as_of.message().find("as_of"), std::string::npos) << as_of.Describe();
  EXPECT_EQ(
      server_.Get("/v1/trainers/" + std::string(kOwn) + "?as_of=2030-01-01", server_.Support())
          .status,
      200);
}

// Regression: a query parameter's %XX bytes that are not UTF-8 were read as U+FFFD (a look-up
// for "\uFFFD" answered 200); text is UTF-8 here as in a body.
TEST_F(Errors, AQueryParameterThatIsNotUtf8IsRefused) {
  server_.CaughtUpChecksum();
  for (const std::string& path :
       {std::string("/v1/lookup?email=%FF%FE"), std::string("/v1/reports?month=2017-0%C3"),
        "/v1/trainers/" + std::string(kOwn) + "?as_of=%80", std::string("/v1/due?%FF=1")}) {
    SCOPED_TRACE(path);
    const Answer answer = server_.Get(path, server_.Support());
    ExpectError(answer, 400, "invalid_input");
    EXPECT_NE(answer.message().find("UTF-8"), std::string::npos) << answer.Describe();
  }
  ExpectError(server_.Get("/v1/lookup?email=%FF", ""), 401, "unauthorized");
  EXPECT_EQ(server_.Get("/v1/lookup?email=%E3%81%82%40example.jp", server_.Support()).status, 200);
}

// An offset's '+' sent unencoded arrives as a space: the 400 says how to send it. A role refused
// a POST is told it may not do it (not "read" it).
TEST_F(Errors, RefusalsSayWhatToDoInstead) {
  server_.CaughtUpChecksum();
  // Sent as curl sends it (the library's client would encode the '+' itself).
  const std::string plus =
      RawExchange(server_.port(), "GET /v1/trainers/" + std::string(kOwn) +
                                      "?as_of=2030-01-01T00:00:00+09:00 HTTP/1.1\r\nHost: x\r\n"
                                      "Authorization: Bearer " +
                                      server_.Support() + "\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(RawStatus(plus), 400) << plus;
  EXPECT_NE(RawBody(plus).find("%2B"), std::string::npos) << plus;
  const Answer encoded =
      server_.Get("/v1/trainers/" + std::string(kOwn) + "?as_of=2030-01-01T00:00:00%2B09:00",
                  server_.Support());
  EXPECT_EQ(encoded.status, 200) << encoded.Describe();
  const Answer rebuild = server_.Post("/v1/rebuild", "", "application/json", server_.System());
  ExpectError(rebuild, 403, "forbidden");
  EXPECT_NE(rebuild.message().find("may not do this"), std::string::npos) << rebuild.Describe();
}

// The web pages: served with their charset, asked again by the browser each time (no-cache), never
// sniffed as another type; the folder's other files (its README) are not served.
TEST(WebPages, ArePagesOnlyWithTheirCharsetAndNoCache) {
  ServerConfig config;
  config.web_root = MCT_SOURCE_DIR "/admin/web";
  TestServer server(config);
  for (const auto& [path, type] : std::vector<std::pair<std::string, std::string>>{
           {"/", "text/html; charset=utf-8"},
           {"/dashboard.html", "text/html; charset=utf-8"},
           {"/app.js", "text/javascript; charset=utf-8"},
           {"/style.css", "text/css; charset=utf-8"}}) {
    SCOPED_TRACE(path);
    const Answer page = server.Get(path);
    ASSERT_EQ(page.status, 200) << page.Describe();
    auto header = [&page](const std::string& name) {
      const auto found = page.headers.find(name);
      return found == page.headers.end() ? std::string("(none)") : found->second;
    };
    EXPECT_EQ(header("Content-Type"), type);
    EXPECT_EQ(header("Cache-Control"), "no-cache");
    EXPECT_EQ(header("X-Content-Type-Options"), "nosniff");
    // Scripts and styles of the server's own only, and no other site may frame a page.
    EXPECT_NE(header("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
    EXPECT_NE(header("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_EQ(header("X-Frame-Options"), "DENY");
  }
  // The API's answers name trainers: kept by no cache, whatever their status.
  for (const auto& [path, token] : std::vector<std::pair<std::string, std::string>>{
           {"/v1/due?from=2026-01-01&to=2026-02-01", server.Support()},
           {"/v1/trainers/1000001", server.Support()},
           {"/v1/trainers/1000001", ""}}) {
    const Answer read = server.Get(path, token);
    const auto found = read.headers.find("Cache-Control");
    EXPECT_EQ(found == read.headers.end() ? "(none)" : found->second, "no-store")
        << path << ": " << read.Describe();
  }
  EXPECT_EQ(server.Get("/README.md").status, 404);
  EXPECT_EQ(server.Get("/healthz").status, 200);
  // Regression: a NUL ended the name where the file was opened, after its type was taken from
  // what followed it, so the README was served as a page, and a page as another type.
  // A page asked with another method is 405, as a route is; a page that is not there stays 404.
  for (const std::string path : {"/", "/dashboard.html", "/app.js"}) {
    const Answer posted = server.Post(path, "{}", "application/json", "");
    EXPECT_EQ(posted.status, 405) << path << ": " << posted.Describe();
    EXPECT_EQ(posted.headers.find("Allow") != posted.headers.end()
                  ? posted.headers.find("Allow")->second
                  : "(none)",
              "GET, HEAD")
        << path;
  }
  EXPECT_EQ(server.Post("/missing.html", "{}", "application/json", "").status, 404);
  EXPECT_EQ(server.Post("/../README.md", "{}", "application/json", "").status, 404);
  for (const std::string path : {"/README.md%00.html", "/app.js%00.html", "/style.css%00.js"}) {
    const std::string answer = RawExchange(
        server.port(), "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(RawStatus(answer), 404) << path << ": " << answer;
  }
}

// A route asked with a method it does not take is 405 with an Allow header (RFC 9110, 15.5.6);
// a path no route has is 404 not_found.
TEST_F(Errors, AWrongMethodIs405AndAnUnknownPathIs404) {
  auto allow = [](const Answer& answer) {
    const auto found = answer.headers.find("Allow");
    return found == answer.headers.end() ? std::string("(none)") : found->second;
  };
  const std::string status = "/v1/trainers/" + std::string(kOwn);
  const Answer deleted = TestServer::Read(server_.Client()->Delete(status));
  ExpectError(deleted, 405, "method_not_allowed");
  EXPECT_EQ(allow(deleted), "GET");
  const Answer posted = server_.Post(status, "{}", "application/json", server_.Support());
  ExpectError(posted, 405, "method_not_allowed");
  EXPECT_EQ(allow(posted), "GET");
  const Answer verify = server_.Get("/v1/verify", server_.Auditor());
  ExpectError(verify, 405, "method_not_allowed");
  EXPECT_EQ(allow(verify), "POST");
  const Answer rebuild = TestServer::Read(server_.Client()->Delete("/v1/rebuild"));
  ExpectError(rebuild, 405, "method_not_allowed");
  EXPECT_EQ(allow(rebuild), "POST, GET");
  ExpectError(server_.Get(status + "/commands", server_.Support()), 405, "method_not_allowed");
  ExpectError(server_.Get("/v1/nothing-here", server_.Support()), 404, "not_found");
  ExpectError(server_.Get(status + "/history/more", server_.Support()), 404, "not_found");
}

// Regression: the path was decoded before routing, so .../1000001%2Fhistory was the history.
TEST_F(Errors, AnEncodedSlashInThePathIs400) {
  const std::string status = "/v1/trainers/" + std::string(kOwn);
  for (const std::string& path :
       std::vector<std::string>{status + "%2Fhistory", status + "%2fgaps", "/console.html%2F",
                                "/v1%2Fdue?from=2017-01-01&to=2017-02-01"}) {
    const Answer answer = server_.Get(path, server_.Support());
    ExpectError(answer, 400, "invalid_input");
    EXPECT_NE(answer.body.find("%2F"), std::string::npos) << path << ": " << answer.body;
  }
  // In the query it is a value's, decoded as usual.
  const Answer lookup =
      server_.Get("/v1/lookup?email=nobody%2Fhere%40example.jp", server_.Support());
  EXPECT_EQ(lookup.body.find("%2F"), std::string::npos) << lookup.body;
  EXPECT_NE(lookup.status, 400) << lookup.body;
  // Another character encoded is that character.
  EXPECT_EQ(server_.Get(status + "/histor%79", server_.Support()).status, 200);
}

TEST_F(Errors, ARoleThatMayNotIs403) {
  ExpectError(server_.Command(kOwn, {{"command", "StartRenewal"}}, server_.Auditor()), 403,
              "forbidden");
  ExpectError(
      server_.Command(kOwn, {{"command", "StartRenewal"}}, server_.Token("trainer (other)")), 403,
      "forbidden");
  ExpectError(server_.Get("/v1/trainers/" + std::string(kOwn) + "/history", server_.System()), 403,
              "forbidden");
}

TEST_F(Errors, UnknownTrainerIs404ButEnrollingANewMcidIs200) {
  ExpectError(server_.Command("5550001", {{"command", "StartRenewal"}}, server_.Support()), 404,
              "unknown_trainer");
  ExpectError(server_.Get("/v1/trainers/5550001", server_.Support()), 404, "unknown_trainer");
  const Answer enrolled = server_.Command("5550001",
                                          {{"command", "EnrollTrainer"},
                                           {"name", "New Trainer"},
                                           {"email", "new@example.jp"},
                                           {"anniversary", Day(200)}},
                                          server_.Support());
  EXPECT_EQ(enrolled.status, 200) << enrolled.Describe();
  EXPECT_EQ(enrolled.json.value("outcome", ""), "accepted") << enrolled.Describe();
  ASSERT_TRUE(enrolled.json["events"].is_array());
  EXPECT_EQ(enrolled.json["events"].size(), 1u);
}

TEST_F(Errors, ADomainRejectionIs422WithItsCode) {
  server_.Enroll("5550002", 200);  // TIME-1: the window opens 90 days before the anniversary
  ExpectError(server_.Command("5550002", {{"command", "StartRenewal"}}, server_.Support()), 422,
              "renewal_window_not_open");
  ExpectError(server_.Command(kOwn,
                              {{"command", "EnrollTrainer"},
                               {"name", "Again"},
                               {"email", "again@example.jp"},
                               {"anniversary", Day(30)}},
                              server_.Support()),
              422, "already_enrolled");
}

// The web pages send a bearer token (admin/web/app.js) and no page sets a cookie; a token in one
// is not read, since a browser would attach it to another site's forms too.
TEST_F(Errors, ATokenInACookieIsNotRead) {
  const httplib::Headers cookie{{"Cookie", "mct_token=" + server_.Support()}};
  ExpectError(TestServer::Read(server_.Client()->Get("/v1/trainers/" + std::string(kOwn), cookie)),
              401, "unauthorized");
  ExpectError(
      TestServer::Read(server_.Client()->Post(TestServer::CommandPath(kOwn), cookie,
                                              R"({"command":"StartRenewal"})", "application/json")),
      401, "unauthorized");
}

TEST_F(Errors, WrongContentTypeIs415) {
  ExpectError(Raw(R"({"command": "StartRenewal"})", "text/plain"), 415, "invalid_input");
  ExpectError(Raw("command=StartRenewal", "application/x-www-form-urlencoded"), 415,
              "invalid_input");
}

TEST_F(Errors, OversizedBodyIs413) {
  Json body = {{"command", "IssueRefund"}, {"reason", std::string(70 * 1024, 'x')}};
  ExpectError(Raw(body.dump()), 413, "invalid_input");
}

TEST(ErrorsOverTheLimit, BodiesBeyondWhatTheServerReadsAre413) {
  ServerConfig config;
  config.max_body_bytes = 1024;
  config.max_upload_bytes = 1024;
  TestServer server(config);
  server.Enroll(kOwn);
  Json body = {{"command", "IssueRefund"}, {"reason", std::string(4096, 'x')}};
  const Answer answer = server.Command(kOwn, body, server.Support());
  ASSERT_NE(answer.status, 0) << answer.Describe();
  ExpectError(answer, 413, "invalid_input");
  EXPECT_EQ(server.Get("/healthz").status, 200);
}

TEST(ErrorsRateLimit, OverTheRateLimitIs429) {
  ServerConfig config;
  config.rate_per_second = 0.01;  // one request every 100 s after the burst
  config.rate_burst = 3;
  TestServer server(config);
  const std::string path = "/v1/trainers/" + std::string(kOwn);
  int limited = 0;
  for (int i = 0; i < 6; ++i) {
    const Answer answer = server.Get(path, server.Support());
    if (answer.status == 429) {
      ExpectError(answer, 429, "rate_limited");
      ++limited;
    }
  }
  EXPECT_GE(limited, 3);
  // Another client has a bucket of its own.
  EXPECT_NE(server.Get(path, server.Auditor()).status, 429);
}

// The 429 answer: JSON, and a Retry-After of whole seconds from the bucket's refill rate.
void ExpectRateLimited(const Answer& answer, int retry_after_seconds) {
  ExpectError(answer, 429, "rate_limited");
  const auto retry_after = answer.headers.find("Retry-After");
  ASSERT_NE(retry_after, answer.headers.end()) << answer.Describe();
  EXPECT_EQ(retry_after->second, std::to_string(retry_after_seconds));
}

// Authenticated and admitted: whatever the route then answers.
void ExpectAdmitted(const Answer& answer) {
  EXPECT_TRUE(answer.status != 0 && answer.status != 401 && answer.status != 429)
      << answer.Describe();
}

// Regression: the bucket was keyed by the token's first 16 characters before the token was
// checked, so every new junk token opened a new bucket and was never limited.
TEST(ErrorsRateLimit, JunkTokensDrawOnTheSendersAddress) {
  ServerConfig config;
  config.rate_per_second = 1;
  config.rate_burst = 2;
  TestServer server(config);
  const std::string path = "/v1/trainers/" + std::string(kOwn);
  int unauthorized = 0;
  int limited = 0;
  for (int attempt = 0; attempt < 6; ++attempt) {
    const std::string junk = "mct_junk" + std::to_string(attempt) + std::string(60, 'f');
    const Answer answer = server.Get(path, junk);
    if (answer.status == 429) {
      ExpectRateLimited(answer, 1);
      ++limited;
    } else {
      EXPECT_EQ(answer.status, 401) << answer.Describe();
      ++unauthorized;
    }
  }
  EXPECT_LE(unauthorized, 3) << "a burst of 2, and at most 1 more refilled during the test";
  EXPECT_GE(limited, 3);
  EXPECT_EQ(server.Get(path).status, 429) << "no token counts against the address too";
  // A valid token counts against its actor, not the address the junk came from.
  ExpectAdmitted(server.Get(path, server.Support()));
  // Health, readiness and metrics take no token and are not limited.
  for (const char* open : {"/healthz", "/readyz", "/metrics"}) {
    for (int attempt = 0; attempt < 4; ++attempt) EXPECT_EQ(server.Get(open).status, 200) << open;
  }
}

TEST(ErrorsRateLimit, TheTokensOfOneActorShareItsBucket) {
  ServerConfig config;
  config.rate_per_second = 0.01;  // one request every 100 s after the burst
  config.rate_burst = 2;
  TestServer server(config);
  const auto second_token = TokenStore::Add(server.data_dir(), domain::Role::kSupport, "support-1");
  ASSERT_TRUE(second_token.ok());
  const std::string path = "/v1/trainers/" + std::string(kOwn);
  ExpectAdmitted(server.Get(path, server.Support()));
  ExpectAdmitted(server.Get(path, second_token.value()));
  ExpectRateLimited(server.Get(path, server.Support()), 100);
  ExpectRateLimited(server.Get(path, second_token.value()), 100);
  ExpectAdmitted(server.Get(path, server.Auditor()));  // another actor, another bucket
}

// Invariant 3: many commands at once on one trainer. Each is accepted or loses the race with
// version_conflict (409, nothing written); the stream's versions run 1..n without a hole, and
// every accepted command is in it exactly once.
TEST_F(Errors, ConcurrentCommandsOnOneTrainerAreAcceptedOrVersionConflict) {
  const uint64_t before = server_.Stream(kOwn).size();
  constexpr int kThreads = 32;
  constexpr int kPerThread = 4;
  std::vector<std::vector<Answer>> answers(kThreads);
  std::barrier start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto client = server_.Client();
      start.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) {
        const Json body = {{"command", "RecordMtmSurvey"},
                           {"command_id", "race-" + std::to_string(t) + "-" + std::to_string(i)},
                           {"course_name", "20410D"},
                           {"course_date", Day(-5)},
                           {"average_score", t + i / 10.0}};
        answers[t].push_back(TestServer::Read(client->Post(TestServer::CommandPath(kOwn),
                                                           TestServer::Auth(server_.System()),
                                                           body.dump(), "application/json")));
      }
    });
  }
  for (auto& thread : threads) thread.join();

  std::set<std::string> accepted;
  int conflicts = 0;
  for (const auto& per_thread : answers) {
    for (const Answer& answer : per_thread) {
      EXPECT_TRUE(answer.status == 200 || answer.status == 409) << answer.Describe();
      if (answer.status == 409) {
        ExpectError(answer, 409, "version_conflict");
        ++conflicts;
      } else if (answer.status == 200) {
        accepted.insert(answer.json.value("command_id", ""));
      }
    }
  }
  const auto stream = server_.Stream(kOwn);
  ASSERT_EQ(stream.size(), before + accepted.size());
  std::set<std::string> logged;
  for (size_t i = 0; i < stream.size(); ++i) {
    EXPECT_EQ(stream[i].stream_version, i + 1);
    if (i >= before) logged.insert(stream[i].event.meta.command_id);
  }
  EXPECT_EQ(logged, accepted);
  RecordProperty("version_conflicts", conflicts);
  std::cout << "concurrent surveys: " << accepted.size() << " accepted, " << conflicts
            << " version_conflict\n";
}

// PAY-8 through the header: the key may come as Idempotency-Key alone; a body key that differs is
// refused; a retry with the same key answers "retried" and writes nothing.
TEST_F(Errors, IdempotencyKeyHeaderOfPlaceOrder) {
  server_.ToPayment("5550003");
  const std::string path = TestServer::CommandPath("5550003");
  const Json order = {{"command", "PlaceOrder"},
                      {"method", "credit_card"},
                      {"card",
                       {{"holder", "HANAKO SATO"},
                        {"number", "4111111111111111"},
                        {"expiry", "2039-12"},
                        {"security_code", "123"}}},
                      {"payer_name", "HANAKO SATO"},
                      {"confirmed", true}};

  // A header is not read by the JSON parser: a key that is not UTF-8 text is refused, as it
  // would be in the body.
  const Answer bytes = server_.Post(path, order.dump(), "application/json", server_.Support(),
                                    {{"Idempotency-Key", "key-\xff\xfe"}});
  ExpectError(bytes, 400, "invalid_input");
  EXPECT_NE(bytes.message().find("Idempotency-Key"), std::string::npos) << bytes.Describe();
  // invalid_input before every other code (domain.md): here before unknown_trainer.
  ExpectError(server_.Post(TestServer::CommandPath("5559999"), order.dump(), "application/json",
                           server_.Support(), {{"Idempotency-Key", "key-\xff\xfe"}}),
              400, "invalid_input");
  // Nor a key longer than a command's text may be (field_reader.h): its event must export.
  const Answer long_key = server_.Post(path, order.dump(), "application/json", server_.Support(),
                                       {{"Idempotency-Key", std::string(4097, 'k')}});
  ExpectError(long_key, 400, "invalid_input");
  EXPECT_EQ(long_key.message(), "Idempotency-Key: is longer than 4096 bytes")
      << long_key.Describe();

  Json with_key = order;
  with_key["idempotency_key"] = "body-key";
  const Answer differing = server_.Post(path, with_key.dump(), "application/json",
                                        server_.Support(), {{"Idempotency-Key", "header-key"}});
  ExpectError(differing, 400, "invalid_input");
  EXPECT_NE(differing.message().find("idempotency_key"), std::string::npos) << differing.message();

  const Answer first = server_.Post(path, order.dump(), "application/json", server_.Support(),
                                    {{"Idempotency-Key", "header-key"}});
  ASSERT_EQ(first.status, 200) << first.Describe();
  EXPECT_EQ(first.json.value("outcome", ""), "accepted");
  bool keyed = false;
  for (const auto& event : first.json["events"]) {
    if (event.value("event", "") == "PaymentPlaced")
      keyed = event.value("idempotency_key", "") == "header-key";
  }
  EXPECT_TRUE(keyed) << first.Describe();

  const uint64_t head = server_.store().log->Head();
  // The same key again (a new command id, as a browser retry after a time-out would send).
  const Answer retried = server_.Post(path, order.dump(), "application/json", server_.Support(),
                                      {{"Idempotency-Key", "header-key"}});
  ASSERT_EQ(retried.status, 200) << retried.Describe();
  EXPECT_EQ(retried.json.value("outcome", ""), "retried") << retried.Describe();
  // It answers the id the order was written under, not the one minted for the retry.
  EXPECT_EQ(retried.json.value("command_id", ""), first.json.value("command_id", ""))
      << retried.Describe();
  Json other_id = order;
  other_id["command_id"] = "another-id";
  const Answer retried_with_id =
      server_.Post(path, other_id.dump(), "application/json", server_.Support(),
                   {{"Idempotency-Key", "header-key"}});
  EXPECT_EQ(retried_with_id.json.value("outcome", ""), "retried") << retried_with_id.Describe();
  EXPECT_EQ(retried_with_id.json.value("command_id", ""), first.json.value("command_id", ""))
      << retried_with_id.Describe();
  // The key in the body and the header agreeing is the same order too.
  with_key["idempotency_key"] = "header-key";
  const Answer agreeing = server_.Post(path, with_key.dump(), "application/json", server_.Support(),
                                       {{"Idempotency-Key", "header-key"}});
  EXPECT_EQ(agreeing.status, 200) << agreeing.Describe();
  EXPECT_EQ(agreeing.json.value("outcome", ""), "retried") << agreeing.Describe();
  EXPECT_EQ(server_.store().log->Head(), head);
}

// A command sent without an id gets one minted by the server, which the store records without
// looking it up first (it cannot have been seen). Sent again with that id, the command is a
// retry: the first answer, and nothing written.
TEST_F(Errors, AMintedCommandIdIsRecordedForRetries) {
  server_.Enroll("5550004");
  const Json survey = {{"command", "RecordMtmSurvey"},
                       {"course_name", "AZ-104T00"},
                       {"course_date", Day(-10)},
                       {"average_score", 8.5}};
  const Answer first = server_.Command("5550004", survey, server_.Support());
  ASSERT_EQ(first.status, 200) << first.Describe();
  const std::string minted = first.json.value("command_id", "");
  EXPECT_TRUE(std::regex_match(minted, std::regex("http-[0-9a-f]{32}"))) << minted;
  const Answer second = server_.Command("5550004", survey, server_.Support());
  ASSERT_EQ(second.status, 200) << second.Describe();
  EXPECT_NE(second.json.value("command_id", ""), minted);

  const uint64_t head = server_.store().log->Head();
  Json retry = survey;
  retry["command_id"] = minted;
  const Answer retried = server_.Command("5550004", retry, server_.Support());
  ASSERT_EQ(retried.status, 200) << retried.Describe();
  EXPECT_EQ(retried.json.value("outcome", ""), "retried");
  EXPECT_EQ(retried.json["events"], first.json["events"]);
  EXPECT_EQ(server_.store().log->Head(), head);
}

// Any other command sent with an Idempotency-Key takes the key as its command id: retried with
// the same key (a client retrying after a time-out), it is answered with the first answer and
// nothing is written, where without the key a second survey would be recorded.
TEST_F(Errors, IdempotencyKeyHeaderOfAnyOtherCommand) {
  server_.Enroll("5550005");
  const std::string path = TestServer::CommandPath("5550005");
  const Json survey = {{"command", "RecordMtmSurvey"},
                       {"course_name", "AZ-104T00"},
                       {"course_date", Day(-10)},
                       {"average_score", 8.5}};
  const Answer first = server_.Post(path, survey.dump(), "application/json", server_.Support(),
                                    {{"Idempotency-Key", "survey-key-1"}});
  ASSERT_EQ(first.status, 200) << first.Describe();
  EXPECT_EQ(first.json.value("outcome", ""), "accepted");
  EXPECT_EQ(first.json.value("command_id", ""), "survey-key-1");

  const uint64_t head = server_.store().log->Head();
  const Answer retried = server_.Post(path, survey.dump(), "application/json", server_.Support(),
                                      {{"Idempotency-Key", "survey-key-1"}});
  ASSERT_EQ(retried.status, 200) << retried.Describe();
  EXPECT_EQ(retried.json.value("outcome", ""), "retried");
  EXPECT_EQ(retried.json["events"], first.json["events"]);
  Json with_id = survey;
  with_id["command_id"] = "survey-key-2";
  const Answer differing = server_.Post(path, with_id.dump(), "application/json", server_.Support(),
                                        {{"Idempotency-Key", "survey-key-1"}});
  ExpectError(differing, 400, "invalid_input");
  EXPECT_NE(differing.message().find("Idempotency-Key"), std::string::npos) << differing.message();
  EXPECT_EQ(server_.store().log->Head(), head);

  const Answer another = server_.Post(path, survey.dump(), "application/json", server_.Support(),
                                      {{"Idempotency-Key", "survey-key-2"}});
  ASSERT_EQ(another.status, 200) << another.Describe();
  EXPECT_EQ(another.json.value("outcome", ""), "accepted");
  EXPECT_GT(server_.store().log->Head(), head);
}

}  // namespace
}  // namespace mct::admin::server::testing
