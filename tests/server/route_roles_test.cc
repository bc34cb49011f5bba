// The role table of the HTTP API (ROLE-1..5) walked end to end: every route of Routes() with every
// role (a trainer on their own MCID and on another's, support, system, auditor), without a token
// and with a bad one; and on the commands route every command name with every role. The answer
// must be what MayCall and RoleMaySend say: 401 without a valid token on a non-public route, 403
// `forbidden` where the role may not, and otherwise neither.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "admin/server/route_table.h"
#include "domain/roles.h"
#include "tests/server/server_fixture.h"

namespace mct::admin::server::testing {
namespace {

class RouteRoleWalk : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Enroll(kOwn);
    server_.Enroll(kOther);
    server_.CaughtUpChecksum();  // the read routes answer from the read models
  }

  // The route's path with the own trainer's MCID and the query parameters it needs.
  static std::string Concrete(const Route& route) {
    std::string path(route.path);
    if (const auto at = path.find("{mcid}"); at != std::string::npos) path.replace(at, 6, kOwn);
    if (path == "/v1/due") path += "?from=" + Day(0) + "&to=" + Day(365);
    if (path == "/v1/lookup") path += "?email=trainer" + std::string(kOwn) + "%40example.jp";
    return path;
  }

  Answer Call(const Route& route, const std::string& token) {
    return CallAt(route, Concrete(route), token);
  }

  // The route at `path` (Concrete, perhaps with more of a query).
  Answer CallAt(const Route& route, const std::string& path, const std::string& token) {
    if (route.access == RouteAccess::kUpload) {
      return server_.PostMultipart(path, UploadForm(JpegBytes(), "report.jpg", "image/jpeg"), token);
    }
    if (route.method == "POST") {
      const Answer answer = server_.Post(path, "{}", "application/json", token);
      // One rebuild at a time: the next caller finds none running.
      if (route.path == "/v1/rebuild" && answer.status == 200) server_.WaitForRebuild();
      return answer;
    }
    return server_.Get(path, token);
  }

  // What the route table says of `caller` on `route` (not the commands route).
  static int Expected(const Route& route, const Caller& caller) {
    if (route.access == RouteAccess::kPublic) return 200;
    if (!caller.role) return 401;
    return MayCall(route.access, *caller.role, caller.id, kOwn) ? 200 : 403;
  }

  TestServer server_;
};

TEST_F(RouteRoleWalk, EveryRouteWithEveryCallerAnswersWhatTheRouteTableSays) {
  int walked = 0;
  for (const Route& route : Routes()) {
    if (route.access == RouteAccess::kCommand) continue;  // per command, below
    for (const Caller& caller : server_.Callers()) {
      SCOPED_TRACE(std::string(route.method) + " " + std::string(route.path) + " as " + caller.name);
      const Answer answer = Call(route, caller.token);
      ASSERT_NE(answer.status, 0) << answer.Describe();
      const int expected = Expected(route, caller);
      if (expected == 401) {
        EXPECT_EQ(answer.status, 401) << answer.Describe();
        EXPECT_EQ(answer.code(), "unauthorized") << answer.Describe();
      } else if (expected == 403) {
        EXPECT_EQ(answer.status, 403) << answer.Describe();
        EXPECT_EQ(answer.code(), "forbidden") << answer.Describe();
      } else {
        EXPECT_NE(answer.status, 401) << answer.Describe();
        EXPECT_NE(answer.status, 403) << answer.Describe();
        EXPECT_NE(answer.status, 404) << "a route of the table is not served: " << answer.Describe();
        EXPECT_LT(answer.status, 500) << answer.Describe();
      }
      ++walked;
    }
  }
  EXPECT_GT(walked, 0);
}

TEST_F(RouteRoleWalk, ReadRoutesAnswer200ToWhoMayRead) {
  // Beyond "not 401/403": the callers the table allows get the answer itself.
  for (const Route& route : Routes()) {
    if (route.access == RouteAccess::kCommand || route.access == RouteAccess::kUpload) continue;
    for (const Caller& caller : server_.Callers()) {
      if (Expected(route, caller) != 200) continue;
      SCOPED_TRACE(std::string(route.method) + " " + std::string(route.path) + " as " + caller.name);
      const Answer answer = Call(route, caller.token);
      EXPECT_EQ(answer.status, 200) << answer.Describe();
    }
  }
}

