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
#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "admin/cli.h"
#include "admin/server/daemon_config.h"
#include "admin/server/http_api.h"
#include "admin/server/openapi.h"
#include "admin/server/runner_loop.h"
#include "admin/server/uploads.h"
#include "admin/store.h"

int main(int argc, char** argv) {
  mct::admin::server::DaemonConfig config;
  config.data_dir = mct::admin::DefaultDataDir().string();
  config.web_root = MCT_WEB_ROOT;
  CLI::App app{"mctd: the HTTP server of the MCT renewal back office (embedded RocksDB store).",
               "mctd"};
  mct::admin::server::AddDaemonOptions(app, config);
  app.failure_message(mct::admin::OneLineFailure);
  try {
    mct::admin::server::ParseDaemonArguments(app, argc, argv);
  } catch (const CLI::ConfigError& error) {
    // CLI11 says "INI was not able to parse KEY" for a key no flag has: say which file, and that.
    std::string what = error.what();
    constexpr std::string_view kNoSuchKey = "INI was not able to parse ";
    if (what.starts_with(kNoSuchKey)) what = "unknown key '" + what.substr(kNoSuchKey.size()) + "'";
    const CLI::Option* file = app.get_config_ptr();
    const std::string named =
        file != nullptr && file->count() > 0 ? " " + file->as<std::string>() : "";
    std::cerr << "error: the config file" << named << ": " << what
              << " (its keys are the long flags' names, as listen = \"127.0.0.1:8080\", with no "
                 "[sections])\n";
    return 2;
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;  // --help is not an error
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
    // One write a line: the start-up rebuild's thread logs beside the main thread.
    std::cerr << (line.dump() + "\n") << std::flush;
  };

  // Checked when the flags were read (daemon_config.cc).
  const mct::admin::server::ListenAddress listen = *mct::admin::server::ParseListen(config.listen);
  // Signals are taken by one thread with sigwait, never by a handler in a random thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  mct::domain::Policy policy{config.fee_minor, config.currency};
  const bool new_store = !mct::consumers::RocksDb::HoldsStore(config.data_dir);
  // Read models of another build's layout are rebuilt once the server listens (below).
  auto store = mct::admin::Store::OpenLeavingOtherLayout(config.data_dir, policy);
  if (!store.ok()) {
    log("error", {{"msg", "cannot open the store"}, {"error", store.error().message}});
    return 1;
  }
  if (new_store) {
    // Said, since a mistyped --data would otherwise serve an empty store without a word.
    log("info", {{"msg", "created a new, empty store"}, {"data", config.data_dir}});
  }
  if (const size_t cleared = mct::admin::server::ClearStagedUploads(config.data_dir); cleared > 0) {
    log("info",
        {{"msg", "removed uploads left half-received by an earlier run"}, {"files", cleared}});
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
  auto bound = api.Bind(listen.host, listen.port);
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
  // An upgrade's read models are rebuilt while the server answers what the log can (health,
  // metrics, commands, history, as-of questions); /readyz and the read models' routes say 503
  // not_ready until the switch. A server that cannot rebuild them stops.
  std::atomic<bool> rebuild_failed{false};
  if (const uint64_t from_layout = store.value()->models->StoredLayout();
      store.value()->models->NeedsRebuild()) {
    log("info", {{"msg",
                  "the read models are in another build's layout: rebuilding them from the log "
                  "while serving the log's questions"},
                 {"from_layout", from_layout},
                 {"layout", mct::consumers::ReadModels::kLayout},
                 {"events", store.value()->log->Head()}});
    api.RebuildOtherLayout([&, from_layout](const nlohmann::json& status) {
      if (status.value("state", "") == "done") {
        log("info", {{"msg", "rebuilt the read models for this build's layout"},
                     {"from_layout", from_layout},
                     {"layout", mct::consumers::ReadModels::kLayout},
                     {"events", status.value("events_done", 0U)},
                     {"seconds", status.value("seconds", 0.0)}});
        runner->Wake();  // catches up past the switch, then says ready
        return;
      }
      if (!store.value()->models->NeedsRebuild()) {
        // Switched, then failed after (its checksum): the read models serve; say why it failed.
        log("warn", {{"msg",
                      "rebuilt the read models for this build's layout, but the rebuild "
                      "then failed"},
                     {"error", status.value("error", "")}});
        runner->Wake();
        return;
      }
      log("error", {{"msg", "cannot rebuild the read models for this build's layout: stopping"},
                    {"error", status.value("error", "")}});
      rebuild_failed = true;
      api.Stop();
    });
  }
  // The first SIGTERM or SIGINT stops the server; one more while it finishes is answered in the
  // log rather than taken silently (the stop's own limits end it: an export is cut 10 s in).
  std::atomic<bool> served_out{false};
  std::thread signal_waiter([&api, &log, &signals, &served_out] {
    for (bool stopping = false;;) {
      int signal = 0;
      sigwait(&signals, &signal);
      if (served_out) return;  // the wake-up sent once the server has stopped
      if (stopping) {
        log("warn",
            {{"msg", "already stopping: finishing in-flight requests"}, {"signal", signal}});
        continue;
      }
      stopping = true;
      log("info", {{"msg", "stopping: finishing in-flight requests"}, {"signal", signal}});
      api.Stop();
    }
  });
  log("info", {{"msg", "listening"},
               {"url", mct::admin::server::ListenAddress{listen.host, bound.value()}.Url()},
               {"data", config.data_dir},
               {"settings", mct::admin::server::DaemonConfigJson(config)}});
  api.Serve();  // returns after Stop, once in-flight requests are answered

  served_out = true;
  kill(getpid(), SIGTERM);  // wakes the signal thread, which then ends
  runner.reset();
  const bool caught_up =
      !store.value()->models->NeedsRebuild() && store.value()->runner->CatchUp().ok();
  store.value()->db->db()->FlushWAL(true);
  signal_waiter.join();
  log("info", {{"msg", "stopped"}, {"read_models_caught_up", caught_up}});
  return rebuild_failed ? 1 : 0;
}
