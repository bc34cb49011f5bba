// mct_store_bench: measures the durable store against RocksDB's own limits on the same machine,
// in one run, and prints one table (Markdown) with each figure and its ratio to those limits.
//
//   mct_store_bench DIR [--smoke] [--trainers N] [--queries N] [--seconds S] [--no-demo]
//                       [--only-writers N] [--callbacks] [--client-ids]
//
// DIR holds three fresh sub-directories, each wiped when the run starts:
//   DIR/rocksdb   plain RocksDB, 200-byte values: the machine's limits
//   DIR/appends   an EventStore taking concurrent durable appends
//   DIR/demo      GenerateDemo's histories, rebuilt, queried and compacted
//
// --no-demo stops after the appends (for profiling the commit path).
// --only-writers N measures only the store's appends with N writers, for a profiler; with
// --callbacks the writers are AppendAsync callbacks instead of blocked threads.
// --client-ids: the appended commands carry ids their client chose (UUID-like), which the store
// looks up first (a retry is answered from the log) and which land anywhere in its key order. By
// default they carry ids minted as mctd's front door mints them when the client sends none
// (consumers/command_ids.h): no look-up, and in time order.
// --smoke runs every section with tiny sizes in a few seconds (the `bench.smoke` ctest), so the
// driver cannot rot; its figures mean nothing.
#include <malloc.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/statistics.h>
#include <rocksdb/write_batch.h>
#include <sys/utsname.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "admin/demo_data.h"
#include "admin/queries.h"
#include "admin/store.h"
#include "bench/command_line.h"
#include "bench/percentile.h"
#include "consumers/codec.h"
#include "consumers/command_ids.h"
#include "consumers/event_store.h"
#include "consumers/keys.h"
#include "consumers/rocks_db.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using mct::Result;
using mct::consumers::AppendOutcome;
using mct::consumers::AppendRefusal;
using mct::consumers::AppendRequest;
using mct::consumers::EventStore;
using mct::consumers::RocksDb;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU time of the whole process (every thread), in seconds.
double ProcessCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

[[noreturn]] void Fail(const std::string& what) {
  std::cerr << "mct_store_bench: " << what << "\n";
  std::exit(1);
}

void Check(const rocksdb::Status& status, const std::string& what) {
  if (!status.ok()) Fail(what + ": " + status.ToString());
}

// --- options
// --------------------------------------------------------------------------------------

struct BenchOptions {
  fs::path dir;
  bool smoke = false;
  uint64_t trainers = 40000;  // about a million events
  size_t queries = 20000;
  double seconds = 3.0;  // measured window of each throughput figure
  bool demo = true;      // generate, rebuild, query and compact the demo histories
  int only_writers = 0;  // when set: only the store's appends with this many writers (profiling)
  bool client_ids = false;  // commands carry ids a client chose: looked up before they are written
  bool callbacks = false;   // --only-writers: writers are AppendAsync callbacks, not threads
};

BenchOptions ParseArgs(int argc, char** argv) {
  BenchOptions options;
  CLI::App app{"mct_store_bench: the durable store against RocksDB's own limits, in one run",
               "mct_store_bench"};
  std::string dir;
  std::optional<uint64_t> trainers;
  std::optional<size_t> queries;
  std::optional<double> seconds;
  app.add_option("DIR", dir, "where the run's three fresh stores go (each wiped first)")
      ->required();
  app.add_flag("--smoke", options.smoke, "every section with tiny sizes, in a few seconds");
  app.add_option("--trainers", trainers, "demo trainers (default 40000: about a million events)")
      ->check(CLI::PositiveNumber);
  app.add_option("--queries", queries, "status and as-of queries timed (default 20000)")
      ->check(CLI::PositiveNumber);
  app.add_option("--seconds", seconds, "the measured time of each throughput figure (default 3)")
      ->check(CLI::PositiveNumber);
  bool no_demo = false;
  app.add_flag("--no-demo", no_demo, "stop after the appends");
  app.add_option("--only-writers", options.only_writers,
                 "only the store's appends, with this many writers (for a profiler)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--callbacks", options.callbacks,
               "--only-writers: the writers are AppendAsync callbacks, not threads");
  app.add_flag("--client-ids", options.client_ids, "commands carry ids their client chose");
  mct::bench::ParseCommandLineOrExit(app, argc, argv);
  options.dir = dir;
  options.demo = !no_demo;
  if (options.smoke) {
    options.trainers = 200;
    options.queries = 300;
    options.seconds = 0.15;
  }
  if (trainers) options.trainers = *trainers;
  if (queries) options.queries = *queries;
  if (seconds) options.seconds = *seconds;
  return options;
}

// A sub-directory of the bench directory, emptied: every measurement starts on a fresh store.
fs::path FreshDir(const BenchOptions& options, const std::string& name) {
  const fs::path dir = options.dir / name;
  std::error_code error;
  fs::remove_all(dir, error);
  if (error) Fail("cannot empty " + dir.string() + ": " + error.message());
  fs::create_directories(dir, error);
  if (error) Fail("cannot create " + dir.string() + ": " + error.message());
  return dir;
}

uint64_t DirBytes(const fs::path& dir) {
  uint64_t total = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

// --- latency percentiles, memory ----------------------------------------------------------------

struct Latency {
  double p50_us = 0;
  double p99_us = 0;
};

Latency Percentiles(std::vector<double> samples_us) {
  Latency out;
  if (samples_us.empty()) return out;
  std::sort(samples_us.begin(), samples_us.end());
  out.p50_us = mct::bench::PercentileOfSorted(samples_us, 0.50);
  out.p99_us = mct::bench::PercentileOfSorted(samples_us, 0.99);
  return out;
}

// A field of /proc/self/status in kB ("VmRSS", "VmHWM"), 0 when absent.
uint64_t ProcStatusKb(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      std::istringstream rest(line.substr(field.size() + 1));
      uint64_t kb = 0;
      rest >> kb;
      return kb;
    }
  }
  return 0;
}

