// A rebuild whose bulk load fails on a real RocksDB on disk, with the disk failing on demand: the
// files of the bulk load cannot be created, or the finished files cannot be ingested. Either way
// the rebuild answers a clear error and changes nothing that serves: the live generation, its
// checkpoint and checksum stay as they were, the half-built generation's families are dropped,
// no scratch file is left behind, and once the disk is back a rebuild gives the live checksum.
#include <gtest/gtest.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "consumers/projection_runner.h"
#include "consumers/read_models.h"
#include "tests/consumers/store_support.h"

namespace mct::consumers {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

// The operating system's file system, except for what a test turns off.
class FailingBulkLoad : public rocksdb::FileSystemWrapper {
 public:
  FailingBulkLoad() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FailingBulkLoad"; }
  void fail_scratch_files(bool failing) { scratch_failing_ = failing; }
  void fail_links(bool failing) { links_failing_ = failing; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override {
    if (scratch_failing_ && name.find("/rebuild-files/") != std::string::npos) {
      return rocksdb::IOStatus::IOError("injected: the disk refused a bulk-load file");
    }
    return target()->NewWritableFile(name, options, file, debug);
  }
  // Ingesting links each finished file into the database's directory.
  rocksdb::IOStatus LinkFile(const std::string& from, const std::string& to,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
    if (links_failing_) return rocksdb::IOStatus::IOError("injected: the disk refused a link");
    return target()->LinkFile(from, to, options, debug);
  }

 private:
  std::atomic<bool> scratch_failing_{false};
  std::atomic<bool> links_failing_{false};
};

constexpr uint64_t kMcidBase = 3500000;

class RebuildFailure : public ::testing::Test {
 protected:
  RebuildFailure() {
    const Status lived = RunLives(*parts_.commands, kMcidBase, 0, 12, 3, "life");
    if (!lived.ok()) throw std::runtime_error(lived.error().message);
    if (auto caught_up = parts_.runner->CatchUp(); !caught_up.ok()) {
      throw std::runtime_error(caught_up.error().message);
    }
    checksum_ = Checksum();
    generation_ = models().Current()->number;
    families_ = parts_.db->FamilyNames();
  }

  ReadModels& models() { return *parts_.models; }
  ProjectionRunner& runner() { return *parts_.runner; }

  std::string Checksum() {
    auto checksum = models().Checksum();
    if (!checksum.ok()) throw std::runtime_error(checksum.error().message);
    return checksum.value();
  }

  // A failed rebuild leaves what serves exactly as it was.
  void ExpectNothingChanged(const Result<RebuildStats>& rebuilt, const std::string& injected) {
    ASSERT_FALSE(rebuilt.ok()) << "a rebuild whose bulk load failed reported success";
    EXPECT_NE(rebuilt.error().message.find(injected), std::string::npos) << rebuilt.error().message;
    EXPECT_EQ(models().Current()->number, generation_);
    EXPECT_EQ(Checksum(), checksum_);
    auto checkpoint = models().Checkpoint(*models().Current());
    ASSERT_TRUE(checkpoint.ok());
    EXPECT_EQ(checkpoint.value(), parts_.log->Head());
    EXPECT_EQ(parts_.db->FamilyNames(), families_) << "the half-built generation is dropped";
    EXPECT_FALSE(std::filesystem::exists(dir_.path() / "rebuild-files"));
  }

  // After the disk is back: the same log rebuilds to the same read models.
  void ExpectARebuildWorksAgain() {
    file_system_->fail_scratch_files(false);
    file_system_->fail_links(false);
    auto rebuilt = runner().Rebuild();
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.error().message;
    EXPECT_EQ(rebuilt.value().checksum, checksum_);
    EXPECT_GT(models().Current()->number, generation_);
  }

  TempDir dir_{"rebuild-failure"};
  std::shared_ptr<FailingBulkLoad> file_system_ = std::make_shared<FailingBulkLoad>();
  std::unique_ptr<rocksdb::Env> env_ = rocksdb::NewCompositeEnv(file_system_);
  StoreParts parts_{dir_.path(), StoreOptions{}, env_.get()};
  // As the live runner left them, before any rebuild.
  std::string checksum_;
  uint64_t generation_ = 0;
  std::vector<std::string> families_;
};

TEST_F(RebuildFailure, BulkLoadFilesThatCannotBeWrittenChangeNothing) {
  file_system_->fail_scratch_files(true);
  ExpectNothingChanged(runner().Rebuild(), "injected: the disk refused a bulk-load file");
  ExpectARebuildWorksAgain();
}

TEST_F(RebuildFailure, FilesThatCannotBeIngestedChangeNothing) {
  file_system_->fail_links(true);
  ExpectNothingChanged(runner().Rebuild(), "injected: the disk refused a link");
  ExpectARebuildWorksAgain();
}

}  // namespace
}  // namespace mct::consumers
