#include "admin/server/daemon_config.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

namespace mct::admin::server {
namespace {

// A number of zero or more. CLI11's NonNegativeNumber says so by printing the largest double in
// full, three hundred digits.
const CLI::Validator kNotNegative(
    [](std::string& text) -> std::string {
      double value = 0;
      if (!CLI::detail::lexical_cast(text, value)) return "'" + text + "' is not a number";
      if (!(value >= 0)) return "must be 0 or more, not " + text;
      return {};
    },
    "NUMBER >= 0");

}  // namespace

void AddDaemonOptions(CLI::App& app, DaemonConfig& config) {
  // A setting given twice (the environment's, then a flag's) keeps the last: see
  // ParseDaemonArguments.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.set_config("--config", "", "a config file (INI or TOML: listen = \"127.0.0.1:8080\", ...)")
      ->envname("MCT_CONFIG");
  app.allow_config_extras(false);
  app.add_option("--data", config.data_dir, "data directory")->envname("MCT_DATA")->capture_default_str();
  app.add_option("--listen", config.listen, "HOST:PORT to serve on (port 0: any free port)")
      ->envname("MCT_LISTEN")
      ->capture_default_str();
  app.add_option("--web-root", config.web_root, "folder of the web pages")
      ->envname("MCT_WEB_ROOT")
      ->capture_default_str();
  app.add_option("--max-body-bytes", config.max_body_bytes, "largest command body")
      ->envname("MCT_MAX_BODY_BYTES")
      ->capture_default_str();
  app.add_option("--max-upload-bytes", config.max_upload_bytes, "largest survey report upload")
      ->envname("MCT_MAX_UPLOAD_BYTES")
      ->capture_default_str();
  app.add_option("--rate-limit", config.rate_limit, "requests per second per client (0: none)")
      ->envname("MCT_RATE_LIMIT")
      ->check(kNotNegative)
      ->capture_default_str();
  app.add_option("--rate-burst", config.rate_burst, "burst allowance per client")
      ->envname("MCT_RATE_BURST")
      ->check(kNotNegative)
      ->capture_default_str();
  app.add_option("--workers", config.workers, "request worker threads")
      ->envname("MCT_WORKERS")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--fee-minor", config.fee_minor, "renewal fee in minor units (PAY-6)")
      ->envname("MCT_FEE_MINOR")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--currency", config.currency, "the fee's currency")
      ->envname("MCT_CURRENCY")
      ->capture_default_str();
  app.add_option("--log-level", config.log_level, "debug, info, warn or error")
      ->envname("MCT_LOG_LEVEL")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  app.add_flag("--openapi", config.print_openapi, "print the OpenAPI document and exit");
  app.add_flag("--print-config", config.print_config,
               "print the settings in effect (after file, environment and flags) and exit");
}

void ParseDaemonArguments(CLI::App& app, int argc, const char* const* argv) {
  // CLI11 reads a config file before the environment and lets the first source that sets an
  // option keep it, so a file would beat the environment. Each set MCT_* variable is therefore
  // handed over as a flag placed before the real flags: the environment then beats the file (an
  // option set on the command line ignores the file), and a real flag, coming later, beats both.
  std::vector<std::string> arguments;
  for (const CLI::Option* option : app.get_options()) {
    const std::string& variable = option->get_envname();
    if (variable.empty() || option->get_lnames().empty()) continue;
    if (const char* value = std::getenv(variable.c_str()); value != nullptr) {
      arguments.push_back("--" + option->get_lnames().front() + "=" + value);
    }
  }
  for (int index = 1; index < argc; ++index) arguments.emplace_back(argv[index]);
  std::reverse(arguments.begin(), arguments.end());  // CLI11 takes them last first
  app.parse(arguments);
}

nlohmann::json DaemonConfigJson(const DaemonConfig& config) {
  return {{"data", config.data_dir},
          {"listen", config.listen},
          {"web_root", config.web_root},
          {"max_body_bytes", config.max_body_bytes},
          {"max_upload_bytes", config.max_upload_bytes},
          {"rate_limit", config.rate_limit},
          {"rate_burst", config.rate_burst},
          {"workers", config.workers},
          {"fee_minor", config.fee_minor},
          {"currency", config.currency},
          {"log_level", config.log_level}};
}

}  // namespace mct::admin::server
