// mct_load_bench: a load generator for mctd over HTTP. Each connection plays trainers through a
// whole renewal online, one command at a time, as the renewal tool's users would: enrol, record
// the certification, start the renewal, choose a profile, record a survey, confirm, accept the
// terms, enter a billing address, place a card order. A share of trainers first sends the terms
// unticked (a 422 the tool answers every day), as the demo generator's users make mistakes.
//
//   mct_load_bench --port P --token T [--connections C] [--rate R] [--seconds S] [--first-mcid M]
//
// --rate R (commands per second over all connections) runs an open loop: every connection has a
// schedule, and a command's latency runs from the moment it was due, not from when it was sent,
// so a stalled server cannot hide its queue (no coordinated omission). Without --rate, each
// connection sends its next command as soon as the last is answered: saturation.
//
// --threads T (default 2) event loops carry the connections (libevent's HTTP client, keep-alive),
// so the generator spends under 20 microseconds per command and leaves the cores to the server,
// as pgbench does with its -j 2 threads for the PostgreSQL side of ops/load-bench.sh.
//
// Prints one line of JSON: rate asked, commands answered per second, p50/p99/p999 latency in
// milliseconds, and the answers by class (2xx, 4xx, 5xx, transport failures).
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

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
};

[[noreturn]] void Usage(const std::string& why) {
  std::cerr << "mct_load_bench: " << why
            << "\nusage: mct_load_bench --port P --token T [--host H] [--connections C] [--rate R]"
               " [--seconds S] [--first-mcid M] [--threads T]\n";
  std::exit(2);
}

LoadOptions ParseArgs(int argc, char** argv) {
  LoadOptions options;
  for (int index = 1; index < argc; ++index) {
    const std::string arg = argv[index];
    if (index + 1 >= argc) Usage("missing a value after " + arg);
    const std::string value = argv[++index];
    try {
      if (arg == "--host")
        options.host = value;
      else if (arg == "--port")
        options.port = std::stoi(value);
      else if (arg == "--token")
        options.token = value;
      else if (arg == "--connections")
        options.connections = std::stoi(value);
      else if (arg == "--rate")
        options.rate = std::stod(value);
      else if (arg == "--seconds")
        options.seconds = std::stod(value);
      else if (arg == "--first-mcid")
        options.first_mcid = std::stoull(value);
      else
        Usage("unknown option " + arg);
    } catch (const std::exception&) {
      Usage("not a number: " + arg + " " + value);
    }
  }
  if (options.port <= 0 || options.token.empty()) Usage("--port and --token are required");
  if (options.connections <= 0 || options.threads <= 0 || options.seconds <= 0 ||
      options.rate < 0) {
    Usage("bad sizes");
  }
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
  evhttp_connection* http = nullptr;
  event* timer = nullptr;  // open loop: fires when the next command is due
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
  Clock::time_point start, end;
  Clock::duration interval{};
  std::vector<std::unique_ptr<Connection>> connections;
  size_t running = 0;
};

void SendNext(Connection& connection);

void OnAnswer(evhttp_request* answer, void* argument) {
  auto& connection = *static_cast<Connection*>(argument);
  const int status = answer == nullptr ? 0 : evhttp_request_get_response_code(answer);
  const bool measured = connection.due >= connection.loop->start;
  if (status == 0) {  // no answer at all: counted, but it has no latency and is not throughput
    if (measured) ++connection.figures.transport_errors;
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

void Send(Connection& connection) {
  const SessionRequest& request = connection.session[connection.next];
  evhttp_request* sent = evhttp_request_new(OnAnswer, &connection);
  evkeyvalq* headers = evhttp_request_get_output_headers(sent);
  evhttp_add_header(headers, "Host", connection.loop->options->host.c_str());
  evhttp_add_header(headers, "Authorization", connection.loop->authorization.c_str());
  evhttp_add_header(headers, "Content-Type", "application/json");
  evhttp_add_header(headers, "Content-Length", std::to_string(request.body.size()).c_str());
  if (!request.idempotency_key.empty()) {
    evhttp_add_header(headers, "Idempotency-Key", request.idempotency_key.c_str());
  }
  evbuffer_add(evhttp_request_get_output_buffer(sent), request.body.data(), request.body.size());
  // On failure libevent has freed the request without calling back: answer it from the loop, not
  // from here, so that a connection failing at once does not recurse through every command.
  if (evhttp_make_request(connection.http, sent, EVHTTP_REQ_POST, connection.path.c_str()) != 0) {
    const timeval now{0, 0};
    event_base_once(
        connection.loop->base, -1, EV_TIMEOUT,
        [](evutil_socket_t, short, void* argument) { OnAnswer(nullptr, argument); }, &connection,
        &now);
  }
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

void RunLoop(Loop& loop) {
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
    // The HTTP client turns a connection's read and write events on and off around every
    // request: six epoll_ctl calls a command, applied at once. A changelist applies what is left
    // of them before each wait (two a command): 16 to 19 µs of CPU a command instead of 21 to 23.
    event_config_set_flag(config, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    loop.base = event_base_new_with_config(config);
    event_config_free(config);
    if (loop.base == nullptr) Usage("cannot make an event loop");
    loop.authorization = "Bearer " + options.token;
    loop.start = start;
    loop.end = end;
    loop.interval = interval;
  }
  for (int index = 0; index < options.connections; ++index) {
    Loop& loop = loops[static_cast<size_t>(index % options.threads)];
    auto connection = std::make_unique<Connection>();
    connection->loop = &loop;
    connection->http = evhttp_connection_base_new(loop.base, nullptr, options.host.c_str(),
                                                  static_cast<uint16_t>(options.port));
    if (connection->http == nullptr) Usage("cannot make a connection to " + options.host);
    evhttp_connection_set_timeout(connection->http, 30);
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
      evhttp_connection_free(connection->http);
    }
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
  return total.server_errors + total.transport_errors == 0 ? 0 : 1;
}
