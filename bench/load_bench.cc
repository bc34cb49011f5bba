// mct_load_bench: a load generator for mctd over HTTP. Each connection plays trainers through a
// whole renewal online, one command at a time, as the renewal tool's users would: enrol, record
// the certification, start the renewal, choose a profile, record a survey, confirm, accept the
// terms, enter a billing address, place a card order. A share of trainers first sends the terms
// unticked (a 422 the tool answers every day), as the demo generator's users make mistakes.
//
//   mct_load_bench --port P --token T [--connections C] [--rate R] [--seconds S] [--first-mcid M]
//                  [--threads T] [--answer-within S]
//
// --rate R (commands per second over all connections) runs an open loop: every connection has a
// schedule, and a command's latency runs from the moment it was due, not from when it was sent,
// so a stalled server cannot hide its queue (no coordinated omission). Without --rate, each
// connection sends its next command as soon as the last is answered: saturation.
//
// --threads T (default 2) event loops (libevent) carry the kept-alive connections, as pgbench
// spreads its clients over -j 2 threads for the PostgreSQL side of ops/load-bench.sh. Requests
// are written whole with one send() and answers parsed by http-parser as they arrive: a fifth to
// a third less CPU a command than libevent's HTTP client (which keeps each request's headers in
// lists and turns the socket's events on and off around every request), leaving the cores to the
// server. A command not answered within --answer-within S seconds (default 30) fails as a transport
// failure, and its connection is opened again.
//
// Prints one line of JSON: rate asked, commands answered per second, p50/p99/p999 latency in
// milliseconds, and the answers by class (2xx, 4xx, 5xx, transport failures: those of the warm-up
// included). Exits 1 when there were 5xx or transport failures, or no answer in the measured time.
#include <arpa/inet.h>
#include <event2/event.h>
#include <http_parser.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "admin/cli.h"
#include "bench/command_line.h"
#include "bench/percentile.h"
#include "domain/values.h"

namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

struct LoadOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string token;
  int connections = 64;
  int threads = 2;  // event loops carrying the connections
  double rate = 0;  // 0: saturation
  double seconds = 10;
  uint64_t first_mcid = 6'000'000'000;
  int mistake_every = 20;  // one trainer in this many first sends the terms unticked
  double answer_within = 30;  // seconds: a command unanswered this long has failed
};

[[noreturn]] void Fail(const std::string& why) {
  std::cerr << "mct_load_bench: " << why << "\n";
  std::exit(2);
}

LoadOptions ParseArgs(int argc, char** argv) {
  LoadOptions options;
  CLI::App app{"mct_load_bench: drives mctd over HTTP with the renewal tool's mix of commands",
               "mct_load_bench"};
  app.add_option("--host", options.host, "mctd's IPv4 address")
      ->capture_default_str()
      ->check(CLI::ValidIPV4);
  app.add_option("--port", options.port, "mctd's port")->required()->check(CLI::Range(1, 65535));
  app.add_option("--token", options.token, "a bearer token with the support role")->required();
  app.add_option("--connections", options.connections, "kept-alive connections")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--rate", options.rate, "commands per second over all connections (0: saturation)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--seconds", options.seconds, "the measured time")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--threads", options.threads, "event loops carrying the connections")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--answer-within", options.answer_within,
                 "seconds after which an unanswered command has failed")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--first-mcid", options.first_mcid, "the first trainer's MCID")
      ->capture_default_str();
  mct::bench::ParseCommandLineOrExit(app, argc, argv);
  options.threads = std::min(options.threads, options.connections);
  return options;
}

// One request of a session, rendered when the trainer's session starts.
struct SessionRequest {
  std::string body;
  std::string idempotency_key;  // PlaceOrder's, sent as the Idempotency-Key header
};

