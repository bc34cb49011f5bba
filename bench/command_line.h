// How the benchmark programs read their command lines: options declared to CLI11, as mctd and
// mctctl declare theirs, so that every program prints the same kind of usage and errors.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdlib>

namespace mct::bench {

// Parses the command line into `app`'s options; on an error, prints it with the usage and exits 2
// (0 after --help).
inline void ParseCommandLineOrExit(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    std::exit(app.exit(error) == 0 ? 0 : 2);
  }
}

}  // namespace mct::bench
