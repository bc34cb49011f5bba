#include "consumers/command_ids.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <iterator>
#include <random>

namespace mct::consumers {

std::string MintCommandId() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::string id(kMintedCommandIdPrefix);
  id.reserve(id.size() + 32);
  // The millisecond in 12 digits, then 64 random bits and 16 more.
  fmt::format_to(std::back_inserter(id), "{:012x}{:016x}{:04x}", static_cast<uint64_t>(millis),
                 random(), random() & 0xFFFF);
  return id;
}

}  // namespace mct::consumers