// The commands of one trainer's renewal, in order, as request bodies.
std::vector<Json> RenewalSession(uint64_t mcid, bool unticked_first) {
  const mct::domain::Date today = mct::admin::Now().date();
  const std::string name = "Trainer " + std::to_string(mcid);
  std::string email = std::to_string(mcid);  // built in steps: GCC 12 warns wrongly on "t" + ...
  email.insert(0, 1, 't');
  email.append("@example.jp");
  std::vector<Json> out = {
      {{"command", "EnrollTrainer"},
       {"name", name},
       {"email", email},
       {"anniversary", today.AddDays(30).ToString()}},
      {{"command", "RecordCertification"},
       {"certification_id", "CERT-it_pro"},
       {"track", "it_pro"}},
      {{"command", "StartRenewal"}},
      {{"command", "ChooseProfile"}, {"employer_type", "freelance"}, {"track", "it_pro"}},
      {{"command", "RecordMtmSurvey"},
       {"course_name", "AZ-104T00 Microsoft Azure Administrator"},
       {"course_date", today.AddDays(-10).ToString()},
       {"average_score", 8.5}},
      {{"command", "ConfirmRequirements"}},
  };
  if (unticked_first) {
    out.push_back(
        {{"command", "AcceptTerms"}, {"accept_terms", false}, {"accept_payment_redirect", true}});
  }
  out.push_back(
      {{"command", "AcceptTerms"}, {"accept_terms", true}, {"accept_payment_redirect", true}});
  out.push_back({{"command", "EnterBillingAddress"},
                 {"first_name", "Hanako"},
                 {"last_name", "Sato"},
                 {"email", email},
                 {"email_confirmation", email},
                 {"phone", "+81-3-1234-5678"},
                 {"address1", "1-2-3 Shinjuku"},
                 {"address2", "Room 405"},
                 {"city", "Shinjuku-ku"},
                 {"state", "Tokyo"},
                 {"postal_code", "160-0022"},
                 {"country", "JP"}});
  out.push_back({{"command", "PlaceOrder"},
                 {"method", "credit_card"},
                 {"payer_name", "HANAKO SATO"},
                 {"confirmed", true},
                 {"card",
                  {{"holder", "HANAKO SATO"},
                   {"number", "2223003122003222"},
                   {"expiry", today.AddDays(800).ToString().substr(0, 7)},
                   {"security_code", "123"}}}});
  return out;
}

std::vector<SessionRequest> RenderSession(uint64_t mcid, bool unticked_first) {
  std::vector<SessionRequest> requests;
  for (const auto& body : RenewalSession(mcid, unticked_first)) {
    SessionRequest request{body.dump(), ""};
    if (body["command"] == "PlaceOrder") request.idempotency_key = "order-" + std::to_string(mcid);
    requests.push_back(std::move(request));
  }
  return requests;
}

struct ConnectionFigures {
  std::vector<double> latencies_ms;
  uint64_t ok = 0, client_errors = 0, server_errors = 0, transport_errors = 0;
};

struct Loop;

// One kept-alive connection playing trainer after trainer, one command at a time.
struct Connection {
  Loop* loop = nullptr;
  int socket = -1;
  event* readable = nullptr;  // persistent while the socket is open
  event* writable = nullptr;  // added only while a request is partly sent
  event* timer = nullptr;     // open loop: fires when the next command is due
  http_parser parser{};
  bool answered = false;  // the parser completed the answer to the request in flight
  bool in_flight = false;
  std::string request;  // the request in flight, as sent
  size_t sent = 0;      // its bytes sent so far
  Clock::time_point sent_at;  // when it was handed to the socket
  uint64_t next_mcid = 0;
  uint64_t trainers = 0;
  std::string path;
  std::vector<SessionRequest> session;
  size_t next = 0;  // the next request of `session`
  Clock::time_point due;
  ConnectionFigures figures;
};

