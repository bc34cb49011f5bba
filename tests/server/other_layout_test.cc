// mctd after an upgrade: read models an older build wrote in another layout are rebuilt while the
// server answers what the log can (commands, history, as-of questions, health, metrics); the read
// models' routes and /readyz say 503 not_ready until the switch, and what came meanwhile is in the
// rebuilt read models.
#include <gtest/gtest.h>

#include <future>
#include <string>
#include <vector>

#include "consumers/read_models.h"
#include "tests/server/server_fixture.h"

namespace mct::admin::server::testing {
namespace {

constexpr uint64_t kBase = 4200000;
constexpr const char* kDuringRebuild = "7300001";

// A store of a few trainers' lives whose read models a build of layout 1 wrote.
void LeftByAnOlderBuild(const std::filesystem::path& dir) {
  auto store = Store::Open(dir);
  ASSERT_TRUE(store.ok()) << store.error().message;
  const Status lived = consumers::testing::RunLives(*store.value()->commands, kBase, 0,
                                                    consumers::testing::kLifeCount, 1, "o");
  ASSERT_TRUE(lived.ok()) << lived.error().message;
  ASSERT_TRUE(store.value()->runner->CatchUp().ok());
  RecordAnOlderLayout(*store.value());
}

ServerConfig OlderLayoutConfig() {
  ServerConfig config;
  config.prepare = LeftByAnOlderBuild;
  config.leave_other_layout = true;
  return config;
}

// The routes that read the read models, for a trainer of the older build's lives.
std::vector<std::string> ReadModelRoutes() {
  const std::string mcid = consumers::testing::LifeMcid(kBase, 0);
  return {"/v1/trainers/" + mcid,
          "/v1/trainers/" + mcid + "/gaps",
          "/v1/reports",
          "/v1/reports?month=2017-03",
          "/v1/due?from=2017-01-01&to=2018-12-31",
          "/v1/lookup?email=someone@example.jp"};
}

TEST(OtherLayout, TheReadModelsRoutesSayNotReadyUntilTheSwitch) {
  TestServer server(OlderLayoutConfig());
  server.SetReady(false);  // mctd's runner leaves it so until the rebuilt models catch up
  ASSERT_TRUE(server.store().models->NeedsRebuild());
  for (const std::string& path : ReadModelRoutes()) {
    const Answer answer = server.Get(path, server.Support());
    EXPECT_EQ(answer.status, 503) << path << ": " << answer.Describe();
    EXPECT_EQ(answer.code(), "not_ready") << path;
    EXPECT_NE(answer.message().find("being rebuilt for this build's layout"), std::string::npos)
        << answer.message();
    EXPECT_NE(answer.message().find("GET /v1/rebuild"), std::string::npos) << answer.message();
    EXPECT_EQ(answer.headers.count("Retry-After"), 1U) << path;
  }
  // ?after= waits for nothing while they are rebuilt: the answer is not_ready at once.
  const Answer after = server.Get(ReadModelRoutes().front() + "?after=1", server.Support());
  EXPECT_EQ(after.status, 503) << after.Describe();
  EXPECT_EQ(after.code(), "not_ready") << after.Describe();
  const Answer ready = server.Get("/readyz");
  EXPECT_EQ(ready.status, 503) << ready.Describe();
  EXPECT_NE(ready.message().find("being rebuilt for this build's layout: 0% done"),
            std::string::npos)
      << ready.message();
}

TEST(OtherLayout, TheLogsQuestionsAnswerMeanwhile) {
  TestServer server(OlderLayoutConfig());
  const std::string mcid = consumers::testing::LifeMcid(kBase, 0);
  for (const std::string& path :
       {"/v1/trainers/" + mcid + "?as_of=2019-01-01",
        "/v1/trainers/" + mcid + "/gaps?as_of=2019-01-01", "/v1/trainers/" + mcid + "/history"}) {
    const Answer answer = server.Get(path, server.Support());
    EXPECT_EQ(answer.status, 200) << path << ": " << answer.Describe();
  }
  // ?after= included: the history reads the log, which holds every position.
  const Answer history = server.Get("/v1/trainers/" + mcid + "/history?after=1", server.Support());
  EXPECT_EQ(history.status, 200) << history.Describe();
  EXPECT_EQ(server.Get("/v1/export", server.Auditor()).status, 200);
  EXPECT_EQ(server.Post("/v1/verify", "", "", server.Auditor()).status, 200);
  EXPECT_EQ(server.Get("/healthz").status, 200);
  EXPECT_EQ(server.Get("/metrics").status, 200);
  // A command is taken, and written to the log.
  const uint64_t head = server.store().log->Head();
  server.Enroll(kDuringRebuild);
  EXPECT_EQ(server.store().log->Head(), head + 2);
  EXPECT_TRUE(server.store().models->NeedsRebuild());
}

TEST(OtherLayout, TheRebuildTakesWhatCameMeanwhileAndTheRoutesAnswer) {
  TestServer server(OlderLayoutConfig());
  server.Enroll(kDuringRebuild);
  const uint64_t head = server.store().log->Head();
  std::promise<Json> finished;
  server.api().RebuildOtherLayout([&finished](const Json& status) { finished.set_value(status); });
  const Json status = finished.get_future().get();
  EXPECT_EQ(status.at("state"), "done") << status.dump();
  EXPECT_EQ(status.at("from_layout"), 1) << status.dump();
  EXPECT_EQ(status.at("events_done"), head) << status.dump();
  EXPECT_FALSE(status.contains("checksum_before")) << status.dump();
  EXPECT_EQ(status.at("asked_by"), Json({{"role", "system"}, {"id", "mctd"}}));
  EXPECT_FALSE(server.store().models->NeedsRebuild());
  // What GET /v1/rebuild shows afterwards.
  const Answer followed = server.Get("/v1/rebuild", server.Auditor());
  EXPECT_EQ(followed.json.value("state", ""), "done") << followed.Describe();
  EXPECT_EQ(followed.json.value("from_layout", 0), 1) << followed.Describe();
  for (const std::string& path : ReadModelRoutes()) {
    const Answer answer = server.Get(path, server.Support());
    EXPECT_EQ(answer.status, 200) << path << ": " << answer.Describe();
  }
  // The command taken before the switch is in the rebuilt read models.
  const Answer enrolled =
      server.Get(std::string("/v1/trainers/") + kDuringRebuild, server.Support());
  EXPECT_EQ(enrolled.status, 200) << enrolled.Describe();
  EXPECT_EQ(enrolled.json.value("mcid", ""), kDuringRebuild) << enrolled.Describe();
  // And the rebuilt models are the ones a rebuild from scratch makes.
  const std::string rebuilt = server.CaughtUpChecksum();
  auto again = server.store().runner->Rebuild();
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->checksum, rebuilt);
}

}  // namespace
}  // namespace mct::admin::server::testing
