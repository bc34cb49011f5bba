// mctd's settings (daemon_config.h): defaults, then the config file, then the environment, then
// the flags; a key the file does not know and a bad value are errors. The last test runs the real
// mctd binary, so the server itself is known to parse this way.
#include "admin/server/daemon_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/command_output.h"
#include "tests/consumers/store_support.h"

namespace mct::admin::server {
namespace {

namespace fs = std::filesystem;
using mct::testing::RunCapturing;

// Sets environment variables for one test and puts back what was there before.
class ScopedEnvironment {
 public:
  ScopedEnvironment(std::initializer_list<std::pair<std::string, std::string>> values) {
    for (const auto& [name, value] : values) {
      const char* before = std::getenv(name.c_str());
      saved_[name] = before == nullptr ? std::nullopt : std::optional<std::string>(before);
      setenv(name.c_str(), value.c_str(), 1);
    }
  }
  ~ScopedEnvironment() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        setenv(name.c_str(), value->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

// One temporary folder for the whole run, removed with everything in it when the tests end.
const fs::path& RunFolder() {
  static const mct::consumers::testing::TempDir folder("daemon-config");
  return folder.path();
}

// The test's own temporary folder, inside the run's.
fs::path TestFolder() {
  const fs::path folder =
      RunFolder() / ::testing::UnitTest::GetInstance()->current_test_info()->name();
  fs::create_directories(folder);
  return folder;
}

// A config file in the test's own temporary folder.
std::string WriteConfigFile(const std::string& text) {
  const fs::path file = TestFolder() / "mctd.toml";
  std::ofstream(file) << text;
  return file.string();
}

// Parses `flags` as mctd would; throws what CLI11 throws.
DaemonConfig Parse(std::vector<std::string> flags) {
  DaemonConfig config;
  CLI::App app{"test", "mctd"};
  AddDaemonOptions(app, config);
  std::vector<const char*> argv = {"mctd"};
  for (const std::string& flag : flags) argv.push_back(flag.c_str());
  ParseDaemonArguments(app, static_cast<int>(argv.size()), argv.data());
  return config;
}

TEST(DaemonConfig, DefaultsWhenNothingIsGiven) {
  const DaemonConfig config = Parse({});
  EXPECT_EQ(config.listen, "127.0.0.1:8080");
  EXPECT_EQ(config.workers, 64);
  EXPECT_EQ(config.max_body_bytes, 64u * 1024u);
  EXPECT_EQ(config.log_level, "info");
}

TEST(DaemonConfig, TheFileBeatsTheDefaultsTheEnvironmentBeatsTheFileAFlagBeatsBoth) {
  const std::string file = WriteConfigFile(
      "listen = \"127.0.0.1:1001\"\nworkers = 3\ncurrency = \"EUR\"\nlog-level = \"warn\"\n");
  ScopedEnvironment environment({{"MCT_LISTEN", "127.0.0.1:1002"}, {"MCT_WORKERS", "5"}});
  const DaemonConfig config = Parse({"--config", file, "--workers", "7"});
  EXPECT_EQ(config.currency, "EUR");           // the file alone sets it
  EXPECT_EQ(config.log_level, "warn");         // the file alone sets it
  EXPECT_EQ(config.listen, "127.0.0.1:1002");  // the environment beats the file
  EXPECT_EQ(config.workers, 7);                // the flag beats the environment and the file
}

TEST(DaemonConfig, TheConfigFileMayBeNamedByTheEnvironment) {
  const std::string file = WriteConfigFile("fee-minor = 12345\n");
  ScopedEnvironment environment({{"MCT_CONFIG", file}});
  EXPECT_EQ(Parse({}).fee_minor, 12345);
}

TEST(DaemonConfig, AKeyTheFileDoesNotKnowIsAnError) {
  const std::string file = WriteConfigFile("listen = \"127.0.0.1:1001\"\nworkerz = 3\n");
  try {
    Parse({"--config", file});
    FAIL() << "a misspelt key was accepted";
  } catch (const CLI::ParseError& error) {
    EXPECT_NE(std::string(error.what()).find("workerz"), std::string::npos) << error.what();
  }
}

TEST(DaemonConfig, ABadValueFromTheEnvironmentIsAnError) {
  ScopedEnvironment environment({{"MCT_WORKERS", "many"}});
  EXPECT_THROW(Parse({}), CLI::ParseError);
}

TEST(DaemonConfig, ANegativeRateLimitIsAnError) {
  EXPECT_THROW(Parse({"--rate-limit", "-1"}), CLI::ParseError);
  // Said in a few words (regression: the message printed the largest double, 300 digits).
  try {
    Parse({"--rate-burst", "-5"});
    FAIL() << "a negative burst was accepted";
  } catch (const CLI::ParseError& error) {
    EXPECT_NE(std::string(error.what()).find("must be 0 or more"), std::string::npos)
        << error.what();
    EXPECT_LT(std::string(error.what()).size(), 120u) << error.what();
  }
}

// What the error says of each refused value, or "" when it is taken.
std::string Refusal(std::vector<std::string> flags) {
  try {
    Parse(std::move(flags));
    return "";
  } catch (const CLI::ParseError& error) {
    return error.what();
  }
}

// Regression: "-1" was read into a size_t as its largest value (no body limit at all), a fee
// too large was cut to the largest int64_t (and a month's revenue overflowed), and the refusals
// printed the largest double in full.
TEST(DaemonConfig, ANumberOutsideItsRangeIsRefusedInAFewWords) {
  for (const auto& [flag, value] :
       std::vector<std::pair<std::string, std::string>>{{"--max-body-bytes", "-1"},
                                                        {"--max-body-bytes", "0"},
                                                        {"--max-upload-bytes", "0"},
                                                        {"--max-upload-bytes", "2e9"},
                                                        {"--workers", "0"},
                                                        {"--fee-minor", "0"},
                                                        {"--fee-minor", "99999999999999999999"},
                                                        {"--fee-minor", "12.5"}}) {
    SCOPED_TRACE(flag + " " + value);
    const std::string refusal = Refusal({flag, value});
    EXPECT_NE(refusal.find("from 1 to"), std::string::npos) << refusal;
    EXPECT_LT(refusal.size(), 120u) << refusal;
  }
  EXPECT_EQ(Refusal({"--max-body-bytes", "1", "--fee-minor", "1000000000000"}), "");
}

// Regression: an empty variable was handed over as `--data=`, which took the next argument as
// its value (`MCT_DATA= mctd --print-config` served on a folder named --print-config).
TEST(DaemonConfig, AnEmptyEnvironmentVariableCountsAsUnset) {
  ScopedEnvironment environment({{"MCT_DATA", ""}, {"MCT_LISTEN", ""}, {"MCT_WORKERS", ""}});
  const DaemonConfig config = Parse({"--print-config", "--workers", "3"});
  EXPECT_TRUE(config.print_config);
  EXPECT_EQ(config.data_dir, DaemonConfig{}.data_dir);
  EXPECT_EQ(config.listen, "127.0.0.1:8080");
  EXPECT_EQ(config.workers, 3);
}

// A bad value is said with where it came from: the variable, or the file and its key.
TEST(DaemonConfig, ABadValueSaysWhereItCameFrom) {
  {
    ScopedEnvironment environment({{"MCT_WORKERS", "abc"}});
    const std::string refusal = Refusal({});
    EXPECT_EQ(refusal.rfind("MCT_WORKERS (from the environment): 'abc'", 0), 0u) << refusal;
    // A flag given for it beats the variable: its value is the one said, with the flag's name.
    EXPECT_EQ(Refusal({"--workers", "0"}).rfind("--workers: ", 0), 0u)
        << Refusal({"--workers", "0"});
    // And a good flag is not stopped by the bad variable it overrides.
    EXPECT_EQ(Refusal({"--workers", "3"}), "");
    EXPECT_EQ(Refusal({"--workers=3"}), "");
  }
  const std::string file = WriteConfigFile("workers = -1\n");
  const std::string in_file = Refusal({"--config", file});
  EXPECT_EQ(in_file.rfind("workers (in the config file " + file + "): ", 0), 0u) << in_file;
  EXPECT_NE(in_file.find("-1"), std::string::npos) << in_file;
  const std::string missing = (TestFolder() / "missing.toml").string();
  EXPECT_NE(Refusal({"--config", missing}).find("named by --config"), std::string::npos);
  ScopedEnvironment environment({{"MCT_CONFIG", missing}});
  EXPECT_NE(Refusal({}).find("named by MCT_CONFIG"), std::string::npos) << Refusal({});
}

// Regression: "inf" and "1e400" were taken as a rate limit, shown as null.
TEST(DaemonConfig, ARateIsAFiniteNumber) {
  for (const std::string value : {"inf", "1e400", "nan"}) {
    EXPECT_NE(Refusal({"--rate-limit", value}), "") << value;
  }
  EXPECT_EQ(Refusal({"--rate-limit", "0.5"}), "");
}

TEST(DaemonConfig, ACurrencyIsThreeCapitalLetters) {
  for (const std::string currency : {"", "usd", "US", "USDX", "U$D"}) {
    EXPECT_NE(Refusal({"--currency", currency}).find("ISO 4217"), std::string::npos) << currency;
  }
  EXPECT_EQ(Parse({"--currency", "JPY"}).currency, "JPY");
}

// --listen is read with the other settings, so --print-config refuses what mctd would.
TEST(DaemonConfig, AListenAddressIsHostAndPortOrABracketedIpv6Address) {
  EXPECT_NE(Refusal({"--listen", "nonsense"}).find("HOST:PORT"), std::string::npos);
  const auto v6 = ParseListen("[::1]:8080");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 8080);
  EXPECT_EQ(v6->Url(), "http://[::1]:8080");
  EXPECT_EQ(ParseListen("127.0.0.1:0")->Url(), "http://127.0.0.1:0");
  EXPECT_FALSE(ParseListen("[]:8080"));
}

// Settings that each parse but cannot go together, or a web root that is not there: refused by
// the parse, named by where the setting came from (regression: always named as a flag).
TEST(DaemonConfig, ProblemsOfTheSettingsTogetherAreNamedWithTheirSource) {
  const std::string burst = Refusal({"--rate-limit", "5", "--rate-burst", "0"});
  EXPECT_EQ(burst.rfind("--rate-burst: must be at least 1", 0), 0u) << burst;
  EXPECT_EQ(Refusal({"--rate-limit", "0", "--rate-burst", "0"}), "");  // no limit, no bucket
  const std::string missing = (TestFolder() / "not-there").string();
  const std::string flag = Refusal({"--web-root", missing});
  EXPECT_EQ(flag.rfind("--web-root: '" + missing + "' is not a folder", 0), 0u) << flag;
  EXPECT_EQ(Refusal({"--web-root", TestFolder().string()}), "");
  {
    ScopedEnvironment environment({{"MCT_WEB_ROOT", missing}});
    const std::string root = Refusal({});
    EXPECT_EQ(root.rfind("MCT_WEB_ROOT (from the environment): '" + missing, 0), 0u) << root;
  }
  {
    ScopedEnvironment environment({{"MCT_RATE_BURST", "0"}});
    const std::string from_env = Refusal({});
    EXPECT_EQ(from_env.rfind("MCT_RATE_BURST (from the environment): must be at least 1", 0), 0u)
        << from_env;
  }
  const std::string file = WriteConfigFile("rate-burst = 0\n");
  const std::string in_file = Refusal({"--config", file});
  EXPECT_EQ(in_file.rfind("rate-burst (in the config file " + file + "): must be", 0), 0u)
      << in_file;
  // A default no one gave (here: a web root the build's folder no longer holds) says so.
  DaemonConfig config;
  config.web_root = missing;
  CLI::App app{"test", "mctd"};
  AddDaemonOptions(app, config);
  app.get_option("--web-root")->default_str(missing);
  const char* argv[] = {"mctd"};
  try {
    ParseDaemonArguments(app, 1, argv);
    ADD_FAILURE() << "a default web root that is not a folder was taken";
  } catch (const CLI::ParseError& error) {
    EXPECT_EQ(std::string(error.what()).rfind("--web-root (its default): '" + missing, 0), 0u)
        << error.what();
  }
}

// Regression: `openapi = true` in a config file turned the server into a one-shot.
TEST(DaemonConfig, WhatEndsTheServerAtOnceIsNotTakenFromAConfigFile) {
  for (const std::string_view key : {"openapi", "print-config"}) {
    const std::string file = WriteConfigFile(std::string(key) + " = true\n");
    EXPECT_FALSE(Refusal({"--config", file}).empty()) << key;
  }
}

// The binary: a refused setting is one line on stderr and exit 2, before anything starts.
TEST(DaemonConfig, MctdExits2WithOneLineForABadSetting) {
  const std::string file = WriteConfigFile("[mctd]\nlisten = \"127.0.0.1:1\"\n");
  for (const std::string& flags :
       {std::string("--max-body-bytes -1"), std::string("--rate-limit 5 --rate-burst 0"),
        std::string("--config ") + file}) {
    const auto [exit_code, output] =
        RunCapturing(MCT_BINARY_DIR "/admin/mctd " + flags + " --print-config 2>&1");
    EXPECT_EQ(exit_code, 2) << flags << ": " << output;
    EXPECT_EQ(output.rfind("error: ", 0), 0u) << flags << ": " << output;
    EXPECT_EQ(std::count(output.begin(), output.end(), '\n'), 1) << flags << ": " << output;
  }
}

// A key no flag has is named with its file, in words (regression: CLI11's "INI was not able to
// parse workerz", without the file).
TEST(DaemonConfig, MctdNamesTheFileAndTheUnknownKey) {
  const std::string file = WriteConfigFile("listen = \"127.0.0.1:1001\"\nworkerz = 3\n");
  const auto [exit_code, output] =
      RunCapturing(MCT_BINARY_DIR "/admin/mctd --config " + file + " --print-config 2>&1");
  EXPECT_EQ(exit_code, 2) << output;
  EXPECT_EQ(output.rfind("error: the config file " + file + ": unknown key 'workerz' (", 0), 0u)
      << output;
}

// The binary: --listen is HOST:PORT with a port of digits only, or mctd exits 2 before serving.
TEST(DaemonConfig, MctdRefusesAListenAddressItCannotRead) {
  for (const std::string listen :
       {"127.0.0.1:8080x", "127.0.0.1:", "127.0.0.1", ":8080", "127.0.0.1:70000", "127.0.0.1:-1"}) {
    const auto [exit_code, output] =
        RunCapturing("timeout 5 " MCT_BINARY_DIR "/admin/mctd --data " +
                     (TestFolder() / "listen").string() + " --listen '" + listen + "' 2>&1");
    EXPECT_EQ(exit_code, 2) << listen << ": " << output;
    EXPECT_NE(output.find("HOST:PORT"), std::string::npos) << listen << ": " << output;
  }
}

// The binary: --print-config shows the settings in effect after file, environment and flags.
TEST(DaemonConfig, MctdPrintsTheSettingsInEffect) {
  const std::string file = WriteConfigFile("listen = \"127.0.0.1:1001\"\ncurrency = \"EUR\"\n");
  const std::string command = "MCT_LISTEN=127.0.0.1:1002 MCT_WORKERS=5 " MCT_BINARY_DIR
                              "/admin/mctd --config " +
                              file + " --workers 9 --print-config";
  const auto [exit_code, output] = RunCapturing(command);
  ASSERT_EQ(exit_code, 0) << output;
  const auto printed = nlohmann::json::parse(output);
  EXPECT_EQ(printed.at("listen"), "127.0.0.1:1002");
  EXPECT_EQ(printed.at("currency"), "EUR");
  EXPECT_EQ(printed.at("workers"), 9);
}

// The server's life on stderr: one JSON object a line, each with a millisecond "ts" and a
// "level"; the "listening" line names the URL and the settings, and SIGTERM ends with "stopped".
TEST(DaemonConfig, MctdLogsItsLifeAsJsonLines) {
  const std::string data = (TestFolder() / "data").string();
  const std::string command = "timeout --preserve-status -s TERM 2 " MCT_BINARY_DIR
                              "/admin/mctd --data " +
                              data + " --listen 127.0.0.1:0 2>&1";
  const auto [exit_code, output] = RunCapturing(command);
  ASSERT_EQ(exit_code, 0) << output;
  const std::regex timestamp(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  std::istringstream lines(output);
  std::string line;
  bool listening = false;
  bool stopped = false;
  while (std::getline(lines, line)) {
    const auto parsed = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(parsed.is_object()) << line;
    ASSERT_TRUE(parsed.contains("ts") && parsed.contains("level")) << line;
    EXPECT_TRUE(std::regex_match(parsed["ts"].get<std::string>(), timestamp)) << line;
    if (parsed.value("msg", "") == "listening") {
      listening = true;
      EXPECT_EQ(parsed["url"].get<std::string>().rfind("http://127.0.0.1:", 0), 0u) << line;
      EXPECT_EQ(parsed["settings"]["data"], data) << line;
    }
    stopped = stopped || parsed.value("msg", "") == "stopped";
  }
  EXPECT_TRUE(listening) << output;
  EXPECT_TRUE(stopped) << output;
  // A new data directory is said to be new (a mistyped --data), and only the first time.
  EXPECT_NE(output.find("\"msg\":\"created a new, empty store\""), std::string::npos) << output;
  const auto again = RunCapturing(command);
  ASSERT_EQ(again.exit_code, 0) << again.out;
  EXPECT_EQ(again.out.find("created a new"), std::string::npos) << again.out;
}

}  // namespace
}  // namespace mct::admin::server
