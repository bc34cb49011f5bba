// The scenario runner: executes given/when/then JSON cases (shared/scenarios/README.md) against
// the real domain through an in-memory log, and says for each case what was expected and what
// happened. The same runner answers support's and auditors' "what would the system decide for
// this history?".
//
// Not thread-safe; run one at a time.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace mct::admin {

struct CaseResult {
  std::string file;
  std::string name;      // the case's "name", when it could be read
  bool passed = false;
  std::string failure;   // what was expected and what happened; empty when passed
};

// Runs one case file. A malformed file, an unknown key or a given command that is rejected is a
// failing case with a message saying so, never an exception.
CaseResult RunScenarioFile(const std::filesystem::path& file);

struct ScenarioSummary {
  int passed = 0;
  int failed = 0;
};

// Runs every path: a file, or a folder whose `*.json` files (recursively, in name order) are
// cases. Prints one line per failing case to `out`, then `N passed, M failed`.
ScenarioSummary RunScenarioPaths(const std::vector<std::string>& paths, std::ostream& out);

}  // namespace mct::admin
