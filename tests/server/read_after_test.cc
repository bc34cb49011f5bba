// Read your writes (?after=POSITION, api_reads.h): a read of the read models waits until they have
// applied the log up to a command's position, answers at once when they have, says 503
// `read_models_behind` when its wait runs out, and refuses a position that is malformed or not in
// the log. The test server runs no projection runner of its own, so the read models move only
// when a test catches them up.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/server_fixture.h"

namespace mct::admin::server::testing {
namespace {

// Enrolls kOwn through the API; the log position of its event (0 when the command failed, which
// fails the test).
uint64_t EnrollOwn(const TestServer& server) {
  const Answer enrolled = server.Command(kOwn, TestServer::EnrollBody(kOwn, 30), server.Support());
  EXPECT_EQ(enrolled.status, 200) << enrolled.Describe();
  if (enrolled.status != 200) return 0;
  return enrolled.json.at("events").back().at("global_position").get<uint64_t>();
}

std::string After(const std::string& path, uint64_t position) {
  return path + (path.find('?') == std::string::npos ? "?" : "&") +
         "after=" + std::to_string(position);
}

// Every read of the read models, and the history (which reads the log, and waits all the same).
std::vector<std::string> ReadPaths() {
  const std::string trainer = std::string("/v1/trainers/") + kOwn;
  return {trainer,           trainer + "/history",
          trainer + "/gaps", "/v1/due?from=" + Day(0) + "&to=" + Day(60),
          "/v1/reports",     "/v1/lookup?email=trainer" + std::string(kOwn) + "%40example.jp"};
}

void CatchUp(TestServer& server) {
  auto caught_up = server.store().runner->CatchUp();
  ASSERT_TRUE(caught_up.ok()) << caught_up.error().message;
}

TEST(ReadAfter, WaitsForTheRunnerAndThenShowsTheCommand) {
  TestServer server;
  const uint64_t position = EnrollOwn(server);
  ASSERT_GT(position, 0u);
  const std::string status_path = std::string("/v1/trainers/") + kOwn;
  // Without ?after= the read models answer as they are: the enrolment is not in them yet.
  EXPECT_EQ(server.Get(status_path, server.Support()).status, 404);

  // The runner catches up while the read waits; the read then has the new trainer.
  auto runner = std::async(std::launch::async, [&server] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CatchUp(server);
  });
  const Answer status = server.Get(After(status_path, position), server.Support());
  runner.get();
  ASSERT_EQ(status.status, 200) << status.Describe();
  EXPECT_EQ(status.json.at("mcid"), kOwn);
}

TEST(ReadAfter, EveryReadOfTheReadModelsAnswersAtOnceWhenTheyHaveThePosition) {
  TestServer server;
  const uint64_t position = EnrollOwn(server);
  ASSERT_GT(position, 0u);
  CatchUp(server);
  for (const std::string& path : ReadPaths()) {
    const Answer answer = server.Get(After(path, position), server.Support());
    EXPECT_EQ(answer.status, 200) << path << ": " << answer.Describe();
  }
  // The look-up finds the trainer the command enrolled.
  const Answer found =
      server.Get(After("/v1/lookup?email=trainer" + std::string(kOwn) + "%40example.jp", position),
                 server.Support());
  ASSERT_EQ(found.status, 200) << found.Describe();
  EXPECT_EQ(found.json.at("trainers"), Json::array({kOwn}));
}

TEST(ReadAfter, AnswersReadModelsBehindWhenItsWaitRunsOut) {
  ServerConfig config;
  config.read_wait = std::chrono::milliseconds(200);
  TestServer server(config);
  const uint64_t position = EnrollOwn(server);
  ASSERT_GT(position, 0u);
  // A client is told when to come back.
  const auto raw = server.Client()->Get(After(std::string("/v1/trainers/") + kOwn, position),
                                        TestServer::Auth(server.Support()));
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->get_header_value("Retry-After"), "1");
  for (const std::string& path : ReadPaths()) {
    const Answer behind = server.Get(After(path, position), server.Support());
    EXPECT_EQ(behind.status, 503) << path << ": " << behind.Describe();
    EXPECT_EQ(behind.code(), "read_models_behind") << path;
    EXPECT_NE(behind.message().find("not yet " + std::to_string(position)), std::string::npos)
        << behind.message();
  }
}

// Bad input is answered at once: a read whose own parameters are malformed does not first wait
// for a position the read models have not reached, and then answer 503.
TEST(ReadAfter, RefusesMalformedParametersBeforeWaiting) {
  ServerConfig config;
  config.read_wait = std::chrono::seconds(30);  // a wait would outlast the test's patience
  TestServer server(config);
  const uint64_t position = EnrollOwn(server);
  ASSERT_GT(position, 0u);
  const std::string trainer = std::string("/v1/trainers/") + kOwn;
  for (const std::string& path :
       {trainer + "?as_of=yesterday", trainer + "/history?as_of=2020-13-40",
        trainer + "/gaps?as_of=x", std::string("/v1/due?from=2026-01-01"),
        std::string("/v1/reports?month=2026-13"), std::string("/v1/reports?month=June"),
        std::string("/v1/reports?month="), std::string("/v1/due?from=2026-02-01&to=2026-01-01"),
        std::string("/v1/lookup"), std::string("/v1/lookup?email="),
        std::string("/v1/trainers/not%20an%20mcid")}) {
    const auto started = std::chrono::steady_clock::now();
    const Answer answer = server.Get(After(path, position), server.Support());
    EXPECT_EQ(answer.status, 400) << path << ": " << answer.Describe();
    EXPECT_EQ(answer.code(), "invalid_input") << path;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10)) << path;
  }
}

TEST(ReadAfter, RefusesAPositionThatIsMalformedOrNotInTheLog) {
  TestServer server;
  const uint64_t head = EnrollOwn(server);
  ASSERT_GT(head, 0u);
  const std::string status_path = std::string("/v1/trainers/") + kOwn;
  for (const std::string& value :
       {std::string(""), std::string("abc"), std::string("-1"), std::string("1e3"),
        std::string("12x"), std::string("0x10"), std::string("99999999999999999999999"),
        std::string("%2B1"), std::string("%201"), std::string("1%20")}) {
    const Answer answer = server.Get(status_path + "?after=" + value, server.Support());
    EXPECT_EQ(answer.status, 400) << "'" << value << "': " << answer.Describe();
    EXPECT_EQ(answer.code(), "invalid_input");
    EXPECT_EQ(answer.message().rfind("after:", 0), 0u) << answer.message();
  }
  const Answer beyond = server.Get(After(status_path, head + 1), server.Support());
  EXPECT_EQ(beyond.status, 400) << beyond.Describe();
  EXPECT_NE(beyond.message().find("not in the log"), std::string::npos) << beyond.message();
}

}  // namespace
}  // namespace mct::admin::server::testing
