// mctctl verify, export, import: the auditor's tools. `verify` recomputes every hash chain and
// names the first broken link (architecture invariant 6); `export` writes the log as NDJSON;
// `import` restores such a file into an empty data directory, all or nothing (invariant 9).
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "admin/cli.h"
#include "admin/file_output.h"
#include "admin/progress_bar.h"
#include "admin/queries.h"
#include "admin/server/tokens.h"
#include "consumers/chain_verifier.h"
#include "consumers/log_export.h"
#include "consumers/rocks_db.h"

namespace mct::admin {
namespace {

namespace fs = std::filesystem;

double SecondsSince(std::chrono::steady_clock::time_point started) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

void RunVerify(CliContext& context, const std::string& checkpoint_text) {
  std::optional<consumers::Checkpoint> recorded;
  if (!checkpoint_text.empty()) {
    recorded = consumers::ParseCheckpoint(checkpoint_text);
    if (!recorded) {
      return void(context.Fail("--checkpoint '" + Shown(checkpoint_text) +
                                   "' is not POSITION:DIGEST (a position from 1, then the 64 hex "
                                   "digits verify printed)",
                               2));
    }
  }
  // The database alone, not Store::Open: a damaged log must still be verified and exported,
  // while Store::Open would first fold it into the read models.
  auto db = context.OpenDbToRead();
  if (!db) return;
  const auto started = std::chrono::steady_clock::now();
  auto report = consumers::VerifyLog(*db, recorded);
  if (!report.ok()) return void(context.Fail("verify failed: " + report.error().message));
  const consumers::VerifyReport& result = report.value();
  const double seconds = SecondsSince(started);
  if (!result.ok()) context.exit_code = 1;
  if (context.json) {
    Json answer = VerifyReportJson(result);
    answer["seconds"] = seconds;
    return PrintJson(answer);
  }
  if (!result.ok()) {
    std::cout << "broken link: " << Shown(consumers::DescribeBrokenLink(*result.broken)) << "\n"
              << "(" << result.events_checked << " events in " << result.streams_checked
              << " streams checked before it)\n";
    return;
  }
  std::cout << result.events_checked << " events in " << result.streams_checked
            << " streams: every chain holds\n";
  if (recorded) {
    std::cout << "the log up to position " << recorded->position
              << " still has the checkpoint's digest\n";
  }
  const consumers::Checkpoint& now = *result.checkpoint;
  std::cout << "checkpoint " << now.position << ":" << now.digest
            << "\n(keep it outside this system: `mctctl verify --checkpoint` with it later proves "
               "the log up to here unchanged)\n";
}

void RunExport(CliContext& context, const std::string& out_path) {
  // As verify: the database alone.
  auto db = context.OpenDbToRead();
  if (!db) return;
  const auto started = std::chrono::steady_clock::now();
  if (out_path.empty() || out_path == "-") {
    auto exported = consumers::ExportLog(*db, std::cout);
    if (!exported.ok()) context.Fail("export failed: " + exported.error().message);
    return;  // standard output carries the export and nothing else
  }
  if (IsInside(out_path, context.data_dir)) {
    return void(context.Fail("--out " + Shown(out_path) +
                                 " is inside the data directory, whose files are the store's own; "
                                 "write the export elsewhere",
                             2));
  }
  // Half an export must not pass for a whole one, nor cost the backup it was to replace.
  uint64_t events = 0;
  const Status written = WriteWholeFile(out_path, [&](std::ostream& file) -> Status {
    auto exported = consumers::ExportLog(*db, file);
    if (!exported.ok()) return exported.error();
    events = exported.value();
    return Ok();
  });
  if (!written.ok()) return void(context.Fail("export failed: " + written.error().message));
  const double seconds = SecondsSince(started);
  // Beside an export sent to stdout or a pipe by name (/dev/stdout), the summary goes to stderr.
  std::ostream& said = IsWrittenInPlace(out_path) ? std::cerr : std::cout;
  if (context.json) {
    const Json summary{{"events", events}, {"file", out_path}, {"seconds", seconds}};
    said << summary.dump(2) << "\n";
    return;
  }
  said << "exported " << events << " events to " << out_path << " in " << seconds << " s ("
       << HumanCount(seconds > 0 ? static_cast<double>(events) / seconds : 0) << " events/s)\n";
}

void RunImport(CliContext& context, const std::string& input, bool legacy) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (input == "-") {
    // Unsynchronised, std::cin reads in blocks instead of a character at a time through stdio;
    // nothing has been read or written yet, so turning it off here is safe.
    std::ios::sync_with_stdio(false);
  } else {
    std::error_code error;
    if (std::filesystem::is_directory(input, error)) {
      return void(context.Fail(Shown(input) + " is a folder, not an export file", 2));
    }
    file.open(input, std::ios::binary);
    if (!file)
      return void(context.Fail("cannot read " + Shown(input) + ": " + std::strerror(errno), 2));
    in = &file;
  }
  auto imported =
      consumers::ImportLog(*in, context.data_dir, consumers::ImportOptions{.legacy = legacy});
  if (!imported.ok()) {
    std::string message = "import refused, nothing was written: " + imported.error().message;
    // A token added before any store leaves its files in a folder that is otherwise new.
    const std::filesystem::path tokens = context.data_dir / server::TokenStore::kFileName;
    const std::filesystem::path lock = context.data_dir / server::TokenStore::kLockFileName;
    if (std::error_code ignored;
        !consumers::RocksDb::HoldsStore(context.data_dir) &&
        (std::filesystem::exists(tokens, ignored) || std::filesystem::exists(lock, ignored))) {
      message += "; those are mctd's tokens and no store: move " + Shown(tokens.string()) +
                 " and " + Shown(lock.string()) +
                 " out of the folder, import, then move them back (the tokens stay valid)";
    }
    return void(context.Fail(message));
  }
  const consumers::ImportStats& stats = imported.value();
  for (const std::string& folder : stats.removed_leftovers) {
    std::cerr << "note: removed " << Shown(folder) << ", left by an import that was killed\n";
  }
  if (context.json) {
    std::cout << Json{{"events", stats.events},
                      {"streams", stats.streams},
                      {"data", context.data_dir.string()},
                      {"seconds", stats.seconds},
                      {"checksum", stats.checksum}}
                     .dump(2)
              << "\n";
    return;
  }
  std::cout << "imported " << stats.events << " events in " << stats.streams << " streams into "
            << context.data_dir.string() << " in " << stats.seconds << " s ("
            << HumanCount(stats.seconds > 0 ? static_cast<double>(stats.events) / stats.seconds : 0)
            << " events/s)\nchecksum " << stats.checksum << "\n";
}

}  // namespace

