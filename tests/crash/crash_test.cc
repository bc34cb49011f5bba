// The crash test of the embedded store (architecture invariants 2 and 4): a writer process
// (mct_crash_writer) sends commands from several threads and runs the projection runner, and is
// killed with SIGKILL after a random 50 to 400 ms, again and again on the same data directory.
// After each kill the store is opened and checked:
//   - every command the writer acknowledged as accepted is in the log, exactly once;
//   - the log has no holes: positions 1..head, stream versions 1..n, hash chains unbroken;
//   - every command id in the log has its first answer recorded, and vice versa;
//   - the read models' checkpoint is not past the head, and after catching up from it the
//     read models equal a fresh rebuild (no event applied twice or skipped).
//
// MCT_CRASH_SEED fixes the random delays; MCT_CRASH_RUNS sets the number of kills (for a longer
// soak; by default 24, fewer but at least 20 when the machine is slow).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "consumers/codec.h"
#include "tests/consumers/store_support.h"

extern char** environ;

namespace mct::consumers {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// A writer process; killed (if still running) and reaped when destroyed.
class Writer {
 public:
  Writer(const std::filesystem::path& data, uint64_t run, long rebuild_every_ms,
         const std::filesystem::path& out, const std::filesystem::path& err)
      : out_(out), err_(err) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> args = {MCT_CRASH_WRITER, data.string(), std::to_string(run),
                                     std::to_string(rebuild_every_ms)};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const int spawned = posix_spawn(&pid_, MCT_CRASH_WRITER, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
      pid_ = -1;
      throw std::runtime_error("cannot start " + std::string(MCT_CRASH_WRITER));
    }
  }
  ~Writer() {
    if (pid_ > 0) (void)Kill();
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Waits until the writer said it opened the store; false if it ended first or took too long.
  bool WaitReady(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (ReadFile(out_).starts_with("ready\n")) return true;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  }

  // SIGKILL and reap; answers how the process ended ("killed" or what it said on stderr).
  std::string Kill() {
    if (pid_ <= 0) return "ended before the kill: " + ReadFile(err_);
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) return "killed";
    return "ended by itself (status " + std::to_string(status) + "): " + ReadFile(err_);
  }

 private:
  pid_t pid_ = -1;
  std::filesystem::path out_;
  std::filesystem::path err_;
};

struct Acknowledged {
  std::map<std::string, uint64_t> events_by_command;  // command id → events its answer wrote
};

// Reads the writer's "ack <id> <n>" lines into `acknowledged`; a command acknowledged twice is an
// error (command ids are never reused). A last line without its newline is ignored: the writer
// writes each line whole, so there is none unless the test itself broke.
std::string CollectAcks(const std::filesystem::path& out, Acknowledged& acknowledged, uint64_t* count) {
  std::istringstream lines(ReadFile(out));
  std::string line;
  while (std::getline(lines, line)) {
    if (lines.eof()) break;  // no newline after it
    if (!line.starts_with("ack ")) continue;
    std::istringstream fields(line.substr(4));
    std::string command_id;
    uint64_t events = 0;
    fields >> command_id >> events;
    if (command_id.empty() || events == 0) return "malformed line: " + line;
    if (!acknowledged.events_by_command.emplace(command_id, events).second) {
      return "command " + command_id + " acknowledged twice";
    }
    ++*count;
  }
  return "";
}

