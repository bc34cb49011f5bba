#include "consumers/chain_verifier.h"

#include <rocksdb/db.h>
#include <rocksdb/snapshot.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <utility>
#include <vector>

#include "consumers/keys.h"
#include "domain/hex.h"
#include "domain/sha256.h"

namespace mct::consumers {
namespace {

// Events fetched from the log with one MultiGet: a long stream is read in pieces, so memory stays
// bounded by this, not by the stream.
constexpr size_t kFetchChunk = 1024;

std::string PositionText(uint64_t position) { return "log position " + std::to_string(position); }

constexpr std::string_view kCheckpointHeader = "mct-log-checkpoint 1\n";

// A trainer's line of a checkpoint's text (Checkpoint, chain_verifier.h).
std::string CheckpointLine(std::string_view mcid, uint64_t version, std::string_view hash) {
  return std::string(mcid) + " " + std::to_string(version) + " " + std::string(hash) + "\n";
}

std::string FinishCheckpoint(domain::Sha256Stream& digest, uint64_t position) {
  digest.Add("position " + std::to_string(position) + "\n");
  return digest.FinishHex();
}

// One entry of the streams family: the version from the key, the log key from the value.
struct StreamEntry {
  uint64_t version = 0;
  std::string position_key;  // 8 bytes when well formed
};

class Verifier {
 public:
  Verifier(const RocksDb& db, std::optional<Checkpoint> recorded)
      : db_(db), snapshot_(db.db()), recorded_(std::move(recorded)) {
    read_.snapshot = snapshot_.snapshot();
    whole_log_.Add(kCheckpointHeader);
    up_to_recorded_.Add(kCheckpointHeader);
  }

  Result<VerifyReport> Run() {
    if (Status walked = WalkStreams(); !walked.ok()) return walked.error();
    if (!report_.broken) {
      if (Status walked = WalkLog(); !walked.ok()) return walked.error();
    }
    if (!report_.broken) {
      report_.checkpoint =
          Checkpoint{report_.events_checked, FinishCheckpoint(whole_log_, report_.events_checked)};
      if (recorded_) CheckRecordedCheckpoint();
    }
    return report_;
  }

 private:
  // Records the first broken link; answers Ok so callers can `return Broken(...)` and stop.
  Status Broken(std::string mcid, uint64_t version, uint64_t position, std::string problem) {
    report_.broken = BrokenLink{std::move(mcid), version, position, std::move(problem)};
    return Ok();
  }

  Status WalkStreams() {
    heads_.reset(db_.db()->NewIterator(read_, db_.meta()));
    heads_->Seek(keys::kHeadPrefix);
    std::unique_ptr<rocksdb::Iterator> it(db_.db()->NewIterator(read_, db_.streams()));
    std::string mcid;
    std::vector<StreamEntry> entries;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string_view key = it->key().ToStringView();
      const size_t separator = key.find('\0');
      if (separator == std::string_view::npos || key.size() - separator - 1 != 8) {
        return Broken(domain::Printable(key.substr(0, separator)), 0, 0,
                      "stream index key is malformed");
      }
      const std::string_view key_mcid = key.substr(0, separator);
      if (key_mcid != mcid) {
        if (!entries.empty()) {
          if (Status checked = CheckStream(mcid, entries); !checked.ok() || report_.broken) {
            return checked;
          }
        }
        mcid = std::string(key_mcid);
        entries.clear();
      }
      entries.push_back({keys::ReadBigEndian64(key.substr(separator + 1)), it->value().ToString()});
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading the stream index");
    if (!entries.empty()) {
      if (Status checked = CheckStream(mcid, entries); !checked.ok() || report_.broken) {
        return checked;
      }
    }
    // Heads left over belong to no stream.
    return CheckHeadsBefore(std::nullopt);
  }