// One thread's event loop and its connections.
struct Loop {
  const LoadOptions* options = nullptr;
  event_base* base = nullptr;
  std::string authorization;
  sockaddr_in server{};
  Clock::time_point start, end;
  Clock::duration interval{};
  std::vector<std::unique_ptr<Connection>> connections;
  size_t running = 0;
  // Every 100 ms: fails the commands unanswered for --answer-within, so that a stalled server ends
  // the run instead of hanging it.
  event* deadlines = nullptr;
  Clock::duration answer_within{};
};

void SendNext(Connection& connection);
void OnReadable(evutil_socket_t, short, void* argument);
void OnWritable(evutil_socket_t, short, void* argument);

int OnMessageComplete(http_parser* parser) {
  static_cast<Connection*>(parser->data)->answered = true;
  return 0;
}

const http_parser_settings& ParserSettings() {
  static const http_parser_settings settings = [] {
    http_parser_settings made;
    http_parser_settings_init(&made);
    made.on_message_complete = OnMessageComplete;
    return made;
  }();
  return settings;
}

void Disconnect(Connection& connection) {
  if (connection.socket < 0) return;
  event_free(connection.readable);
  event_free(connection.writable);
  connection.readable = connection.writable = nullptr;
  ::close(connection.socket);
  connection.socket = -1;
}

// Opens the connection without blocking the loop: the request is sent once the socket is
// connected (a send before that waits for the socket to be writable; a refused connection fails
// the send).
bool Connect(Connection& connection) {
  Loop& loop = *connection.loop;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) return false;
  const int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&loop.server), sizeof(loop.server)) != 0 &&
      errno != EINPROGRESS) {
    ::close(fd);
    return false;
  }
  connection.socket = fd;
  connection.answered = false;
  connection.readable = event_new(loop.base, fd, EV_READ | EV_PERSIST, OnReadable, &connection);
  connection.writable = event_new(loop.base, fd, EV_WRITE, OnWritable, &connection);
  event_add(connection.readable, nullptr);
  http_parser_init(&connection.parser, HTTP_RESPONSE);
  connection.parser.data = &connection;
  return true;
}

// The answer to the request in flight: `status` 0 when the connection failed instead.
void OnAnswer(Connection& connection, int status) {
  connection.in_flight = false;
  const bool measured = connection.due >= connection.loop->start;
  if (status == 0) {  // no answer at all: counted (in the warm-up too), but it has no latency
    ++connection.figures.transport_errors;
  } else {
    if (measured) {
      connection.figures.latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - connection.due).count());
    }
    if (status >= 500) {
      ++connection.figures.server_errors;
    } else if (status >= 400) {
      ++connection.figures.client_errors;
    } else {
      ++connection.figures.ok;
    }
  }
  ++connection.next;
  connection.due += connection.loop->interval;
  SendNext(connection);
}

// The request in flight failed without an answer. Answered from the loop, not from here, so that
// a server that refuses or drops every connection does not recurse through every command.
void FailLater(Connection& connection) {
  const timeval now{0, 0};
  event_base_once(
      connection.loop->base, -1, EV_TIMEOUT,
      [](evutil_socket_t, short, void* argument) {
        OnAnswer(*static_cast<Connection*>(argument), 0);
      },
      &connection, &now);
}

// The connection broke: the request in flight (if any) failed; the next one reconnects.
void Broken(Connection& connection) {
  Disconnect(connection);
  if (connection.in_flight) FailLater(connection);
}

// Sends what is left of the request in flight; waits for the socket when it is full.
void Flush(Connection& connection) {
  while (connection.sent < connection.request.size()) {
    const ssize_t wrote = ::send(connection.socket, connection.request.data() + connection.sent,
                                 connection.request.size() - connection.sent, MSG_NOSIGNAL);
    if (wrote > 0) {
      connection.sent += static_cast<size_t>(wrote);
    } else if (wrote < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      event_add(connection.writable, nullptr);
      return;
    } else if (wrote < 0 && errno == EINTR) {
      continue;
    } else {
      return Broken(connection);
    }
  }
}