// Resets VmHWM to the current RSS (Linux ≥ 4.0), so the next reading is the peak of what follows.
bool ResetPeakRss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  return static_cast<bool>(clear);
}

// Samples VmRSS every few milliseconds until stopped; answers the largest sample in kB.
class RssSampler {
 public:
  RssSampler() : thread_([this] { Run(); }) {}
  uint64_t StopKb() {
    stop_ = true;
    thread_.join();
    return peak_kb_;
  }

 private:
  void Run() {
    while (!stop_) {
      peak_kb_ = std::max(peak_kb_, ProcStatusKb("VmRSS"));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    peak_kb_ = std::max(peak_kb_, ProcStatusKb("VmRSS"));
  }
  std::atomic<bool> stop_{false};
  uint64_t peak_kb_ = 0;
  std::thread thread_;
};

// --- the results table --------------------------------------------------------------------------

struct Row {
  std::string what;
  std::string figure;
  std::string ratio;      // "1.23×" or empty
  std::string reference;  // the RocksDB limit the ratio is taken against
  std::string target;     // "≥ 100,000/s: met" or empty
};

std::string Grouped(double value) {
  const auto whole = static_cast<uint64_t>(value + 0.5);
  std::string digits = std::to_string(whole);
  std::string out;
  for (size_t index = 0; index < digits.size(); ++index) {
    if (index > 0 && (digits.size() - index) % 3 == 0) out += ',';
    out += digits[index];
  }
  return out;
}

std::string Fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string Ratio(double value, double reference) {
  if (reference <= 0) return "";
  return Fixed(value / reference, value / reference < 10 ? 2 : 1) + "×";
}

std::string Met(bool met) { return met ? "met" : "MISSED"; }

void PrintTable(const std::vector<Row>& rows) {
  std::cout << "| measure | figure | ratio | to RocksDB's | target |\n";
  std::cout << "|---|---:|---:|---|---|\n";
  for (const Row& row : rows) {
    std::cout << "| " << row.what << " | " << row.figure << " | " << row.ratio << " | "
              << row.reference << " | " << row.target << " |\n";
  }
}

std::string MachineLine() {
  std::string cpu = "unknown CPU";
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  }
  utsname name{};
  uname(&name);
  return std::to_string(std::thread::hardware_concurrency()) + " cores, " + cpu + ", " +
         name.sysname + " " + name.release;
}

std::string Today() {
  const auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return mct::domain::Date(now).ToString();
}

// --- RocksDB's own limits -----------------------------------------------------------------------

constexpr size_t kValueBytes = 200;
constexpr size_t kEventBytes = 340;  // an encoded event of the benchmark's appends

// 36 characters, as a UUID is.
std::string CommandIdLike(uint64_t bits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%08llx-%04llx-4000-8000-%012llx",
                static_cast<unsigned long long>(bits >> 32),
                static_cast<unsigned long long>((bits >> 16) & 0xffff),
                static_cast<unsigned long long>(bits & 0xffffffffffffULL));
  return buffer;
}

// Values cut from a fixed random buffer: every value differs, none costs a generator call.
class ValueSource {
 public:
  ValueSource() : buffer_(1 << 16, '\0') {
    static_assert(kEventBytes > kValueBytes);
    std::mt19937_64 random(42);
    const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.-";
    for (char& byte : buffer_) byte = alphabet[random() % (sizeof alphabet - 1)];
  }
  rocksdb::Slice For(uint64_t key) const {
    const size_t offset = (key * 7919) % (buffer_.size() - kEventBytes);
    return rocksdb::Slice(buffer_.data() + offset, kValueBytes);
  }

 private:
  std::string buffer_;
};

// With writers already running: a short warm-up, then `seconds` measured; answers operations
// (counted in `done`) per second over the window. `window` is called with true when the window
// opens and false when it closes.
template <typename WindowFn>
double MeasuredWindow(double seconds, const std::atomic<uint64_t>& done, WindowFn& window) {
  std::this_thread::sleep_for(std::chrono::duration<double>(std::min(0.2, seconds * 0.2)));
  window(true);
  const uint64_t before = done.load();
  const auto started = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const uint64_t after = done.load();
  const double elapsed = SecondsSince(started);
  window(false);
  return static_cast<double>(after - before) / elapsed;
}

// Runs `threads` writers, each calling `write(thread)` in a loop, through a MeasuredWindow.
template <typename WriteFn, typename WindowFn>
double TimedWriters(int threads, double seconds, std::atomic<uint64_t>& done, WriteFn write,
                    WindowFn window) {
  std::atomic<bool> stop{false};
  std::latch ready(threads + 1);
  std::vector<std::thread> workers;
  for (int thread = 0; thread < threads; ++thread) {
    workers.emplace_back([&, thread] {
      ready.arrive_and_wait();
      while (!stop.load(std::memory_order_relaxed)) write(thread);
    });
  }
  ready.arrive_and_wait();
  const double rate = MeasuredWindow(seconds, done, window);
  stop = true;
  for (auto& worker : workers) worker.join();
  return rate;
}

