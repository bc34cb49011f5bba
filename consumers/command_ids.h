// Command ids minted by the front door for commands whose client sent none.
//
// `http-`, the milliseconds since the epoch (12 hex digits), then 80 random bits (20 hex digits).
// Unique without coordination (a clash needs two commands in one millisecond drawing the same 80
// bits), and ordered by time, as a UUIDv7 is: the store's command-id keys then go in at the end of
// the memtable, one insert beside the last (memtable_hints.h), where ids drawn at random landed
// anywhere and each insert descended the whole skip list (bench/README.md).
#pragma once

#include <string>
#include <string_view>

namespace mct::consumers {

inline constexpr std::string_view kMintedCommandIdPrefix = "http-";

// A new id; thread-safe (each thread draws from its own generator).
std::string MintCommandId();

}  // namespace mct::consumers
