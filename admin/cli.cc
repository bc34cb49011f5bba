#include "admin/cli.h"

#include <utf8.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <iterator>

#include "admin/progress_bar.h"

namespace mct::admin {

// mctctl keeps no RocksDB log of its own: that is mctd's DIR/LOG, which an opening refused
// beside mctd would otherwise move aside (RocksDb::Open).
constexpr consumers::StoreOptions kCliStore{.info_log = false};

bool CliContext::StoreIsThere() {
  if (consumers::RocksDb::HoldsStore(data_dir)) return true;
  if (auto damaged = consumers::RocksDb::DamagedWithoutCurrent(data_dir)) {
    Fail(*damaged);
    return false;
  }
  Fail("no store in " + data_dir.string() + " (give --data DIR or set MCT_DATA)");
  return false;
}

namespace {

// `open()`, or, while another process (mctd) holds the store or when this user may not write it,
// `open_read_only()`, said on stderr.
template <typename Open, typename OpenReadOnly>
auto OpenBesideTheWriter(const std::filesystem::path& dir, Open open, OpenReadOnly open_read_only) {
  auto opened = open();
  if (!opened.ok() && opened.error().code == consumers::RocksDb::kInUse) {
    std::cerr << "note: " << dir.string()
              << " is in use by another process (mctd?): reading it as it stands now\n";
    opened = open_read_only();
  } else if (!opened.ok() && opened.error().code == consumers::RocksDb::kNotWritable) {
    std::cerr << "note: " << dir.string()
              << " cannot be written by this user: reading it without writing\n";
    opened = open_read_only();
  }
  return opened;
}

// What a reading command says when it reads without writing because it may not write.
void SayWhyReadOnly(const std::filesystem::path& dir) {
  const auto why = consumers::RocksDb::WhyNotOpenForWriting(dir);
  if (why == consumers::RocksDb::kInUse) {
    std::cerr << "note: " << dir.string()
              << " is in use by another process (mctd?): reading it as it stands now\n";
  } else if (why == consumers::RocksDb::kNotWritable) {
    std::cerr << "note: " << dir.string()
              << " cannot be written by this user: reading it without writing\n";
  }
}

// Whether `store`'s read models answer for the whole log in this build's layout.
bool ReadModelsCurrent(const Store& store) {
  if (store.models->NeedsRebuild()) return false;
  auto checkpoint = store.models->Checkpoint(*store.models->Current());
  return checkpoint.ok() && checkpoint.value() == store.log->Head();
}

}  // namespace

template <typename T>
std::unique_ptr<T> CliContext::Taken(Result<std::unique_ptr<T>> opened) {
  if (!opened.ok()) {
    Fail(opened.error().message);
    return nullptr;
  }
  return std::move(opened).value();
}

Result<std::unique_ptr<Store>> CliContext::OpenWritable() {
  ProgressBar bar("rebuild for this build's read-model layout", !json);
  auto opened = Store::Open(data_dir, policy, kCliStore, [&bar](uint64_t folded, uint64_t target) {
    bar.Update(folded, target);
  });
  bar.Finish();
  if (opened.ok() && opened.value()->layout_rebuild && !json) {
    const auto& rebuild = *opened.value()->layout_rebuild;
    std::cerr << "note: the read models were in layout " << rebuild.from_layout
              << "; rebuilt them from the log for layout " << consumers::ReadModels::kLayout << " ("
              << rebuild.stats.events << " events)\n";
  }
  return opened;
}

std::unique_ptr<Store> CliContext::OpenStore(Missing missing) {
  if (missing == Missing::kRefuse && !StoreIsThere()) return nullptr;
  return Taken(OpenWritable());
}

std::unique_ptr<Store> CliContext::OpenStoreToRead() {
  if (!StoreIsThere()) return nullptr;
  // Read-only first: a reading command then takes no lock (a submit beside a long verify is not
  // refused) and leaves nothing behind (each writable open starts a WAL file). Read models behind
  // the log or in another layout are brought up by the writable open below, when it may.
  if (auto reader = Store::Open(data_dir, policy, consumers::StoreOptions{.read_only = true});
      reader.ok() && ReadModelsCurrent(*reader.value())) {
    SayWhyReadOnly(data_dir);
    return std::move(reader).value();
  }
  return Taken(OpenBesideTheWriter(
      data_dir, [&] { return OpenWritable(); },
      [&] { return Store::Open(data_dir, policy, consumers::StoreOptions{.read_only = true}); }));
}

std::unique_ptr<consumers::RocksDb> CliContext::OpenDbToRead() {
  if (!StoreIsThere()) return nullptr;
  // The log alone: read-only whenever it opens so (OpenStoreToRead).
  if (auto reader = consumers::RocksDb::OpenReadOnly(data_dir); reader.ok()) {
    SayWhyReadOnly(data_dir);
    return std::move(reader).value();
  }
  return Taken(OpenBesideTheWriter(
      data_dir, [&] { return consumers::RocksDb::Open(data_dir, nullptr, /*info_log=*/false); },
      [&] { return consumers::RocksDb::OpenReadOnly(data_dir); }));
}

int CliContext::Fail(const std::string& message, int code) {
  if (json) {
    // A script that asked for JSON reads its errors as JSON too: one object, one line.
    const nlohmann::json error = {{"error", message}, {"exit_code", code}};
    std::cerr << error.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cerr << "error: " << Shown(message) << "\n";
  }
  exit_code = code;
  return code;
}

bool StdoutWritten() {
  std::cout.flush();
  return std::fflush(stdout) == 0 && std::ferror(stdout) == 0 && std::cout.good();
}

CLI::Validator CurrencyCode() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const bool three_capitals = text.size() == 3 && std::ranges::all_of(text, [](char c) {
                                      return c >= 'A' && c <= 'Z';
                                    });
        return three_capitals
                   ? ""
                   : "must be three capital letters (ISO 4217, as USD), not '" + text + "'";
      },
      "ISO 4217 CODE");
}

