#include "consumers/memtable_hints.h"

#include <cstring>

#include "consumers/command_ids.h"
#include "consumers/keys.h"

namespace mct::consumers {
namespace {

class StreamOfKey : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "mct.StreamOfKey"; }
  bool InDomain(const rocksdb::Slice& key) const override { return Separator(key) != nullptr; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), static_cast<size_t>(Separator(key) - key.data()) + 1);
  }

 private:
  static const char* Separator(const rocksdb::Slice& key) {
    return static_cast<const char*>(std::memchr(key.data(), '\0', key.size()));
  }
};

class HeadOrMintedCommand : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "mct.HeadOrMintedCommand"; }
  bool InDomain(const rocksdb::Slice& key) const override {
    return key.starts_with(keys::kHeadPrefix) || key.starts_with(MintedCommands());
  }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return key.starts_with(keys::kHeadPrefix) ? key : MintedCommands();
  }

 private:
  // "cmd/http-": the start of every minted command id's key.
  static rocksdb::Slice MintedCommands() {
    static const std::string prefix = keys::Command(kMintedCommandIdPrefix);
    return prefix;
  }
};

// One hint for the whole family: positions only grow, so each key goes right after the last one.
class WholeFamily : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "mct.WholeFamily"; }
  bool InDomain(const rocksdb::Slice&) const override { return true; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), 0);
  }
};

}  // namespace

std::shared_ptr<const rocksdb::SliceTransform> LogInsertHint() {
  return std::make_shared<WholeFamily>();
}

std::shared_ptr<const rocksdb::SliceTransform> StreamInsertHint() {
  return std::make_shared<StreamOfKey>();
}

std::shared_ptr<const rocksdb::SliceTransform> MetaInsertHint() {
  return std::make_shared<HeadOrMintedCommand>();
}

}  // namespace mct::consumers
