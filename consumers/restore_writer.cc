#include "consumers/restore_writer.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <chrono>
#include <string_view>
#include <variant>
#include <vector>

#include "consumers/chain_verifier.h"
#include "consumers/keys.h"
#include "domain/decide.h"
#include "domain/roles.h"

namespace mct::consumers {
namespace {

// Events per write: large enough to amortise a write, small enough to keep memory flat.
constexpr uint64_t kBatchEvents = 8192;

// The hashes prove an export was not altered after it was written, not that a store wrote it:
// anyone can compute them. So an event is also held to what the write path guarantees of a
// stream: it opens with the trainer's enrolment and holds no other, its events are in time order
// (AUDIT-2: as-of reads rely on it), a trainer acts only on their own stream (ROLE-1), an
// auditor never writes (ROLE-4) and every event comes from a role that may send the command that
// writes it (ROLE-1..3). Why `envelope` breaks one of these, or nullopt.
std::optional<std::string> StreamShapeProblem(const EventEnvelope& envelope, uint64_t version,
                                              const domain::Instant& previous_at,
                                              bool accept_out_of_time_order,
                                              const domain::Instant& latest_at) {
  const domain::EventMeta& meta = envelope.event.meta;
  // Every command the store takes has an actor's id and a command id (AUDIT-1, invariant 5),
  // and an instant the server's clock gave: one ahead of it would drag every later command of
  // the trainer to it (mctd places a command stamped before the latest event at that event).
  if (meta.actor.id.empty()) return std::string("the event has no actor id (AUDIT-1)");
  if (meta.command_id.empty()) return std::string("the event has no command_id (invariant 5)");
  if (latest_at < meta.at) {
    return "at " + meta.at.ToString() +
           " is in the future (more than an hour after this "
           "import began, " +
           latest_at.ToString() + ")";
  }
  const bool enrolment = std::holds_alternative<domain::TrainerEnrolled>(envelope.event.payload);
  if (version == 1 && !enrolment) {
    return "the stream does not open with TrainerEnrolled (the store writes nothing for a "
           "trainer before their enrolment)";
  }
  if (version > 1 && enrolment) return "a second TrainerEnrolled in the stream";
  if (version > 1 && meta.at < previous_at && !accept_out_of_time_order) {
    return "at " + meta.at.ToString() + " is before the stream's previous event (" +
           previous_at.ToString() + "); a stream is kept in time order";
  }
  if (meta.actor.role == domain::Role::kTrainer && meta.actor.id != meta.mcid.str()) {
    return "the trainer " + meta.actor.id + " acted on another trainer's stream (ROLE-1)";
  }
  if (meta.actor.role == domain::Role::kAuditor) return "an auditor wrote an event (ROLE-4)";
  const std::string_view command = domain::CommandWriting(envelope.event.payload);
  if (!domain::RoleMaySend(meta.actor.role, command)) {
    return "a " + std::string(domain::ToString(meta.actor.role)) + " (" + meta.actor.id +
           ") wrote " + std::string(domain::EventName(envelope.event.payload)) +
           ", which only a role that may send " + std::string(command) + " writes (ROLE-1..3)";
  }
  return std::nullopt;
}

}  // namespace

RestoreWriter::RestoreWriter(RocksDb& db, bool accept_out_of_time_order)
    : db_(db),
      accept_out_of_time_order_(accept_out_of_time_order),
      latest_at_(std::chrono::time_point_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now() + std::chrono::hours(1))) {}

Status RestoreWriter::Add(const EventEnvelope& envelope) {
  const uint64_t position = position_ + 1;
  if (envelope.global_position != position) {
    return Error{"global_position " + std::to_string(envelope.global_position) + ": expected " +
                 std::to_string(position) + " (positions run 1, 2, 3… in log order)"};
  }
  const std::string& mcid = envelope.event.meta.mcid.str();
  Result<Head> head = LoadHead(mcid);
  if (!head.ok()) return head.error();
  const uint64_t version = head->version + 1;
  const std::string where = "trainer " + mcid + " version " + std::to_string(version);
  if (envelope.stream_version != version) {
    return Error{"trainer " + mcid + ": stream_version " + std::to_string(envelope.stream_version) +
                 ": expected " + std::to_string(version) + " (each trainer's versions run 1..n)"};
  }
  if (auto problem = LinkProblem(envelope, mcid, version, head->hash)) {  // invariant 6
    return Error{where + ": " + *problem};
  }
  const auto last_at = last_at_millis_.find(mcid);  // there for every version after the first
  const domain::Instant previous_at = last_at == last_at_millis_.end()
                                          ? domain::Instant()
                                          : domain::Instant::FromMillis(last_at->second);
  if (auto problem = StreamShapeProblem(envelope, version, previous_at, accept_out_of_time_order_,
                                        latest_at_)) {
    return Error{where + ": " + *problem};
  }
  if (Status tracked = TrackCommand(envelope); !tracked.ok())
    return Error{where + ": " + tracked.error().message};
  if (Status tracked = TrackVoucher(envelope); !tracked.ok())
    return Error{where + ": " + tracked.error().message};
  max_order_number_ = std::max(max_order_number_, domain::OrderNumberOf(envelope.event.payload));

  batch_.Put(db_.log(), keys::Position(position), EncodeBinary(envelope));
  batch_.Put(db_.streams(), keys::StreamEntry(mcid, version), keys::Position(position));
  if (version == 1) streams_ += 1;
  staged_heads_[mcid] = Head{version, envelope.hash};
  last_at_millis_[mcid] = envelope.event.meta.at.millis();
  position_ = position;
  if (++batch_events_ >= kBatchEvents) return WriteBatch();
  return Ok();
}

