#include "consumers/bulk_load.h"

#include <rocksdb/sst_file_writer.h>

#include <algorithm>
#include <array>
#include <future>
#include <iterator>
#include <system_error>

namespace mct::consumers {

void BulkLoad::Absorb(BulkLoad&& other) {
  for (auto& [family, entries] : other.families_) {
    Entries& mine = families_[family];
    if (mine.empty()) {
      mine = std::move(entries);
    } else {
      mine.insert(mine.end(), std::make_move_iterator(entries.begin()),
                  std::make_move_iterator(entries.end()));
    }
  }
  other.families_.clear();
  if (refused_.empty()) refused_ = std::move(other.refused_);
}

Status BulkLoad::WriteFile(rocksdb::ColumnFamilyHandle* family, Entries& entries,
                           const std::filesystem::path& file) const {
  // Most families arrive in key order already (they were gathered trainer by trainer in MCID
  // order); the indexes keyed by date or e-mail do not.
  const auto by_key = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (!std::is_sorted(entries.begin(), entries.end(), by_key)) {
    std::sort(entries.begin(), entries.end(), by_key);
  }
  rocksdb::ColumnFamilyDescriptor descriptor;
  if (Status described = FromRocks(family->GetDescriptor(&descriptor), "describing a family");
      !described.ok()) {
    return described;
  }
  // The family's own options (compression, filters), so the file reads like one it flushed.
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(db_->GetDBOptions()),
                                rocksdb::Options(db_->GetDBOptions(), descriptor.options), family);
  if (Status opened = FromRocks(writer.Open(file.string()), "creating a bulk-load file");
      !opened.ok()) {
    return opened;
  }
  for (const auto& [key, value] : entries) {
    // SstFileWriter refuses a key equal to the one before it: a put twice is reported here.
    if (Status added = FromRocks(writer.Put(key, value), "writing a bulk-load file"); !added.ok()) {
      return added;
    }
  }
  return FromRocks(writer.Finish(), "finishing a bulk-load file");
}

Status BulkLoad::Ingest() {
  if (!refused_.empty()) {
    families_.clear();
    return Error{"bulk load refused: " + refused_};
  }
  std::error_code error;
  std::filesystem::remove_all(scratch_, error);
  std::filesystem::create_directories(scratch_, error);
  if (error) return Error{"cannot create " + scratch_.string() + ": " + error.message()};

  // One file per family, built on two threads: the largest families first, each to the thread
  // with fewer bytes so far.
  struct Job {
    rocksdb::ColumnFamilyHandle* family;
    Entries* entries;
    size_t bytes = 0;
  };
  std::vector<Job> jobs;
  for (auto& [family, entries] : families_) {
    if (entries.empty()) continue;
    Job job{family, &entries};
    for (const auto& [key, value] : entries) job.bytes += key.size() + value.size();
    jobs.push_back(job);
  }
  std::sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) { return a.bytes > b.bytes; });
  std::array<std::vector<Job>, 2> turns;
  std::array<size_t, 2> load = {0, 0};
  for (const Job& job : jobs) {
    const int lighter = load[0] <= load[1] ? 0 : 1;
    turns[lighter].push_back(job);
    load[lighter] += job.bytes;
  }
  const auto file_of = [this](const Job& job) {
    return scratch_ / (job.family->GetName() + ".sst");
  };
  const auto write_all = [&](const std::vector<Job>& mine) {
    for (const Job& job : mine) {
      if (Status written = WriteFile(job.family, *job.entries, file_of(job)); !written.ok())
        return written;
    }
    return Ok();
  };
  auto other = std::async(std::launch::async, write_all, turns[1]);
  Status written = write_all(turns[0]);
  if (const Status theirs = other.get(); written.ok()) written = theirs;

  if (written.ok() && !jobs.empty()) {
    std::vector<rocksdb::IngestExternalFileArg> args;
    for (const Job& job : jobs) {
      rocksdb::IngestExternalFileArg arg;
      arg.column_family = job.family;
      arg.external_files = {file_of(job).string()};
      arg.options.move_files = true;  // linked into the database, not copied
      args.push_back(std::move(arg));
    }
    written = FromRocks(db_->IngestExternalFiles(args), "ingesting the bulk-load files");
  }
  families_.clear();
  std::filesystem::remove_all(scratch_, error);
  return written;
}

}  // namespace mct::consumers