CLI::Validator WholeNumberIn(int64_t min, int64_t max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        int64_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
          return "'" + text + "' is not a whole number from " + std::to_string(min) + " to " +
                 std::to_string(max);
        }
        if (value < min || value > max) {
          return "must be from " + std::to_string(min) + " to " + std::to_string(max) + ", not " +
                 text;
        }
        return {};
      },
      "INTEGER in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
}

std::string Shown(std::string_view text) {
  std::string valid;
  utf8::replace_invalid(text.begin(), text.end(), std::back_inserter(valid));
  std::string shown;
  shown.reserve(valid.size());
  for (auto at = valid.begin(); at != valid.end();) {
    const auto start = at;
    const uint32_t code = utf8::next(at, valid.end());
    const bool control = code < 0x20 || (code >= 0x7F && code <= 0x9F);
    const bool separator_or_override =
        (code >= 0x2028 && code <= 0x202E) || (code >= 0x2066 && code <= 0x2069);
    if (control || separator_or_override) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04X", static_cast<unsigned>(code));
      shown += escaped;
    } else {
      shown.append(start, at);
    }
  }
  return shown;
}

std::string OneLineFailure(const CLI::App* app, const CLI::Error& error) {
  // CLI11 checks for a missing subcommand before it looks at the words it did not know, so a
  // misspelt command would otherwise be reported as no command at all; either way the answer
  // names the commands there are.
  const CLI::App* deepest = app;
  while (!deepest->get_subcommands().empty()) deepest = deepest->get_subcommands().front();
  const std::vector<const CLI::App*> commands = deepest->get_subcommands({});
  if (error.get_name() == "RequiredError" && !commands.empty()) {
    std::string known;
    for (const CLI::App* command : commands) {
      known += (known.empty() ? "" : ", ") + command->get_name();
    }
    const std::vector<std::string> unknown = app->remaining(true);
    const std::string what = unknown.empty() ? "a command is required"
                                             : "unknown command '" + Shown(unknown.front()) + "'";
    return "error: " + what + " (commands: " + known + "; see --help)\n";
  }
  return "error: " + std::string(error.what()) + " (see --help)\n";
}

void PrintJson(const nlohmann::json& value) {
  std::cout << value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

std::optional<domain::Instant> ParseInstantArgument(const std::string& text) {
  if (auto instant = domain::Instant::Parse(text)) return instant;
  if (auto date = domain::Date::Parse(text)) {
    const auto end_of_day = date->days() + std::chrono::days(1) - std::chrono::milliseconds(1);
    return domain::Instant(std::chrono::time_point_cast<std::chrono::milliseconds>(end_of_day));
  }
  return std::nullopt;
}

domain::Instant Now() {
  return domain::Instant(
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()));
}

}  // namespace mct::admin
