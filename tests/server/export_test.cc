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

TEST(Export, AnEmptyLogIsAnEmptyAnswer) {
  TestServer server;
  const Answer exported = server.Get("/v1/export", server.Auditor());
  ASSERT_EQ(exported.status, 200) << exported.Describe();
  EXPECT_EQ(exported.body, "");
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
