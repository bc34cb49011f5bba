// mctctl scenarios: the executable specification of the renewal rules.
#include <iostream>

#include "admin/cli.h"
#include "admin/scenario_runner.h"

namespace mct::admin {

void AddScenarioCommand(CLI::App& app, CliContext& context) {
  auto paths = std::make_shared<std::vector<std::string>>();
  CLI::App* command = app.add_subcommand(
      "scenarios",
      "Run given/when/then scenario files (a file or a folder of *.json) through the domain and "
      "report each failing case; exits 0 only when none failed.");
  command->add_option("PATH", *paths, "scenario files or folders")->required();
  command->callback([paths, &context] {
    const ScenarioSummary summary = RunScenarioPaths(*paths, std::cout);
    context.exit_code = summary.failed == 0 && summary.passed > 0 ? 0 : 1;
  });
}

}  // namespace mct::admin
