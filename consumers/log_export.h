// The log as a file, and back: an NDJSON export for auditors and archives, and a restore of such a
// file into an empty data directory.
//
// Export writes one line per stored event in log order, in the codec's JSON rendering (ToJson:
// envelope with position, stream version, prev_hash and hash, then the payload), and then one end
// line, {"end_of_export":{"events":N}}: a file cut short, even at the end of a line, lacks it (or
// its count disagrees), and an import refuses it rather than restore a shorter log.
//
// Import is a restore, not a replay: no command is decided again; every event keeps its position,
// `at`, ids and hashes, and is written under the keys EventStore writes (keys.h), so the restored
// log is byte for byte the exported one (architecture invariant 1: the log is the truth) and its
// chains verify (invariant 6). Bad input is refused whole with an error naming the line and field,
// and then nothing is written (invariant 9).
//
// Thread-safety: ExportLog reads one RocksDB snapshot and may run beside writers. ImportLog owns
// the directory it fills; run one import per target at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "consumers/rocks_db.h"
#include "domain/result.h"

namespace mct::consumers {

// The key of an export's end line, and that line for `events` events (with its '\n').
inline constexpr std::string_view kEndOfExport = "end_of_export";
std::string EndOfExportLine(uint64_t events);

// Writes the whole log to `out`, one JSON object and '\n' per event, then the end line; answers
// the events written. Streams: holds one event at a time. Text that is not valid UTF-8 (damaged
// bytes) is written with U+FFFD in its place, never thrown on; an event that does not decode is an
// Error naming its position (the output then ends early, without its end line: run
// `mctctl verify`).
// With `up_to`, the export ends at that position (a running store's durable head: an event
// written but not yet synced is not exported).
Result<uint64_t> ExportLog(const RocksDb& db, std::ostream& out,
                           std::optional<uint64_t> up_to = std::nullopt);

struct ImportStats {
  uint64_t events = 0;
  uint64_t streams = 0;
  double seconds = 0;    // reading, checking, writing and building the read models
  std::string checksum;  // ReadModels::Checksum of the restored store
  // The staging folders (DATA.importing-PID) of killed imports into the same target, removed.
  std::vector<std::string> removed_leftovers;
};

// Restores an export into `data_dir`, which must be absent or an empty directory (anything else is
// refused before reading a line; a symbolic link is followed). Every line must pass
// EventFromJson(kComplete) and be what ExportLog writes for the event it decodes to; positions
// must run 1, 2, 3… in order; each trainer's versions 1..n; each prev_hash the hash of the
// stream's previous event and each hash ComputeEventHash; a command id may not reappear after its
// command's events, nor a voucher be redeemed twice (PAY-2). Since anyone can compute the hashes,
// a stream must also be one the write path could have written: opened by its one TrainerEnrolled,
// in time order, no trainer acting on another's stream, no auditor acting, each event from a role
// that may send the command writing it (ROLE-1..3, restore_writer.cc).
// The end line must come last, and count the events before it. Blank lines are skipped.
//
// All or nothing: the store is built in a fresh directory beside `data_dir` (log, streams, meta:
// heads, command ids, vouchers, the next order number; then the read models), and renamed onto
// `data_dir` only when everything held; on any error that directory is removed and `data_dir` is
// left as it was (so are the folders above it that the import created). Memory holds a batch of
// events, not the log.
struct ImportOptions {
  // An export written before exports had their end line and before the store kept every stream
  // in time order: a missing end line, and a stream's event dated before its previous one, are
  // let through (everything else is still checked). A file cut at a line's end then imports as a
  // shorter log: for a backup known to be whole, never for a file of unknown history.
  bool legacy = false;
};

Result<ImportStats> ImportLog(std::istream& in, const std::filesystem::path& data_dir,
                              ImportOptions options = {});

}  // namespace mct::consumers