  Status CheckStream(const std::string& mcid, const std::vector<StreamEntry>& entries) {
    report_.streams_checked += 1;
    const std::string printable_mcid = domain::Printable(mcid);
    std::string previous_hash;  // a stream's first event follows nothing
    uint64_t last_position = 0;
    uint64_t version_at_recorded = 0;  // the latest event at or before the recorded checkpoint
    std::string hash_at_recorded;
    for (size_t chunk_start = 0; chunk_start < entries.size(); chunk_start += kFetchChunk) {
      const size_t chunk_end = std::min(entries.size(), chunk_start + kFetchChunk);
      std::vector<rocksdb::Slice> log_keys;
      for (size_t index = chunk_start; index < chunk_end; ++index) {
        log_keys.emplace_back(entries[index].position_key);
      }
      std::vector<rocksdb::ColumnFamilyHandle*> families(log_keys.size(), db_.log());
      std::vector<std::string> values;
      const std::vector<rocksdb::Status> statuses =
          db_.db()->MultiGet(read_, families, log_keys, &values);
      for (size_t index = chunk_start; index < chunk_end; ++index) {
        const uint64_t version = index + 1;
        const StreamEntry& entry = entries[index];
        if (entry.version != version) {  // keys are sorted, so a gap shows as a later version
          return Broken(printable_mcid, version, 0,
                        "version " + std::to_string(version) +
                            " is missing from the stream index (the next entry is version " +
                            std::to_string(entry.version) + ")");
        }
        if (entry.position_key.size() != 8) {
          return Broken(printable_mcid, version, 0, "stream index entry is malformed");
        }
        const uint64_t position = keys::ReadBigEndian64(entry.position_key);
        const rocksdb::Status& got = statuses[index - chunk_start];
        if (got.IsNotFound()) {
          return Broken(printable_mcid, version, position,
                        "the event at " + PositionText(position) + " is missing from the log");
        }
        if (!got.ok()) return FromRocks(got, "reading the log");
        Result<EventEnvelope> decoded = DecodeBinary(values[index - chunk_start]);
        if (!decoded.ok()) {
          return Broken(printable_mcid, version, position,
                        "the event at " + PositionText(position) +
                            " cannot be decoded: " + decoded.error().message);
        }
        const EventEnvelope& envelope = decoded.value();
        if (envelope.global_position != position) {
          return Broken(printable_mcid, version, position,
                        "the event at " + PositionText(position) + " says it is at position " +
                            std::to_string(envelope.global_position));
        }
        if (auto problem = LinkProblem(envelope, mcid, version, previous_hash)) {
          return Broken(printable_mcid, version, position, *std::move(problem));
        }
        if (Status checked = CheckVoucher(envelope, printable_mcid);
            !checked.ok() || report_.broken) {
          return checked;
        }
        previous_hash = envelope.hash;
        last_position = position;
        report_.events_checked += 1;
        if (recorded_ && position <= recorded_->position) {
          version_at_recorded = version;
          hash_at_recorded = envelope.hash;
        }
      }
    }
    whole_log_.Add(CheckpointLine(mcid, entries.size(), previous_hash));
    if (version_at_recorded != 0) {
      up_to_recorded_.Add(CheckpointLine(mcid, version_at_recorded, hash_at_recorded));
    }
    return CheckHead(mcid, entries.size(), previous_hash, last_position);
  }

  // PAY-2 across the log: a voucher redeems once, and the store records which order redeemed it
  // when it appends the payment (an import does the same). A payment the record does not name is
  // a second redemption, a chain rewritten with a voucher, or a record changed: each a broken link
  // (and an export of it would not import).
  Status CheckVoucher(const EventEnvelope& envelope, const std::string& printable_mcid) {
    const auto* paid = std::get_if<domain::PaymentPlaced>(&envelope.event.payload);
    if (paid == nullptr || paid->voucher_code.empty()) return Ok();
    std::string recorded;
    const rocksdb::Status got =
        db_.db()->Get(read_, db_.meta(), keys::Voucher(paid->voucher_code), &recorded);
    if (!got.ok() && !got.IsNotFound()) return FromRocks(got, "reading the voucher record");
    if (got.ok() &&
        recorded == keys::VoucherValue(envelope.event.meta.mcid.str(), paid->order_id)) {
      return Ok();
    }
    const std::string voucher = "voucher '" + domain::Printable(paid->voucher_code) +
                                "' of order " + domain::Printable(paid->order_id);
    if (got.IsNotFound()) {
      return Broken(printable_mcid, envelope.stream_version, envelope.global_position,
                    voucher + " is not in the store's record of redeemed vouchers");
    }
    const size_t separator = recorded.find('\0');
    return Broken(printable_mcid, envelope.stream_version, envelope.global_position,
                  voucher + " was redeemed by another order (" +
                      domain::Printable(recorded.substr(
                          separator == std::string::npos ? recorded.size() : separator + 1)) +
                      " of trainer " + domain::Printable(recorded.substr(0, separator)) +
                      "): a voucher redeems once (PAY-2)");
  }