void OnWritable(evutil_socket_t, short, void* argument) {
  Flush(*static_cast<Connection*>(argument));
}

void OnReadable(evutil_socket_t, short, void* argument) {
  auto& connection = *static_cast<Connection*>(argument);
  char buffer[64 * 1024];
  const ssize_t got = ::recv(connection.socket, buffer, sizeof(buffer), 0);
  if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (got <= 0 || !connection.in_flight) return Broken(connection);  // closed, or unasked bytes
  const size_t parsed =
      http_parser_execute(&connection.parser, &ParserSettings(), buffer, static_cast<size_t>(got));
  if (parsed != static_cast<size_t>(got) || HTTP_PARSER_ERRNO(&connection.parser) != HPE_OK) {
    return Broken(connection);
  }
  if (!connection.answered) return;  // more of the answer to come
  connection.answered = false;
  const int status = static_cast<int>(connection.parser.status_code);
  // The server ends the connection after this answer (its keep-alive limit), or answered before
  // the whole request was sent (whose rest would run into the next one): the client ends it too,
  // and the next command opens a new one.
  if (!http_should_keep_alive(&connection.parser) || connection.sent < connection.request.size()) {
    Disconnect(connection);
  }
  OnAnswer(connection, status);
}

void Send(Connection& connection) {
  if (connection.socket < 0 && !Connect(connection)) {
    connection.in_flight = true;
    return FailLater(connection);
  }
  const SessionRequest& request = connection.session[connection.next];
  std::string& out = connection.request;
  out.clear();
  out.append("POST ").append(connection.path).append(" HTTP/1.1\r\nHost: ");
  out.append(connection.loop->options->host).append("\r\nAuthorization: ");
  out.append(connection.loop->authorization);
  out.append("\r\nContent-Type: application/json\r\nContent-Length: ");
  out.append(std::to_string(request.body.size())).append("\r\n");
  if (!request.idempotency_key.empty()) {
    out.append("Idempotency-Key: ").append(request.idempotency_key).append("\r\n");
  }
  out.append("\r\n").append(request.body);
  connection.sent = 0;
  connection.sent_at = Clock::now();
  connection.in_flight = true;
  Flush(connection);
}

void OnDue(evutil_socket_t, short, void* argument) { Send(*static_cast<Connection*>(argument)); }

// Sends the connection's next command now, when it falls due, or never (the run is over).
void SendNext(Connection& connection) {
  Loop& loop = *connection.loop;
  if (connection.next >= connection.session.size()) {
    const uint64_t mcid = connection.next_mcid++;
    connection.session =
        RenderSession(mcid, ++connection.trainers % loop.options->mistake_every == 0);
    connection.path = "/v1/trainers/" + std::to_string(mcid) + "/commands";
    connection.next = 0;
  }
  const auto now = Clock::now();
  if (loop.options->rate <= 0) connection.due = now;
  if (connection.due >= loop.end) {
    if (--loop.running == 0) event_base_loopbreak(loop.base);
    return;
  }
  if (connection.due <= now) return Send(connection);
  const auto wait = std::chrono::duration_cast<std::chrono::microseconds>(connection.due - now);
  const timeval delay{static_cast<time_t>(wait.count() / 1'000'000),
                      static_cast<suseconds_t>(wait.count() % 1'000'000)};
  evtimer_add(connection.timer, &delay);
}

void FailOverdue(evutil_socket_t, short, void* argument) {
  Loop& loop = *static_cast<Loop*>(argument);
  const auto now = Clock::now();
  for (auto& connection : loop.connections) {
    if (connection->in_flight && connection->socket >= 0 &&
        now - connection->sent_at > loop.answer_within) {
      Broken(*connection);
    }
  }
}

void RunLoop(Loop& loop) {
  loop.deadlines = event_new(loop.base, -1, EV_PERSIST, FailOverdue, &loop);
  const timeval every_tenth{0, 100'000};
  event_add(loop.deadlines, &every_tenth);
  for (auto& connection : loop.connections) SendNext(*connection);
  if (loop.running > 0) event_base_dispatch(loop.base);
}

}  // namespace