// Plain RocksDB on its own fresh directory, 200-byte values under 8-byte keys.
class RocksBaseline {
 public:
  explicit RocksBaseline(fs::path dir) : dir_(std::move(dir)) {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.IncreaseParallelism(2);
    options.max_background_jobs = 2;
    options.statistics = statistics_;  // tickers only: how many writes share a sync
    rocksdb::DB* raw = nullptr;
    Check(rocksdb::DB::Open(options, dir_.string(), &raw), "opening plain RocksDB");
    db_.reset(raw);
  }

  // Synced writes of one event per WriteBatch from `threads` threads (RocksDB's group commit);
  // events per second, and in `writes_per_sync` how many writes shared each WAL sync.
  double SyncedSingles(int threads, double seconds, double* writes_per_sync) {
    std::atomic<uint64_t> done{0};
    uint64_t syncs_before = 0;
    uint64_t writes_before = 0;
    const double rate = TimedWriters(
        threads, seconds, done,
        [&](int) {
          const uint64_t key = next_key_.fetch_add(1);
          rocksdb::WriteBatch batch;
          batch.Put(mct::consumers::keys::Position(key), values_.For(key));
          Check(db_->Write(Synced(), &batch), "synced write");
          done.fetch_add(1);
        },
        [&](bool opens) {
          const uint64_t syncs = statistics_->getTickerCount(rocksdb::WAL_FILE_SYNCED);
          const uint64_t writes = done.load();
          if (opens) {
            syncs_before = syncs;
            writes_before = writes;
          } else if (syncs > syncs_before) {
            *writes_per_sync = static_cast<double>(writes - writes_before) /
                               static_cast<double>(syncs - syncs_before);
          }
        });
    return rate;
  }

  // Synced WriteBatches of 1,000 events from one thread; events per second.
  double SyncedBatches(double seconds) {
    constexpr uint64_t kBatchEvents = 1000;
    std::atomic<uint64_t> done{0};
    return TimedWriters(
        1, seconds, done,
        [&](int) {
          const uint64_t first = next_key_.fetch_add(kBatchEvents);
          rocksdb::WriteBatch batch;
          for (uint64_t key = first; key < first + kBatchEvents; ++key) {
            batch.Put(mct::consumers::keys::Position(key), values_.For(key));
          }
          Check(db_->Write(Synced(), &batch), "synced batch");
          done.fetch_add(kBatchEvents);
        },
        [](bool) {});
  }

  // The store's own write shape without the store: synced batches of 256 events, each event four
  // keys as EventStore::Append writes them (the log entry, the stream index entry, the stream head,
  // the command id); events per second. The ceiling for the store's appends with 256 writers.
  double SyncedStoreShape(double seconds) {
    constexpr uint64_t kBatchEvents = 256;
    std::atomic<uint64_t> done{0};
    std::mt19937_64 random(5);
    return TimedWriters(
        1, seconds, done,
        [&](int) {
          rocksdb::WriteBatch batch;
          for (uint64_t event = 0; event < kBatchEvents; ++event) {
            const uint64_t key = next_key_.fetch_add(1);
            const std::string trainer = std::to_string(20'000'000 + random() % 100'000);
            std::string stream_key = "s/" + trainer + '\0';
            mct::consumers::keys::PutBigEndian64(&stream_key, key);
            batch.Put(mct::consumers::keys::Position(key),
                      rocksdb::Slice(values_.For(key).data(), kEventBytes));
            batch.Put(stream_key, mct::consumers::keys::Position(key));
            batch.Put("h/" + trainer, rocksdb::Slice(values_.For(key + 1).data(), 72));
            batch.Put("c/" + CommandIdLike(random()),
                      rocksdb::Slice(values_.For(key + 2).data(), 24));
          }
          Check(db_->Write(Synced(), &batch), "synced batch");
          done.fetch_add(kBatchEvents);
        },
        [](bool) {});
  }

  // Everything written, read back in key order (as a rebuild reads the log); events per second.
  double SequentialRead() {
    Check(db_->Flush(rocksdb::FlushOptions()), "flushing");
    rocksdb::ReadOptions read;
    read.readahead_size = 2 << 20;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read));
    const auto started = Clock::now();
    uint64_t entries = 0;
    uint64_t bytes = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      bytes += it->value().size();
      ++entries;
    }
    Check(it->status(), "sequential read");
    if (bytes == 0) Fail("the sequential read found nothing");
    return static_cast<double>(entries) / SecondsSince(started);
  }

  // Random point reads of written keys: the floor under a read-model query.
  Latency RandomGets(size_t count) {
    const uint64_t written = next_key_.load();
    std::mt19937_64 random(7);
    std::vector<double> samples;
    samples.reserve(count);
    std::string value;
    for (size_t index = 0; index < count; ++index) {
      const std::string key = mct::consumers::keys::Position(random() % written);
      const auto started = Clock::now();
      Check(db_->Get(rocksdb::ReadOptions(), key, &value), "point read");
      samples.push_back(SecondsSince(started) * 1e6);
    }
    return Percentiles(std::move(samples));
  }

  // Bytes of the data directory per entry after a full compaction; closes the database.
  double CompactedBytesPerEntry() {
    rocksdb::CompactRangeOptions compact;
    compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    Check(db_->CompactRange(compact, nullptr, nullptr), "compacting");
    Check(db_->Close(), "closing plain RocksDB");
    db_.reset();
    return static_cast<double>(DirBytes(dir_)) / static_cast<double>(next_key_.load());
  }

 private:
  static rocksdb::WriteOptions Synced() {
    rocksdb::WriteOptions options;
    options.sync = true;
    return options;
  }

  fs::path dir_;
  std::shared_ptr<rocksdb::Statistics> statistics_ = rocksdb::CreateDBStatistics();
  std::unique_ptr<rocksdb::DB> db_;
  const ValueSource values_;
  std::atomic<uint64_t> next_key_{0};
};

