// RebuildJob (rebuild_job.h): mctd rebuilds its read models in the background while serving; the
// status says how far it got, /metrics shows the progress, and on a quiet log the rebuilt
// checksum equals the live one (invariant 1).
#include "admin/server/rebuild_job.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>

#include "tests/server/server_fixture.h"

namespace mct::admin::server::testing {
namespace {

const domain::Actor kAuditor{.role = domain::Role::kAuditor, .id = "auditor-1"};

double RebuildProgressOnThePage(TestServer& server) {
  const std::string page = server.Get("/metrics").body;
  const std::string name = "\nmct_rebuild_progress_ratio ";
  const auto found = page.find(name);
  return found == std::string::npos ? -1 : std::stod(page.substr(found + name.size()));
}

TEST(RebuildJob, IsIdleUntilAsked) {
  TestServer server;
  RebuildJob job(server.store(), [&server](double fraction) { server.metrics().RebuildProgress(fraction); });
  EXPECT_EQ(job.Status(), nlohmann::json({{"state", "idle"}}));
  EXPECT_EQ(RebuildProgressOnThePage(server), 0);
}

TEST(RebuildJob, RebuildsEveryEventAndProvesTheLiveStateOnAQuietLog) {
  TestServer server;
  for (const char* mcid : {"7100001", "7100002", "7100003"}) server.ToPayment(mcid);
  const uint64_t head = server.store().log->Head();
  ASSERT_GT(head, 0u);
  const std::string live_before = server.CaughtUpChecksum();
  RebuildJob job(server.store(), [&server](double fraction) { server.metrics().RebuildProgress(fraction); });
  ASSERT_TRUE(job.Start(kAuditor));
  job.Wait();
  const nlohmann::json status = job.Status();
  EXPECT_EQ(status.at("state"), "done") << status.dump();
  EXPECT_EQ(status.at("events_done"), head) << status.dump();
  EXPECT_EQ(status.at("progress"), 1.0);
  EXPECT_EQ(status.at("asked_by").at("role"), "auditor");
  EXPECT_EQ(status.at("checksum_before"), live_before);
  EXPECT_EQ(status.at("checksum_after"), live_before);
  EXPECT_EQ(status.at("checksums_equal"), true);
  EXPECT_TRUE(status.contains("started_at") && status.contains("finished_at")) << status.dump();
  EXPECT_EQ(RebuildProgressOnThePage(server), 1);
  // The server still answers from the rebuilt generation.
  EXPECT_EQ(server.Get("/v1/trainers/7100002", server.Support()).status, 200);
  // Another rebuild may follow the first.
  ASSERT_TRUE(job.Start(kAuditor));
  job.Wait();
  EXPECT_EQ(job.Status().at("state"), "done");
}

TEST(RebuildJob, OneRebuildAtATime) {
  TestServer server;
  server.ToPayment("7200001");
  // The rebuild's first progress report waits here until the test has tried a second start.
  std::promise<void> tried;
  std::shared_future<void> tried_signal = tried.get_future().share();
  std::atomic<bool> first_report{true};
  RebuildJob job(server.store(), [&](double) {
    if (first_report.exchange(false)) tried_signal.wait();
  });
  ASSERT_TRUE(job.Start(kAuditor));
  EXPECT_EQ(job.Status().at("state"), "running");
  EXPECT_FALSE(job.Start(kAuditor));  // refused: one is running
  tried.set_value();
  job.Wait();
  EXPECT_EQ(job.Status().at("state"), "done") << job.Status().dump();
  EXPECT_TRUE(job.Start(kAuditor));  // and once it is done, another may start
  job.Wait();
}

// Through the API: an auditor asks, follows it with GET, and the metric shows it done.
TEST(RebuildRoute, AnAuditorRebuildsAndFollowsItToTheEnd) {
  TestServer server;
  server.ToPayment("7300001");
  const Answer started = server.Post("/v1/rebuild", "", "application/json", server.Auditor());
  ASSERT_EQ(started.status, 200) << started.Describe();
  EXPECT_EQ(started.json.at("asked_by").at("role"), "auditor");
  EXPECT_EQ(server.WaitForRebuild(), "done");
  const Answer status = server.Get("/v1/rebuild", server.Auditor());
  ASSERT_EQ(status.status, 200) << status.Describe();
  EXPECT_EQ(status.json.at("checksums_equal"), true) << status.Describe();
  EXPECT_EQ(status.json.at("events_done"), server.store().log->Head());
  EXPECT_EQ(RebuildProgressOnThePage(server), 1);
  // A trainer may not.
  EXPECT_EQ(server.Post("/v1/rebuild", "", "application/json", server.OwnTrainer()).status, 403);
}

}  // namespace
}  // namespace mct::admin::server::testing