int main(int argc, char** argv) {
  const LoadOptions options = ParseArgs(argc, argv);
  const auto start = Clock::now() + std::chrono::milliseconds(200);
  const auto end = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(options.seconds));
  // Open loop: each connection's share of the rate, its first send offset so that the
  // connections do not fire in step.
  const double interval_s = options.rate > 0 ? options.connections / options.rate : 0;
  const auto interval =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval_s));
  std::vector<Loop> loops(static_cast<size_t>(options.threads));
  for (auto& loop : loops) {
    loop.options = &options;
    // Precise timers (a timerfd): epoll's millisecond timeouts would send each paced command up to
    // a millisecond late, and that lateness would count as the server's latency.
    event_config* config = event_config_new();
    event_config_set_flag(config, EVENT_BASE_FLAG_PRECISE_TIMER);
    loop.base = event_base_new_with_config(config);
    event_config_free(config);
    if (loop.base == nullptr) Fail("cannot make an event loop");
    loop.authorization = "Bearer " + options.token;
    loop.server.sin_family = AF_INET;
    loop.server.sin_port = htons(static_cast<uint16_t>(options.port));
    if (::inet_pton(AF_INET, options.host.c_str(), &loop.server.sin_addr) != 1) {
      Fail("--host: not an IPv4 address: " + options.host);
    }
    loop.start = start;
    loop.end = end;
    loop.interval = interval;
    loop.answer_within = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(options.answer_within));
  }
  for (int index = 0; index < options.connections; ++index) {
    Loop& loop = loops[static_cast<size_t>(index % options.threads)];
    auto connection = std::make_unique<Connection>();
    connection->loop = &loop;
    connection->timer = evtimer_new(loop.base, OnDue, connection.get());
    connection->next_mcid = options.first_mcid + static_cast<uint64_t>(index) * 1'000'000;
    connection->due = start + interval * index / options.connections;
    loop.connections.push_back(std::move(connection));
    ++loop.running;
  }
  std::vector<std::thread> threads;
  for (auto& loop : loops) threads.emplace_back(RunLoop, std::ref(loop));
  for (auto& thread : threads) thread.join();
  ConnectionFigures total;
  for (auto& loop : loops) {
    for (auto& connection : loop.connections) {
      const ConnectionFigures& one = connection->figures;
      total.latencies_ms.insert(total.latencies_ms.end(), one.latencies_ms.begin(),
                                one.latencies_ms.end());
      total.ok += one.ok;
      total.client_errors += one.client_errors;
      total.server_errors += one.server_errors;
      total.transport_errors += one.transport_errors;
      event_free(connection->timer);
      Disconnect(*connection);
    }
    event_free(loop.deadlines);
    event_base_free(loop.base);
  }
  std::sort(total.latencies_ms.begin(), total.latencies_ms.end());
  const Json report = {
      {"connections", options.connections},
      {"rate_asked", options.rate},
      {"commands_per_second", static_cast<double>(total.latencies_ms.size()) / options.seconds},
      {"p50_ms", mct::bench::PercentileOfSorted(total.latencies_ms, 0.50)},
      {"p99_ms", mct::bench::PercentileOfSorted(total.latencies_ms, 0.99)},
      {"p999_ms", mct::bench::PercentileOfSorted(total.latencies_ms, 0.999)},
      {"answers_2xx", total.ok},
      {"answers_4xx", total.client_errors},
      {"answers_5xx", total.server_errors},
      {"transport_failures", total.transport_errors},
  };
  std::cout << report.dump() << "\n";
  // A run with server errors, lost commands or no answer at all has measured nothing.
  return total.server_errors + total.transport_errors == 0 && !total.latencies_ms.empty() ? 0 : 1;
}
