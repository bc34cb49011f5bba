// mct_event_loop_server: mctd's command path behind an event-driven front door, to measure what
// the thread-per-connection HTTP library costs mctd (bench/README.md, "An event-loop front door").
//
// It serves `POST /v1/trainers/{mcid}/commands` with the same work as mctd's commands route: the
// bearer token checked against the data directory's tokens, the body decoded by
// DecodeCommandRequest, the command decided and appended through CommandService::HandleAsync (the
// group commit, durable before the answer), the answer rendered by RenderCommandReply, the same
// metrics counted, and the projection runner kept up with the log as mctd keeps it. What differs
// is only the front door: libevent's evhttp on event-loop threads (one by default) instead of
// cpp-httplib's thread per connection. A command waits for its WAL sync without a thread of its
// own; the store's callback queues its answer for the loop that took the request, and that loop
// sends every queued answer when it next wakes. Several loops accept on the one listening socket.
// It serves nothing else but /readyz: it is a measurement, not a second server.
//
//   mct_event_loop_server --data DIR --port P [--loops N]     (port 0: any free port)
//
// Prints "listening on PORT" on stdout once it accepts connections; runs until SIGTERM or SIGINT.
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "admin/server/command_request.h"
#include "admin/server/metrics.h"
#include "admin/server/runner_loop.h"
#include "admin/server/tokens.h"
#include "admin/store.h"
#include "bench/command_line.h"
#include "bench/evhttp_serving.h"

namespace {

using mct::admin::server::CommandReply;
using Clock = std::chrono::steady_clock;

[[noreturn]] void Fail(const std::string& why) {
  std::cerr << "mct_event_loop_server: " << why << "\n";
  std::exit(1);
}

// One answer on its way from the store's callback to the loop.
struct QueuedAnswer {
  evhttp_request* request;
  mct::Result<mct::consumers::CommandAnswer> answer;
  std::string command_id;
  std::string_view command;  // for the metrics' label
  Clock::time_point started;
};

// One event loop with its HTTP server; the store, tokens, metrics and runner are every loop's.
struct Server {
  mct::admin::Store* store = nullptr;
  mct::admin::server::TokenStore* tokens = nullptr;
  mct::admin::server::Metrics* metrics = nullptr;
  mct::admin::server::RunnerLoop* runner = nullptr;
  event_base* base = nullptr;
  evhttp* http = nullptr;
  event* answers_ready = nullptr;  // activated by the store's threads when `queue` fills
  std::mutex queue_mutex;
  std::vector<QueuedAnswer> queue;
};

void Send(Server& server, evhttp_request* request, int status, const std::string& body) {
  server.metrics->HttpAnswered(status);
  evhttp_add_header(evhttp_request_get_output_headers(request), "Content-Type", "application/json");
  evbuffer* out = evbuffer_new();
  evbuffer_add(out, body.data(), body.size());
  evhttp_send_reply(request, status, nullptr, out);
  evbuffer_free(out);
}

// On the loop: sends every answer the store's threads queued since the last time.
void SendQueuedAnswers(evutil_socket_t, short, void* argument) {
  auto& server = *static_cast<Server*>(argument);
  std::vector<QueuedAnswer> answers;
  {
    std::lock_guard lock(server.queue_mutex);
    answers.swap(server.queue);
  }
  for (auto& answer : answers) {
    const double seconds = std::chrono::duration<double>(Clock::now() - answer.started).count();
    // Rendered here rather than in the callback: the store's threads carry the group commit,
    // and every microsecond they spend on an answer delays the next batch.
    const CommandReply reply =
        mct::admin::server::RenderCommandReply(answer.answer, answer.command_id);
    server.metrics->CommandAnswered(answer.command, reply.outcome, reply.code, seconds);
    if (reply.outcome == "accepted") server.runner->Wake();
    Send(server, answer.request, reply.status, reply.body);
  }
}

// The trainer's MCID of "/v1/trainers/{mcid}/commands", or nullopt for any other path.
std::optional<std::string_view> CommandsRouteMcid(std::string_view path) {
  constexpr std::string_view kPrefix = "/v1/trainers/";
  constexpr std::string_view kSuffix = "/commands";
  if (path.size() <= kPrefix.size() + kSuffix.size() || path.substr(0, kPrefix.size()) != kPrefix ||
      path.substr(path.size() - kSuffix.size()) != kSuffix) {
    return std::nullopt;
  }
  const std::string_view mcid =
      path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size());
  if (mcid.find('/') != std::string_view::npos) return std::nullopt;
  return mcid;
}

std::string Header(evhttp_request* request, const char* name) {
  const char* value = evhttp_find_header(evhttp_request_get_input_headers(request), name);
  return value == nullptr ? "" : value;
}

