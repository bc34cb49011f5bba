// mctctl rebuild, checksum: the read models' upkeep.
#include <iostream>

#include "admin/cli.h"
#include "admin/progress_bar.h"
#include "admin/queries.h"

namespace mct::admin {

void AddMaintenanceCommands(CLI::App& app, CliContext& context) {
  app.add_subcommand("rebuild",
                     "Rebuild every read model from the log into a new generation, then switch "
                     "to it (the old one serves until then).")
      ->callback([&context] {
        auto store = context.OpenStore();
        if (!store) return;
        Result<consumers::RebuildStats> stats = consumers::RebuildStats{};
        if (store->layout_rebuild) {
          // Read models of another layout were rebuilt as the store opened: not twice.
          stats = store->layout_rebuild->stats;
        } else {
          ProgressBar bar("rebuild", !context.json);
          stats = store->runner->Rebuild(
              [&bar](uint64_t applied, uint64_t target) { bar.Update(applied, target); });
          bar.Finish();
        }
        if (!stats.ok()) return void(context.Fail("rebuild failed: " + stats.error().message));
        const double rate = stats->seconds > 0 ? static_cast<double>(stats->events) / stats->seconds : 0;
        if (context.json) {
          std::cout << Json{{"events", stats->events},
                            {"seconds", stats->seconds},
                            {"events_per_second", rate},
                            {"checksum", stats->checksum}}
                           .dump(2)
                    << "\n";
          return;
        }
        std::cout << "rebuilt " << stats->events << " events in " << stats->seconds << " s ("
                  << HumanCount(rate) << " events/s)\nchecksum " << stats->checksum << "\n";
      });
  app.add_subcommand("checksum",
                     "A digest of the read models (not the log): equal digests, equal state.")
      ->callback([&context] {
        auto store = context.OpenStoreToRead();
        if (!store) return;
        auto checksum = store->models->Checksum();
        if (!checksum.ok()) return void(context.Fail(checksum.error().message));
        if (context.json) {
          std::cout << Json{{"checksum", checksum.value()}, {"position", store->log->Head()}}.dump(2)
                    << "\n";
          return;
        }
        std::cout << checksum.value() << "\n";
      });
}

}  // namespace mct::admin
