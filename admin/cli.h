// The pieces of mctctl: a context every command shares (data directory, output format, policy,
// exit code) and one registrar per group of commands, each in its own file.
//
// Not thread-safe: the command line runs on one thread.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "admin/store.h"
#include "domain/values.h"

namespace mct::admin {

struct CliContext {
  std::filesystem::path data_dir = DefaultDataDir();
  bool json = false;
  domain::Policy policy;
  int exit_code = 0;

  // Opens the store, or prints why not and sets exit_code; nullptr then. Only a command that
  // writes may create it: a question asked of a mistyped --data must not answer "nobody".
  enum class Missing : uint8_t { kRefuse, kCreate };
  std::unique_ptr<Store> OpenStore(Missing missing = Missing::kRefuse);
  // For a command that only reads: an existing store, opened as OpenStore does, or, while
  // another process (mctd) holds it, read as it stands (Store::Open read_only), said on stderr.
  std::unique_ptr<Store> OpenStoreToRead();
  // The same for the database alone (verify and export read a log the read models may not fit).
  std::unique_ptr<consumers::RocksDb> OpenDbToRead();
  // Whether --data holds a store; if not, prints so (exit 1).
  bool StoreIsThere();
  // Prints `error: <message>` on stderr (with --json, `{"error": message, "exit_code": code}`),
  // sets exit_code (1 unless given) and answers it.
  int Fail(const std::string& message, int code = 1);

 private:
  // Store::Open with a progress line for the rebuild it makes of read models in another layout.
  Result<std::unique_ptr<Store>> OpenWritable();
  // The opened store or database, or nullptr once its error is printed (Fail).
  template <typename T>
  std::unique_ptr<T> Taken(Result<std::unique_ptr<T>> opened);
};

// An instant from the command line: RFC 3339, or a date meaning the end of that day (UTC).
std::optional<domain::Instant> ParseInstantArgument(const std::string& text);
// A fee so large that a month's revenue would overflow its 64-bit sum is a typing error (PAY-6:
// --fee-minor of mctd and of mctctl).
inline constexpr int64_t kLargestFeeMinor = 1'000'000'000'000;
// A whole number from `min` to `max`, refused in a few words. CLI11 reads "-1" into a size_t as
// its largest value (no limit at all), and its PositiveNumber prints the largest double in full.
CLI::Validator WholeNumberIn(int64_t min, int64_t max);
// PAY-6's currency, an ISO 4217 code: three capital letters (--currency of mctd and of mctctl).
CLI::Validator CurrencyCode();
// `text` as the text output shows it: control characters (C0, DEL, C1), line separators and
// bidirectional overrides written as \uXXXX, bytes that are not UTF-8 as U+FFFD. A name in the
// log must not clear support's terminal, set its title or forge a line of the output.
std::string Shown(std::string_view text);
// CLI11's failure message, as one line like every other error of the command line:
// `error: <what> (see --help)`.
std::string OneLineFailure(const CLI::App* app, const CLI::Error& error);
// Flushes stdout and answers whether all that was printed there reached it (false on a full disk
// or a closed pipe, SIGPIPE being ignored).
bool StdoutWritten();
// Prints `value` as indented JSON on stdout. Text that is not UTF-8 (a damaged log) is printed
// with replacement characters rather than ending the command.
void PrintJson(const nlohmann::json& value);
// The current time, to the millisecond: the front door stamps `at` (the domain reads no clock).
domain::Instant Now();

void AddScenarioCommand(CLI::App& app, CliContext& context);
void AddTrainerCommands(CLI::App& app, CliContext& context);      // submit, status, history, gaps
void AddFleetCommands(CLI::App& app, CliContext& context);        // due, report, lookup
void AddMaintenanceCommands(CLI::App& app, CliContext& context);  // rebuild, checksum
void AddTokenCommands(CLI::App& app, CliContext& context);        // token add
void AddDemoCommand(CLI::App& app, CliContext& context);          // demo
void AddAuditCommands(CLI::App& app, CliContext& context);        // verify, export, import

}  // namespace mct::admin
