// GET /v1/export streams the log: the same NDJSON as `mctctl export` (consumers::ExportLog),
// and when an event cannot be decoded part-way the answer is cut short (no final chunk), so that
// no client can take a truncated export for a whole one.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>

#include "consumers/keys.h"
#include "consumers/log_export.h"
#include "tests/server/server_fixture.h"

namespace mct::admin::server::testing {
namespace {

std::string ExportedByTheStore(TestServer& server) {
  std::ostringstream out;
  auto exported = consumers::ExportLog(*server.store().db, out);
  EXPECT_TRUE(exported.ok()) << exported.error().message;
  return out.str();
}

TEST(Export, StreamsTheSameLinesAsTheCommandLine) {
  TestServer server;
  server.ToPayment(kOwn);
  server.ToPayment(kOther);
  const Answer exported = server.Get("/v1/export", server.Auditor());
  ASSERT_EQ(exported.status, 200) << exported.Describe();
  EXPECT_EQ(exported.content_type, "application/x-ndjson");
  const std::string expected = ExportedByTheStore(server);
  ASSERT_GT(std::count(expected.begin(), expected.end(), '\n'), 10);
  EXPECT_EQ(exported.body, expected);
}

// Regression: a Range header got 206 with the whole export and no Content-Range (a download
// manager would have spliced it wrongly), and on other answers a slice or a bodiless 416. Answers
// are whole whatever Range says, and HEAD does not advertise ranges.
TEST(Export, ARangeIsIgnoredAndTheWholeAnswerSent) {
  TestServer server;
  server.ToPayment(kOwn);
  server.CaughtUpChecksum();  // the status below comes from the read models
  const std::string whole_export = ExportedByTheStore(server);
  const std::string status_path = "/v1/trainers/" + std::string(kOwn) + "?as_of=2030-01-01";
  const std::string whole_status = server.Get(status_path, server.Auditor()).body;
  for (const std::string range : {"bytes=100-200", "bytes=1-2,5-6", "bytes=0-10", "bytes=99999-"}) {
    for (const auto& [path, whole] :
         {std::pair<std::string, std::string>{"/v1/export", whole_export},
          {status_path, whole_status}}) {
      SCOPED_TRACE(path + " " + range);
      const Answer answer = TestServer::Read(
          server.Client()->Get(path, TestServer::Auth(server.Auditor(), {{"Range", range}})));
      EXPECT_EQ(answer.status, 200) << answer.Describe();
      EXPECT_EQ(answer.body, whole);
      EXPECT_EQ(answer.headers.count("Content-Range"), 0u);
    }
  }
  const auto head = server.Client()->Head("/v1/export", TestServer::Auth(server.Auditor()));
  ASSERT_TRUE(head);
  EXPECT_EQ(head->get_header_value("Accept-Ranges"), "none");
}

TEST(Export, AnEmptyLogIsAnEmptyAnswer) {
  TestServer server;
  const Answer exported = server.Get("/v1/export", server.Auditor());
  ASSERT_EQ(exported.status, 200) << exported.Describe();
  EXPECT_EQ(exported.body, consumers::EndOfExportLine(0));
}

TEST(Export, AnUndecodableEventCutsTheAnswerShort) {
  TestServer server;
  server.ToPayment(kOwn);
  // Behind the store's back, as a damaged disk would: the second event no longer decodes.
  ASSERT_TRUE(server.store()
                  .db->db()
                  ->Put(rocksdb::WriteOptions(), server.store().db->log(), consumers::keys::Position(2),
                        "not an event")
                  .ok());
  const Answer exported = server.Get("/v1/export", server.Auditor());
  EXPECT_NE(exported.status, 200) << "a truncated export was answered as complete: "
                                  << exported.Describe();
  EXPECT_NE(exported.transport_error, "");
  EXPECT_EQ(server.Get("/healthz").status, 200) << "the server keeps serving";
}

}  // namespace
}  // namespace mct::admin::server::testing
