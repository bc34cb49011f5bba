// How a request's body is framed: a POST with neither Content-Length nor Transfer-Encoding has an
// empty body (RFC 9112, 6.3).
#include <gtest/gtest.h>

#include <string>

#include "tests/server/raw_http.h"
#include "tests/server/server_fixture.h"

namespace mct::admin::server::testing {
namespace {

// Regression: `curl -X POST` sends no Content-Length; the library read the body until the
// client closed, and answered 400 "the request could not be read" when its read timed out.
TEST(RequestBody, APostWithoutContentLengthHasAnEmptyBody) {
  TestServer server;
  server.Enroll(kOwn);
  const std::string answer = RawExchange(
      server.port(), "POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                         server.Auditor() + "\r\nConnection: close\r\n\r\n");
  ASSERT_EQ(RawStatus(answer), 200) << answer;
  const Json report = Json::parse(RawBody(answer), nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(report.is_object()) << answer;
}

TEST(RequestBody, AKeptAliveConnectionServesPostsWithoutContentLength) {
  TestServer server;
  const std::string verify =
      "POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + server.Auditor() +
      "\r\n";
  const std::string answer =
      RawExchange(server.port(), verify + "\r\n" + verify + "Connection: close\r\n\r\n");
  ASSERT_EQ(RawStatus(answer), 200) << answer;
  EXPECT_NE(answer.find("HTTP/1.1 200", 1), std::string::npos) << "no second answer: " << answer;
}

}  // namespace
}  // namespace mct::admin::server::testing
