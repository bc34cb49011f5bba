// OneWriteServer and its BufferedSocketStream: an answer leaves in one send when the request is
// done, output waits for nothing the client must first receive (a `100 Continue`), large output
// streams out as it grows, a vanished client fails the stream instead of the process, and a real
// server answers pipelined requests and `Expect: 100-continue` on its kept-alive connections.
#include "admin/server/one_write_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/raw_http.h"
#include "tests/server/server_fixture.h"

namespace mct::admin::server::testing {
namespace {

// Bytes waiting to be read on `fd` right now (without waiting).
bool Readable(int fd) {
  pollfd watched{fd, POLLIN, 0};
  return ::poll(&watched, 1, 0) == 1;
}

// Reads what is there, waiting up to two seconds for the first byte.
std::string ReadSome(int fd) {
  pollfd watched{fd, POLLIN, 0};
  if (::poll(&watched, 1, 2000) != 1) return "";
  char buffer[65536];
  const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "";
}

// Reads until `until` has been seen or two seconds pass without a byte.
std::string ReadUntil(int fd, const std::string& until) {
  std::string seen;
  while (seen.find(until) == std::string::npos) {
    const std::string more = ReadSome(fd);
    if (more.empty()) break;
    seen += more;
  }
  return seen;
}

class SocketPair : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
    const timeval two_seconds{2, 0};  // a read that would hang fails the test instead
    ::setsockopt(fds_[0], SOL_SOCKET, SO_RCVTIMEO, &two_seconds, sizeof(two_seconds));
  }
  void TearDown() override {
    for (int fd : fds_) {
      if (fd >= 0) ::close(fd);
    }
  }
  int server() const { return fds_[0]; }
  int client() const { return fds_[1]; }
  void CloseClient() {
    ::close(fds_[1]);
    fds_[1] = -1;
  }

 private:
  int fds_[2] = {-1, -1};
};

TEST_F(SocketPair, WritesLeaveTogetherOnFlush) {
  BufferedSocketStream stream(server(), 2000, 2000);
  ASSERT_EQ(stream.write("HTTP/1.1 200 OK\r\n\r\n", 19), 19);
  ASSERT_EQ(stream.write("{\"ok\":true}", 11), 11);
  EXPECT_FALSE(Readable(client())) << "the head left before the body was written";
  ASSERT_TRUE(stream.Flush());
  EXPECT_EQ(ReadSome(client()), "HTTP/1.1 200 OK\r\n\r\n{\"ok\":true}");
}

TEST_F(SocketPair, LargeOutputStreamsWithoutFlush) {
  BufferedSocketStream stream(server(), 2000, 2000);
  const std::string chunk(1024, 'x');
  for (size_t written = 0; written <= BufferedSocketStream::kFlushBytes; written += chunk.size()) {
    ASSERT_EQ(stream.write(chunk.data(), chunk.size()), static_cast<ssize_t>(chunk.size()));
  }
  EXPECT_TRUE(Readable(client())) << "64 KiB and more were held back";
}

TEST_F(SocketPair, ReadSendsWhatWaitsBeforeWaitingForInput) {
  BufferedSocketStream stream(server(), 2000, 2000);
  // The client answers only once it has what the server wrote, as a client waiting for a
  // `100 Continue` sends its body only after it.
  std::thread client_side([this] {
    if (ReadSome(client()) == "HTTP/1.1 100 Continue\r\n\r\n") {
      ::send(client(), "body", 4, MSG_NOSIGNAL);
    }
  });
  ASSERT_EQ(stream.write("HTTP/1.1 100 Continue\r\n\r\n", 25), 25);
  char buffer[16] = {};
  const ssize_t n = stream.read(buffer, sizeof(buffer));
  client_side.join();
  ASSERT_EQ(n, 4);
  EXPECT_EQ(std::string(buffer, 4), "body");
}

TEST_F(SocketPair, ReadsComeFromOneReceiveInPieces) {
  BufferedSocketStream stream(server(), 2000, 2000);
  ASSERT_EQ(::send(client(), "GET / HTTP/1.1\r\n", 16, 0), 16);
  std::string line;
  char byte = 0;
  while (line.size() < 16 && stream.read(&byte, 1) == 1) line += byte;
  EXPECT_EQ(line, "GET / HTTP/1.1\r\n");
  EXPECT_FALSE(stream.WaitForInput(0)) << "no more input was sent";
}

