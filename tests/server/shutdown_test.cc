// Graceful shutdown: requests in flight when the server is stopped are answered, every command
// answered accepted is in the log, and the server stops accepting new connections.
//
// The requests are made slow on purpose: each sends its headers and half its body, the server is
// stopped, and only then does the rest of the body follow. Raw sockets, so the test decides when
// each byte leaves.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "admin/server/one_write_server.h"
#include "tests/server/raw_http.h"
#include "tests/server/server_fixture.h"

namespace mct::admin::server::testing {
namespace {

// A TCP connection to 127.0.0.1:port whose reads give up after 30 s, or -1.
int Connect(int port) {
  const int fd = ConnectLoopback(port);
  if (fd < 0) return -1;
  timeval timeout{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  return fd;
}

bool SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// Everything until the server closes the connection; `reset` tells whether it ended in an error.
std::string ReadAll(int fd, bool* reset) {
  std::string out;
  char buffer[4096];
  *reset = false;
  while (true) {
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n == 0) break;
    if (n < 0) {
      *reset = true;
      break;
    }
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

// One response on a kept-alive connection: the headers, then Content-Length bytes of body.
std::string ReadOneResponse(int fd) {
  std::string out;
  char c = 0;
  while (out.find("\r\n\r\n") == std::string::npos) {
    if (recv(fd, &c, 1, 0) != 1) return out;
    out.push_back(c);
  }
  const auto length_at = out.find("Content-Length: ");
  size_t length = length_at == std::string::npos ? 0 : std::stoul(out.substr(length_at + 16));
  while (length > 0 && recv(fd, &c, 1, 0) == 1) {
    out.push_back(c);
    --length;
  }
  return out;
}

struct SlowRequest {
  std::string mcid;
  std::string command_id;
  std::string head;  // headers and the first half of the body
  std::string tail;  // the rest of the body
  int fd = -1;
};

TEST(GracefulShutdown, InFlightRequestsAreAnsweredAndAcceptedCommandsAreLogged) {
  TestServer server;
  constexpr int kRequests = 6;
  std::vector<SlowRequest> requests;
  for (int i = 0; i < kRequests; ++i) {
    const std::string mcid = std::to_string(5550100 + i);
    server.Enroll(mcid);
    const std::string command_id = "slow-" + std::to_string(i);
    const std::string body = Json{{"command", "RecordMtmSurvey"},
                                  {"command_id", command_id},
                                  {"course_name", "20410D"},
                                  {"course_date", Day(-3)},
                                  {"average_score", 9}}
                                 .dump();
    const std::string headers = "POST " + TestServer::CommandPath(mcid) + " HTTP/1.1\r\n" +
                                "Host: 127.0.0.1\r\n" + "Authorization: Bearer " + server.System() +
                                "\r\n" + "Content-Type: application/json\r\n" +
                                "Content-Length: " + std::to_string(body.size()) + "\r\n" +
                                "Connection: close\r\n\r\n";
    requests.push_back({mcid, command_id, headers + body.substr(0, body.size() / 2),
                        body.substr(body.size() / 2), -1});
  }
  for (auto& request : requests) {
    request.fd = Connect(server.port());
    ASSERT_GE(request.fd, 0);
    // A first request on the connection proves a worker has taken it (not still in the backlog).
    ASSERT_TRUE(SendAll(request.fd, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    const std::string health = ReadOneResponse(request.fd);
    ASSERT_EQ(health.rfind("HTTP/1.1 200", 0), 0u) << health;
    ASSERT_TRUE(SendAll(request.fd, request.head));
  }
  // The server's workers are now reading the bodies.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  server.StopAsync();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // Stopped: no new connection is taken.
  const int late = Connect(server.port());
  EXPECT_LT(late, 0) << "a new connection was accepted after Stop";
  if (late >= 0) close(late);
  std::vector<std::string> answers;
  for (auto& request : requests) {
    ASSERT_TRUE(SendAll(request.fd, request.tail)) << request.command_id;
  }
  for (auto& request : requests) {
    bool reset = false;
    answers.push_back(ReadAll(request.fd, &reset));
    close(request.fd);
    EXPECT_FALSE(reset) << request.command_id << " was reset";
  }
  server.Join();

  for (size_t i = 0; i < requests.size(); ++i) {
    SCOPED_TRACE(requests[i].command_id);
    EXPECT_EQ(answers[i].rfind("HTTP/1.1 200", 0), 0u) << answers[i];
    EXPECT_NE(answers[i].find("\"outcome\":\"accepted\""), std::string::npos) << answers[i];
    bool logged = false;
    for (const auto& envelope : server.Stream(requests[i].mcid)) {
      logged = logged || envelope.event.meta.command_id == requests[i].command_id;
    }
    EXPECT_TRUE(logged);
  }
}

// A command whose connection was accepted while every worker was busy is answered after the
// stop, not closed unanswered (regression: the loop checked for the stop before the connection's
// first request, so its client could not tell whether the command had run).
TEST(GracefulShutdown, AConnectionAcceptedBeforeTheStopIsAnsweredThoughNoWorkerHadTakenIt) {
  ServerConfig config;
  config.worker_threads = 1;
  TestServer server(config);
  const std::string busy = "5550150";
  const std::string waiting = "5550151";
  server.Enroll(busy);
  server.Enroll(waiting);
  auto command = [&server](const std::string& mcid, const std::string& command_id) {
    const std::string body = Json{
        {"command", "RecordMtmSurvey"},
        {"command_id", command_id},
        {"course_name", "20410D"},
        {"course_date", Day(-3)},
        {"average_score", 8}}.dump();
    return std::make_pair(
        "POST " + TestServer::CommandPath(mcid) +
            " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + server.System() +
            "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\nConnection: close\r\n\r\n",
        body);
  };
  // The one worker reads a body that comes slowly.
  const auto [busy_head, busy_body] = command(busy, "busy-1");
  const int slow = Connect(server.port());
  ASSERT_GE(slow, 0);
  ASSERT_TRUE(SendAll(slow, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  ASSERT_EQ(ReadOneResponse(slow).rfind("HTTP/1.1 200", 0), 0u);
  ASSERT_TRUE(SendAll(slow, busy_head + busy_body.substr(0, 10)));
  // Meanwhile a whole command comes on a new connection: accepted, waiting for the worker.
  const auto [waiting_head, waiting_body] = command(waiting, "waiting-1");
  const int queued = Connect(server.port());
  ASSERT_GE(queued, 0);
  ASSERT_TRUE(SendAll(queued, waiting_head + waiting_body));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  server.StopAsync();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(SendAll(slow, busy_body.substr(10)));
  bool reset = false;
  const std::string busy_answer = ReadAll(slow, &reset);
  close(slow);
  EXPECT_EQ(busy_answer.rfind("HTTP/1.1 200", 0), 0u) << busy_answer;
  const std::string queued_answer = ReadAll(queued, &reset);
  close(queued);
  server.Join();
  EXPECT_FALSE(reset);
  EXPECT_EQ(queued_answer.rfind("HTTP/1.1 200", 0), 0u) << queued_answer;
  EXPECT_NE(queued_answer.find("\"outcome\":\"accepted\""), std::string::npos) << queued_answer;
  bool logged = false;
  for (const auto& envelope : server.Stream(waiting)) {
    logged = logged || envelope.event.meta.command_id == "waiting-1";
  }
  EXPECT_TRUE(logged);
}

// The other side of answering what was accepted: a connection that sends nothing holds the stop
// for a second at most, not for the keep-alive time-out (many such could hold it for minutes).
TEST(GracefulShutdown, AConnectionThatSendsNothingHoldsTheStopASecondAtMost) {
  ServerConfig config;
  config.worker_threads = 1;
  TestServer server(config);
  // One kept alive after a first request, idle in the one worker's hands; one accepted behind it,
  // queued for the worker, that never sends a byte.
  const int idle = Connect(server.port());
  ASSERT_GE(idle, 0);
  ASSERT_TRUE(SendAll(idle, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  ASSERT_EQ(ReadOneResponse(idle).rfind("HTTP/1.1 200", 0), 0u);
  const int silent = Connect(server.port());
  ASSERT_GE(silent, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto stopped_at = std::chrono::steady_clock::now();
  server.StopAsync();
  server.Join();
  const auto held = std::chrono::steady_clock::now() - stopped_at;
  bool reset = false;
  EXPECT_EQ(ReadAll(idle, &reset), "");
  EXPECT_EQ(ReadAll(silent, &reset), "");
  close(idle);
  close(silent);
  EXPECT_LT(held, std::chrono::milliseconds(OneWriteServer::kFirstRequestWhenStoppingMs + 2000));
}

// Many clients sending commands while the server stops: whatever was answered accepted is in the
// log, and no answer is half an answer.
TEST(GracefulShutdown, CommandsRacingTheStopAreAnsweredOrRefusedWhole) {
  TestServer server;
  constexpr int kClients = 8;
  for (int i = 0; i < kClients; ++i) server.Enroll(std::to_string(5550200 + i));
  std::vector<std::vector<std::pair<std::string, Answer>>> sent(kClients);
  std::vector<std::thread> clients;
  std::atomic<bool> go{false};
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      while (!go) std::this_thread::yield();
      const std::string mcid = std::to_string(5550200 + c);
      for (int i = 0; i < 200; ++i) {
        const std::string command_id = "race-stop-" + std::to_string(c) + "-" + std::to_string(i);
        const Answer answer = server.Command(mcid,
                                             {{"command", "RecordMtmSurvey"},
                                              {"command_id", command_id},
                                              {"course_name", "20410D"},
                                              {"course_date", Day(-3)},
                                              {"average_score", 7}},
                                             server.System());
        sent[c].push_back({command_id, answer});
        if (answer.status == 0) break;  // the server is gone
      }
    });
  }
  go = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  server.Stop();
  for (auto& client : clients) client.join();

  int accepted = 0;
  for (int c = 0; c < kClients; ++c) {
    std::set<std::string> logged;
    for (const auto& envelope : server.Stream(std::to_string(5550200 + c))) {
      logged.insert(envelope.event.meta.command_id);
    }
    for (const auto& [command_id, answer] : sent[c]) {
      if (answer.status == 0) {  // refused at the door: no answer, so nothing may have been run
        EXPECT_FALSE(logged.contains(command_id)) << command_id << " ran but was not answered";
        continue;
      }
      ASSERT_EQ(answer.status, 200) << command_id << ": " << answer.Describe();
      EXPECT_TRUE(logged.contains(command_id)) << command_id;
      ++accepted;
    }
  }
  EXPECT_GT(accepted, 0);
}

// mctd's signal thread may call Stop before Serve has begun to listen (a SIGTERM right after the
// start): the stop must not be lost, or the server would serve on and never exit.
TEST(GracefulShutdown, AStopRightAfterTheStartIsNotLost) {
  consumers::testing::TempDir dir("stop-early");
  auto store = Store::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  TokenStore tokens(dir.path());
  Metrics metrics;
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE(round);
    ApiOptions options;
    options.data_dir = dir.path();
    options.worker_threads = 2;
    HttpApi api(*store.value(), tokens, metrics, options, [] {});
    ASSERT_TRUE(api.Bind("127.0.0.1", 0).ok());
    auto served = std::async(std::launch::async, [&api] { api.Serve(); });
    if (round % 2 == 1) std::this_thread::yield();
    api.Stop();
    const bool returned = served.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    EXPECT_TRUE(returned) << "Serve did not return after Stop";
    if (!returned) {
      // Unblock the test: by now the server listens, so this Stop is seen.
      api.Stop();
      served.wait();
      return;
    }
  }
}

// The log of `server` given kBulkEvents more events for kOwn: an export far larger than what the
// sockets between a client and the server buffer.
constexpr size_t kBulkEvents = 40000;
void FillTheLog(TestServer& server) {
  server.Enroll(kOwn);
  consumers::AppendRequest bulk;
  bulk.meta.mcid = *domain::Mcid::Parse(kOwn);
  bulk.meta.at = domain::Instant::FromMillis(1488362400000);
  bulk.meta.actor = {domain::Role::kSystem, "mtm"};
  bulk.meta.command_id = "bulk-surveys";
  bulk.expected_version = server.Stream(kOwn).size();
  for (size_t i = 0; i < kBulkEvents; ++i) {
    bulk.events.push_back(domain::MtmSurveyRecorded{
        "20410D Installing and Configuring Windows Server 2012, session " + std::to_string(i),
        *domain::Date::Parse("2017-02-10"), 8.5});
  }
  auto appended = server.store().log->Append(std::move(bulk));
  ASSERT_TRUE(appended.ok()) << appended.error().message;
}

// An export asked for on a connection of its own; -1 when it could not be sent.
int AskForTheExport(const TestServer& server) {
  const int fd = Connect(server.port());
  if (fd < 0) return -1;
  if (!SendAll(fd, "GET /v1/export HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                       server.Auditor() + "\r\nConnection: close\r\n\r\n")) {
    close(fd);
    return -1;
  }
  return fd;
}

// A client reading an export slowly does not hold a stop for as long as it likes: once the stop's
// grace has passed the export is cut, as one cut by an error is (no last chunk), and the server
// stops. The log's export is far larger than what the sockets between them buffer.
TEST(GracefulShutdown, AnExportReadSlowlyIsCutOnceTheStopsGraceIsOver) {
  ServerConfig config;
  config.export_stop_grace = std::chrono::milliseconds(200);
  TestServer server(config);
  FillTheLog(server);
  const int fd = AskForTheExport(server);
  ASSERT_GE(fd, 0);
  std::string got;
  char chunk[4096];
  auto read_slowly = [&](std::chrono::milliseconds for_how_long) {
    const auto until = std::chrono::steady_clock::now() + for_how_long;
    while (std::chrono::steady_clock::now() < until) {
      const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
      if (n <= 0) return;
      got.append(chunk, static_cast<size_t>(n));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  };
  read_slowly(std::chrono::milliseconds(300));
  ASSERT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got.substr(0, 200);
  server.StopAsync();
  const auto stop_asked = std::chrono::steady_clock::now();
  read_slowly(std::chrono::milliseconds(600));  // the server's grace passes while it streams
  bool reset = false;
  got += ReadAll(fd, &reset);
  close(fd);
  server.Join();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_asked, std::chrono::seconds(8));
  EXPECT_EQ(got.find("\r\n0\r\n\r\n"), std::string::npos) << "the export ended as if whole";
  const size_t lines = static_cast<size_t>(std::count(got.begin(), got.end(), '\n'));
  EXPECT_LT(lines, kBulkEvents) << "the whole export was sent";
}

// A client that stops reading altogether is dropped once a send has waited the stalled-send
// time-out: its worker thread is free again, and a stop does not wait for the export's grace.
TEST(GracefulShutdown, AClientThatStopsReadingIsDroppedAfterTheSendTimeOut) {
  ServerConfig config;
  config.stalled_send_timeout = std::chrono::milliseconds(500);
  TestServer server(config);  // an export's grace on stop: the default 10 s
  FillTheLog(server);
  const int fd = AskForTheExport(server);
  ASSERT_GE(fd, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));  // reading nothing
  const auto stop_asked = std::chrono::steady_clock::now();
  server.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_asked, std::chrono::seconds(5))
      << "the stop waited for the stalled export";
  bool reset = false;
  const std::string got = ReadAll(fd, &reset);
  close(fd);
  EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got.substr(0, 200);
  EXPECT_EQ(got.find("\r\n0\r\n\r\n"), std::string::npos) << "the export ended as if whole";
}

}  // namespace
}  // namespace mct::admin::server::testing