// Opens the store left by the killed writer and checks it; answers the first problem found, or
// "" when all is well. `log_events` and `checksum` are set when the store could be checked.
std::string CheckStore(const std::filesystem::path& data, const Acknowledged& acknowledged,
                       uint64_t* log_events) {
  StoreParts parts(data);
  EventStore& log = *parts.log;

  // The read models as the crash left them: never ahead of the log.
  auto checkpoint = parts.models->Checkpoint(*parts.models->Current());
  if (!checkpoint.ok()) return checkpoint.error().message;
  if (checkpoint.value() > log.Head()) {
    return "checkpoint " + std::to_string(checkpoint.value()) + " is past the head " + std::to_string(log.Head());
  }

  // The log: positions 1..head, stream versions 1..n, hash chains, events per command id.
  auto events = log.ReadLog(1, std::numeric_limits<size_t>::max());
  if (!events.ok()) return events.error().message;
  *log_events = events->size();
  if (events->size() != log.Head()) {
    return "the log holds " + std::to_string(events->size()) + " events but its head is " +
           std::to_string(log.Head());
  }
  std::map<std::string, std::pair<uint64_t, std::string>> streams;  // version, hash
  std::map<std::string, uint64_t> per_command;
  std::map<std::string, uint64_t> first_position;
  for (size_t index = 0; index < events->size(); ++index) {
    const EventEnvelope& envelope = (*events)[index];
    const std::string where = "position " + std::to_string(envelope.global_position);
    if (envelope.global_position != index + 1) return "a hole in the log before " + where;
    auto& [version, hash] = streams[envelope.event.meta.mcid.str()];
    if (envelope.stream_version != version + 1) {
      return where + ": stream " + envelope.event.meta.mcid.str() + " version " +
             std::to_string(envelope.stream_version) + " follows " + std::to_string(version);
    }
    if (envelope.prev_hash != hash) return where + ": the hash chain is broken";
    if (envelope.hash != ComputeEventHash(envelope)) return where + ": the hash does not match the event";
    version = envelope.stream_version;
    hash = envelope.hash;
    const std::string& command_id = envelope.event.meta.command_id;
    if (per_command[command_id]++ == 0) {
      first_position[command_id] = envelope.global_position;
    } else if (envelope.global_position != first_position[command_id] + per_command[command_id] - 1) {
      return where + ": command " + command_id + " appears twice in the log";
    }
  }
  for (const auto& [mcid, head] : streams) {
    if (log.StreamVersion(M(mcid)) != head.first) return "the stream head of " + mcid + " is wrong";
  }
  // Every command in the log has its first answer recorded, with exactly its events.
  for (const auto& [command_id, count] : per_command) {
    auto found = log.FindCommand(command_id);
    if (!found.ok()) return found.error().message;
    if (!found.value() || found.value()->size() != count ||
        found.value()->front().global_position != first_position[command_id]) {
      return "command " + command_id + " is in the log without its recorded answer";
    }
  }
  // Invariant 2: every acknowledged command is there, exactly once.
  for (const auto& [command_id, count] : acknowledged.events_by_command) {
    const auto found = per_command.find(command_id);
    if (found == per_command.end()) return "acknowledged command " + command_id + " is not in the log";
    if (found->second != count) {
      return "acknowledged command " + command_id + " wrote " + std::to_string(count) + " events but the log has " +
             std::to_string(found->second);
    }
  }

  // Invariant 4: catching up from the stored checkpoint gives what a fresh rebuild gives.
  auto caught_up = parts.runner->CatchUp();
  if (!caught_up.ok()) return caught_up.error().message;
  if (caught_up.value() != log.Head()) return "the catch-up stopped before the head";
  auto live = parts.models->Checksum();
  if (!live.ok()) return live.error().message;
  auto rebuilt = parts.runner->Rebuild();
  if (!rebuilt.ok()) return rebuilt.error().message;
  if (rebuilt->checksum != live.value()) {
    return "the read models caught up from checkpoint " + std::to_string(checkpoint.value()) +
           " differ from a rebuild of the log";
  }
  return "";
}

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  return value == nullptr || *value == '\0' ? fallback : std::strtoull(value, nullptr, 10);
}

TEST(CrashKill9, AcknowledgedCommandsSurviveAndReadModelsStayExact) {
  const auto started = std::chrono::steady_clock::now();
  const uint64_t seed = EnvOr("MCT_CRASH_SEED", static_cast<uint64_t>(std::random_device{}()));
  const bool runs_given = std::getenv("MCT_CRASH_RUNS") != nullptr;
  const uint64_t runs = EnvOr("MCT_CRASH_RUNS", 24);
  std::mt19937_64 random(seed);
  std::cout << "MCT_CRASH_SEED=" << seed << " runs=" << runs << std::endl;

  TempDir dir("crash");
  const std::filesystem::path data = dir.Sub("data");
  Acknowledged acknowledged;
  uint64_t kills = 0;
  uint64_t total_acks = 0;
  uint64_t log_events = 0;
  for (uint64_t run = 1; run <= runs; ++run) {
    // At least 20 kills; the rest only while the test stays well under a minute on a slow machine.
    if (!runs_given && run > 20 && std::chrono::steady_clock::now() - started > std::chrono::seconds(40)) break;
    SCOPED_TRACE("run " + std::to_string(run) + " of seed " + std::to_string(seed));
    const auto out = dir.Sub("run-" + std::to_string(run) + ".out");
    const auto err = dir.Sub("run-" + std::to_string(run) + ".err");
    // Every third run also rebuilds the read models now and then, so some kills land in one.
    const long rebuild_every_ms = run % 3 == 0 ? 60 : 0;
    // Most kills land while commands are being written; every fifth may land while the store is
    // still being opened and recovered.
    const bool early = run > 1 && run % 5 == 0;
    const auto delay = std::chrono::milliseconds(
        early ? std::uniform_int_distribution<int>(0, 60)(random) : std::uniform_int_distribution<int>(50, 400)(random));
    std::string ended;
    {
      Writer writer(data, run, rebuild_every_ms, out, err);
      if (!early) {
        ASSERT_TRUE(writer.WaitReady(std::chrono::seconds(20))) << "the writer did not start: " << ReadFile(err);
      }
      std::this_thread::sleep_for(delay);
      ended = writer.Kill();
    }
    ASSERT_EQ(ended, "killed") << ReadFile(err);
    ++kills;
    uint64_t acks = 0;
    const std::string collected = CollectAcks(out, acknowledged, &acks);
    ASSERT_EQ(collected, "");
    total_acks += acks;
    const std::string problem = CheckStore(data, acknowledged, &log_events);
    ASSERT_EQ(problem, "") << "after killing run " << run << " (" << acks << " commands acknowledged, "
                           << delay.count() << " ms" << (early ? " after start" : " after ready") << ")";
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << kills << " kills, " << total_acks << " acknowledged commands, " << log_events
            << " events in the log, " << seconds << " s" << std::endl;
  EXPECT_GE(kills, std::min<uint64_t>(runs, 20));
  EXPECT_GT(total_acks, 100u) << "the writer should have got work done between kills";
}

}  // namespace
}  // namespace mct::consumers
