// mctctl: the command line of the MCT renewal back office, for support, auditors and operators.
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "admin/scenario_runner.h"

namespace {

constexpr const char* kDescription =
    "mctctl: the command line of the MCT renewal back office.\n"
    "Runs the renewal rules' executable specification and, on a data directory, answers\n"
    "support's and auditors' questions.";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{kDescription, "mctctl"};
  app.require_subcommand(1);
  app.footer("Run `mctctl COMMAND --help` for the options of a command.");

  std::vector<std::string> scenario_paths;
  CLI::App* scenarios = app.add_subcommand(
      "scenarios",
      "Run given/when/then scenario files (a file or a folder of *.json) through the domain and "
      "report each failing case; exits 0 only when none failed.");
  scenarios->add_option("PATH", scenario_paths, "scenario files or folders")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }

  if (*scenarios) {
    const auto summary = mct::admin::RunScenarioPaths(scenario_paths, std::cout);
    return summary.failed == 0 && summary.passed > 0 ? 0 : 1;
  }
  return 0;
}