// --- durable appends through EventStore ---------------------------------------------------------

struct AppendFigures {
  double events_per_second = 0;
  uint64_t events = 0;  // made durable in the measured window, with the WAL syncs and their time below
  uint64_t syncs = 0;
  double sync_seconds = 0;
  double window_seconds = 0;
  double cpu_seconds = 0;  // the whole process's CPU time (all threads) in the window
};

const char* const kCourses[] = {
    "AZ-104T00: Microsoft Azure Administrator, 4-day instructor-led, Contoso Learning Tokyo",
    "MS-900T01: Microsoft 365 Fundamentals, virtual classroom for Fabrikam partners",
    "DP-203T00: Data Engineering on Microsoft Azure, onsite delivery, Osaka training centre",
    "SC-200T00: Microsoft Security Operations Analyst, evening cohort, Northwind Academy",
};

// How a writer waits for its append: a thread blocked in EventStore::Append, as a server's request
// threads would; or a callback given to EventStore::AppendAsync that sends the writer's next
// append, as an event-driven server would. Either way each writer has one append in flight.
enum class WriterKind { kThreads, kCallbacks };

// `writers` writers, each appending one MtmSurveyRecorded at a time to its own trainer's stream;
// every run uses new trainers.
class AppendBench {
 public:
  AppendBench(const fs::path& dir, bool client_ids) : client_ids_(client_ids) {
    auto db = RocksDb::Open(dir);
    if (!db.ok()) Fail(db.error().message);
    db_ = std::move(db).value();
    auto store = EventStore::Open(*db_);  // sync on: acknowledged means durable
    if (!store.ok()) Fail(store.error().message);
    store_ = std::move(store).value();
  }

  AppendFigures Run(int writers, double seconds, WriterKind kind = WriterKind::kThreads) {
    Round round(*this, writers);
    mct::consumers::CommitStats before;
    mct::consumers::CommitStats after;
    Clock::time_point opened;
    double cpu_opened = 0;
    AppendFigures figures;
    auto window = [&](bool opens) {
      if (opens) {
        before = store_->Stats();
        opened = Clock::now();
        cpu_opened = ProcessCpuSeconds();
      } else {
        after = store_->Stats();
        figures.window_seconds = SecondsSince(opened);
        figures.cpu_seconds = ProcessCpuSeconds() - cpu_opened;
      }
    };
    if (kind == WriterKind::kThreads) {
      figures.events_per_second = TimedWriters(
          writers, seconds, round.done,
          [&](int writer) {
            auto outcome = store_->Append(round.NextRequest(writer));
            if (!outcome.ok()) Fail("append: " + outcome.error().message);
            round.Answered(writer, outcome.value());
          },
          window);
    } else {
      figures.events_per_second = TimedCallbacks(writers, seconds, round, window);
    }
    if (round.refused.load() != 0) {
      Fail("appends were refused: " + std::to_string(round.refused.load()));
    }
    figures.events = after.events - before.events;
    figures.syncs = after.syncs - before.syncs;
    figures.sync_seconds = after.sync_seconds - before.sync_seconds;
    return figures;
  }

 private:
  // The writers of one run: their trainers, and each one's next append. A writer's state is only
  // touched by whoever holds its one append in flight.
  struct Round {
    Round(AppendBench& bench, int writers)
        : client_ids(bench.client_ids_),
          first_mcid(bench.next_mcid_),
          versions(static_cast<size_t>(writers), 0),
          sequences(static_cast<size_t>(writers), 0) {
      bench.next_mcid_ += static_cast<uint64_t>(writers);
      for (int writer = 0; writer < writers; ++writer) {
        mcids.push_back(
            *mct::domain::Mcid::Parse(std::to_string(first_mcid + static_cast<uint64_t>(writer))));
      }
    }

    AppendRequest NextRequest(int writer) {
      const auto slot = static_cast<size_t>(writer);
      const uint64_t sequence = sequences[slot]++;
      AppendRequest request;
      request.meta.mcid = mcids[slot];
      request.meta.at = mct::domain::Instant::FromMillis(1'700'000'000'000 +
                                                         static_cast<int64_t>(sequence) * 1000);
      request.meta.actor = {mct::domain::Role::kTrainer, mcids[slot].str()};
      request.meta.command_id = client_ids ? CommandIdLike(((first_mcid + slot) << 32) | sequence)
                                           : mct::consumers::MintCommandId();
      request.meta.correlation_id = request.meta.command_id;
      request.meta.causation_id = request.meta.command_id;
      request.fresh_command_id = !client_ids;
      request.expected_version = versions[slot];
      mct::domain::MtmSurveyRecorded survey;
      survey.course_name = kCourses[sequence % std::size(kCourses)];
      survey.course_date = request.meta.at.date().AddDays(-7);
      survey.average_score = 7.5 + static_cast<double>(sequence % 20) / 10.0;
      request.events.emplace_back(std::move(survey));
      return request;
    }

    void Answered(int writer, const AppendOutcome& outcome) {
      if (outcome.refusal != AppendRefusal::kNone) {
        refused.fetch_add(1);
        return;
      }
      versions[static_cast<size_t>(writer)] += 1;
      done.fetch_add(1, std::memory_order_relaxed);
    }

    const bool client_ids;
    const uint64_t first_mcid;
    std::vector<mct::domain::Mcid> mcids;
    std::vector<uint64_t> versions;
    std::vector<uint64_t> sequences;
    std::atomic<uint64_t> done{0};
    std::atomic<uint64_t> refused{0};
  };

