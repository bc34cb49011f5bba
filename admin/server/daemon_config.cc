#include "admin/server/daemon_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "admin/cli.h"

namespace mct::admin::server {
namespace {

// A number of zero or more. CLI11's NonNegativeNumber says so by printing the largest double in
// full, three hundred digits.
const CLI::Validator kNotNegative(
    [](std::string& text) -> std::string {
      double value = 0;
      if (!CLI::detail::lexical_cast(text, value)) return "'" + text + "' is not a number";
      if (!(value >= 0)) return "must be 0 or more, not " + text;
      if (!std::isfinite(value)) return "must be a finite number, not " + text;
      return {};
    },
    "NUMBER >= 0");

constexpr int64_t kGiB = int64_t{1} << 30;

const CLI::Validator kListenAddress(
    [](std::string& text) -> std::string {
      return ParseListen(text) ? "" : "must be HOST:PORT (or [IPv6]:PORT), not '" + text + "'";
    },
    "HOST:PORT");

}  // namespace

std::optional<ListenAddress> ParseListen(std::string_view listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  ListenAddress address;
  std::string_view host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // [::1]: the colons inside are the address's
  }
  address.host = std::string(host);
  // The port all digits (regression: "127.0.0.1:8080x" was taken as port 8080).
  const std::string_view digits = listen.substr(colon + 1);
  const auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), address.port);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  if (address.port < 0 || address.port >= 65536 || address.host.empty()) return std::nullopt;
  return address;
}

std::string ListenAddress::Url() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<std::string> DaemonConfigProblem(const DaemonConfig& config) {
  // Each message starts with the one setting it is about, for ParseDaemonArguments to say where
  // that setting came from.
  if (config.rate_limit > 0 && config.rate_burst < 1) {
    return "--rate-burst: must be at least 1 when a rate limit is set: a smaller bucket never "
           "holds a whole request, and every request would be refused";
  }
  std::error_code error;
  if (!config.web_root.empty() && !std::filesystem::is_directory(config.web_root, error)) {
    return "--web-root: '" + config.web_root + "' is not a folder";
  }
  return std::nullopt;
}

void AddDaemonOptions(CLI::App& app, DaemonConfig& config) {
  // A setting given twice (the environment's, then a flag's) keeps the last: see
  // ParseDaemonArguments.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.set_config("--config", "", "a config file (INI or TOML: listen = \"127.0.0.1:8080\", ...)")
      ->envname("MCT_CONFIG");
  app.allow_config_extras(false);
  app.add_option("--data", config.data_dir, "data directory")->envname("MCT_DATA")->capture_default_str();
  app.add_option("--listen", config.listen,
                 "HOST:PORT to serve on, or [IPv6]:PORT (port 0: any free port)")
      ->envname("MCT_LISTEN")
      ->check(kListenAddress)
      ->capture_default_str();
  app.add_option("--web-root", config.web_root, "folder of the web pages")
      ->envname("MCT_WEB_ROOT")
      ->capture_default_str();
  app.add_option("--max-body-bytes", config.max_body_bytes, "largest command body")
      ->envname("MCT_MAX_BODY_BYTES")
      ->check(WholeNumberIn(1, kGiB))
      ->capture_default_str();
  app.add_option("--max-upload-bytes", config.max_upload_bytes, "largest survey report upload")
      ->envname("MCT_MAX_UPLOAD_BYTES")
      ->check(WholeNumberIn(1, kGiB))
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
      ->check(WholeNumberIn(1, 4096))
      ->capture_default_str();
  app.add_option("--fee-minor", config.fee_minor, "renewal fee in minor units (PAY-6)")
      ->envname("MCT_FEE_MINOR")
      ->check(WholeNumberIn(1, kLargestFeeMinor))
      ->capture_default_str();
  app.add_option("--currency", config.currency, "the fee's currency")
      ->envname("MCT_CURRENCY")
      ->check(CurrencyCode())
      ->capture_default_str();
  app.add_option("--log-level", config.log_level, "debug, info, warn or error")
      ->envname("MCT_LOG_LEVEL")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  // Not from a config file: a file that says so would turn the server into a one-shot.
  app.add_flag("--openapi", config.print_openapi, "print the OpenAPI document and exit")
      ->configurable(false);
  app.add_flag("--print-config", config.print_config,
               "print the settings in effect (after file, environment and flags) and exit")
      ->configurable(false);
  // Run at the end of the parse, so that a problem is reported like a bad value, with its source.
  app.callback([&config] {
    if (const auto problem = DaemonConfigProblem(config)) throw CLI::ValidationError(*problem);
  });
}

