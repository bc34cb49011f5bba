#include "admin/store.h"

#include <chrono>
#include <cstdlib>
#include <thread>

namespace mct::admin {

std::filesystem::path DefaultDataDir() {
  if (const char* env = std::getenv("MCT_DATA"); env != nullptr && *env != '\0') return env;
  return "mct-data";
}

namespace {

// Everything of a Store opened, the read models as they were left.
Result<std::unique_ptr<Store>> OpenParts(const std::filesystem::path& dir,
                                         const domain::Policy& policy,
                                         const consumers::StoreOptions& options) {
  auto store = std::make_unique<Store>();
  auto db = options.read_only ? consumers::RocksDb::OpenReadOnly(dir)
                              : consumers::RocksDb::Open(dir, nullptr, options.info_log);
  if (!db.ok()) return db.error();
  store->db = std::move(db).value();
  auto log = consumers::EventStore::Open(*store->db, options);
  if (!log.ok()) return log.error();
  store->log = std::move(log).value();
  auto models = consumers::ReadModels::Open(*store->db);
  if (!models.ok()) return models.error();
  store->models = std::move(models).value();
  // mctd's clock and mctctl's stamp commands (mctctl refuses an --at before the trainer's latest
  // event): a stream is kept in time order.
  store->commands = std::make_unique<consumers::CommandService>(
      *store->log, policy, consumers::CommandServiceOptions{.place_in_time_order = true});
  store->runner = std::make_unique<consumers::ProjectionRunner>(*store->log, *store->models);
  return store;
}

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const std::filesystem::path& dir,
                                           const domain::Policy& policy,
                                           consumers::StoreOptions options,
                                           const consumers::ProgressFn& rebuild_progress) {
  auto opened = OpenParts(dir, policy, options);
  // A reader beside a writer may list the families just before a rebuild creates its next
  // generation and read the meta family just after the rebuild names it: open again.
  for (int attempt = 1; options.read_only && attempt < 20 && !opened.ok() &&
                        opened.error().code == consumers::RocksDb::kFamilyNotOpened;
       ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
    opened = OpenParts(dir, policy, options);
  }
  if (!opened.ok()) return opened.error();
  auto store = std::move(opened).value();
  // A reader beside mctd reads the read models as mctd keeps them; those of another build's
  // layout it refuses to read (ReadModels' queries), while the log still answers.
  if (options.read_only) return store;
  const uint64_t layout = store->models->StoredLayout();
  if (store->models->NeedsRebuild()) {
    // Another build's projections wrote them: what they hold cannot be read as this build's.
    auto rebuilt = store->runner->Rebuild(rebuild_progress);
    if (!rebuilt.ok()) {
      return Error{"rebuilding the read models of layout " + std::to_string(layout) +
                   " for this build's layout " + std::to_string(consumers::ReadModels::kLayout) +
                   ": " + rebuilt.error().message};
    }
    store->layout_rebuild = LayoutRebuild{layout, std::move(rebuilt).value()};
    return store;
  }
  // A crash may have left the read models behind the log: catch up before serving.
  if (auto caught_up = store->runner->CatchUp(); !caught_up.ok()) return caught_up.error();
  return store;
}

Result<std::unique_ptr<Store>> Store::OpenLeavingOtherLayout(const std::filesystem::path& dir,
                                                             const domain::Policy& policy) {
  auto opened = OpenParts(dir, policy, {});
  if (!opened.ok()) return opened.error();
  auto store = std::move(opened).value();
  if (store->models->NeedsRebuild()) return store;  // caught up by the rebuild
  if (auto caught_up = store->runner->CatchUp(); !caught_up.ok()) return caught_up.error();
  return store;
}

Store::~Store() {
  // Dependents first: the runner and commands use the log and models, which use the database.
  runner.reset();
  commands.reset();
  models.reset();
  log.reset();
  db.reset();
}

}  // namespace mct::admin
