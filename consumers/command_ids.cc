#include "consumers/command_ids.h"

#include <chrono>
#include <cstdint>
#include <random>

namespace mct::consumers {
namespace {

void AppendHex(std::string& out, uint64_t value, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
    out.push_back(kHex[(value >> shift) & 0xF]);
}

}  // namespace

std::string MintCommandId() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::string id(kMintedCommandIdPrefix);
  id.reserve(id.size() + 32);
  AppendHex(id, static_cast<uint64_t>(millis), 12);
  AppendHex(id, random(), 16);  // 64 random bits
  AppendHex(id, random(), 4);   // and 16 more
  return id;
}

}  // namespace mct::consumers
