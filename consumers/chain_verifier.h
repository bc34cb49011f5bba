// The auditor's check of the log (architecture invariant 6, tamper-evident history): walks every
// trainer's hash chain and the log itself, and names the first link that does not hold.
//
// A broken link is a finding about the data, not a failure of the check: VerifyLog answers it in
// the report. Only an I/O failure of RocksDB is an Error. Damaged bytes (a value that does not
// decode, a malformed key) are broken links too; nothing here throws or asserts on stored data.
//
// Thread-safety: VerifyLog reads one RocksDB snapshot and may run beside writers (it checks the log
// as it stood when it began); the free functions are pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "consumers/codec.h"
#include "consumers/rocks_db.h"
#include "domain/result.h"

namespace mct::consumers {

// Where the log stops proving itself, and why.
struct BrokenLink {
  std::string mcid;       // the trainer; empty when the damaged bytes name none
  uint64_t version = 0;   // the stream version; 0 when unknown
  uint64_t position = 0;  // the log position involved; 0 when none
  std::string problem;    // for people: "hash does not match the event's content"
  bool operator==(const BrokenLink&) const = default;
};

// A checkpoint of the log: the digest of its first `position` events, for an auditor to record
// outside the system. The chains prove each stream consistent with itself, which whoever can write
// the store could keep true while rewriting a stream and every hash after the change; a checkpoint
// recorded earlier proves the history up to it unchanged. The digest is the SHA-256 of the text
//   "mct-log-checkpoint 1\n"
//   "<mcid> <version> <hash>\n" for each trainer with an event at a position <= N, in MCID byte
//                               order, of its latest such event (each hash covers its position
//                               and, through prev_hash, the trainer's events before it)
//   "position <N>\n"
// which anyone can recompute from an export (`mctctl export`, README).
struct Checkpoint {
  uint64_t position = 0;
  std::string digest;  // 64 lowercase hex digits
  bool operator==(const Checkpoint&) const = default;
};

// "POSITION:DIGEST" as an auditor gives it back (the digest in either case); nullopt when it is
// not.
std::optional<Checkpoint> ParseCheckpoint(std::string_view text);

struct VerifyReport {
  uint64_t events_checked = 0;       // events whose link held
  uint64_t streams_checked = 0;      // streams walked (entirely, or up to the broken link)
  std::optional<BrokenLink> broken;  // the first broken link; nullopt when every chain holds
  // The whole log's checkpoint (position = its events), when every chain held.
  std::optional<Checkpoint> checkpoint;
  // Whether the log still matches the checkpoint VerifyLog was given (nullopt: none given, or a
  // chain broke first). A mismatch is also the report's broken link.
  std::optional<bool> recorded_checkpoint_holds;
  bool ok() const { return !broken.has_value(); }
};

// Checks, in this order, stopping at the first broken link:
//  1. every stream (the streams family, in MCID then version order): versions run 1..n; each entry
//     points at a log event that exists, decodes, carries that MCID, version and position; its
//     prev_hash is the hash of the stream's previous event (empty for the first) and its hash is
//     ComputeEventHash recomputed; the head in meta ("head/<mcid>") names the last event, and no
//     head names a stream without events; a payment with a voucher is the one the store's record
//     of redeemed vouchers names (PAY-2: a voucher redeems once);
//  2. the log: positions run 1..N with no hole, and every event is reached by a stream entry;
//  3. when `recorded` is given, that the log's first recorded->position events still have its
//     digest (a log shorter than that has lost events).
// Memory holds one stream at a time, never the log.
Result<VerifyReport> VerifyLog(const RocksDb& db,
                               std::optional<Checkpoint> recorded = std::nullopt);

// The chain rule for one event, shared by VerifyLog and the import: nullopt when `envelope` is
// version `expected_version` of `mcid`, follows `previous_hash` (empty for a first event) and
// carries its own hash; otherwise what is wrong, worded for people.
std::optional<std::string> LinkProblem(const EventEnvelope& envelope, std::string_view mcid,
                                       uint64_t expected_version, std::string_view previous_hash);

// "trainer 1000001 version 3: hash does not match the event's content", or "log position 17: ..."
// when the damaged bytes name no trainer.
std::string DescribeBrokenLink(const BrokenLink& link);

}  // namespace mct::consumers
