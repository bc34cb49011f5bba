#include "consumers/read_models.h"

#include <rocksdb/snapshot.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "consumers/keys.h"
#include "domain/hex.h"
#include "domain/sha256.h"

namespace mct::consumers {
namespace {

constexpr std::string_view kGenerationKey = "readmodels/generation";
constexpr std::string_view kLayoutKey = "readmodels/layout";
// Stores written before the layout was recorded.
constexpr uint64_t kFirstLayout = 1;
constexpr std::string_view kCheckpointKey = "position";
constexpr std::string_view kFamilyPrefix = "rm.";

// The layout record names the generation it speaks for: a build that records no layout switches
// generations without touching it, and the record must not then vouch for what that build wrote.
std::string LayoutRecord(uint64_t generation, uint64_t layout) {
  std::string record;
  keys::PutBigEndian64(&record, generation);
  keys::PutBigEndian64(&record, layout);
  return record;
}

// The layout recorded for `generation`, if the record is that generation's.
std::optional<uint64_t> RecordedLayout(RocksDb& db, uint64_t generation) {
  std::string record;
  if (!db.db()->Get(rocksdb::ReadOptions(), db.meta(), kLayoutKey, &record).ok())
    return std::nullopt;
  if (record.size() != 16 || keys::ReadBigEndian64(record.substr(0, 8)) != generation) {
    return std::nullopt;
  }
  return keys::ReadBigEndian64(record.substr(8));
}

std::string FamilyName(uint64_t generation, std::string_view model) {
  return std::string(kFamilyPrefix) + std::to_string(generation) + "." + std::string(model);
}

// Days since the epoch, offset so that every date sorts as an unsigned big-endian number.
std::string DateKey(const domain::Date& date) {
  const auto days = static_cast<uint32_t>(date.days().time_since_epoch().count() + 0x80000000LL);
  std::string out(4, '\0');
  for (int index = 0; index < 4; ++index) out[index] = static_cast<char>(days >> (24 - 8 * index));
  return out;
}

domain::Date DateFromKey(std::string_view key) {
  uint32_t days = 0;
  for (int index = 0; index < 4; ++index) days = (days << 8) | static_cast<unsigned char>(key[index]);
  return domain::Date(std::chrono::sys_days(std::chrono::days(static_cast<int64_t>(days) - 0x80000000LL)));
}

}  // namespace

std::string AnniversaryKey(const domain::Date& anniversary, const std::string& mcid) {
  return DateKey(anniversary) + mcid;
}

std::string LowercaseEmail(std::string_view email) { return domain::AsciiLowercase(email); }

std::string EmailKey(const std::string& email, const std::string& mcid) {
  return LowercaseEmail(email) + '\0' + mcid;
}

std::vector<std::pair<std::string, rocksdb::ColumnFamilyHandle*>> Generation::Digested() const {
  return {{"status", status}, {"anniversary", anniversary}, {"gaps", gaps},
          {"email", email},   {"reports", reports}};
}

Result<std::shared_ptr<const Generation>> ReadModels::OpenGeneration(uint64_t number) {
  auto generation = std::make_shared<Generation>();
  generation->number = number;
  const std::pair<std::string_view, rocksdb::ColumnFamilyHandle**> families[] = {
      {"status", &generation->status},   {"anniversary", &generation->anniversary},
      {"gaps", &generation->gaps},       {"email", &generation->email},
      {"reports", &generation->reports}, {"checkpoint", &generation->checkpoint}};
  for (const auto& [model, handle] : families) {
    auto created = db_.CreateFamily(FamilyName(number, model));
    if (!created.ok()) return created.error();
    *handle = created.value();
  }
  return std::shared_ptr<const Generation>(std::move(generation));
}

Result<std::unique_ptr<ReadModels>> ReadModels::Open(RocksDb& db) {
  std::unique_ptr<ReadModels> models(new ReadModels(db));
  uint64_t number = 1;
  std::string value;
  if (db.db()->Get(rocksdb::ReadOptions(), db.meta(), kGenerationKey, &value).ok()) {
    number = keys::ReadBigEndian64(value);
  }
  auto generation = models->OpenGeneration(number);
  if (!generation.ok()) return generation.error();
  models->current_ = generation.value();
  if (const std::optional<uint64_t> layout = RecordedLayout(db, number)) {
    models->stored_layout_ = *layout;
  } else {
    // No layout recorded for this generation: a new store (nothing applied yet, so any layout),
    // or one a build that records none filled (from before layouts were recorded, or an older
    // build's rebuild, which switched generations without a word about the layout).
    auto applied = models->Checkpoint(*models->current_);
    if (!applied.ok()) return applied.error();
    models->stored_layout_ = applied.value() == 0 ? kLayout : kFirstLayout;
    if (applied.value() == 0 && !db.read_only()) {
      // Not synced: lost to a crash, the empty generation still reads as this layout.
      if (Status put = FromRocks(db.db()->Put(rocksdb::WriteOptions(), db.meta(), kLayoutKey,
                                              LayoutRecord(number, kLayout)),
                                 "recording the read models' layout");
          !put.ok()) {
        return put.error();
      }
    }
  }
  // A rebuild that died before switching leaves families of another generation: drop them
  // (but not as a reader: the writer's rebuild may be running).
  if (db.read_only()) return models;
  const std::string live_prefix = std::string(kFamilyPrefix) + std::to_string(number) + ".";
  for (const auto& name : db.FamilyNames()) {
    if (name.rfind(kFamilyPrefix, 0) == 0 && name.rfind(live_prefix, 0) != 0) {
      if (const Status dropped = db.DropFamily(name); !dropped.ok()) return dropped.error();
    }
  }
  return models;
}

std::shared_ptr<const Generation> ReadModels::Current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

Result<std::shared_ptr<const Generation>> ReadModels::CreateNext() {
  const uint64_t next = Current()->number + 1;
  // Leftovers of an earlier attempt at this generation must not leak into it.
  Generation stale;
  stale.number = next;
  if (const Status discarded = Discard(stale); !discarded.ok()) return discarded.error();
  return OpenGeneration(next);
}

Status ReadModels::Discard(const Generation& generation) {
  for (const char* model : {"status", "anniversary", "gaps", "email", "reports", "checkpoint"}) {
    if (Status dropped = db_.DropFamily(FamilyName(generation.number, model)); !dropped.ok()) {
      return dropped;
    }
  }
  return Ok();
}

Result<std::shared_ptr<const Generation>> ReadModels::Readable() const {
  std::lock_guard lock(mutex_);
  if (stored_layout_ == kLayout) return current_;
  // A reader meets this beside a writer of another build, or on a store this user may not
  // write; mctd while it rebuilds them at start-up (it answers its own words for the code).
  return Error{"the read models are in layout " + std::to_string(stored_layout_) +
                   " and this build reads layout " + std::to_string(kLayout) +
                   " (the log's own questions, history and as-of ones, still answer): open the "
                   "store with this build's mctd or mctctl where it may write (it rebuilds them "
                   "from the log as it opens), or stop the writer and run this build's `mctctl "
                   "rebuild`",
               std::string(kOtherLayout)};
}

uint64_t ReadModels::StoredLayout() const {
  std::lock_guard lock(mutex_);
  return stored_layout_;
}

Status ReadModels::SwitchTo(std::shared_ptr<const Generation> next) {
  // The generation and the layout it was written in, in one write: never one without the other.
  std::string number;
  keys::PutBigEndian64(&number, next->number);
  const std::string layout = LayoutRecord(next->number, kLayout);
  rocksdb::WriteBatch batch;
  if (Status put =
          FromRocks(batch.Put(db_.meta(), kGenerationKey, number), "switching read models");
      !put.ok()) {
    return put;
  }
  if (Status put = FromRocks(batch.Put(db_.meta(), kLayoutKey, layout), "switching read models");
      !put.ok()) {
    return put;
  }
  rocksdb::WriteOptions options;
  options.sync = true;
  if (Status written = FromRocks(db_.db()->Write(options, &batch), "switching read models");
      !written.ok()) {
    return written;
  }
  std::shared_ptr<const Generation> old;
  {
    std::lock_guard lock(mutex_);
    old = std::move(current_);
    current_ = std::move(next);
    stored_layout_ = kLayout;
  }
  // Readers that still hold the old generation finish first (a query, at most a scan: short, but
  // not worth a core spun at full speed); then its families go.
  while (old.use_count() > 1) std::this_thread::sleep_for(std::chrono::microseconds(200));
  // The switch is made and durable whatever happens next: a family that cannot be dropped now is
  // a stale one, which the next Open drops. Reporting it as a failed switch would make a rebuild
  // that did take effect look undone.
  (void)Discard(*old);
  return Ok();
}

Result<std::optional<projections::TrainerView>> ReadModels::View(const domain::Mcid& mcid) const {
  auto readable = Readable();
  if (!readable.ok()) return readable.error();
  const std::shared_ptr<const Generation>& generation = readable.value();
  std::string value;
  const rocksdb::Status got =
      db_.db()->Get(rocksdb::ReadOptions(), generation->status, mcid.str(), &value);
  if (got.IsNotFound()) return std::optional<projections::TrainerView>();
  if (!got.ok()) return FromRocks(got, "reading a trainer's status").error();
  auto view = DecodeView(value);
  if (!view.ok()) return view.error();
  return std::optional<projections::TrainerView>(std::move(view).value());
}

Result<std::vector<DueEntry>> ReadModels::Due(const domain::Date& from, const domain::Date& to) const {
  auto readable = Readable();
  if (!readable.ok()) return readable.error();
  const std::shared_ptr<const Generation>& generation = readable.value();
  std::vector<DueEntry> out;
  rocksdb::ReadOptions read;
  const std::string upper = DateKey(to.AddDays(1));
  const rocksdb::Slice upper_slice(upper);
  read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_.db()->NewIterator(read, generation->anniversary));
  for (it->Seek(DateKey(from)); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    auto mcid = domain::Mcid::Parse(key.substr(4));
    if (mcid) out.push_back({DateFromKey(key), *mcid});
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scanning anniversaries").error();
  return out;
}

Result<std::vector<domain::Mcid>> ReadModels::LookupEmail(const std::string& email) const {
  auto readable = Readable();
  if (!readable.ok()) return readable.error();
  const std::shared_ptr<const Generation>& generation = readable.value();
  const std::string prefix = LowercaseEmail(email) + '\0';
  std::vector<domain::Mcid> out;
  std::unique_ptr<rocksdb::Iterator> it(db_.db()->NewIterator(rocksdb::ReadOptions(), generation->email));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (auto mcid = domain::Mcid::Parse(it->key().ToStringView().substr(prefix.size()))) {
      out.push_back(*mcid);
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "looking up an e-mail").error();
  return out;
}

Result<std::optional<StoredGaps>> ReadModels::Gaps(const domain::Mcid& mcid) const {
  auto readable = Readable();
  if (!readable.ok()) return readable.error();
  const std::shared_ptr<const Generation>& generation = readable.value();
  std::string value;
  const rocksdb::Status got = db_.db()->Get(rocksdb::ReadOptions(), generation->gaps, mcid.str(), &value);
  if (got.IsNotFound()) return std::optional<StoredGaps>();
  if (!got.ok()) return FromRocks(got, "reading gaps").error();
  auto gaps = DecodeGaps(value);
  if (!gaps.ok()) return gaps.error();
  return std::optional<StoredGaps>(std::move(gaps).value());
}

Result<std::map<std::string, int64_t>> ReadModels::Report(const std::string& month) const {
  auto readable = Readable();
  if (!readable.ok()) return readable.error();
  const std::shared_ptr<const Generation>& generation = readable.value();
  std::map<std::string, int64_t> out;
  const std::string prefix = month.empty() ? "" : month + "/";
  std::unique_ptr<rocksdb::Iterator> it(db_.db()->NewIterator(rocksdb::ReadOptions(), generation->reports));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    out[it->key().ToString()] = static_cast<int64_t>(keys::ReadBigEndian64(it->value().ToStringView()));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading reports").error();
  return out;
}

Result<uint64_t> ReadModels::Checkpoint(const Generation& generation) const {
  std::string value;
  const rocksdb::Status got =
      db_.db()->Get(rocksdb::ReadOptions(), generation.checkpoint, kCheckpointKey, &value);
  if (got.IsNotFound()) return uint64_t{0};
  if (!got.ok()) return FromRocks(got, "reading the checkpoint").error();
  return keys::ReadBigEndian64(value);
}

Result<std::string> ReadModels::Checksum() const {
  auto readable = Readable();
  if (!readable.ok()) return readable.error();
  const std::shared_ptr<const Generation>& generation = readable.value();
  rocksdb::ManagedSnapshot snapshot(db_.db());
  return ChecksumAt(*generation, snapshot.snapshot());
}

Result<std::string> ReadModels::ChecksumAt(const Generation& generation,
                                           const rocksdb::Snapshot* snapshot) const {
  // Without one, the families would be read at different moments and mix two states.
  if (snapshot == nullptr) return Error{"the store gave no snapshot to digest"};
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  std::string digest_input;
  std::string running = domain::Sha256Hex("");
  for (const auto& [name, family] : generation.Digested()) {
    std::unique_ptr<rocksdb::Iterator> it(db_.db()->NewIterator(read, family));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      // Length-prefixed so that no two different contents give the same input.
      digest_input.clear();
      digest_input += running;
      digest_input += name;
      keys::PutBigEndian64(&digest_input, it->key().size());
      digest_input += it->key().ToStringView();
      keys::PutBigEndian64(&digest_input, it->value().size());
      digest_input += it->value().ToStringView();
      running = domain::Sha256Hex(digest_input);
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading read models").error();
  }
  return running;
}

}  // namespace mct::consumers