  // After every chain held: the recorded checkpoint against the log as it is now.
  void CheckRecordedCheckpoint() {
    const uint64_t position = recorded_->position;
    const uint64_t logged = report_.events_checked;
    if (position > logged) {
      report_.recorded_checkpoint_holds = false;
      (void)Broken("", 0, position,
                   "the checkpoint was taken at " + PositionText(position) + " but the log holds " +
                       std::to_string(logged) + " events: events were removed since");
      return;
    }
    const std::string digest = FinishCheckpoint(up_to_recorded_, position);
    report_.recorded_checkpoint_holds = digest == recorded_->digest;
    if (!*report_.recorded_checkpoint_holds) {
      (void)Broken("", 0, position,
                   "the log up to " + PositionText(position) +
                       " no longer has the checkpoint's digest (it now has " + digest +
                       "): the history up to there was changed since the checkpoint was taken");
    }
  }

  // Heads sort in MCID order like the streams, so one iterator walks beside them: a head before
  // `mcid` (or any left at the end, when nullopt) names a stream that has no events.
  Status CheckHeadsBefore(std::optional<std::string_view> mcid) {
    if (heads_->Valid() && heads_->key().starts_with(keys::kHeadPrefix)) {
      const std::string_view head_mcid =
          heads_->key().ToStringView().substr(keys::kHeadPrefix.size());
      if (!mcid || head_mcid < *mcid) {
        return Broken(domain::Printable(head_mcid),
                      keys::ReadBigEndian64(heads_->value().ToStringView()), 0,
                      "the head in meta names a stream that has no events");
      }
    }
    return FromRocks(heads_->status(), "reading the stream heads");
  }

  Status CheckHead(const std::string& mcid, uint64_t last_version, const std::string& last_hash,
                   uint64_t last_position) {
    if (Status checked = CheckHeadsBefore(mcid); !checked.ok() || report_.broken) return checked;
    const std::string printable_mcid = domain::Printable(mcid);
    if (!heads_->Valid() || !heads_->key().starts_with(keys::kHeadPrefix) ||
        heads_->key().ToStringView().substr(keys::kHeadPrefix.size()) != mcid) {
      return Broken(printable_mcid, last_version, last_position, "the stream has no head in meta");
    }
    const std::string_view value = heads_->value().ToStringView();
    if (value.size() < 8) {
      return Broken(printable_mcid, last_version, last_position, "the head in meta is malformed");
    }
    const uint64_t head_version = keys::ReadBigEndian64(value);
    if (head_version != last_version) {
      return Broken(printable_mcid, last_version, last_position,
                    "the head in meta says version " + std::to_string(head_version) +
                        " but the stream ends at version " + std::to_string(last_version));
    }
    if (value.substr(8) != last_hash) {
      return Broken(printable_mcid, last_version, last_position,
                    "the head in meta does not match the hash of the stream's last event");
    }
    heads_->Next();
    return Ok();
  }

  // After the streams held, each of their events was found at a distinct position. The log walk
  // only has to see positions 1..N without a hole and N equal to the events indexed; only when N
  // is larger does it read the log again, to name the event no stream reaches.
  Status WalkLog() {
    rocksdb::ReadOptions read = read_;
    read.readahead_size = 2 << 20;
    std::unique_ptr<rocksdb::Iterator> it(db_.db()->NewIterator(read, db_.log()));
    uint64_t expected = 1;
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++expected) {
      const std::string_view key = it->key().ToStringView();
      if (key.size() != 8)
        return Broken("", 0, 0, "log key '" + domain::Printable(key) + "' is malformed");
      const uint64_t position = keys::ReadBigEndian64(key);
      if (position != expected) {
        return Broken(
            "", 0, expected,
            "missing from the log, which goes on at position " + std::to_string(position));
      }
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading the log");
    const uint64_t logged = expected - 1;
    if (logged == report_.events_checked) return Ok();
    return FindUnindexedEvent(logged);
  }

