// How a request's body is framed and bounded: a POST with neither Content-Length nor
// Transfer-Encoding has an empty body (RFC 9112, 6.3); a command whose declared length is over
// its limit, or that declares none (chunked), is refused before its body is read, and nothing is
// written; uploads keep their own, larger limit. A body whose length is not sure (two lengths,
// a length beside chunked, a length that is no number) is refused and its connection ended, as is
// one after an unreadable head: nothing of them is served as a request.
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "tests/server/raw_http.h"
#include "tests/server/server_fixture.h"

namespace mct::admin::server::testing {
namespace {

using std::chrono::seconds;

// A command body of exactly `size` bytes: a valid StartRenewal padded with spaces.
std::string CommandOfSize(size_t size) {
  std::string body = R"({"command":"StartRenewal"})";
  body.resize(size, ' ');
  return body;
}

std::string CommandHead(const std::string& token, size_t content_length,
                        const std::string& extra_headers = "") {
  return "POST " + TestServer::CommandPath(kOwn) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
         "Authorization: Bearer " + token + "\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(content_length) + "\r\n" + extra_headers + "\r\n";
}

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

// Regression: the commands route took bodies up to the upload limit (10 MB) into memory before
// its own 64 KiB check. Here the body never comes: the answer must not wait for it.
TEST(RequestBody, ACommandDeclaredOverTheLimitIsRefusedBeforeItsBodyIsRead) {
  TestServer server;
  server.Enroll(kOwn);
  const auto before = server.Stream(kOwn).size();
  const auto started = std::chrono::steady_clock::now();
  const std::string answer =
      RawExchange(server.port(), CommandHead(server.Support(), 64 * 1024 + 1), seconds(5));
  EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(3)) << "it waited for the body";
  ASSERT_EQ(RawStatus(answer), 413) << answer;
  const Json error = Json::parse(RawBody(answer), nullptr, /*allow_exceptions=*/false);
  EXPECT_EQ(error.value("code", ""), "invalid_input") << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  EXPECT_EQ(server.Stream(kOwn).size(), before);
}

// Regression: a chunked command body, with no length ahead, was read up to the upload limit
// (10 MB) before the 64 KiB check. Here only its first chunk comes: the answer must not wait.
TEST(RequestBody, AChunkedCommandIsRefusedBeforeItsBodyIsRead) {
  TestServer server;
  server.Enroll(kOwn);
  const auto before = server.Stream(kOwn).size();
  const std::string head =
      "POST " + TestServer::CommandPath(kOwn) +
      " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + server.Support() +
      "\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n1a\r\n{\"command\":\"StartRenewal\"}\r\n";
  const auto started = std::chrono::steady_clock::now();
  const std::string answer = RawExchange(server.port(), head, seconds(5));
  EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(3)) << "it waited for the body";
  ASSERT_EQ(RawStatus(answer), 411) << answer;
  EXPECT_EQ(answer.find("HTTP/1.1", 1), std::string::npos) << "the body was read as requests";
  const Json error = Json::parse(RawBody(answer), nullptr, /*allow_exceptions=*/false);
  EXPECT_EQ(error.value("code", ""), "invalid_input") << answer;
  EXPECT_NE(error.value("message", "").find("Content-Length"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  EXPECT_EQ(server.Stream(kOwn).size(), before);
  // Whole, through a client, it is refused the same way, and the next command is taken.
  const Answer whole =
      server.PostChunked(TestServer::CommandPath(kOwn), R"({"command":"StartRenewal"})",
                         "application/json", server.Support());
  EXPECT_EQ(whole.status, 411) << whole.Describe();
  EXPECT_EQ(server.Stream(kOwn).size(), before);
  TestServer::Expect200(server.Command(kOwn, {{"command", "StartRenewal"}}, server.Support()),
                        "StartRenewal after the refusals");
}

// A body that would be refused, or that is large (an upload), is not read for a client without a
// valid token: 401 from the head, before 411 or 413, the body never waited for.
TEST(RequestBody, WithoutAValidTokenABodyIsRefused401FromTheHead) {
  TestServer server;
  server.Enroll(kOwn);
  const std::string upload_head =
      "POST " + TestServer::UploadPath(kOwn) +
      " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer mct_not-a-token\r\n"
      "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 5000000\r\n\r\n";
  for (const std::string& head :
       {CommandHead("mct_not-a-token", 64 * 1024 + 1),
        "POST " + TestServer::CommandPath(kOwn) +
            " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n",
        upload_head}) {
    const auto started = std::chrono::steady_clock::now();
    const std::string answer = RawExchange(server.port(), head, seconds(5));
    EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(3)) << "it waited for the body";
    EXPECT_EQ(RawStatus(answer), 401) << head << answer;
    EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  }
  // With a valid token the upload's head is let through (its body is then read and judged).
  EXPECT_EQ(
      server
          .PostMultipart(TestServer::UploadPath(kOwn),
                         UploadForm(JpegBytes(), "report.jpg", "image/jpeg"), server.Support())
          .code(),
      "no_renewal_in_progress");
}

TEST(RequestBody, AClientWaitingFor100ContinueIsRefusedAtOnce) {
  TestServer server;
  const std::string answer = RawExchange(
      server.port(), CommandHead(server.Support(), 1024 * 1024, "Expect: 100-continue\r\n"),
      seconds(5));
  EXPECT_EQ(RawStatus(answer), 413) << answer;
  EXPECT_EQ(answer.find("100 Continue"), std::string::npos) << answer;
}

TEST(RequestBody, AChunkedCommandWaitingFor100ContinueIsRefusedAtOnce) {
  TestServer server;
  const std::string answer =
      RawExchange(server.port(),
                  "POST " + TestServer::CommandPath(kOwn) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                      "Authorization: Bearer " + server.Support() +
                      "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                      "Expect: 100-continue\r\n\r\n",
                  seconds(5));
  EXPECT_EQ(RawStatus(answer), 411) << answer;
  EXPECT_EQ(answer.find("100 Continue"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
}

TEST(RequestBody, ACommandOfExactlyTheLimitIsTakenAndOneByteMoreIsNot) {
  TestServer server;
  server.Enroll(kOwn);
  TestServer::Expect200(server.Command(kOwn,
                                       {{"command", "RecordMtmSurvey"},
                                        {"course_name", "20410D"},
                                        {"course_date", Day(-10)},
                                        {"average_score", 8.5}},
                                       server.System()),
                        "RecordMtmSurvey");
  const auto before = server.Stream(kOwn).size();
  const std::string checksum = server.CaughtUpChecksum();
  const Answer over = server.Post(TestServer::CommandPath(kOwn), CommandOfSize(64 * 1024 + 1),
                                  "application/json", server.Support());
  EXPECT_EQ(over.status, 413) << over.Describe();
  EXPECT_EQ(over.code(), "invalid_input");
  EXPECT_EQ(server.Stream(kOwn).size(), before);
  EXPECT_EQ(server.CaughtUpChecksum(), checksum);
  // The refusal closed that connection only: the limit itself is accepted.
  const Answer at_limit = server.Post(TestServer::CommandPath(kOwn), CommandOfSize(64 * 1024),
                                      "application/json", server.Support());
  EXPECT_EQ(at_limit.status, 200) << at_limit.Describe();
  EXPECT_EQ(server.Stream(kOwn).size(), before + 1);
}

// A GET of the own trainer's status, with a token: what a smuggled request would carry.
std::string SmuggledStatusRequest(const std::string& token) {
  return "GET /v1/trainers/" + std::string(kOwn) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
         "Authorization: Bearer " + token + "\r\n\r\n";
}

// Regression (request smuggling): with two Content-Length headers the library took the first, and
// the body's bytes were served as the next request. A body whose length cannot be known for sure
// is refused 400, and its connection ends after the answer, unread.
TEST(RequestBody, ABodyWhoseLengthIsNotSureIsRefusedAndEndsTheConnection) {
  TestServer server;
  server.Enroll(kOwn);
  const std::string smuggled = SmuggledStatusRequest(server.Support());
  const std::string length = std::to_string(smuggled.size());
  const std::string head = "POST " + TestServer::CommandPath(kOwn) +
                           " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                           server.Support() + "\r\nContent-Type: application/json\r\n";
  for (const std::string& framing :
       {"Content-Length: 0\r\nContent-Length: " + length + "\r\n",
        "Content-Length: " + length + "\r\nContent-Length: 0\r\n",
        "Content-Length: " + length + "\r\nTransfer-Encoding: chunked\r\n",
        std::string("Content-Length: -1\r\n"), std::string("Content-Length: abc\r\n"),
        std::string("Content-Length: 99999999999999999999999\r\n")}) {
    const auto before = server.Stream(kOwn).size();
    const auto started = std::chrono::steady_clock::now();
    const std::string answer = RawExchange(server.port(), head + framing + "\r\n" + smuggled);
    EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(3)) << framing;
    EXPECT_EQ(RawStatus(answer), 400) << framing << answer;
    EXPECT_EQ(answer.find("HTTP/1.1", 1), std::string::npos)
        << framing << ": the body was served as a request: " << answer;
    const Json error = Json::parse(RawBody(answer), nullptr, /*allow_exceptions=*/false);
    EXPECT_EQ(error.value("code", ""), "invalid_input") << answer;
    EXPECT_NE(error.value("message", "").find("Content-Length"), std::string::npos) << answer;
    EXPECT_EQ(server.Stream(kOwn).size(), before) << framing;
  }
}

// Regression: after a head the library could not read (answered 400 "could not be read"), the
// connection stayed open and every line after it was parsed as a request of its own.
TEST(RequestBody, AnUnreadableHeadEndsTheConnection) {
  TestServer server;
  server.Enroll(kOwn);
  const std::string answer =
      RawExchange(server.port(), "GARBAGE\r\n\r\n" + SmuggledStatusRequest(server.Support()));
  EXPECT_EQ(RawStatus(answer), 400) << answer;
  EXPECT_EQ(answer.find("HTTP/1.1", 1), std::string::npos) << "served after the 400: " << answer;
}

// Regression: a GET with a body was answered and its connection closed without saying so, so
// a request sent after it on that connection was dropped unanswered; an HTTP/1.1 request without
// Host was served. Both are now refused 400, and the connection ends.
TEST(RequestBody, AGetWithABodyOrARequestWithoutHostIs400) {
  TestServer server;
  server.Enroll(kOwn);
  server.CaughtUpChecksum();  // the status read below comes from the read models
  const std::string status = "/v1/trainers/" + std::string(kOwn);
  const std::string auth = "Authorization: Bearer " + server.Support() + "\r\n";
  for (const auto& [what, head, named] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET with a body",
            "GET " + status + " HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 5\r\n\r\nhello",
            "has no body"},
           {"chunked HEAD",
            "HEAD " + status + " HTTP/1.1\r\nHost: x\r\n" + auth +
                "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "has no body"},
           {"no Host", "GET " + status + " HTTP/1.1\r\n" + auth + "\r\n", "Host"},
           {"two Hosts", "GET " + status + " HTTP/1.1\r\nHost: a\r\nHost: b\r\n" + auth + "\r\n",
            "Host: sent more than once"}}) {
    SCOPED_TRACE(what);
    const std::string answer =
        RawExchange(server.port(), head + SmuggledStatusRequest(server.Support()));
    EXPECT_EQ(RawStatus(answer), 400) << answer;
    EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
    if (!head.starts_with("HEAD")) {  // an answer to HEAD has no body to name it
      EXPECT_NE(answer.find(named), std::string::npos) << answer;
    }
    EXPECT_EQ(answer.find("HTTP/1.1 200"), std::string::npos) << "served after the 400: " << answer;
  }
  // An empty body on a GET, and HTTP/1.0 without Host, are fine.
  EXPECT_EQ(
      RawStatus(RawExchange(server.port(), "GET " + status + " HTTP/1.1\r\nHost: x\r\n" + auth +
                                               "Content-Length: 0\r\nConnection: close\r\n\r\n")),
      200);
  EXPECT_EQ(
      RawStatus(RawExchange(server.port(), "GET " + status + " HTTP/1.0\r\n" + auth + "\r\n")),
      200);
}

TEST(RequestBody, AnUploadKeepsItsLargerLimit) {
  TestServer server;
  server.ToRequirements(kOwn);
  const Answer answer = server.PostMultipart(
      TestServer::UploadPath(kOwn), UploadForm(JpegBytes(200 * 1024), "report.jpg", "image/jpeg"),
      server.OwnTrainer());
  EXPECT_EQ(answer.status, 200) << answer.Describe();
}

}  // namespace
}  // namespace mct::admin::server::testing
