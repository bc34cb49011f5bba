// mct_http_floor_bench: what an HTTP server library costs before mctd does any work. It serves
// `POST /v1/trainers/{mcid}/commands` the way mctd's front door receives it (the whole JSON body
// read, the Authorization header looked at) and answers every command with the same 200 JSON
// answer, of the size and shape of mctd's answer to an enrolment (about 600 bytes), with no JSON
// parsed, no rule run and nothing written. Driven by mct_load_bench like mctd, it shows how many
// commands per second, and how much CPU per command, the front door alone takes on this machine
// (ops/load-bench.sh prints both libraries beside mctd).
//
//   mct_http_floor_bench --server httplib|evhttp --port P     (port 0: any free port)
//
// Prints "listening on PORT" on stdout once it accepts connections; runs until SIGTERM or SIGINT.
// httplib: cpp-httplib with mctd's own connection loop (admin/server/one_write_server.h) and 64
// worker threads, as mctd runs it. evhttp: libevent's HTTP server on one event-loop thread.
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <httplib.h>
#include <pthread.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include "admin/server/one_write_server.h"
#include "bench/command_line.h"
#include "bench/evhttp_serving.h"

namespace {

std::string CannedAnswer() {
  std::string events =
      R"({"event":"TrainerEnrolled","mcid":"6000000000","at":"2026-11-26T10:00:00.000000Z",)"
      R"("actor":{"role":"support","id":"load"},"command_id":"http-0000000000000000-0000000000000000",)"
      R"("correlation_id":"http-0000000000000000-0000000000000000","causation_id":)"
      R"("http-0000000000000000-0000000000000000","name":"Trainer 6000000000","email":)"
      R"("t6000000000@example.jp","anniversary":"2026-12-26","stream_version":1,)"
      R"("global_position":1,"prev_hash":"","hash":)"
      R"("0000000000000000000000000000000000000000000000000000000000000000"})";
  return R"({"outcome":"accepted","command_id":"http-0000000000000000-0000000000000000",)"
         R"("events":[)" +
         events + "]}";
}

const std::string kAnswer = CannedAnswer();

[[noreturn]] void Fail(const std::string& why) {
  std::cerr << "mct_http_floor_bench: " << why << "\n";
  std::exit(1);
}

// SIGTERM and SIGINT, blocked in every thread and awaited by one: stopping a server is not
// something a signal handler may do.
sigset_t StopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  return signals;
}

int ServeHttplib(int port) {
  mct::admin::server::OneWriteServer server;
  server.new_task_queue = [] { return new httplib::ThreadPool(64); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(10000);
  server.set_keep_alive_timeout(1);
  server.Post(R"(/v1/trainers/([^/]+)/commands)",
              [](const httplib::Request& request, httplib::Response& response) {
                if (request.get_header_value("Authorization").empty() || request.body.empty()) {
                  response.status = 401;
                  return;
                }
                response.set_content(kAnswer, "application/json");
              });
  const int bound = port == 0 ? server.bind_to_any_port("127.0.0.1")
                              : (server.bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound <= 0) Fail("cannot listen on port " + std::to_string(port));
  const sigset_t signals = StopSignals();
  std::thread stopper([&server, signals] {
    int signal = 0;
    sigwait(&signals, &signal);
    // The library ignores a stop before its accept loop runs.
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    server.stop();
  });
  std::cout << "listening on " << bound << std::endl;
  server.listen_after_bind();
  stopper.join();
  return 0;
}

void AnswerCommand(evhttp_request* request, void*) {
  const char* authorization =
      evhttp_find_header(evhttp_request_get_input_headers(request), "Authorization");
  evbuffer* body = evhttp_request_get_input_buffer(request);
  if (authorization == nullptr || evbuffer_get_length(body) == 0) {
    evhttp_send_error(request, 401, nullptr);
    return;
  }
  evbuffer_drain(body, evbuffer_get_length(body));
  evhttp_add_header(evhttp_request_get_output_headers(request), "Content-Type", "application/json");
  evbuffer* out = evbuffer_new();
  evbuffer_add_reference(out, kAnswer.data(), kAnswer.size(), nullptr, nullptr);
  evhttp_send_reply(request, 200, "OK", out);
  evbuffer_free(out);
}

int ServeEvhttp(int port) {
  event_base* base = event_base_new();
  evhttp* http = evhttp_new(base);
  evhttp_set_allowed_methods(http, EVHTTP_REQ_POST);
  evhttp_set_gencb(http, AnswerCommand, nullptr);
  const auto bound = mct::bench::ListenOnLoopback(http, port);
  if (!bound) Fail("cannot listen on port " + std::to_string(port));
  mct::bench::ServeUntilStopped(base, *bound);
  evhttp_free(http);
  event_base_free(base);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mct_http_floor_bench: what an HTTP server library costs per command",
               "mct_http_floor_bench"};
  std::string server;
  int port = 0;
  app.add_option("--server", server, "the library that answers")
      ->required()
      ->check(CLI::IsMember({"httplib", "evhttp"}));
  app.add_option("--port", port, "the port on 127.0.0.1 (0: any free port)")
      ->required()
      ->check(CLI::Range(0, 65535));
  mct::bench::ParseCommandLineOrExit(app, argc, argv);
  if (server == "httplib") {
    // Blocked before any thread starts, so that every thread inherits the mask.
    const sigset_t signals = StopSignals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    return ServeHttplib(port);
  }
  return ServeEvhttp(port);
}