TEST_F(RouteRoleWalk, EveryCommandWithEveryRoleAnswersWhatRoleMaySendSays) {
  const std::string path = TestServer::CommandPath(kOwn);
  for (const std::string_view name : domain::AllCommandNames()) {
    for (const Caller& caller : server_.Callers()) {
      SCOPED_TRACE(std::string(name) + " as " + caller.name);
      Answer answer;
      if (name == "UploadMtmReport") {
        // Its route is the upload; the commands route refuses it for everyone (see below).
        answer = server_.PostMultipart(TestServer::UploadPath(kOwn),
                                       UploadForm(PdfBytes(), "report.pdf", "application/pdf"),
                                       caller.token);
      } else {
        answer = server_.Post(path, SampleCommand(name).dump(), "application/json", caller.token);
      }
      ASSERT_NE(answer.status, 0) << answer.Describe();
      if (!caller.role) {
        EXPECT_EQ(answer.status, 401) << answer.Describe();
        EXPECT_EQ(answer.code(), "unauthorized") << answer.Describe();
        continue;
      }
      const bool forbidden = !domain::RoleMaySend(*caller.role, name) ||
                             (*caller.role == domain::Role::kTrainer && caller.id != kOwn);
      if (forbidden) {
        EXPECT_EQ(answer.status, 403) << answer.Describe();
        EXPECT_EQ(answer.code(), "forbidden") << answer.Describe();
      } else {
        EXPECT_NE(answer.status, 401) << answer.Describe();
        EXPECT_NE(answer.status, 403) << answer.Describe();
        EXPECT_NE(answer.code(), "invalid_input")
            << "the sample body should pass the input checks: " << answer.Describe();
        EXPECT_LT(answer.status, 500) << answer.Describe();
      }
    }
  }
}

TEST_F(RouteRoleWalk, UploadMtmReportOnTheCommandsRouteIsRefusedForEveryone) {
  for (const Caller& caller : server_.Callers()) {
    if (!caller.role) continue;
    SCOPED_TRACE(caller.name);
    const Answer answer = server_.Command(kOwn, SampleCommand("UploadMtmReport"), caller.token);
    EXPECT_EQ(answer.status, 400) << answer.Describe();
    EXPECT_NE(answer.message().find("mtm-report"), std::string::npos) << answer.Describe();
  }
}

// Regression: an unknown query parameter was ignored, so a misspelt ?asof= answered the present
// as if it were the past. Every route (/healthz, /readyz and /metrics too) refuses one it does
// not take, and takes those the table (and so the OpenAPI document) gives it.
TEST_F(RouteRoleWalk, EveryApiRouteTakesItsQueryParametersAndNoOther) {
  const std::map<std::string_view, std::string> values = {
      {"as_of", "2017-01-01"},
      {"after", "0"},
      {"month", "2017-01"},
      {"checkpoint", "1:" + std::string(64, '0')}};
  for (const Route& route : Routes()) {
    const std::string path = Concrete(route);
    const std::string joiner = path.find('?') == std::string::npos ? "?" : "&";
    SCOPED_TRACE(std::string(route.method) + " " + path);
    const Answer refused = CallAt(route, path + joiner + "asof=2017-01-01", server_.Support());
    EXPECT_EQ(refused.status, 400) << refused.Describe();
    EXPECT_EQ(refused.code(), "invalid_input") << refused.Describe();
    EXPECT_NE(refused.message().find("asof: not a query parameter"), std::string::npos)
        << refused.Describe();
    for (const std::string_view name : QueryParameters(route)) {
      if (!values.contains(name)) continue;  // from, to, email: Concrete gives them already
      const Answer taken = CallAt(route, path + joiner + std::string(name) + "=" + values.at(name),
                                  server_.Support());
      EXPECT_EQ(taken.message().find("not a query parameter"), std::string::npos)
          << name << ": " << taken.Describe();
      EXPECT_LT(taken.status, 500) << taken.Describe();
      // Given twice with two values, it would be read as whichever came first (twice with one
      // value is one parameter: the library reads it once).
      const std::string given = std::string(name) + "=" + values.at(name);
      const Answer twice =
          CallAt(route, path + joiner + given + "&" + given + "0", server_.Support());
      EXPECT_EQ(twice.status, 400) << name << ": " << twice.Describe();
      EXPECT_NE(twice.message().find(std::string(name) + ": given more than once"),
                std::string::npos)
          << twice.Describe();
    }
  }
}

}  // namespace
}  // namespace mct::admin::server::testing
