// mctd: the HTTP server of the MCT renewal back office on the embedded store.
//
// Configuration: admin/server/daemon_config.h (defaults, then a config file, the environment, the
// flags). SIGTERM or SIGINT: stop accepting, finish in-flight requests, bring
// the read models up to the log, flush, exit 0.
#include <pthread.h>
#include <spdlog/fmt/chrono.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <chrono>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "admin/server/daemon_config.h"
#include "admin/server/http_api.h"
#include "admin/server/openapi.h"
#include "admin/server/runner_loop.h"
#include "admin/store.h"

namespace {

// HOST:PORT, the port all digits (regression: "127.0.0.1:8080x" was taken as port 8080).
bool SplitListen(const std::string& listen, std::string* host, int* port) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  *host = listen.substr(0, colon);
  const std::string_view digits = std::string_view(listen).substr(colon + 1);
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), *port);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) return false;
  return *port >= 0 && *port < 65536 && !host->empty();
}

}  // namespace

int main(int argc, char** argv) {
  mct::admin::server::DaemonConfig config;
  config.data_dir = mct::admin::DefaultDataDir().string();
  config.web_root = MCT_WEB_ROOT;
  CLI::App app{"mctd: the HTTP server of the MCT renewal back office (embedded RocksDB store).",
               "mctd"};
  mct::admin::server::AddDaemonOptions(app, config);
  try {
    mct::admin::server::ParseDaemonArguments(app, argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  if (config.print_config) {
    std::cout << mct::admin::server::DaemonConfigJson(config).dump(2) << "\n";
    return 0;
  }

  if (config.print_openapi) {
    std::cout << mct::admin::server::OpenApiDocument().dump(2) << "\n";
    return 0;
  }
  // Structured logs: one JSON object per line on stderr.
  spdlog::set_default_logger(spdlog::stderr_logger_mt("mctd"));
  spdlog::set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","event":%v})", spdlog::pattern_time_type::utc);
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  // The server's life (listening, stopping, stopped) is logged whatever --log-level says, with the
  // same "ts" and "level" as spdlog's lines and its fields at the top, where scripts look for them.
  auto log = [](const char* level, const nlohmann::json& fields) {
    const auto now = std::chrono::system_clock::now();
    const auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(now);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now - seconds).count();
    nlohmann::json line = {{"ts", fmt::format("{:%FT%T}.{:03}Z", seconds, millis)},
                           {"level", level}};
    line.update(fields);
    std::cerr << line.dump() << std::endl;
  };

  std::string host;
  int port = 0;
  if (!SplitListen(config.listen, &host, &port)) {
    log("error", {{"msg", "--listen must be HOST:PORT"}, {"listen", config.listen}});
    return 2;
  }
  // Signals are taken by one thread with sigwait, never by a handler in a random thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  mct::domain::Policy policy{config.fee_minor, config.currency};
  auto store = mct::admin::Store::Open(config.data_dir, policy);
  if (!store.ok()) {
    log("error", {{"msg", "cannot open the store"}, {"error", store.error().message}});
    return 1;
  }
  mct::admin::server::TokenStore tokens(config.data_dir);
  mct::admin::server::Metrics metrics;
  mct::admin::server::ApiOptions options;
  options.data_dir = config.data_dir;
  options.max_body_bytes = config.max_body_bytes;
  options.max_upload_bytes = config.max_upload_bytes;
  options.rate_per_second = config.rate_limit;
  options.rate_burst = config.rate_burst;
  options.worker_threads = config.workers;
  options.web_root = config.web_root;
  std::unique_ptr<mct::admin::server::RunnerLoop> runner;
  mct::admin::server::HttpApi api(*store.value(), tokens, metrics, options,
                                  [&runner] {
                                    if (runner) runner->Wake();
                                  });
  auto bound = api.Bind(host, port);
  if (!bound.ok()) {
    log("error", {{"msg", bound.error().message}});
    return 1;
  }
  runner = std::make_unique<mct::admin::server::RunnerLoop>(
      *store.value(), [&api](const mct::Result<uint64_t>& caught_up) {
        if (caught_up.ok()) {
          api.set_ready(true);
        } else {
          spdlog::error(nlohmann::json{{"msg", "projection runner failed"},
                                       {"error", caught_up.error().message}}
                            .dump());
        }
      });
  std::thread signal_waiter([&api, &log, &signals] {
    int signal = 0;
    sigwait(&signals, &signal);
    log("info", {{"msg", "stopping: finishing in-flight requests"}, {"signal", signal}});
    api.Stop();
  });
  log("info", {{"msg", "listening"},
               {"url", "http://" + host + ":" + std::to_string(bound.value())},
               {"data", config.data_dir},
               {"settings", mct::admin::server::DaemonConfigJson(config)}});
  api.Serve();  // returns after Stop, once in-flight requests are answered

  kill(getpid(), SIGTERM);  // wakes the signal thread if the server stopped on its own
  runner.reset();
  auto caught_up = store.value()->runner->CatchUp();
  store.value()->db->db()->FlushWAL(true);
  signal_waiter.join();
  log("info", {{"msg", "stopped"}, {"read_models_caught_up", caught_up.ok()}});
  return 0;
}
