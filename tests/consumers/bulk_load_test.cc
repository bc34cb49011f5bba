// BulkLoad on a real RocksDB: keys put in any order into fresh families come back sorted after
// one ingest; a key put twice refuses the whole load (no family gets anything); the scratch files
// are gone afterwards either way.
#include "consumers/bulk_load.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/consumers/store_support.h"

namespace mct::consumers {
namespace {

using testing::TempDir;
using Pairs = std::vector<std::pair<std::string, std::string>>;

class BulkLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = RocksDb::Open(dir_.path() / "db");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    db_ = std::move(opened).value();
    for (const char* name : {"first", "second"}) {
      auto family = db_->CreateFamily(name);
      ASSERT_TRUE(family.ok()) << family.error().message;
      families_.push_back(family.value());
    }
  }

  Pairs Contents(rocksdb::ColumnFamilyHandle* family) const {
    Pairs contents;
    std::unique_ptr<rocksdb::Iterator> it(db_->db()->NewIterator(rocksdb::ReadOptions(), family));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      contents.emplace_back(it->key().ToString(), it->value().ToString());
    }
    EXPECT_TRUE(it->status().ok());
    return contents;
  }
  std::filesystem::path Scratch() const { return dir_.path() / "scratch"; }

  TempDir dir_{"bulk-load"};
  std::unique_ptr<RocksDb> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> families_;
};

TEST_F(BulkLoadTest, KeysInAnyOrderComeBackSorted) {
  BulkLoad load(db_->db(), Scratch());
  for (const char* key : {"m", "c", "x", "a"}) load.Put(families_[0], key, std::string("v-") + key);
  load.Put(families_[1], "only", "");
  const Status ingested = load.Ingest();
  ASSERT_TRUE(ingested.ok()) << ingested.error().message;
  EXPECT_EQ(Contents(families_[0]),
            (Pairs{{"a", "v-a"}, {"c", "v-c"}, {"m", "v-m"}, {"x", "v-x"}}));
  EXPECT_EQ(Contents(families_[1]), (Pairs{{"only", ""}}));
  EXPECT_FALSE(std::filesystem::exists(Scratch()));

  // Later writes go on top of the ingested keys as usual.
  ASSERT_TRUE(db_->db()->Put(rocksdb::WriteOptions(), families_[0], "c", "newer").ok());
  std::string value;
  ASSERT_TRUE(db_->db()->Get(rocksdb::ReadOptions(), families_[0], "c", &value).ok());
  EXPECT_EQ(value, "newer");
}

TEST_F(BulkLoadTest, AnAbsorbedLoadIsIngestedWithIt) {
  BulkLoad load(db_->db(), Scratch());
  BulkLoad other(db_->db(), {});
  load.Put(families_[0], "b", "1");
  other.Put(families_[0], "a", "2");
  other.Put(families_[1], "z", "3");
  load.Absorb(std::move(other));
  const Status ingested = load.Ingest();
  ASSERT_TRUE(ingested.ok()) << ingested.error().message;
  EXPECT_EQ(Contents(families_[0]), (Pairs{{"a", "2"}, {"b", "1"}}));
  EXPECT_EQ(Contents(families_[1]), (Pairs{{"z", "3"}}));
}

TEST_F(BulkLoadTest, AKeyPutTwiceLoadsNothingAnywhere) {
  BulkLoad load(db_->db(), Scratch());
  load.Put(families_[0], "fine", "1");
  load.Put(families_[1], "twice", "1");
  load.Put(families_[1], "twice", "2");
  const Status ingested = load.Ingest();
  ASSERT_FALSE(ingested.ok());
  EXPECT_NE(ingested.error().message.find("writing a bulk-load file"), std::string::npos)
      << ingested.error().message;
  EXPECT_TRUE(Contents(families_[0]).empty());
  EXPECT_TRUE(Contents(families_[1]).empty());
  EXPECT_FALSE(std::filesystem::exists(Scratch()));
}

// A delete means the families held something: the load refuses rather than leave the key.
TEST_F(BulkLoadTest, ADeleteRefusesTheLoad) {
  BulkLoad load(db_->db(), Scratch());
  load.Put(families_[0], "kept?", "1");
  BulkLoad other(db_->db(), {});
  other.Delete(families_[1], "stale");
  load.Absorb(std::move(other));
  const Status ingested = load.Ingest();
  ASSERT_FALSE(ingested.ok());
  EXPECT_EQ(ingested.error().message,
            "bulk load refused: second is not empty: asked to delete 7374616C65");
  EXPECT_TRUE(Contents(families_[0]).empty());
}

TEST_F(BulkLoadTest, NothingPutIngestsNothing) {
  BulkLoad load(db_->db(), Scratch());
  const Status ingested = load.Ingest();
  ASSERT_TRUE(ingested.ok()) << ingested.error().message;
  EXPECT_TRUE(Contents(families_[0]).empty());
  EXPECT_FALSE(std::filesystem::exists(Scratch()));
}

}  // namespace
}  // namespace mct::consumers
