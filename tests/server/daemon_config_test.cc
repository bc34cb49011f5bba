// mctd's settings (daemon_config.h): defaults, then the config file, then the environment, then
// the flags; a key the file does not know and a bad value are errors. The last test runs the real
// mctd binary, so the server itself is known to parse this way.
#include "admin/server/daemon_config.h"

#include <gtest/gtest.h>

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

// The test's own temporary folder.
fs::path TestFolder() {
  const fs::path folder = fs::temp_directory_path() /
                          ("mct-daemon-config-" + std::to_string(::getpid()) + "-" +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
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
}

}  // namespace
}  // namespace mct::admin::server