  // TimedWriters for writers that are callbacks: each writer's answer, on one of the store's
  // threads, sends its next append until the window has closed; then waits for the last answers.
  template <typename WindowFn>
  double TimedCallbacks(int writers, double seconds, Round& round, WindowFn window) {
    std::atomic<bool> stop{false};
    std::mutex idle_mutex;
    std::condition_variable idle_changed;
    int idle = 0;  // writers whose last answer came after the stop
    std::function<void(int)> send = [&](int writer) {
      store_->AppendAsync(round.NextRequest(writer), [&, writer](Result<AppendOutcome> outcome) {
        if (!outcome.ok()) Fail("append: " + outcome.error().message);
        round.Answered(writer, outcome.value());
        if (!stop.load(std::memory_order_relaxed)) return send(writer);
        std::lock_guard lock(idle_mutex);
        if (++idle == writers) idle_changed.notify_all();
      });
    };
    for (int writer = 0; writer < writers; ++writer) send(writer);
    const double rate = MeasuredWindow(seconds, round.done, window);
    stop = true;
    std::unique_lock lock(idle_mutex);
    idle_changed.wait(lock, [&] { return idle == writers; });
    return rate;
  }

  std::unique_ptr<RocksDb> db_;
  std::unique_ptr<EventStore> store_;
  bool client_ids_;
  uint64_t next_mcid_ = 10'000'000;
};

double CpuMicrosPerEvent(const AppendFigures& figures) {
  return figures.events == 0 ? 0 : figures.cpu_seconds * 1e6 / static_cast<double>(figures.events);
}

double EventsPerSync(const AppendFigures& figures) {
  return figures.syncs == 0 ? 0
                            : static_cast<double>(figures.events) / static_cast<double>(figures.syncs);
}

double MicrosPerSync(const AppendFigures& figures) {
  return figures.syncs == 0 ? 0 : figures.sync_seconds * 1e6 / static_cast<double>(figures.syncs);
}

// The share of the measured window the syncer spent in WAL syncs.
double SyncShare(const AppendFigures& figures) {
  return figures.window_seconds <= 0 ? 0
                                     : std::min(1.0, figures.sync_seconds / figures.window_seconds);
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

// --- demo histories: rebuild, queries, log size -------------------------------------------------

struct DemoFigures {
  mct::admin::DemoStats demo;
  double generate_seconds = 0;
  uint64_t caught_up_events = 0;
  double catch_up_seconds = 0;
  double catch_up_cpu_seconds = 0;
  uint64_t rebuilt_events = 0;
  double rebuild_seconds = 0;
  double rebuild_cpu_seconds = 0;  // of the process, the final checksum included
  uint64_t rss_before_kb = 0;
  uint64_t rss_peak_kb = 0;
  Latency status;
  Latency as_of;
  uint64_t queried_trainers = 0;
  double dir_bytes_per_event = 0;
  double log_sst_bytes_per_event = 0;
  double encoded_bytes_per_event = 0;
};

// Every MCID with a view in the current read models.
std::vector<mct::domain::Mcid> KnownTrainers(const mct::admin::Store& store) {
  std::vector<mct::domain::Mcid> out;
  const auto generation = store.models->Current();
  std::unique_ptr<rocksdb::Iterator> it(
      store.db->db()->NewIterator(rocksdb::ReadOptions(), generation->status));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (auto mcid = mct::domain::Mcid::Parse(it->key().ToStringView())) out.push_back(*mcid);
  }
  Check(it->status(), "listing trainers");
  return out;
}

// Times StatusQuery on `mcids`, after a short untimed warm-up.
Latency TimeStatusQueries(const mct::admin::Store& store,
                          const std::vector<mct::domain::Mcid>& mcids,
                          const std::optional<mct::domain::Instant>& as_of,
                          const mct::domain::Instant& now) {
  auto query = [&](const mct::domain::Mcid& mcid) {
    auto answer = mct::admin::StatusQuery(store, mcid, as_of, now);
    if (!answer.ok() && answer.error().code != mct::admin::kUnknownTrainer) {
      Fail("status query for " + mcid.str() + ": " + answer.error().message);
    }
  };
  for (size_t index = 0; index < std::min<size_t>(500, mcids.size()); ++index) query(mcids[index]);
  std::vector<double> samples;
  samples.reserve(mcids.size());
  for (const auto& mcid : mcids) {
    const auto started = Clock::now();
    query(mcid);
    samples.push_back(SecondsSince(started) * 1e6);
  }
  return Percentiles(std::move(samples));
}

// The store's parts opened as Store::Open opens them, but without its catch-up (or a rebuild of
// read models of another layout: the benchmark's directories are new), which the benchmark
// times itself.
std::unique_ptr<mct::admin::Store> OpenWithoutCatchUp(const fs::path& dir) {
  auto store = std::make_unique<mct::admin::Store>();
  auto db = RocksDb::Open(dir);
  if (!db.ok()) Fail(db.error().message);
  store->db = std::move(db).value();
  auto log = EventStore::Open(*store->db);
  if (!log.ok()) Fail(log.error().message);
  store->log = std::move(log).value();
  auto models = mct::consumers::ReadModels::Open(*store->db);
  if (!models.ok()) Fail(models.error().message);
  store->models = std::move(models).value();
  store->commands =
      std::make_unique<mct::consumers::CommandService>(*store->log, mct::domain::Policy{});
  store->runner = std::make_unique<mct::consumers::ProjectionRunner>(*store->log, *store->models);
  return store;
}

