// What the verify, export and import tests share: a temporary directory per test, a real RocksDB
// store on disk filled through EventStore, and a tamperer that edits the stored bytes with plain
// RocksDB, as someone with disk access would, behind the store's back.
#pragma once

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "consumers/event_store.h"
#include "consumers/keys.h"
#include "consumers/projection_runner.h"
#include "consumers/read_models.h"
#include "consumers/rocks_db.h"
#include "domain/roles.h"
#include "tests/consumers/event_samples.h"
#include "tests/consumers/store_support.h"

namespace mct::consumers::audit {

// Audit tests keep their stores in the consumers tests' temporary directories.
using mct::consumers::testing::TempDir;

inline std::string McidText(int trainer) { return std::to_string(1000001 + trainer); }

// Every sample event type for one trainer, with vouchers and order numbers of its own (a voucher
// redeems once across the log, PAY-2).
inline std::vector<domain::Event> TrainerHistory(int trainer) {
  std::vector<domain::Event> events = samples::SamplePayloads();
  int order = 0;
  for (domain::Event& event : events) {
    if (auto* paid = std::get_if<domain::PaymentPlaced>(&event)) {
      paid->voucher_code += "-" + std::to_string(trainer);
      paid->order_id = "CT" + std::to_string(10000000 + trainer * 10 + ++order);
    }
  }
  return events;
}

// support-7, the member site or the trainer: the first that may send the command writing each
// of `count` events from `first` (ROLE-1..3); nullopt when none may send them all.
inline std::optional<domain::Actor> ActorFor(std::vector<domain::Event>::const_iterator first,
                                             size_t count, const std::string& mcid) {
  for (const domain::Actor& actor : {domain::Actor{domain::Role::kSupport, "support-7"},
                                     domain::Actor{domain::Role::kSystem, "member-site"},
                                     domain::Actor{domain::Role::kTrainer, mcid}}) {
    if (std::all_of(first, first + static_cast<std::ptrdiff_t>(count),
                    [&](const domain::Event& event) {
                      return domain::RoleMaySend(actor.role, domain::CommandWriting(event));
                    })) {
      return actor;
    }
  }
  return std::nullopt;
}

// Appends `trainers` histories through the store, interleaved one command at a time, commands of
// one to three events with ids "t<trainer>-c<n>": as live traffic leaves the log.
inline void AppendHistories(EventStore& store, int trainers) {
  std::vector<std::vector<domain::Event>> histories;
  for (int trainer = 0; trainer < trainers; ++trainer) histories.push_back(TrainerHistory(trainer));
  std::vector<size_t> next(trainers, 0);
  for (int round = 0;; ++round) {
    bool appended = false;
    for (int trainer = 0; trainer < trainers; ++trainer) {
      std::vector<domain::Event>& history = histories[trainer];
      if (next[trainer] == history.size()) continue;
      size_t size = std::min<size_t>(1 + (round + trainer) % 3, history.size() - next[trainer]);
      // A role that may send the commands writing each of these events (ROLE-1..3, which an
      // import checks), with fewer events when no one role may.
      std::optional<domain::Actor> actor;
      for (;; --size) {
        actor = ActorFor(history.begin() + next[trainer], size, McidText(trainer));
        if (actor || size == 1) break;
      }
      ASSERT_TRUE(actor.has_value());
      AppendRequest request;
      // Field by field: GCC 12 at -O3 takes a designated-initialiser temporary for uninitialised.
      request.meta.mcid = samples::McidOf(McidText(trainer));
      request.meta.at = domain::Instant::FromMillis(1488359100000 + round * 60'000);
      request.meta.actor.role = actor->role;
      request.meta.actor.id = actor->id;
      request.meta.command_id = "t" + std::to_string(trainer) + "-c" + std::to_string(round);
      request.meta.correlation_id = "corr-" + std::to_string(round);
      request.expected_version = store.StreamVersion(request.meta.mcid);
      request.events.assign(history.begin() + next[trainer],
                            history.begin() + next[trainer] + size);
      next[trainer] += size;
      auto outcome = store.Append(std::move(request));
      ASSERT_TRUE(outcome.ok()) << outcome.error().message;
      ASSERT_EQ(outcome->refusal, AppendRefusal::kNone);
      appended = true;
    }
    if (!appended) return;
  }
}

inline size_t EventsPerTrainer() { return samples::SamplePayloads().size(); }

// A data directory filled with `trainers` histories and its read models caught up; closed.
// Answers the read models' checksum.
inline std::string MakeStore(const std::filesystem::path& dir, int trainers) {
  auto db = RocksDb::Open(dir);
  EXPECT_TRUE(db.ok()) << db.error().message;
  auto log = EventStore::Open(*db.value(), StoreOptions{.sync = false});
  EXPECT_TRUE(log.ok()) << log.error().message;
  AppendHistories(*log.value(), trainers);
  auto models = ReadModels::Open(*db.value());
  EXPECT_TRUE(models.ok()) << models.error().message;
  ProjectionRunner runner(*log.value(), *models.value());
  EXPECT_TRUE(runner.CatchUp().ok());
  auto checksum = models.value()->Checksum();
  EXPECT_TRUE(checksum.ok());
  return checksum.ok() ? checksum.value() : "";
}

// Plain RocksDB on a closed store's directory, with every column family it holds.
class PlainDb {
 public:
  explicit PlainDb(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.string(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : names)
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* raw = nullptr;
    const rocksdb::Status opened =
        rocksdb::DB::Open(rocksdb::DBOptions(), dir.string(), descriptors, &handles_, &raw);
    EXPECT_TRUE(opened.ok()) << opened.ToString();
    db_.reset(raw);
    for (size_t index = 0; index < names.size(); ++index) families_[names[index]] = handles_[index];
  }
  ~PlainDb() {
    for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
    db_->Close();
  }
  PlainDb(const PlainDb&) = delete;
  PlainDb& operator=(const PlainDb&) = delete;

  std::string Get(const std::string& family, const std::string& key) {
    std::string value;
    EXPECT_TRUE(db_->Get(rocksdb::ReadOptions(), families_.at(family), key, &value).ok());
    return value;
  }
  void Put(const std::string& family, const std::string& key, const std::string& value) {
    EXPECT_TRUE(db_->Put(rocksdb::WriteOptions(), families_.at(family), key, value).ok());
  }
  void Delete(const std::string& family, const std::string& key) {
    EXPECT_TRUE(db_->Delete(rocksdb::WriteOptions(), families_.at(family), key).ok());
  }
  // The log key of a trainer's event, through the stream index.
  std::string LogKeyOf(const std::string& mcid, uint64_t version) {
    return Get(kStreamsFamily, keys::StreamEntry(mcid, version));
  }
  // Every key and value of a family whose key starts with `prefix`, in key order.
  std::map<std::string, std::string> Entries(const std::string& family,
                                             const std::string& prefix = "") {
    std::map<std::string, std::string> out;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), families_.at(family)));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      out[it->key().ToString()] = it->value().ToString();
    }
    EXPECT_TRUE(it->status().ok());
    return out;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> families_;
};

}  // namespace mct::consumers::audit
