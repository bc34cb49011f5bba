// A progress line for long work on a terminal: bar, percentage, rate and time left, redrawn in
// place on stderr. Prints nothing when stderr is not a terminal (logs and pipes stay clean).
//
// Not thread-safe: one bar, updated from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace mct::admin {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label, bool enabled);
  // Redraws at most ten times a second, and always when done == total.
  void Update(uint64_t done, uint64_t total);
  // Ends the line.
  void Finish();

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_;
};

// "1.2M", "340k", "12".
std::string HumanCount(double value);

}  // namespace mct::admin