DemoFigures MeasureDemo(const BenchOptions& options) {
  DemoFigures figures;
  const fs::path dir = FreshDir(options, "demo");
  {
    // The histories are set-up, not a measurement: written without syncing each group commit.
    mct::consumers::StoreOptions unsynced;
    unsynced.sync = false;
    auto opened = mct::admin::Store::Open(dir, mct::domain::Policy{}, unsynced);
    if (!opened.ok()) Fail(opened.error().message);
    mct::admin::DemoOptions demo;
    demo.trainers = options.trainers;
    demo.seed = 1;
    const auto generating = Clock::now();
    uint64_t last_reported = 0;
    auto generated = mct::admin::GenerateDemo(
        *opened.value()->commands, demo, [&](uint64_t done, uint64_t total) {
          if (done >= last_reported + total / 10 || done == total) {
            last_reported = done;
            std::cerr << "  demo: " << done << " / " << total << " trainers\n";
          }
        });
    if (!generated.ok()) Fail("generating demo data: " + generated.error().message);
    figures.demo = generated.value();
    figures.generate_seconds = SecondsSince(generating);
  }
  // What follows runs as in a freshly started process: the generator's caches are gone.
  malloc_trim(0);
  std::unique_ptr<mct::admin::Store> store = OpenWithoutCatchUp(dir);

  // The live runner brings the read models up to the log (durable batches): what the rebuild
  // must then reproduce byte for byte.
  std::cerr << "  catching up " << store->log->Head() << " events\n";
  const auto catching_up = Clock::now();
  const double catch_up_cpu = ProcessCpuSeconds();
  auto caught_up = store->runner->CatchUp();
  if (!caught_up.ok()) Fail(caught_up.error().message);
  figures.caught_up_events = caught_up.value();
  figures.catch_up_seconds = SecondsSince(catching_up);
  figures.catch_up_cpu_seconds = ProcessCpuSeconds() - catch_up_cpu;
  auto live = store->models->Checksum();
  if (!live.ok()) Fail(live.error().message);

  std::cerr << "  rebuilding " << store->log->Head() << " events\n";
  malloc_trim(0);
  const bool peak_resets = ResetPeakRss();
  figures.rss_before_kb = ProcStatusKb("VmRSS");
  auto sampler = std::make_unique<RssSampler>();
  const double cpu_before = ProcessCpuSeconds();
  auto rebuilt = store->runner->Rebuild();
  figures.rebuild_cpu_seconds = ProcessCpuSeconds() - cpu_before;
  figures.rss_peak_kb = sampler->StopKb();
  if (peak_resets) figures.rss_peak_kb = std::max(figures.rss_peak_kb, ProcStatusKb("VmHWM"));
  if (!rebuilt.ok()) Fail("rebuild: " + rebuilt.error().message);
  if (rebuilt.value().checksum != live.value()) {
    Fail("the rebuilt read models differ from the live ones: " + rebuilt.value().checksum +
         " != " + live.value());
  }
  figures.rebuilt_events = rebuilt.value().events;
  figures.rebuild_seconds = rebuilt.value().seconds;

  // Queries on random trainers: now from the read model, as of the log's last instant by folding.
  const std::vector<mct::domain::Mcid> known = KnownTrainers(*store);
  if (known.empty()) Fail("the demo data has no trainer");
  std::mt19937_64 random(11);
  std::vector<mct::domain::Mcid> picked;
  for (size_t index = 0; index < options.queries; ++index)
    picked.push_back(known[random() % known.size()]);
  auto last = store->log->ReadLog(store->log->Head(), 1);
  if (!last.ok() || last.value().empty()) Fail("cannot read the last event");
  const mct::domain::Instant latest = last.value().front().event.meta.at;
  const mct::domain::Instant wall_clock(
      std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now()));
  const mct::domain::Instant now = std::max(latest, wall_clock);
  figures.queried_trainers = picked.size();
  std::cerr << "  " << picked.size() << " status queries, then as-of queries\n";
  figures.status = TimeStatusQueries(*store, picked, std::nullopt, now);
  figures.as_of = TimeStatusQueries(*store, picked, latest, now);

  // The log's size per event: encoded, and on disk once fully compacted.
  rocksdb::DB* db = store->db->db();
  uint64_t events = 0;
  uint64_t encoded = 0;
  {
    rocksdb::ReadOptions scan;
    scan.readahead_size = 2 << 20;
    scan.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(scan, store->db->log()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      encoded += it->value().size();
      ++events;
    }
    Check(it->status(), "scanning the log");
  }
  std::cerr << "  compacting\n";
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (const auto& name : store->db->FamilyNames()) {
    Check(db->CompactRange(compact, store->db->Family(name), nullptr, nullptr),
          "compacting " + name);
  }
  uint64_t log_sst = 0;
  db->GetIntProperty(store->db->log(), "rocksdb.total-sst-files-size", &log_sst);
  store.reset();
  figures.encoded_bytes_per_event = static_cast<double>(encoded) / static_cast<double>(events);
  figures.log_sst_bytes_per_event = static_cast<double>(log_sst) / static_cast<double>(events);
  figures.dir_bytes_per_event = static_cast<double>(DirBytes(dir)) / static_cast<double>(events);
  return figures;
}

}  // namespace

