// RunCapturing: a shell command run to its end, its standard output captured, for the tests that
// drive the built binaries (mctctl, mctd).
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace mct::testing {

struct CommandOutcome {
  int exit_code = -1;  // -1 when it could not be started or did not exit by itself
  std::string out;
};

inline CommandOutcome RunCapturing(const std::string& command) {
  CommandOutcome run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buffer{};
  while (const size_t read = std::fread(buffer.data(), 1, buffer.size(), pipe)) {
    run.out.append(buffer.data(), read);
  }
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace mct::testing