TEST_F(SocketPair, LargeReadsTakeWhatIsBufferedThenGoStraightToTheCaller) {
  BufferedSocketStream stream(server(), 2000, 2000);
  const std::string head = "POST / HTTP/1.1\r\n";
  const std::string body(20000, 'b');
  ASSERT_EQ(::send(client(), head.data(), head.size(), 0), static_cast<ssize_t>(head.size()));
  std::string line;
  char byte = 0;
  while (line.size() < head.size() && stream.read(&byte, 1) == 1) line += byte;
  ASSERT_EQ(line, head);
  std::thread client_side([&] {  // the body in pieces, as a slow client sends it
    for (size_t sent = 0; sent < body.size(); sent += 5000) {
      ::send(client(), body.data() + sent, 5000, MSG_NOSIGNAL);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  std::string received;
  std::vector<char> buffer(8192);
  while (received.size() < body.size()) {
    const ssize_t n = stream.read(buffer.data(), buffer.size());
    if (n <= 0) break;
    received.append(buffer.data(), static_cast<size_t>(n));
  }
  client_side.join();
  EXPECT_EQ(received, body);
}

TEST_F(SocketPair, AVanishedClientFailsTheStreamNotTheProcess) {
  BufferedSocketStream stream(server(), 2000, 2000);
  CloseClient();
  const std::string answer(1024, 'a');
  ASSERT_EQ(stream.write(answer.data(), answer.size()), static_cast<ssize_t>(answer.size()));
  EXPECT_FALSE(stream.Flush()) << "a send to a closed peer succeeded";  // and no SIGPIPE
  EXPECT_EQ(stream.write(answer.data(), answer.size()), -1);
  EXPECT_FALSE(stream.is_writable());
  char byte = 0;
  EXPECT_LE(stream.read(&byte, 1), 0);
}

// A peer that stopped reading fails the flush once the write time-out has passed: one send that
// moved some bytes before it stalled returns them only at the time-out, and a second would wait
// as long again (an export to a client that stopped reading held its thread 30 s, not 10).
TEST_F(SocketPair, APeerThatStopsReadingFailsTheFlushAfterTheWriteTimeOut) {
  const timeval one_second{1, 0};
  ASSERT_EQ(::setsockopt(server(), SOL_SOCKET, SO_SNDTIMEO, &one_second, sizeof(one_second)), 0);
  BufferedSocketStream stream(server(), 2000, 1000);
  const std::string answer(8 << 20, 'a');  // far more than the socket buffers hold
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(stream.write(answer.data(), answer.size()), -1);
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_FALSE(stream.is_writable());
  EXPECT_GE(waited, std::chrono::milliseconds(900));
  EXPECT_LT(waited, std::chrono::milliseconds(1700)) << "more than one send time-out";
}

// A peer that reads slowly but steadily gets a large answer whole, however long it takes in all:
// only a send that moved part of its share in the whole time-out ends the connection.
TEST_F(SocketPair, APeerThatReadsSlowlyGetsALargeAnswerWhole) {
  const timeval one_second{1, 0};
  ASSERT_EQ(::setsockopt(server(), SOL_SOCKET, SO_SNDTIMEO, &one_second, sizeof(one_second)), 0);
  const std::string answer(2 << 20, 'a');
  size_t received = 0;
  std::thread reader([this, &received, expected = answer.size()] {
    char buffer[65536];
    const auto started = std::chrono::steady_clock::now();
    // About 2 s in all, twice the time-out: 64 KiB every 60 ms.
    while (received < expected &&
           std::chrono::steady_clock::now() - started < std::chrono::seconds(20)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(60));
      const ssize_t n = ::recv(client(), buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      received += static_cast<size_t>(n);
    }
  });
  BufferedSocketStream stream(server(), 2000, 1000);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(stream.write(answer.data(), answer.size()), static_cast<ssize_t>(answer.size()));
  EXPECT_TRUE(stream.Flush());
  const auto took = std::chrono::steady_clock::now() - started;
  reader.join();
  EXPECT_EQ(received, answer.size());
  EXPECT_GT(took, std::chrono::milliseconds(1000)) << "the reader was not slow enough to matter";
}

TEST(BufferedSocketStream, NamesBothEndsOfATcpConnection) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int client = ConnectLoopback(ntohs(address.sin_port));
  ASSERT_GE(client, 0);
  const int accepted = ::accept(listener, nullptr, nullptr);
  ASSERT_GE(accepted, 0);
  sockaddr_in client_end{};
  length = sizeof(client_end);
  ::getsockname(client, reinterpret_cast<sockaddr*>(&client_end), &length);

  BufferedSocketStream stream(accepted, 2000, 2000);
  for (int asked = 0; asked < 2; ++asked) {  // the second answer comes from what was kept
    std::string ip;
    int port = 0;
    stream.get_remote_ip_and_port(ip, port);
    EXPECT_EQ(ip, "127.0.0.1");
    EXPECT_EQ(port, ntohs(client_end.sin_port));
    stream.get_local_ip_and_port(ip, port);
    EXPECT_EQ(ip, "127.0.0.1");
    EXPECT_EQ(port, ntohs(address.sin_port));
  }
  for (int fd : {accepted, client, listener}) ::close(fd);
}

// Regression: an answer after which the connection ends said `Keep-Alive`.
TEST(OneWriteServer, AnAnswerBeforeTheConnectionEndsSaysSo) {
  TestServer server;
  for (const std::string request :
       {"GARBAGE\r\n\r\n", "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        "POST /v1/trainers/1234/commands HTTP/1.1\r\nHost: x\r\nContent-Length: "
        "999999999\r\n\r\n"}) {
    const std::string answer = RawExchange(server.port(), request);
    const std::string head = answer.substr(0, answer.find("\r\n\r\n") + 2);
    EXPECT_GE(RawStatus(answer), 400) << answer;
    EXPECT_EQ(head.find("Keep-Alive"), std::string::npos) << head;
    EXPECT_NE(head.find("\r\nConnection: close\r\n"), std::string::npos) << head;
    EXPECT_EQ(head.find("Connection: close"), head.rfind("Connection: close")) << head;
  }
  // A request the connection goes on after keeps its Keep-Alive.
  const std::string kept = RawExchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
                                       std::chrono::milliseconds(300));
  EXPECT_NE(kept.find("Keep-Alive"), std::string::npos) << kept;
}

// Regression: a chunked body was read into memory whole, however long (1.2 GB for a 10 MB
// upload limit), before the 413. It is now cut off at the limit, and the connection ends.
TEST(OneWriteServer, AChunkedBodyIsCutOffAtTheLimit) {
  ServerConfig config;
  config.max_upload_bytes = 64 * 1024;
  TestServer server(config);
  const int fd = ConnectLoopback(server.port());
  ASSERT_GE(fd, 0);
  const std::string head = "POST /v1/trainers/" + std::string(kOwn) +
                           "/mtm-report HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                           server.Support() +
                           "\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n";
  ASSERT_EQ(::send(fd, head.data(), head.size(), MSG_NOSIGNAL), static_cast<ssize_t>(head.size()));
  // Sends 4 KB chunks until the server stops reading (it answers and closes), or far more than the
  // limit and what the kernel's buffers hold.
  const std::string chunk = "1000\r\n" + std::string(4096, 'x') + "\r\n";
  size_t sent = 0;
  std::thread sender([&] {
    while (sent < 64 * 1024 * 1024) {
      const ssize_t n = ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  });
  const std::string answer = ReadUntil(fd, "not read further");
  ::shutdown(fd, SHUT_RDWR);
  sender.join();
  ::close(fd);
  EXPECT_EQ(RawStatus(answer), 413) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  EXPECT_LT(sent, 32 * 1024 * 1024) << "the server kept reading";
}

// Regression: a Content-Length near 2^64 overflowed the body's deadline (undefined behaviour) and
// the end of the body (it wrapped), so the connection went on and the unread "body" was read as
// the next request.
TEST(OneWriteServer, ALengthPastTheLimitEndsTheConnectionWithoutOverflow) {
  TestServer server;
  for (const std::string& length :
       std::vector<std::string>{"18446744073709551615", "18446744073709551000", "99999999999"}) {
    const std::string smuggled = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    const std::string answer =
        RawExchange(server.port(), "POST /v1/verify HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                                       server.Auditor() + "\r\nContent-Length: " + length +
                                       "\r\n\r\n" + smuggled);
    EXPECT_EQ(RawStatus(answer), 413) << length << ": " << answer;
    EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
    EXPECT_EQ(answer.find("\"status\":\"ok\""), std::string::npos)
        << "the body was served as a request: " << answer;
  }
}

// Regression: a new connection whose first request came after 50 ms, while other connections
// waited for a thread, was closed unanswered (the idle rule of kept-alive connections).
TEST(OneWriteServer, ANewConnectionIsAnsweredWhenItsRequestComesLate) {
  ServerConfig config;
  config.worker_threads = 2;
  TestServer server(config);
  std::vector<int> connections;
  for (int index = 0; index < 6; ++index) {
    connections.push_back(ConnectLoopback(server.port()));
    ASSERT_GE(connections.back(), 0);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  for (const int fd : connections) {
    ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
  }
  for (const int fd : connections) {
    const std::string answer = ReadUntil(fd, "\"ok\"");
    EXPECT_EQ(RawStatus(answer), 200) << answer;
    ::close(fd);
  }
}

// But a new connection that sends nothing does not hold its thread for the whole read time-out
// while another waits for one: it yields after a second.
TEST(OneWriteServer, ASilentNewConnectionYieldsItsThreadAfterASecond) {
  ServerConfig config;
  config.worker_threads = 1;
  TestServer server(config);
  const int silent = ConnectLoopback(server.port());
  ASSERT_GE(silent, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // it has the one thread
  const auto started = std::chrono::steady_clock::now();
  const std::string answer =
      RawExchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const auto waited = std::chrono::steady_clock::now() - started;
  ::close(silent);
  EXPECT_EQ(RawStatus(answer), 200) << answer;
  EXPECT_LT(waited, std::chrono::seconds(4)) << "the silent connection held the thread";
}

TEST(OneWriteServer, AnswersPipelinedRequestsInOrder) {
  TestServer server;
  const int fd = ConnectLoopback(server.port());
  ASSERT_GE(fd, 0);
  const std::string two =
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /v1/trainers/1234/gaps HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
      server.Support() + "\r\n\r\n";
  ASSERT_EQ(::send(fd, two.data(), two.size(), 0), static_cast<ssize_t>(two.size()));
  const std::string answers = ReadUntil(fd, "unknown_trainer");
  ::close(fd);
  const auto first = answers.find("HTTP/1.1 200 OK");
  const auto second = answers.find("HTTP/1.1 404 Not Found");
  ASSERT_NE(first, std::string::npos) << answers;
  ASSERT_NE(second, std::string::npos) << answers;
  EXPECT_LT(first, second);
  EXPECT_NE(answers.find(R"({"status":"ok"})"), std::string::npos) << answers;
}

TEST(OneWriteServer, SendsContinueBeforeTheBodyIsSent) {
  TestServer server;
  const int fd = ConnectLoopback(server.port());
  ASSERT_GE(fd, 0);
  const std::string body = R"({"command":"StartRenewal"})";
  const std::string head =
      "POST /v1/trainers/1234/commands HTTP/1.1\r\nHost: x\r\n"
      "Authorization: Bearer " +
      server.Support() +
      "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n";
  ASSERT_EQ(::send(fd, head.data(), head.size(), 0), static_cast<ssize_t>(head.size()));
  EXPECT_EQ(ReadUntil(fd, "\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_EQ(::send(fd, body.data(), body.size(), 0), static_cast<ssize_t>(body.size()));
  const std::string answer = ReadUntil(fd, "unknown_trainer");
  ::close(fd);
  EXPECT_NE(answer.find("HTTP/1.1 404 Not Found"), std::string::npos) << answer;
  EXPECT_NE(answer.find("unknown_trainer"), std::string::npos) << answer;
}

// How long `fd`'s server keeps a connection whose client sends a line of `trickle` every 200 ms
// after `first`: until the server closes it, or `give_up` has passed.
std::chrono::milliseconds TimeKeptWhileTrickling(int fd, const std::string& first,
                                                 const std::string& trickle,
                                                 std::chrono::seconds give_up) {
  const auto started = std::chrono::steady_clock::now();
  ::send(fd, first.data(), first.size(), MSG_NOSIGNAL);
  while (std::chrono::steady_clock::now() - started < give_up) {
    pollfd watched{fd, POLLIN, 0};
    if (::poll(&watched, 1, 200) > 0) {
      char buffer[4096];
      if (::recv(fd, buffer, sizeof(buffer), 0) <= 0) break;  // closed
      continue;  // an answer (the 400 before the close)
    }
    if (::send(fd, trickle.data(), trickle.size(), MSG_NOSIGNAL) < 0) break;
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               started);
}

// Regression (slowloris): each byte restarted the read time-out, so a client sending a header line
// every few seconds kept its worker thread for ever, and enough of them froze the server. A head
// must be whole within the read time-out; a body within it plus a second per 64 KiB declared.
// A bare OneWriteServer on loopback with `GET /healthz` ("ok") and `POST /echo`, set up by
// `configure` before it listens.
class BareServer {
 public:
  explicit BareServer(const std::function<void(OneWriteServer&)>& configure) {
    configure(server_);
    server_.Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
      response.set_content("ok", "text/plain");
    });
    server_.Post("/echo", [](const httplib::Request& request, httplib::Response& response) {
      response.set_content(request.body, "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot bind a loopback port");
    serving_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~BareServer() {
    server_.stop();
    serving_.join();
  }
  int port() const { return port_; }

 private:
  OneWriteServer server_;
  int port_ = 0;
  std::thread serving_;
};

TEST(OneWriteServer, ATricklingClientIsCutOffAtItsDeadline) {
  BareServer server([](OneWriteServer& bare) { bare.set_read_timeout(std::chrono::seconds(1)); });
  const int port = server.port();

  const int head = ConnectLoopback(port);
  ASSERT_GE(head, 0);
  const auto head_kept = TimeKeptWhileTrickling(head, "GET /healthz HTTP/1.1\r\nHost: x\r\n",
                                                "X-Slow: 1\r\n", std::chrono::seconds(6));
  ::close(head);
  EXPECT_LT(head_kept, std::chrono::seconds(3)) << "a trickling head kept its connection";

  const int body = ConnectLoopback(port);
  ASSERT_GE(body, 0);
  const auto body_kept =
      TimeKeptWhileTrickling(body, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n",
                             "b", std::chrono::seconds(6));
  ::close(body);
  EXPECT_LT(body_kept, std::chrono::seconds(3)) << "a trickling body kept its connection";

  // A client that sends its request at once is served as before, on a kept-alive connection.
  const std::string answer =
      RawExchange(port,
                  "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                  "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(RawStatus(answer), 200) << answer;
  EXPECT_NE(answer.find("hello"), std::string::npos) << answer;
  EXPECT_NE(answer.find("HTTP/1.1 200", 1), std::string::npos) << answer;
}

const std::string kKeptAliveHealthz = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

// Regression: a kept-alive connection held its worker thread for the whole keep-alive time-out
// while it sent nothing, so a client with as many idle connections as there are threads kept
// every other client waiting. While a connection waits for a thread, an idle one gives it up.
TEST(OneWriteServer, AnIdleConnectionGivesItsThreadToAWaitingOne) {
  BareServer server([](OneWriteServer& bare) {
    bare.SetWorkerThreads(1);
    bare.set_keep_alive_timeout(60);  // longer than any wait below
  });
  const int idle = ConnectLoopback(server.port());
  ASSERT_GE(idle, 0);
  ASSERT_EQ(::send(idle, kKeptAliveHealthz.data(), kKeptAliveHealthz.size(), 0),
            static_cast<ssize_t>(kKeptAliveHealthz.size()));
  ASSERT_NE(ReadUntil(idle, "ok").find("HTTP/1.1 200"), std::string::npos);

  // The only thread serves `idle`, which now sends nothing.
  const std::string answer =
      RawExchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(RawStatus(answer), 200) << "the waiting connection was not served: " << answer;
  char byte;
  EXPECT_EQ(::recv(idle, &byte, 1, 0), 0) << "the idle connection was not closed";
  ::close(idle);
}

TEST(OneWriteServer, AnIdleConnectionIsKeptWhileNobodyWaits) {
  BareServer server([](OneWriteServer& bare) {
    bare.SetWorkerThreads(2);
    bare.set_keep_alive_timeout(60);
  });
  const int kept = ConnectLoopback(server.port());
  ASSERT_GE(kept, 0);
  for (int request = 0; request < 2; ++request) {
    ASSERT_EQ(::send(kept, kKeptAliveHealthz.data(), kKeptAliveHealthz.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(kKeptAliveHealthz.size()));
    EXPECT_NE(ReadUntil(kept, "ok").find("HTTP/1.1 200"), std::string::npos)
        << "request " << request << " on the kept-alive connection";
    // Idle for several of the slices in which it looks for waiting connections.
    std::this_thread::sleep_for(
        std::chrono::milliseconds(4 * OneWriteServer::kIdleWhileOthersWaitMs));
  }
  ::close(kept);
}

}  // namespace
}  // namespace mct::admin::server::testing
