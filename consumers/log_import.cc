// ImportLog: restores an NDJSON export into an empty data directory, all or nothing
// (log_export.h). RestoreWriter checks and writes the events; this file reads the lines, builds the
// store in a staging directory and moves it into place.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "consumers/codec.h"
#include "consumers/event_store.h"
#include "consumers/json_text.h"
#include "consumers/log_export.h"
#include "consumers/projection_runner.h"
#include "consumers/read_models.h"
#include "consumers/restore_writer.h"

namespace mct::consumers {
namespace {

namespace fs = std::filesystem;

// An exported event is a few hundred bytes; a longer line is not one (invariant 9: oversized
// input is refused, not buffered without end).
constexpr size_t kMaxLineBytes = 1 << 20;

// The next line of `in` into `line`, without its '\n'; false at the end of the input. A line
// longer than kMaxLineBytes sets `too_long` once that many bytes are read: the rest of it is
// never held (std::getline would read a line of any length into memory before it could be
// measured).
bool NextLine(std::istream& in, std::string& line, bool& too_long) {
  using Traits = std::char_traits<char>;
  line.clear();
  too_long = false;
  std::streambuf* buffer = in.rdbuf();
  Traits::int_type c = buffer == nullptr ? Traits::eof() : buffer->sbumpc();
  if (Traits::eq_int_type(c, Traits::eof())) {
    in.setstate(std::ios::eofbit);
    return false;
  }
  for (; !Traits::eq_int_type(c, Traits::eof()); c = buffer->sbumpc()) {
    if (Traits::to_char_type(c) == '\n') return true;
    if (line.size() == kMaxLineBytes) {
      too_long = true;
      return true;
    }
    line.push_back(Traits::to_char_type(c));
  }
  return true;  // the last line, without its '\n'
}

// A few of the names `folder` holds, to show what keeps it from being empty.
std::string SomeNamesIn(const fs::path& folder) {
  constexpr size_t kShown = 3;
  std::vector<std::string> names;  // the first kShown in name order, of `count`
  size_t count = 0;
  std::error_code error;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    ++count;
    names.push_back(it->path().filename().string());
    std::sort(names.begin(), names.end());
    if (names.size() > kShown) names.pop_back();
  }
  if (names.empty()) return "entries that could not be listed";
  std::string shown;
  for (size_t i = 0; i < names.size(); ++i) {
    shown += (i == 0 ? "" : ", ") + names[i];
  }
  if (count > kShown) shown += " and " + std::to_string(count - kShown) + " more";
  return shown;
}

// The target as an absolute path without a trailing separator or symbolic links (the restored
// store is renamed onto the folder a link names, not onto the link), if it is absent or an empty
// directory; a restore never mixes with existing data.
Result<fs::path> CheckTarget(const fs::path& data_dir) {
  std::error_code error;
  fs::path target = fs::absolute(data_dir, error);
  if (!error) target = fs::weakly_canonical(target, error);
  if (error) return Error{"cannot resolve " + data_dir.string() + ": " + error.message()};
  if (!target.has_filename()) target = target.parent_path();
  const fs::file_status status = fs::status(target, error);
  if (status.type() == fs::file_type::not_found) return target;
  if (error) return Error{"cannot inspect " + target.string() + ": " + error.message()};
  if (status.type() != fs::file_type::directory) {
    return Error{target.string() + " is not a directory"};
  }
  const bool empty = fs::is_empty(target, error);
  if (error) return Error{"cannot read " + target.string() + ": " + error.message()};
  if (!empty) {
    return Error{"the data directory " + target.string() + " is not empty (it holds " +
                 SomeNamesIn(target) + "): import restores into an empty or absent directory only"};
  }
  return target;
}

// Removes `folder` and the folders above it up to `created_above` (empty: none) while they are
// empty: the folders an import created, not what another one, running beside it, put there.
void RemoveEmptyFoldersCreated(fs::path folder, const fs::path& created_above) {
  if (created_above.empty()) return;
  for (;; folder = folder.parent_path()) {
    std::error_code error;
    if (!fs::remove(folder, error) || error) return;  // not empty (or gone): stop there
    if (folder == created_above || !folder.has_relative_path()) return;
  }
}

// Whether a process holds the lock of the store being built in `folder` (RocksDB's LOCK file,
// locked with fcntl); false when it has none yet. A look from another host or PID namespace (a
// shared volume) sees the lock where it could not see the process.
bool StoreLockHeld(const fs::path& folder) {
  const int fd = ::open((folder / "LOCK").c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return errno != ENOENT;  // there but not ours to open: take it as held
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  const bool held = ::fcntl(fd, F_GETLK, &lock) != 0 || lock.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

// Removes what imports into `target` that were killed left beside it, and answers what it
// removed: TARGET.importing-PID directories whose process is gone and whose store nobody holds
// (an import running now keeps its own). The export they were read from is whole elsewhere; a
// half-built store is of no use to anyone.
std::vector<std::string> RemoveStagingOfEndedImports(const fs::path& target) {
  std::vector<std::string> removed;
  if (target.filename().empty()) return removed;
  const std::string prefix = target.filename().string() + ".importing-";
  std::error_code error;
  for (fs::directory_iterator it(target.parent_path(), error), end; !error && it != end;
       it.increment(error)) {
    const fs::path& found = it->path();
    const std::string name = found.filename().string();
    std::error_code not_a_folder;
    if (!name.starts_with(prefix) || !it->is_directory(not_a_folder)) continue;
    const std::string digits = name.substr(prefix.size());
    pid_t pid = 0;
    const auto [end_of_digits, parsed] =
        std::from_chars(digits.data(), digits.data() + digits.size(), pid);
    if (parsed != std::errc() || end_of_digits != digits.data() + digits.size() || pid <= 0)
      continue;
    if (::kill(pid, 0) == 0 || errno != ESRCH || StoreLockHeld(found)) continue;
    std::error_code not_removed;
    fs::remove_all(found, not_removed);
    if (!not_removed) removed.push_back(found.string());
  }
  return removed;
}

// The directory the store is built in, beside the target so the final rename stays on one file
// system. Removed on destruction unless moved into place.
class StagingDir {
 public:
  static Result<std::unique_ptr<StagingDir>> Create(const fs::path& target) {
    std::error_code error;
    // The outermost folder this import creates above the target, removed with it if the import
    // fails: a refused import leaves nothing behind.
    fs::path created_above;
    for (fs::path folder = target.parent_path(); folder.has_relative_path() && !fs::exists(folder);
         folder = folder.parent_path()) {
      created_above = folder;
    }
    fs::create_directories(target.parent_path(), error);
    if (error)
      return Error{"cannot create " + target.parent_path().string() + ": " + error.message()};
    std::vector<std::string> removed = RemoveStagingOfEndedImports(target);
    fs::path path = target;
    path += ".importing-" + std::to_string(::getpid());
    // create_directory answers false for an existing one: never reuse (or delete) what another
    // import, running or interrupted, left there.
    if (!fs::create_directory(path, error)) {
      RemoveEmptyFoldersCreated(target.parent_path(), created_above);
      return Error{"cannot create the staging directory " + path.string() + ": " +
                   (error ? error.message() : "it exists (an interrupted import? remove it)")};
    }
    return std::unique_ptr<StagingDir>(
        new StagingDir(std::move(path), std::move(created_above), std::move(removed)));
  }
  ~StagingDir() {
    std::error_code ignored;
    if (path_.empty()) return;  // moved into place
    fs::remove_all(path_, ignored);
    RemoveEmptyFoldersCreated(path_.parent_path(), created_above_);
  }
  StagingDir(const StagingDir&) = delete;
  StagingDir& operator=(const StagingDir&) = delete;

  const fs::path& path() const { return path_; }
  // What killed imports into the same target had left, removed before this one began.
  const std::vector<std::string>& removed_leftovers() const { return removed_; }

  // Renames onto `target` (replacing it if it is an empty directory) and syncs the parent, so the
  // restored store is there after a power cut.
  Status MoveTo(const fs::path& target) {
    std::error_code error;
    fs::rename(path_, target, error);
    if (error) {
      return Error{"cannot move the restored store to " + target.string() + ": " + error.message()};
    }
    path_.clear();
    const int parent = ::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY);
    if (parent >= 0) {
      ::fsync(parent);
      ::close(parent);
    }
    return Ok();
  }

 private:
  StagingDir(fs::path path, fs::path created_above, std::vector<std::string> removed)
      : path_(std::move(path)),
        created_above_(std::move(created_above)),
        removed_(std::move(removed)) {}
  fs::path path_;
  fs::path created_above_;  // empty when the target's parent was there already
  std::vector<std::string> removed_;
};

bool IsBlank(const std::string& line) {
  return line.find_first_not_of(" \t\r") == std::string::npos;
}

// A line is read back only if it is what the export writes for the event it decodes to: the hashes
// cover an instant to the millisecond, so an `at` given to the microsecond would otherwise be cut
// silently, and the restored log would not export to the same bytes. The first field that
// differs, or nullopt.
std::optional<std::string> NotAsExported(std::string_view text, const nlohmann::json& line,
                                         const EventEnvelope& event) {
  const nlohmann::ordered_json rendered = ToJson(event);
  // Byte for byte as the export writes it: the usual case, and far cheaper than comparing trees.
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  if (rendered.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) == text) {
    return std::nullopt;
  }
  // Else the same JSON written otherwise (keys in another order, spaces) still passes.
  const nlohmann::json exported = rendered;
  for (const auto& [field, value] : line.items()) {
    const auto written = exported.find(field);
    if (written == exported.end() || *written != value) {
      return field + ": " + value.dump() + " is not what the export writes for this event (" +
             (written == exported.end() ? std::string("nothing") : written->dump()) + ")";
    }
  }
  for (const auto& [field, value] : exported.items()) {
    if (!line.contains(field)) {
      return field + ": missing (the export writes " + value.dump() + " for this event)";
    }
  }
  return std::nullopt;
}

// The count of an end line ({"end_of_export":{"events":N}}), an Error for a malformed one, or
// nullopt for any other line.
Result<std::optional<uint64_t>> EndOfExportCount(const nlohmann::json& line) {
  if (!line.is_object() || !line.contains(kEndOfExport)) return std::optional<uint64_t>();
  const nlohmann::json& end = line[std::string(kEndOfExport)];
  if (line.size() != 1 || !end.is_object() || end.size() != 1 || !end.contains("events") ||
      !end["events"].is_number_unsigned()) {
    return Error{std::string(kEndOfExport) + ": the end line is {\"" + std::string(kEndOfExport) +
                 "\":{\"events\":N}}"};
  }
  return std::optional<uint64_t>(end["events"].get<uint64_t>());
}

Status ReadLines(std::istream& in, RestoreWriter& writer, bool end_line_required) {
  std::string line;
  uint64_t line_number = 0;
  bool ended = false;
  bool too_long = false;
  while (NextLine(in, line, too_long)) {
    ++line_number;
    const std::string where = "line " + std::to_string(line_number) + ": ";
    if (too_long) return Error{where + "longer than 1 MiB: not an exported event"};
    if (IsBlank(line)) continue;
    if (ended) return Error{where + "after the export's end line"};
    Result<nlohmann::json> json = ParseJsonText(line);
    if (!json.ok()) return Error{where + "not valid JSON: " + json.error().message};
    Result<std::optional<uint64_t>> end = EndOfExportCount(json.value());
    if (!end.ok()) return Error{where + end.error().message};
    if (end.value()) {
      if (*end.value() != writer.events()) {
        return Error{where + "the end line counts " + std::to_string(*end.value()) +
                     " events, the export holds " + std::to_string(writer.events()) +
                     ": lines were removed or added"};
      }
      ended = true;
      continue;
    }
    Result<EventEnvelope> envelope = EventFromJson(json.value(), EnvelopeFields::kComplete);
    if (!envelope.ok()) return Error{where + envelope.error().message};
    if (auto problem = NotAsExported(line, json.value(), envelope.value()))
      return Error{where + *problem};
    if (Status added = writer.Add(envelope.value()); !added.ok()) {
      return Error{where + added.error().message};
    }
  }
  if (in.bad()) return Error{"reading the input failed after line " + std::to_string(line_number)};
  if (!ended && end_line_required) {
    return Error{"the export ends after line " + std::to_string(line_number) +
                 " without its end line ({\"" + std::string(kEndOfExport) +
                 "\":{\"events\":N}}): it was cut short (an export written before exports "
                 "had an end line: import --legacy)"};
  }
  return Ok();
}

// The read models of the restored log, built as a store opening would (admin::Store::Open), so
// queries work at once; answers their checksum.
Result<std::string> BuildReadModels(RocksDb& db) {
  auto log = EventStore::Open(db, StoreOptions{.sync = false});
  if (!log.ok()) return log.error();
  auto models = ReadModels::Open(db);
  if (!models.ok()) return models.error();
  ProjectionRunner runner(*log.value(), *models.value());
  if (auto caught_up = runner.CatchUp(); !caught_up.ok()) return caught_up.error();
  return models.value()->Checksum();
}

// Every family to disk before the directory is renamed into place.
Status FlushAll(RocksDb& db) {
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  for (const std::string& name : db.FamilyNames()) families.push_back(db.Family(name));
  rocksdb::FlushOptions flush;
  flush.wait = true;
  return FromRocks(db.db()->Flush(flush, families), "flushing the restored store");
}

}  // namespace