  Status FindUnindexedEvent(uint64_t logged) {
    std::unique_ptr<rocksdb::Iterator> it(db_.db()->NewIterator(read_, db_.log()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const uint64_t position = keys::ReadBigEndian64(it->key().ToStringView());
      Result<EventEnvelope> decoded = DecodeBinary(it->value().ToStringView());
      if (!decoded.ok()) {
        return Broken("", 0, position, "the event cannot be decoded: " + decoded.error().message);
      }
      const EventEnvelope& envelope = decoded.value();
      const std::string& mcid = envelope.event.meta.mcid.str();
      std::string indexed;
      const rocksdb::Status got = db_.db()->Get(
          read_, db_.streams(), keys::StreamEntry(mcid, envelope.stream_version), &indexed);
      if (!got.ok() && !got.IsNotFound()) return FromRocks(got, "reading the stream index");
      if (got.IsNotFound() || indexed != it->key().ToStringView()) {
        return Broken(mcid, envelope.stream_version, position,
                      "the event at " + PositionText(position) + " is not in its stream's index");
      }
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading the log");
    return Broken("", 0, 0,
                  "the log holds " + std::to_string(logged) + " events but the streams reach " +
                      std::to_string(report_.events_checked));
  }

  const RocksDb& db_;
  rocksdb::ManagedSnapshot snapshot_;  // streams, heads and log read as of one instant
  rocksdb::ReadOptions read_;
  std::unique_ptr<rocksdb::Iterator> heads_;
  std::optional<Checkpoint> recorded_;
  domain::Sha256Stream whole_log_;       // the checkpoint of the log as it is
  domain::Sha256Stream up_to_recorded_;  // the log's first recorded_->position events
  VerifyReport report_;
};

}  // namespace

std::optional<std::string> LinkProblem(const EventEnvelope& envelope, std::string_view mcid,
                                       uint64_t expected_version, std::string_view previous_hash) {
  if (envelope.event.meta.mcid.str() != mcid) {
    return "the event belongs to trainer " + envelope.event.meta.mcid.str();
  }
  if (envelope.stream_version != expected_version) {
    return "the event says it is version " + std::to_string(envelope.stream_version) +
           " of its stream";
  }
  if (envelope.prev_hash != previous_hash) {
    if (expected_version == 1) return std::string("the stream's first event has a prev_hash");
    return "prev_hash does not match the hash of version " + std::to_string(expected_version - 1);
  }
  if (envelope.hash != ComputeEventHash(envelope)) {
    return std::string("hash does not match the event's content");
  }
  return std::nullopt;
}

std::string DescribeBrokenLink(const BrokenLink& link) {
  std::string where;
  if (!link.mcid.empty()) {
    where = "trainer " + link.mcid;
    if (link.version != 0) where += " version " + std::to_string(link.version);
  } else if (link.position != 0) {
    where = PositionText(link.position);
  }
  return where.empty() ? link.problem : where + ": " + link.problem;
}

Result<VerifyReport> VerifyLog(const RocksDb& db, std::optional<Checkpoint> recorded) {
  if (db.log() == nullptr || db.streams() == nullptr || db.meta() == nullptr) {
    return Error{"the store has no log, streams or meta column family"};
  }
  return Verifier(db, std::move(recorded)).Run();
}

std::optional<Checkpoint> ParseCheckpoint(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view number = text.substr(0, colon);
  Checkpoint checkpoint;
  const auto [end, error] =
      std::from_chars(number.data(), number.data() + number.size(), checkpoint.position);
  if (number.empty() || error != std::errc() || end != number.data() + number.size() ||
      checkpoint.position == 0) {
    return std::nullopt;
  }
  const std::string_view digest = text.substr(colon + 1);
  if (!domain::IsSha256Hex(digest)) return std::nullopt;
  checkpoint.digest = domain::AsciiLowercase(digest);
  return checkpoint;
}

}  // namespace mct::consumers
