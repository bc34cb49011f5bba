// mctctl demo: fills an empty data directory with generated renewal histories (admin/demo_data.h)
// for benchmarks, the dashboard and trying the other commands.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "admin/cli.h"
#include "admin/demo_data.h"
#include "admin/progress_bar.h"
#include "admin/queries.h"

namespace mct::admin {
namespace {

struct DemoArgs {
  uint64_t trainers = 1000;
  uint64_t seed = 1;
  int threads = DemoOptions{}.threads;
};

// The generator counts trainers, while ProgressBar speaks of events: a line of its own.
class TrainerProgress {
 public:
  explicit TrainerProgress(bool enabled) : enabled_(enabled && isatty(STDERR_FILENO) != 0) {}
  void Update(uint64_t done, uint64_t total) {
    if (!enabled_) return;
    drawn_ = true;
    std::fprintf(stderr, "\rdemo %llu/%llu trainers  ", static_cast<unsigned long long>(done),
                 static_cast<unsigned long long>(total));
    std::fflush(stderr);
  }
  void Finish() {
    if (enabled_ && drawn_) std::fputc('\n', stderr);
  }

 private:
  bool enabled_;
  bool drawn_ = false;
};

double SecondsSince(std::chrono::steady_clock::time_point started) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

// Generated data is only the same for a seed when it starts from an empty log: refuses (true)
// when the store in --data already holds events.
bool RefusedAsNotEmpty(CliContext& context, const Store& store) {
  const uint64_t head = store.log->Head();
  if (head == 0) return false;
  context.Fail(context.data_dir.string() + " already holds " + std::to_string(head) +
               " events; the demo writes only into an empty store, so give a new --data "
               "directory");
  return true;
}

void RunDemo(CliContext& context, const DemoArgs& args) {
  // Asked first without writing: opened for writing, a store of another build's read-model
  // layout would be rebuilt before the demo refuses it.
  if (consumers::RocksDb::HoldsStore(context.data_dir)) {
    auto existing =
        Store::Open(context.data_dir, context.policy, consumers::StoreOptions{.read_only = true});
    if (existing.ok() && RefusedAsNotEmpty(context, *existing.value())) return;
  }
  // The demo's own durability: no fsync per group commit, one sync of the WAL at the end.
  auto opened = Store::Open(context.data_dir, context.policy,
                            consumers::StoreOptions{.sync = false, .info_log = false});
  if (!opened.ok()) return void(context.Fail(opened.error().message));
  const std::unique_ptr<Store> store = std::move(opened).value();
  if (RefusedAsNotEmpty(context, *store)) return;

  const auto started = std::chrono::steady_clock::now();
  TrainerProgress progress(!context.json);
  auto stats =
      GenerateDemo(*store->commands, {args.trainers, args.seed, args.threads},
                   [&progress](uint64_t done, uint64_t total) { progress.Update(done, total); });
  progress.Finish();
  // Whatever was written, failure or not, is made durable before anyone reads it.
  const Status synced =
      consumers::FromRocks(store->db->db()->FlushWAL(/*sync=*/true), "syncing the log");
  if (!stats.ok()) return void(context.Fail("demo stopped: " + stats.error().message));
  if (!synced.ok()) return void(context.Fail(synced.error().message));
  const double seconds = SecondsSince(started);

  const auto catch_up_started = std::chrono::steady_clock::now();
  ProgressBar bar("read models", !context.json);
  auto caught_up = store->runner->CatchUp(
      [&bar](uint64_t applied, uint64_t target) { bar.Update(applied, target); });
  bar.Finish();
  if (!caught_up.ok()) {
    return void(context.Fail("the demo data is saved, but the read models could not catch up: " +
                             caught_up.error().message));
  }
  const double catch_up_seconds = SecondsSince(catch_up_started);

  const double rate = seconds > 0 ? static_cast<double>(stats->events) / seconds : 0;
  std::string example_mcid;
  if (auto first = store->log->ReadLog(1, 1); first.ok() && !first->empty()) {
    example_mcid = first->front().event.meta.mcid.str();
  }
  if (context.json) {
    std::cout << Json{{"trainers", stats->trainers}, {"seed", args.seed},
                      {"threads", args.threads},     {"commands", stats->commands},
                      {"accepted", stats->accepted}, {"rejected", stats->rejected},
                      {"events", stats->events},     {"seconds", seconds},
                      {"events_per_second", rate},   {"catch_up_seconds", catch_up_seconds},
                      {"example_mcid", example_mcid}}
                     .dump(2)
              << "\n";
    return;
  }
  std::cout << "trainers   " << stats->trainers << " (seed " << args.seed << ", " << args.threads
            << " threads)\n"
            << "commands   " << stats->commands << " (" << stats->accepted << " accepted, "
            << stats->rejected << " rejected: mistakes users make)\n"
            << "events     " << stats->events << " in " << seconds << " s (" << HumanCount(rate)
            << " events/s)\n"
            << "read models caught up in " << catch_up_seconds << " s\n";
  if (!example_mcid.empty()) std::cout << "try        mctctl status " << example_mcid << "\n";
}

}  // namespace

void AddDemoCommand(CLI::App& app, CliContext& context) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* command = app.add_subcommand(
      "demo",
      "Fill an empty data directory with realistic renewal histories, sent through the real "
      "command path; the same seed gives the same histories.");
  command->add_option("--trainers", args->trainers, "how many trainers (MCIDs from 1000000)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100'000'000}));
  command->add_option("--seed", args->seed, "the seed of every random choice");
  command
      ->add_option("--threads", args->threads,
                   "trainers generated at once (default 8); does not change the histories")
      ->check(CLI::Range(1, 256));
  command->callback([&context, args] { RunDemo(context, *args); });
}

}  // namespace mct::admin
