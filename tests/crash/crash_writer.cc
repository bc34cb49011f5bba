// mct_crash_writer: the process the crash test kills (tests/crash/crash_test.cc).
//
//   mct_crash_writer DATA_DIR RUN [REBUILD_EVERY_MS]
//
// Opens a Store on DATA_DIR and, until it is killed, sends scripted trainer lives (enrolment,
// certification, surveys, renewals, refunds, reinstatements, alumni, vouchers) through the
// CommandService from several threads, for fresh MCIDs of run RUN, while another thread sends
// MTM surveys to the same trainers (so commands race on one trainer and lose with
// `version_conflict`, and are retried) and another runs the projection runner's CatchUp in a loop
// (and a Rebuild every REBUILD_EVERY_MS milliseconds when given).
//
// Standard output, one line each, written with one write(2) so that nothing is buffered in the
// process when it dies:
//   ready                      the store is open
//   ack <command_id> <events>  the command was answered accepted (so it is durable, invariant 2)
//   done                       every life was sent (the test kills the writer long before)
// Anything unexpected goes to standard error and ends the process with a non-zero status.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "admin/store.h"
#include "tests/consumers/store_support.h"

namespace {

using namespace mct;                     // NOLINT(google-build-using-namespace)
using namespace mct::consumers::testing;  // NOLINT(google-build-using-namespace)

constexpr int kLifeThreads = 4;
constexpr uint64_t kLivesPerRun = 99999;

std::mutex output_mutex;

// One line to a file descriptor in one write(2): nothing stays in a buffer of this process.
void WriteLine(int fd, const std::string& line) {
  std::lock_guard lock(output_mutex);
  const std::string text = line + "\n";
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t now = ::write(fd, text.data() + written, text.size() - written);
    if (now < 0) std::_Exit(10);
    written += static_cast<size_t>(now);
  }
}

[[noreturn]] void Fail(const std::string& what, int status) {
  WriteLine(STDERR_FILENO, "mct_crash_writer: " + what);
  std::_Exit(status);
}

void Acknowledge(const domain::Command& command, const consumers::CommandAnswer& answer) {
  WriteLine(STDOUT_FILENO, "ack " + command.command_id + " " + std::to_string(answer.events.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DATA_DIR RUN [REBUILD_EVERY_MS]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const uint64_t run = std::strtoull(argv[2], nullptr, 10);
  const long rebuild_every_ms = argc > 3 ? std::strtol(argv[3], nullptr, 10) : 0;
  if (run == 0 || run > 9999) {
    std::fprintf(stderr, "RUN must be 1 to 9999\n");
    return 2;
  }

  auto opened = admin::Store::Open(dir);
  if (!opened.ok()) Fail("cannot open the store: " + opened.error().message, 1);
  std::unique_ptr<admin::Store> store = std::move(opened).value();
  WriteLine(STDOUT_FILENO, "ready");

  // MCIDs of this run: 10 digits, never used by another run.
  const uint64_t mcid_base = 1000000000ULL + run * 100000ULL;
  const std::string run_prefix = "r" + std::to_string(run);
  std::atomic<uint64_t> next_life{0};
  std::atomic<bool> stopping{false};

  std::vector<std::thread> lives;
  for (int worker = 0; worker < kLifeThreads; ++worker) {
    lives.emplace_back([&] {
      for (uint64_t index = next_life.fetch_add(1); index < kLivesPerRun; index = next_life.fetch_add(1)) {
        const std::string mcid = LifeMcid(mcid_base, index);
        LifeOptions options;
        options.id_prefix = run_prefix + "-" + mcid;
        options.voucher_code = run_prefix + "-V" + std::to_string(index / (2 * kLifeCount));
        options.on_accepted = Acknowledge;
        if (Status lived = LiveTrainer(*store->commands, mcid, LifeOf(index), index, options); !lived.ok()) {
          Fail(lived.error().message, 3);
        }
      }
    });
  }

  // Surveys for trainers whose lives are under way: races on one trainer's stream.
  std::thread surveys([&] {
    std::mt19937_64 random(run);
    for (uint64_t count = 0; !stopping.load(); ++count) {
      const uint64_t started = next_life.load();
      if (started == 0) {
        std::this_thread::yield();
        continue;
      }
      const std::string mcid = LifeMcid(mcid_base, random() % started);
      const domain::Command survey = Cmd(mcid, "2017-03-01T11:00:00Z",
                                         run_prefix + "-survey-" + std::to_string(count), Survey("2017-02-11"));
      auto answer = SendRetrying(*store->commands, survey, Acknowledge);
      if (!answer.ok()) Fail(answer.error().message, 4);
      if (answer->kind == consumers::CommandAnswer::Kind::kRejected &&
          answer->rejection.code != domain::RejectionCode::kUnknownTrainer) {
        Fail("a survey for " + mcid + " answered " + Outcome(*answer), 4);
      }
    }
  });

  // The live projection runner, and now and then a rebuild.
  std::thread runner([&] {
    auto last_rebuild = std::chrono::steady_clock::now();
    while (!stopping.load()) {
      auto caught_up = store->runner->CatchUp();
      if (!caught_up.ok()) Fail("catch-up failed: " + caught_up.error().message, 5);
      if (rebuild_every_ms > 0 &&
          std::chrono::steady_clock::now() - last_rebuild > std::chrono::milliseconds(rebuild_every_ms)) {
        auto rebuilt = store->runner->Rebuild();
        if (!rebuilt.ok()) Fail("rebuild failed: " + rebuilt.error().message, 6);
        last_rebuild = std::chrono::steady_clock::now();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });

  for (auto& life : lives) life.join();
  stopping = true;
  surveys.join();
  runner.join();
  WriteLine(STDOUT_FILENO, "done");
  return 0;
}