void HandleRequest(evhttp_request* request, void* argument) {
  auto& server = *static_cast<Server*>(argument);
  const evhttp_uri* uri = evhttp_request_get_evhttp_uri(request);
  const char* path_text = uri == nullptr ? nullptr : evhttp_uri_get_path(uri);
  const std::string_view path = path_text == nullptr ? "" : path_text;
  if (path == "/readyz") return Send(server, request, 200, R"({"status":"ready"})");
  const auto mcid = CommandsRouteMcid(path);
  if (!mcid || evhttp_request_get_command(request) != EVHTTP_REQ_POST) {
    return Send(server, request, 404,
                mct::admin::server::ErrorBody("not_found", "only the commands route is served"));
  }
  const std::string authorization = Header(request, "Authorization");
  const std::string token =
      authorization.rfind("Bearer ", 0) == 0 ? authorization.substr(7) : std::string();
  const auto actor = server.tokens->Authenticate(token);
  if (!actor) {
    return Send(server, request, 401,
                mct::admin::server::ErrorBody("unauthorized", "the token is not valid"));
  }
  evbuffer* input = evhttp_request_get_input_buffer(request);
  const size_t length = evbuffer_get_length(input);
  const std::string_view body(reinterpret_cast<const char*>(evbuffer_pullup(input, -1)), length);
  const std::string content_type = Header(request, "Content-Type");
  const std::string idempotency_key = Header(request, "Idempotency-Key");
  auto decoded = mct::admin::server::DecodeCommandRequest(
      {*mcid, content_type, body, idempotency_key, *actor}, 64 * 1024);
  if (const auto* refusal = std::get_if<mct::admin::server::CommandRefusal>(&decoded)) {
    server.metrics->CommandRefused(refusal->command, "invalid_input");
    return Send(server, request, refusal->status,
                mct::admin::server::ErrorBody("invalid_input", refusal->message));
  }
  auto& [command, id_origin] = std::get<mct::admin::server::DecodedCommand>(decoded);
  const Clock::time_point started = Clock::now();
  const std::string_view name = mct::domain::CommandName(command.body);
  server.store->commands->HandleAsync(
      command, id_origin,
      [&server, request, name, started,
       command_id = command.command_id](mct::Result<mct::consumers::CommandAnswer> answer) mutable {
        QueuedAnswer queued{request, std::move(answer), std::move(command_id), name, started};
        bool first = false;
        {
          std::lock_guard lock(server.queue_mutex);
          first = server.queue.empty();
          server.queue.push_back(std::move(queued));
        }
        // One wake-up of the loop carries every answer queued before it runs.
        if (first) event_active(server.answers_ready, EV_READ, 0);
      });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "mct_event_loop_server: mctd's command path behind libevent's evhttp (a measurement)",
      "mct_event_loop_server"};
  std::string data;
  int port = 0;
  int loops = 1;
  app.add_option("--data", data, "the data directory (its tokens and store)")->required();
  app.add_option("--port", port, "the port on 127.0.0.1 (0: any free port)")
      ->required()
      ->check(CLI::Range(0, 65535));
  app.add_option("--loops", loops, "event loops, each accepting on the one socket")
      ->check(CLI::Range(1, 16));
  mct::bench::ParseCommandLineOrExit(app, argc, argv);

  auto opened = mct::admin::Store::Open(data);
  if (!opened.ok()) Fail(opened.error().message);
  auto store = std::move(opened).value();
  mct::admin::server::TokenStore tokens(data);
  mct::admin::server::Metrics metrics;
  // The read models kept up with the log as mctd keeps them.
  std::optional<mct::admin::server::RunnerLoop> runner;
  runner.emplace(*store, [](const mct::Result<uint64_t>& caught_up) {
    if (!caught_up.ok()) {
      std::cerr << "mct_event_loop_server: the projection runner failed: "
                << caught_up.error().message << "\n";
    }
  });

  // The store's threads activate the loops' answer events, so the loops must take locks.
  if (evthread_use_pthreads() != 0) Fail("libevent has no thread support");
  std::vector<std::unique_ptr<Server>> servers;
  for (int index = 0; index < loops; ++index) {
    auto& server = *servers.emplace_back(std::make_unique<Server>());
    server.store = store.get();
    server.tokens = &tokens;
    server.metrics = &metrics;
    server.runner = &*runner;
    server.base = event_base_new();
    if (server.base == nullptr) Fail("cannot make an event loop");
    server.answers_ready = event_new(server.base, -1, 0, SendQueuedAnswers, &server);
    server.http = evhttp_new(server.base);
    evhttp_set_allowed_methods(server.http, EVHTTP_REQ_POST | EVHTTP_REQ_GET);
    evhttp_set_max_body_size(server.http, 64 * 1024);
    evhttp_set_gencb(server.http, HandleRequest, &server);
  }
  evutil_socket_t listening = -1;
  const auto bound = mct::bench::ListenOnLoopback(servers.front()->http, port, &listening);
  if (!bound) Fail("cannot listen on port " + std::to_string(port));
  std::vector<std::thread> other_loops;
  for (size_t index = 1; index < servers.size(); ++index) {
    // A socket of its own to close when freed, on the same listening socket: the kernel hands
    // each connection to whichever loop accepts it first.
    if (evhttp_accept_socket(servers[index]->http, ::dup(listening)) != 0) {
      Fail("cannot accept on the listening socket from a second loop");
    }
    other_loops.emplace_back([base = servers[index]->base] { event_base_dispatch(base); });
  }
  mct::bench::ServeUntilStopped(servers.front()->base, *bound);
  for (size_t index = 1; index < servers.size(); ++index) {
    event_base_loopbreak(servers[index]->base);
  }
  for (auto& loop : other_loops) loop.join();
  // Commands still in the group commit are answered as the store closes (their answers are dropped
  // with the loops), after the runner stopped reading it.
  runner.reset();
  store.reset();
  for (auto& server : servers) {
    evhttp_free(server->http);
    event_free(server->answers_ready);
    event_base_free(server->base);
  }
  return 0;
}