namespace {

// The option's flag as typed: --name.
std::string FlagOf(const CLI::Option& option) { return "--" + option.get_lnames().front(); }

// The option a CLI11 error is about: the first whose `--name` the message holds as a word.
const CLI::Option* OptionNamedIn(const CLI::App& app, const std::string& message) {
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_lnames().empty()) continue;
    const std::string flag = FlagOf(*option);
    for (size_t at = message.find(flag); at != std::string::npos; at = message.find(flag, at + 1)) {
      const size_t after = at + flag.size();
      if (after == message.size() ||
          !(std::isalnum(static_cast<unsigned char>(message[after])) || message[after] == '-')) {
        return option;
      }
    }
  }
  return nullptr;
}

bool GivenAsFlag(const std::string& flag, int argc, const char* const* argv) {
  for (int index = 1; index < argc; ++index) {
    const std::string_view argument = argv[index];
    if (argument == flag || argument.starts_with(flag + "=")) return true;
  }
  return false;
}

}  // namespace

void ParseDaemonArguments(CLI::App& app, int argc, const char* const* argv) {
  // CLI11 reads a config file before the environment and lets the first source that sets an
  // option keep it, so a file would beat the environment. Each set MCT_* variable is therefore
  // handed over as a flag placed before the real flags: the environment then beats the file (an
  // option set on the command line ignores the file), and a real flag, coming later, beats both.
  // A variable set but empty counts as unset: `--data=` would take the next argument as its value.
  std::vector<std::string> arguments;
  for (const CLI::Option* option : app.get_options()) {
    const std::string& variable = option->get_envname();
    if (variable.empty() || option->get_lnames().empty()) continue;
    // Nor is one whose flag is given: CLI11 checks every value it is handed, even one a later
    // value replaces, and a bad variable would stop a command line that overrides it.
    const std::string flag = FlagOf(*option);
    if (GivenAsFlag(flag, argc, argv)) continue;
    if (const char* value = std::getenv(variable.c_str()); value != nullptr && *value != '\0') {
      arguments.push_back(flag + "=" + value);
    }
  }
  for (int index = 1; index < argc; ++index) arguments.emplace_back(argv[index]);
  std::reverse(arguments.begin(), arguments.end());  // CLI11 takes them last first
  try {
    app.parse(arguments);
  } catch (const CLI::ConfigError&) {
    throw;  // names the file's key itself
  } catch (const CLI::FileError& error) {
    const std::string source = GivenAsFlag("--config", argc, argv) ? "--config" : "MCT_CONFIG";
    throw CLI::FileError("the config file named by " + source + ": " + error.what());
  } catch (const CLI::ParseError& error) {
    // A bad value is said with where it came from: a flag names itself, but a value from the
    // environment or the config file would otherwise be reported as a flag no one typed.
    const CLI::Option* option = OptionNamedIn(app, error.what());
    if (option == nullptr || error.get_exit_code() == 0) throw;
    const std::string flag = FlagOf(*option);
    if (GivenAsFlag(flag, argc, argv)) throw;
    std::string what = error.what();
    if (what.starts_with(flag + ": ")) what.erase(0, flag.size() + 2);
    if (option->count() == 0) throw CLI::ValidationError(flag + " (its default): " + what);
    const std::string& variable = option->get_envname();
    if (const char* value = variable.empty() ? nullptr : std::getenv(variable.c_str());
        value != nullptr && *value != '\0') {
      throw CLI::ValidationError(variable + " (from the environment): " + what);
    }
    if (const CLI::Option* file = app.get_config_ptr(); file != nullptr && file->count() > 0) {
      throw CLI::ValidationError(option->get_lnames().front() + " (in the config file " +
                                 file->as<std::string>() + "): " + what);
    }
    throw;
  }
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
