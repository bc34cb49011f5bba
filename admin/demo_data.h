// The demo data generator: realistic renewal histories for N trainers, sent through the real
// command path (Decide, the event store, group commit), deterministic for a seed. It is the data
// for benchmarks, the dashboard and manual testing.
//
// Thread-safety: GenerateDemo may use several threads internally; call it from one.
#pragma once

#include <cstdint>
#include <functional>

#include "consumers/command_service.h"
#include "domain/result.h"

namespace mct::admin {

struct DemoOptions {
  uint64_t trainers = 1000;
  uint64_t seed = 1;
  int threads = 8;  // commands in flight at once, for different trainers
};

struct DemoStats {
  uint64_t trainers = 0;
  uint64_t commands = 0;   // sent
  uint64_t accepted = 0;
  uint64_t rejected = 0;   // deliberate mistakes the generator makes, as real users do
  uint64_t events = 0;     // written
};

// Called now and then with trainers done and the total.
using DemoProgressFn = std::function<void(uint64_t done, uint64_t total)>;

// Generates the histories into `commands`' store. The same seed and trainer count give the same
// commands (MCIDs, instants, fields) and so the same log, whatever the thread count.
Result<DemoStats> GenerateDemo(consumers::CommandService& commands, const DemoOptions& options,
                               const DemoProgressFn& progress = {});

}  // namespace mct::admin
