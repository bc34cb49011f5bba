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
// Prints one line of JSON: rate asked, commands answered per second, p50/p99/p999 latency in
// milliseconds, and the answers by class (2xx, 4xx, 5xx, transport failures).
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
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
  double rate = 0;  // 0: saturation
  double seconds = 10;
  uint64_t first_mcid = 6'000'000'000;
  int mistake_every = 20;  // one trainer in this many first sends the terms unticked
};

[[noreturn]] void Usage(const std::string& why) {
  std::cerr << "mct_load_bench: " << why
            << "\nusage: mct_load_bench --port P --token T [--host H] [--connections C] [--rate R]"
               " [--seconds S] [--first-mcid M]\n";
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
  if (options.connections <= 0 || options.seconds <= 0 || options.rate < 0) Usage("bad sizes");
  return options;
}

// One request of a session, rendered when the trainer's session starts.
struct SessionRequest {
  std::string body;
  httplib::Headers headers;
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

std::vector<SessionRequest> RenderSession(uint64_t mcid, bool unticked_first,
                                          const httplib::Headers& auth) {
  std::vector<SessionRequest> requests;
  for (const auto& body : RenewalSession(mcid, unticked_first)) {
    SessionRequest request{body.dump(), auth};
    if (body["command"] == "PlaceOrder")
      request.headers.emplace("Idempotency-Key", "order-" + std::to_string(mcid));
    requests.push_back(std::move(request));
  }
  return requests;
}

struct ConnectionFigures {
  std::vector<double> latencies_ms;
  uint64_t ok = 0, client_errors = 0, server_errors = 0, transport_errors = 0;
};

void RunConnection(const LoadOptions& options, int connection, Clock::time_point start,
                   Clock::time_point end, ConnectionFigures& figures) {
  httplib::Client client(options.host, options.port);
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::seconds(30));
  const httplib::Headers auth = {{"Authorization", "Bearer " + options.token}};
  // Open loop: this connection's share of the rate, its first send offset so that the
  // connections do not fire in step.
  const double interval_s = options.rate > 0 ? options.connections / options.rate : 0;
  const auto interval =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval_s));
  Clock::time_point due = start + interval * connection / options.connections;
  uint64_t next_mcid = options.first_mcid + static_cast<uint64_t>(connection) * 1'000'000;
  uint64_t trainer = 0;
  while (true) {
    const uint64_t mcid = next_mcid++;
    const auto session = RenderSession(mcid, ++trainer % options.mistake_every == 0, auth);
    const std::string path = "/v1/trainers/" + std::to_string(mcid) + "/commands";
    for (const auto& request : session) {
      if (options.rate > 0) {
        std::this_thread::sleep_until(due);
      } else {
        due = Clock::now();
      }
      if (due >= end) return;
      const auto result = client.Post(path, request.headers, request.body, "application/json");
      const double latency = std::chrono::duration<double, std::milli>(Clock::now() - due).count();
      if (due >= start) figures.latencies_ms.push_back(latency);
      if (!result) {
        ++figures.transport_errors;
      } else if (result->status >= 500) {
        ++figures.server_errors;
      } else if (result->status >= 400) {
        ++figures.client_errors;
      } else {
        ++figures.ok;
      }
      due += interval;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const LoadOptions options = ParseArgs(argc, argv);
  std::vector<ConnectionFigures> figures(static_cast<size_t>(options.connections));
  const auto start = Clock::now() + std::chrono::milliseconds(200);
  const auto end = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(options.seconds));
  std::vector<std::thread> threads;
  for (int connection = 0; connection < options.connections; ++connection) {
    threads.emplace_back(RunConnection, std::cref(options), connection, start, end,
                         std::ref(figures[static_cast<size_t>(connection)]));
  }
  for (auto& thread : threads) thread.join();
  ConnectionFigures total;
  for (auto& one : figures) {
    total.latencies_ms.insert(total.latencies_ms.end(), one.latencies_ms.begin(),
                              one.latencies_ms.end());
    total.ok += one.ok;
    total.client_errors += one.client_errors;
    total.server_errors += one.server_errors;
    total.transport_errors += one.transport_errors;
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