int main(int argc, char** argv) {
  const BenchOptions options = ParseArgs(argc, argv);
  std::error_code error;
  fs::create_directories(options.dir, error);
  if (error) Fail("cannot create " + options.dir.string() + ": " + error.message());

  if (options.only_writers > 0) {  // one figure, nothing else running: for a profiler
    AppendBench appends(FreshDir(options, "appends"), options.client_ids);
    const AppendFigures figures =
        appends.Run(options.only_writers, options.seconds,
                    options.callbacks ? WriterKind::kCallbacks : WriterKind::kThreads);
    std::cout << (options.callbacks ? "EventStore::AppendAsync" : "EventStore::Append")
              << " synced, " << options.only_writers
              << " writers: " << Grouped(figures.events_per_second) << " ev/s, "
              << Fixed(EventsPerSync(figures), 1) << " events per sync, "
              << Fixed(CpuMicrosPerEvent(figures), 1) << " us of CPU per event, "
              << Fixed(MicrosPerSync(figures), 0) << " us per sync, "
              << Fixed(SyncShare(figures) * 100, 0) << "% of the time in syncs\n";
    return 0;
  }

  // 1 and 2. Write throughput: RocksDB's own limits and durable appends through EventStore, taken
  // in interleaved rounds so that a noisy moment of the machine weighs on both sides of a ratio;
  // each figure is the median of its rounds.
  std::cerr << "measuring synced writes in " << options.dir.string() << "/{rocksdb,appends}\n";
  // Both closed before the rebuild is measured: their memtables are not the product's memory.
  auto rocks_owner = std::make_unique<RocksBaseline>(FreshDir(options, "rocksdb"));
  auto appends_owner = std::make_unique<AppendBench>(FreshDir(options, "appends"), options.client_ids);
  RocksBaseline& rocks = *rocks_owner;
  AppendBench& appends = *appends_owner;
  const int rounds = options.smoke ? 1 : 3;
  const double slice = options.seconds / rounds;
  struct AppendCase {
    int writers;
    WriterKind kind;
  };
  constexpr AppendCase kAppendCases[] = {{1, WriterKind::kThreads},
                                         {16, WriterKind::kThreads},
                                         {256, WriterKind::kThreads},
                                         {16, WriterKind::kCallbacks},
                                         {256, WriterKind::kCallbacks}};
  std::vector<double> rocks_1, rocks_16, rocks_batches, rocks_shape, rocks_16_per_sync;
  std::vector<double> append_rates[std::size(kAppendCases)];
  AppendFigures append_totals[std::size(kAppendCases)];
  for (int round = 0; round < rounds; ++round) {
    std::cerr << "  round " << round + 1 << " of " << rounds << "\n";
    double writes_per_sync = 0;
    rocks_1.push_back(rocks.SyncedSingles(1, slice, &writes_per_sync));
    rocks_16.push_back(rocks.SyncedSingles(16, slice, &writes_per_sync));
    rocks_16_per_sync.push_back(writes_per_sync);
    rocks_batches.push_back(rocks.SyncedBatches(slice));
    rocks_shape.push_back(rocks.SyncedStoreShape(slice));
    for (size_t index = 0; index < std::size(kAppendCases); ++index) {
      const AppendFigures figures =
          appends.Run(kAppendCases[index].writers, slice, kAppendCases[index].kind);
      append_rates[index].push_back(figures.events_per_second);
      append_totals[index].events += figures.events;
      append_totals[index].syncs += figures.syncs;
      append_totals[index].sync_seconds += figures.sync_seconds;
      append_totals[index].window_seconds += figures.window_seconds;
    }
  }
  const double rocks_sync_1 = Median(rocks_1);
  const double rocks_sync_16 = Median(rocks_16);
  const double rocks_16_group = Median(rocks_16_per_sync);
  const double rocks_batch = Median(rocks_batches);
  const double rocks_store_shape = Median(rocks_shape);
  std::cerr << "measuring reads and size in " << (options.dir / "rocksdb").string() << "\n";
  const double rocks_read = rocks.SequentialRead();
  const Latency rocks_get = rocks.RandomGets(std::max<size_t>(options.queries, 1000));
  const double rocks_bytes = rocks.CompactedBytesPerEntry();
  appends_owner.reset();
  rocks_owner.reset();

  std::vector<Row> rows;
  rows.push_back({"RocksDB synced write, 1 event/batch, 1 thread", Grouped(rocks_sync_1) + " ev/s",
                  Ratio(rocks_sync_1, rocks_sync_16), "16-thread synced write", ""});
  rows.push_back({"RocksDB synced write, 1 event/batch, 16 threads (its group commit: " +
                      Fixed(rocks_16_group, 1) + " writes per WAL sync)",
                  Grouped(rocks_sync_16) + " ev/s", "1.00×", "itself", ""});
  rows.push_back({"RocksDB synced batches of 1,000 events, 1 thread",
                  Grouped(rocks_batch) + " ev/s", Ratio(rocks_batch, rocks_sync_16),
                  "16-thread synced write", ""});
  rows.push_back(
      {"RocksDB synced batches of 256 events × 4 keys (what Append writes per event: log, stream "
       "index, head, command id), 1 thread",
       Grouped(rocks_store_shape) + " ev/s", Ratio(rocks_store_shape, rocks_sync_16),
       "16-thread synced write", ""});
  rows.push_back({"RocksDB sequential read (iterator, after a flush)",
                  Grouped(rocks_read) + " ev/s", "1.00×", "itself", ""});
  rows.push_back({"RocksDB random Get p50 / p99",
                  Fixed(rocks_get.p50_us, 1) + " / " + Fixed(rocks_get.p99_us, 1) + " µs", "1.00×",
                  "itself", ""});
  rows.push_back({"RocksDB on disk per 200-byte entry, compacted", Fixed(rocks_bytes, 1) + " B",
                  "1.00×", "itself", ""});
  for (size_t index = 0; index < std::size(kAppendCases); ++index) {
    const int writers = kAppendCases[index].writers;
    const bool callbacks = kAppendCases[index].kind == WriterKind::kCallbacks;
    const double rate = Median(append_rates[index]);
    const AppendFigures& totals = append_totals[index];
    const double per_sync = EventsPerSync(totals);
    const double sync_share = SyncShare(totals);
    std::string target;
    if (writers == 16) target = "≥ 2× RocksDB 16-thread: " + Met(rate >= 2 * rocks_sync_16);
    if (writers == 256) target = "≥ 100,000 ev/s: " + Met(rate >= 100000);
    std::string versus;  // what bounds this figure besides RocksDB's 16-thread rate
    if (writers == 16 && rocks_16_group > 0) {
      versus = "; " + Ratio(per_sync, rocks_16_group) + " RocksDB's writes per sync";
    }
    if (writers == 256)
      versus = "; " + Ratio(rate, rocks_store_shape) + " RocksDB's 256 × 4-key batches";
    rows.push_back(
        {(callbacks ? "EventStore::AppendAsync synced, " : "EventStore::Append synced, ") +
             std::to_string(writers) + " writer" + (writers == 1 ? "" : "s") +
             (callbacks ? " as callbacks" : " as threads") + " (" + Fixed(per_sync, 1) +
             " events per WAL sync, syncer in SyncWAL " + Fixed(100 * sync_share, 0) +
             "% of the time" + versus + ")",
         Grouped(rate) + " ev/s", Ratio(rate, rocks_sync_16), "16-thread synced write", target});
  }

  auto print = [&] {
    std::cout << "mct_store_bench, " << Today() << ", " << MachineLine()
              << (options.smoke ? "; SMOKE: sizes too small to mean anything" : "") << "\n\n";
    PrintTable(rows);
  };
  if (!options.demo) {
    print();
    return 0;
  }

  // 3. Demo histories: catch-up and rebuild, queries, the log's size.
  std::cerr << "generating " << options.trainers << " trainers' histories in "
            << (options.dir / "demo").string() << "\n";
  const DemoFigures demo = MeasureDemo(options);
  const double catch_up_rate = static_cast<double>(demo.caught_up_events) / demo.catch_up_seconds;
  const double rebuild_rate = static_cast<double>(demo.rebuilt_events) / demo.rebuild_seconds;
  const double peak_mb = static_cast<double>(demo.rss_peak_kb) / 1024.0;
  rows.push_back(
      {"demo histories: " + Grouped(static_cast<double>(demo.demo.trainers)) + " trainers, " +
           Grouped(static_cast<double>(demo.demo.commands)) + " commands, " +
           Grouped(static_cast<double>(demo.demo.rejected)) + " rejected (written unsynced, " +
           Grouped(static_cast<double>(demo.demo.events) / demo.generate_seconds) + " ev/s)",
       Grouped(static_cast<double>(demo.demo.events)) + " events", "", "", ""});
  rows.push_back(
      {"ProjectionRunner::CatchUp, live, durable batches (" + Fixed(demo.catch_up_seconds, 1) +
           " s; CPU " + Fixed(demo.catch_up_cpu_seconds, 1) + " s)",
       Grouped(catch_up_rate) + " ev/s", Ratio(catch_up_rate, rocks_read), "sequential read", ""});
  rows.push_back({"ProjectionRunner::Rebuild, checksum equal to live (" +
                      Fixed(demo.rebuild_seconds, 1) + " s; CPU " +
                      Fixed(demo.rebuild_cpu_seconds, 1) + " s, checksum included)",
                  Grouped(rebuild_rate) + " ev/s", Ratio(rebuild_rate, rocks_read),
                  "sequential read", "≥ 1,000,000 ev/s: " + Met(rebuild_rate >= 1e6)});
  rows.push_back({"peak RSS during the rebuild (" +
                      Fixed(static_cast<double>(demo.rss_before_kb) / 1024.0, 0) +
                      " MB just before it)",
                  Fixed(peak_mb, 0) + " MB", "", "", "< 300 MB: " + Met(peak_mb < 300)});
  rows.push_back({"StatusQuery p50 / p99, read model (" +
                      Grouped(static_cast<double>(demo.queried_trainers)) + " random trainers)",
                  Fixed(demo.status.p50_us, 1) + " / " + Fixed(demo.status.p99_us, 1) + " µs",
                  Ratio(demo.status.p99_us, rocks_get.p99_us), "random Get p99",
                  "p99 < 1 ms: " + Met(demo.status.p99_us < 1000)});
  rows.push_back(
      {"StatusQuery as-of p50 / p99, folds the whole stream (" +
           Fixed(static_cast<double>(demo.demo.events) / static_cast<double>(demo.demo.trainers),
                 0) +
           " events/trainer on average)",
       Fixed(demo.as_of.p50_us, 1) + " / " + Fixed(demo.as_of.p99_us, 1) + " µs",
       Ratio(demo.as_of.p99_us, rocks_get.p99_us), "random Get p99", ""});
  rows.push_back({"encoded event, average (the log's value)",
                  Fixed(demo.encoded_bytes_per_event, 1) + " B",
                  Ratio(demo.encoded_bytes_per_event, static_cast<double>(kValueBytes)),
                  "200-byte value", ""});
  rows.push_back({"log column family on disk per event, compacted (LZ4)",
                  Fixed(demo.log_sst_bytes_per_event, 1) + " B",
                  Ratio(demo.log_sst_bytes_per_event, rocks_bytes), "on disk per 200-byte entry",
                  ""});
  rows.push_back({"whole data dir on disk per event, compacted (log, index, heads, read models)",
                  Fixed(demo.dir_bytes_per_event, 1) + " B",
                  Ratio(demo.dir_bytes_per_event, rocks_bytes), "on disk per 200-byte entry", ""});
  print();
  return 0;
}
