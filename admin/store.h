// Store: everything a front door needs on a data directory, opened together: the RocksDB
// database, the event store (log), the read models, the command path and the projection runner.
//
// Thread-safety: the parts are each safe from any thread (see their headers).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "consumers/command_service.h"
#include "consumers/event_store.h"
#include "consumers/projection_runner.h"
#include "consumers/read_models.h"
#include "consumers/rocks_db.h"
#include "domain/result.h"

namespace mct::admin {

// The default data directory: $MCT_DATA, else ./mct-data.
std::filesystem::path DefaultDataDir();

struct Store {
  std::unique_ptr<consumers::RocksDb> db;
  std::unique_ptr<consumers::EventStore> log;
  std::unique_ptr<consumers::ReadModels> models;
  std::unique_ptr<consumers::CommandService> commands;
  std::unique_ptr<consumers::ProjectionRunner> runner;
  // Set when Open found the read models in another layout than this build's and rebuilt them.
  struct LayoutRebuild {
    uint64_t from_layout = 0;
    consumers::RebuildStats stats;
  };
  std::optional<LayoutRebuild> layout_rebuild;

  // Opens (creating) the store in `dir` with `policy`, and brings the read models up to the log:
  // caught up, or rebuilt from it (reporting to `rebuild_progress`) when another build wrote them
  // in another layout (ReadModels::kLayout).
  // With options.read_only: opens an existing store beside the process that writes it (mctd),
  // as it stands; nothing is written, and an append is refused. Read models in another layout
  // are not rebuilt then: their queries are refused (ReadModels), the log's still answer.
  static Result<std::unique_ptr<Store>> Open(const std::filesystem::path& dir,
                                             const domain::Policy& policy = {},
                                             consumers::StoreOptions options = {},
                                             const consumers::ProgressFn& rebuild_progress = {});
  // As a writable Open, but read models of another layout are left for the caller to rebuild
  // (models->NeedsRebuild()): mctd serves the log's questions while it rebuilds them.
  static Result<std::unique_ptr<Store>> OpenLeavingOtherLayout(const std::filesystem::path& dir,
                                                               const domain::Policy& policy = {});
  ~Store();
};

}  // namespace mct::admin