Result<ImportStats> ImportLog(std::istream& in, const fs::path& data_dir, ImportOptions options) {
  const auto started = std::chrono::steady_clock::now();
  Result<fs::path> target = CheckTarget(data_dir);
  if (!target.ok()) return target.error();
  auto staging = StagingDir::Create(target.value());
  if (!staging.ok()) return staging.error();

  ImportStats stats;
  stats.removed_leftovers = staging.value()->removed_leftovers();
  {
    auto db = RocksDb::Open(staging.value()->path());
    if (!db.ok()) return db.error();
    RestoreWriter writer(*db.value(), options.legacy);
    if (Status read = ReadLines(in, writer, !options.legacy); !read.ok()) return read.error();
    if (Status finished = writer.Finish(); !finished.ok()) return finished.error();
    auto checksum = BuildReadModels(*db.value());
    if (!checksum.ok()) return checksum.error();
    if (Status flushed = FlushAll(*db.value()); !flushed.ok()) return flushed.error();
    stats.events = writer.events();
    stats.streams = writer.streams();
    stats.checksum = std::move(checksum).value();
  }  // the database is closed before its directory moves
  if (Status moved = staging.value()->MoveTo(target.value()); !moved.ok()) return moved.error();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return stats;
}

}  // namespace mct::consumers
