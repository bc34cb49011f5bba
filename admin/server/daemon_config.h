// DaemonConfig: mctd's settings, and where each comes from. Lowest precedence first: the defaults
// below, a config file (--config FILE or $MCT_CONFIG; INI or TOML, keys named like the flags), the
// environment (MCT_*), the flags. A key the config file does not know is an error, so a misspelt
// setting is not silently left at its default.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace mct::admin::server {

struct DaemonConfig {
  std::string data_dir;  // DefaultDataDir() unless set
  std::string listen = "127.0.0.1:8080";
  std::string web_root;  // the build's own copy of admin/web unless set
  size_t max_body_bytes = 64 * 1024;
  size_t max_upload_bytes = 10 * 1024 * 1024;
  double rate_limit = 2000;
  double rate_burst = 4000;
  int workers = 64;
  int64_t fee_minor = 40000;
  std::string currency = "USD";
  std::string log_level = "info";
  bool print_openapi = false;
  bool print_config = false;
};

// Registers every setting on `app` (flag, environment variable, config-file key, default shown in
// --help), writing into `config`; `config` starts with the defaults the caller wants shown.
void AddDaemonOptions(CLI::App& app, DaemonConfig& config);

// Parses `argv` with the precedence above. Throws what CLI::App::parse throws (help, bad values,
// an unknown config key, a DaemonConfigProblem), for CLI11's app.exit to report; a bad value not
// given as a flag is named by its source (the variable, the config file's key, or the default).
void ParseDaemonArguments(CLI::App& app, int argc, const char* const* argv);

// What the settings cannot be together (a rate limit with no burst admits nothing), or a web root
// that is not a folder; nullopt when they are fine. Checked at the end of ParseDaemonArguments.
std::optional<std::string> DaemonConfigProblem(const DaemonConfig& config);

// --listen read: HOST:PORT, or [IPv6]:PORT; the port all digits, below 65536; nullopt otherwise.
struct ListenAddress {
  std::string host;
  int port = 0;
  std::string Url() const;  // http://HOST:PORT, the host bracketed when it is an IPv6 address
};
std::optional<ListenAddress> ParseListen(std::string_view listen);

// The settings in effect, for --print-config and the start-up log.
nlohmann::json DaemonConfigJson(const DaemonConfig& config);

}  // namespace mct::admin::server