void AddAuditCommands(CLI::App& app, CliContext& context) {
  {
    auto checkpoint = std::make_shared<std::string>();
    CLI::App* command = app.add_subcommand(
        "verify",
        "Recompute every trainer's hash chain and check the log; exit 1 naming the first broken "
        "link. Prints the log's checkpoint (POSITION:DIGEST) to keep outside the system.");
    command->add_option("--checkpoint", *checkpoint,
                        "a checkpoint verify printed before: also prove the log's first POSITION "
                        "events unchanged since (exit 1 if not)");
    command->callback([&context, checkpoint] { RunVerify(context, *checkpoint); });
  }
  {
    auto out_path = std::make_shared<std::string>();
    CLI::App* command = app.add_subcommand(
        "export", "Write the whole log as NDJSON, one event per line in log order.");
    command->add_option("--out", *out_path, "the file to write (default: standard output)");
    command->callback([&context, out_path] { RunExport(context, *out_path); });
  }
  {
    auto input = std::make_shared<std::string>();
    CLI::App* command = app.add_subcommand(
        "import",
        "Restore an export into an empty (or absent) --data directory: every event checked, "
        "kept as it was, and nothing written unless all of it holds.");
    command->add_option("FILE", *input, "the NDJSON export, or - for standard input")->required();
    auto legacy = std::make_shared<bool>(false);
    command->add_flag("--legacy", *legacy,
                      "an export written before exports ended with their end line and streams "
                      "were kept in time order: let those two through (a file cut at a line's "
                      "end then imports as a shorter log)");
    command->callback([&context, input, legacy] { RunImport(context, *input, *legacy); });
  }
}

}  // namespace mct::admin
