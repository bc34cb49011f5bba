#include "consumers/command_ids.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <iterator>
#include <random>

namespace mct::consumers {

std::string MintCommandId() {
  // Seeded from 256 bits of the system's entropy: one 32-bit draw would leave two threads an
  // even chance of the same sequence once there are about 77,000 of them, and minted ids are not
  // looked up for duplicates.
  thread_local std::mt19937_64 random = [] {
    std::random_device entropy;
    std::seed_seq seed{entropy(), entropy(), entropy(), entropy(),
                       entropy(), entropy(), entropy(), entropy()};
    return std::mt19937_64(seed);
  }();
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