Status RestoreWriter::TrackCommand(const EventEnvelope& envelope) {
  const domain::EventMeta& meta = envelope.event.meta;
  if (open_command_ && open_command_->command_id == meta.command_id &&
      open_command_->mcid == meta.mcid.str()) {
    open_command_->count += 1;
    return Ok();
  }
  CloseCommand();
  if (meta.command_id.empty()) return Ok();  // the store records no empty command id
  Result<bool> seen = MetaKeyExists(keys::Command(meta.command_id));
  if (!seen.ok()) return seen.error();
  if (seen.value()) {
    return Error{"command_id '" + meta.command_id +
                 "' was used by an earlier command; the store writes a command id once "
                 "(invariant 5)"};
  }
  open_command_ = OpenCommand{meta.command_id, meta.mcid.str(), envelope.global_position, 1};
  return Ok();
}

void RestoreWriter::CloseCommand() {
  if (!open_command_) return;
  const std::string key = keys::Command(open_command_->command_id);
  batch_.Put(
      db_.meta(), key,
      keys::CommandValue(open_command_->mcid, open_command_->first_position, open_command_->count));
  staged_keys_.insert(key);
  open_command_.reset();
}

Status RestoreWriter::TrackVoucher(const EventEnvelope& envelope) {
  const auto* paid = std::get_if<domain::PaymentPlaced>(&envelope.event.payload);
  if (paid == nullptr || paid->voucher_code.empty()) return Ok();
  const std::string key = keys::Voucher(paid->voucher_code);
  Result<bool> seen = MetaKeyExists(key);
  if (!seen.ok()) return seen.error();
  if (seen.value()) {
    return Error{"voucher '" + paid->voucher_code +
                 "' was redeemed by an earlier order; a voucher redeems once (PAY-2)"};
  }
  batch_.Put(db_.meta(), key, keys::VoucherValue(envelope.event.meta.mcid.str(), paid->order_id));
  staged_keys_.insert(key);
  return Ok();
}

Result<RestoreWriter::Head> RestoreWriter::LoadHead(const std::string& mcid) const {
  if (const auto staged = staged_heads_.find(mcid); staged != staged_heads_.end()) {
    return staged->second;
  }
  std::string value;
  const rocksdb::Status got =
      db_.db()->Get(rocksdb::ReadOptions(), db_.meta(), keys::Head(mcid), &value);
  if (got.IsNotFound()) return Head{};
  if (!got.ok()) return FromRocks(got, "reading a stream head").error();
  return Head{keys::ReadBigEndian64(value), value.substr(std::min<size_t>(8, value.size()))};
}

Result<bool> RestoreWriter::MetaKeyExists(const std::string& key) const {
  if (staged_keys_.contains(key)) return true;
  std::string value;
  const rocksdb::Status got = db_.db()->Get(rocksdb::ReadOptions(), db_.meta(), key, &value);
  if (got.IsNotFound()) return false;
  if (!got.ok()) return FromRocks(got, "reading the meta family").error();
  return true;
}

Status RestoreWriter::WriteBatch() {
  for (const auto& [mcid, head] : staged_heads_) {
    batch_.Put(db_.meta(), keys::Head(mcid), keys::HeadValue(head.version, head.hash));
  }
  rocksdb::WriteOptions options;
  // No WAL: the directory is not the store until Finish has flushed it and it is renamed into
  // place; a crash before then leaves only a directory to throw away.
  options.disableWAL = true;
  Status written = FromRocks(db_.db()->Write(options, &batch_), "writing the restored log");
  batch_.Clear();
  batch_events_ = 0;
  staged_heads_.clear();
  staged_keys_.clear();
  return written;
}

Status RestoreWriter::Finish() {
  CloseCommand();
  // As the store leaves it after its last order (PAY-7): one past the highest number used.
  std::string next_order;
  keys::PutBigEndian64(&next_order, max_order_number_ + 1);
  batch_.Put(db_.meta(), keys::kNextOrder, next_order);
  if (Status written = WriteBatch(); !written.ok()) return written;
  rocksdb::FlushOptions flush;
  flush.wait = true;
  const std::vector<rocksdb::ColumnFamilyHandle*> families = {db_.log(), db_.streams(), db_.meta()};
  return FromRocks(db_.db()->Flush(flush, families), "flushing the restored log");
}

}  // namespace mct::consumers
