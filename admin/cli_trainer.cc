// mctctl submit, status, history, gaps: one trainer at a time.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <random>
#include <sstream>

#include "admin/cli.h"
#include "admin/command_json.h"
#include "admin/field_reader.h"
#include "admin/file_input.h"
#include "admin/queries.h"
#include "consumers/codec.h"
#include "consumers/json_text.h"
#include "domain/commands.h"

namespace mct::admin {
namespace {

// What `submit` reads at most: far above any command or array of them a person sends, far below
// what would exhaust the memory (a mistaken /dev/zero).
constexpr size_t kSubmitLimit = 64 * 1024 * 1024;

// A fresh command id when the caller gave none: random, so two submits never collide.
std::string FreshCommandId() {
  static std::random_device device;
  std::mt19937_64 random(device());
  std::ostringstream out;
  out << "cli-" << std::hex << random() << random();
  return out.str();
}

void PrintStatus(const Json& status) {
  std::cout << "trainer      " << status["mcid"].get<std::string>() << " ("
            << Shown(status["name"].get<std::string>()) << ", "
            << Shown(status["email"].get<std::string>()) << ")\n";
  std::cout << "as of        " << status["as_of"].get<std::string>() << "\n";
  std::cout << "status       " << status["status"].get<std::string>();
  if (!status["step"].is_null()) {
    std::cout << " (" << status["kind"].get<std::string>() << ", step "
              << status["step"].get<std::string>() << ")";
  }
  std::cout << "\n";
  std::cout << "anniversary  " << status["anniversary"].get<std::string>() << " ("
            << status["days_left"].get<int64_t>() << " days left)\n";
  std::cout << "window opens " << status["window_opens"].get<std::string>() << "\n";
  if (!status["reinstatement_opens"].is_null()) {
    std::cout << "reinstatement opens " << status["reinstatement_opens"].get<std::string>() << "\n";
  }
  std::cout << "last order   "
            << (status["last_order"].is_null() ? "none" : status["last_order"].get<std::string>())
            << "\n";
}

// Parses the MCID argument or fails the command.
std::optional<domain::Mcid> McidArgument(CliContext& context, const std::string& text) {
  auto mcid = domain::Mcid::Parse(text);
  if (!mcid) context.Fail("'" + text + "' is not an MCID (4 to 10 digits)", 2);
  return mcid;
}

struct TrainerArgs {
  std::string mcid;
  std::optional<std::string> as_of;  // given empty, it is refused rather than read as now
};

// One line per event: version, instant, type, actor, and the payload's own fields.
void PrintHistory(const Json& history) {
  for (const auto& event : history["events"]) {
    Json payload = event;
    for (const char* envelope :
         {"event", "mcid", "at", "actor", "command_id", "correlation_id", "causation_id",
          "stream_version", "global_position", "prev_hash", "hash"}) {
      payload.erase(envelope);
    }
    std::cout << "v" << event["stream_version"].get<uint64_t>() << "  "
              << event["at"].get<std::string>() << "  " << event["event"].get<std::string>()
              << "  by " << event["actor"]["role"].get<std::string>() << ":"
              << Shown(event["actor"]["id"].get<std::string>()) << "  "
              << Shown(payload.dump(-1, ' ', false, Json::error_handler_t::replace)) << "\n";
  }
}

void PrintGaps(const Json& gaps) {
  if (gaps["gaps"].empty()) std::cout << "no gaps\n";
  for (const auto& gap : gaps["gaps"]) {
    std::cout << gap["from"].get<std::string>() << " .. "
              << (gap["to"].is_null() ? "(open)" : gap["to"].get<std::string>()) << "\n";
  }
}

// MCID and --as-of parsed (or the command failed: false).
bool ReadTrainerArgs(CliContext& context, const TrainerArgs& args, domain::Mcid* mcid,
                     std::optional<domain::Instant>* as_of) {
  auto parsed = McidArgument(context, args.mcid);
  if (!parsed) return false;
  *mcid = *parsed;
  if (args.as_of) {
    *as_of = ParseInstantArgument(*args.as_of);
    if (!*as_of) {
      context.Fail("--as-of '" + Shown(*args.as_of) + "' is not an RFC 3339 instant or a date", 2);
      return false;
    }
  }
  return true;
}

// Adds a subcommand about one trainer: MCID and --as-of parsed, the store opened, `query` run,
// and its answer printed as JSON (--json) or by `print`.
void AddTrainerQuery(CLI::App& app, CliContext& context, const std::string& name,
                     const std::string& description, const std::string& as_of_help,
                     TrainerQuery query, std::function<void(const Json&)> print) {
  auto args = std::make_shared<TrainerArgs>();
  CLI::App* command = app.add_subcommand(name, description);
  command->add_option("MCID", args->mcid, "the trainer")->required();
  command->add_option("--as-of", args->as_of, as_of_help);
  command->callback([&context, args, query = std::move(query), print = std::move(print)] {
    domain::Mcid mcid;
    std::optional<domain::Instant> as_of;
    if (!ReadTrainerArgs(context, *args, &mcid, &as_of)) return;
    auto store = context.OpenStoreToRead();
    if (!store) return;
    auto answer = query(*store, mcid, as_of);
    if (!answer.ok()) return void(context.Fail(answer.error().message));
    context.json ? PrintJson(answer.value()) : print(answer.value());
  });
}

void RunSubmit(CliContext& context, const std::string& input, const std::string& at_text) {
  std::string text = input;
  if (input.empty() || input == "-") {
    if (::isatty(STDIN_FILENO) != 0) {
      std::cerr << "reading the command's JSON from the terminal (end it with Ctrl-D)\n";
    }
    auto read = ReadWholeStream(std::cin, "the standard input", kSubmitLimit);
    if (!read.ok()) {
      context.Fail(read.error().message, 2);
      return;
    }
    text = std::move(read).value();
  } else if (std::error_code not_a_file; (input.front() != '{' && input.front() != '[') ||
                                         std::filesystem::exists(input, not_a_file)) {
    // A file, unless it is JSON given inline (a file whose name starts so is still a file).
    auto read = ReadWholeFile(input, kSubmitLimit);
    if (!read.ok()) {
      context.Fail(read.error().message, 2);
      return;
    }
    text = std::move(read).value();
  }
  const auto parsed = consumers::ParseJsonText(text);
  if (!parsed.ok()) {
    context.Fail("the command is not valid JSON: " + parsed.error().message, 2);
    return;
  }
  const nlohmann::json& json = parsed.value();
  if (!json.is_object()) {
    context.Fail("invalid_input: the command must be a JSON object {\"command\": ...}", 2);
    return;
  }
  if (json.contains("at")) {
    context.Fail("at: give the instant with --at (an importer's), not in the command", 2);
    return;
  }
  domain::Command command;
  command.at = Now();
  if (!at_text.empty()) {
    auto at = domain::Instant::Parse(at_text);
    if (!at) {
      context.Fail("--at '" + at_text + "' is not an RFC 3339 instant", 2);
      return;
    }
    // mctd places a command stamped before the trainer's latest event at that event's instant:
    // an event dated in the future would drag every later command there, and be decided then.
    if (*at > command.at) {
      context.Fail("--at " + at->ToString() + " is after now (" + command.at.ToString() +
                       "): an event is recorded once it has happened",
                   2);
      return;
    }
    command.at = *at;
  }
  if (!json.contains("mcid") || !json["mcid"].is_string()) {
    context.Fail(std::string("invalid_input: mcid: ") + (json.contains("mcid")
                                                             ? "must be a string of 4 to 10 digits"
                                                             : "is required (4 to 10 digits)"),
                 2);
    return;
  }
  const std::string mcid_text = json["mcid"].get<std::string>();
  auto mcid = domain::Mcid::Parse(mcid_text);
  if (!mcid) {
    context.Fail("invalid_input: mcid: '" + Shown(mcid_text) + "' is not 4 to 10 digits", 2);
    return;
  }
  // A command id is what makes a retry safe (invariant 5); one the store cannot record (empty)
  // or a number silently replaced by a fresh id would each make the retry a second command.
  if (json.contains("command_id") &&
      (!json["command_id"].is_string() || json["command_id"].get<std::string>().empty())) {
    context.Fail("invalid_input: command_id: must be a non-empty string", 2);
    return;
  }
  if (json.contains("command_id")) {
    if (auto problem = TextLengthProblem(json["command_id"].get_ref<const std::string&>())) {
      context.Fail("invalid_input: command_id: " + *problem, 2);
      return;
    }
  }
  command.mcid = *mcid;
  command.actor = {domain::Role::kSupport, "mctctl"};
  if (json.contains("actor")) {
    auto actor = ActorFromJson(json["actor"]);
    if (!actor.ok()) {
      context.Fail("invalid_input: " + actor.error().message, 2);
      return;
    }
    command.actor = actor.value();
  }
  command.command_id =
      json.contains("command_id") ? json["command_id"].get<std::string>() : FreshCommandId();
  auto body = CommandBodyFromJson(json, {"mcid", "actor", "command_id"});
  if (!body.ok()) {
    context.Fail("invalid_input: " + body.error().message, 2);
    return;
  }
  command.body = std::move(body).value();

  auto store = context.OpenStore(CliContext::Missing::kCreate);  // a first enrolment makes it
  if (!store) return;
  // A trainer's stream is in time order, which as-of reads rely on (AUDIT-2): an instant before
  // its latest event would put the command in the past of what follows it.
  auto stream = store->log->ReadStream(command.mcid);
  if (!stream.ok()) {
    context.Fail(stream.error().message);
    return;
  }
  if (!stream.value().empty() && command.at < stream.value().back().event.meta.at) {
    context.Fail("--at " + command.at.ToString() + " is before trainer " + command.mcid.str() +
                     "'s latest event (" + stream.value().back().event.meta.at.ToString() +
                     "): a trainer's events are kept in time order",
                 2);
    return;
  }
  auto answer = store->commands->Handle(command);
  if (!answer.ok()) {
    context.Fail(answer.error().message);
    return;
  }
  if (auto caught_up = store->runner->CatchUp(); !caught_up.ok()) {
    context.Fail("the command was saved, but the read models could not catch up: " +
                 caught_up.error().message);
    return;
  }
  const consumers::CommandAnswer& result = answer.value();
  Json events = Json::array();
  for (const auto& envelope : result.events) events.push_back(consumers::ToJson(envelope));
  if (result.kind == consumers::CommandAnswer::Kind::kRejected) {
    const std::string code(domain::ToString(result.rejection.code));
    if (context.json) {
      PrintJson({{"outcome", "rejected"}, {"code", code}, {"message", result.rejection.message}});
    } else {
      std::cerr << "rejected " << code << ": " << result.rejection.message << "\n";
    }
    context.exit_code = 1;
    return;
  }
  const bool retried = result.kind == consumers::CommandAnswer::Kind::kRetried;
  const std::string outcome = retried ? "retried" : "accepted";
  // A retry names the id its events were written under (a PlaceOrder retried by its key may
  // carry another).
  const std::string& command_id = retried && !result.events.empty()
                                      ? result.events.front().event.meta.command_id
                                      : command.command_id;
  if (context.json) {
    PrintJson({{"outcome", outcome}, {"command_id", command_id}, {"events", events}});
    return;
  }
  std::cout << outcome << " " << domain::CommandName(command.body) << " for " << command.mcid.str()
            << " (command " << Shown(command_id) << ")\n";
  for (const auto& event : events) {
    std::cout << "  #" << event["global_position"].get<uint64_t>() << " v"
              << event["stream_version"].get<uint64_t>() << " " << event["event"].get<std::string>()
              << "\n";
  }
}

}  // namespace

void AddTrainerCommands(CLI::App& app, CliContext& context) {
  {
    auto input = std::make_shared<std::string>();
    auto at = std::make_shared<std::string>();
    CLI::App* command = app.add_subcommand(
        "submit",
        "Send one command as JSON ({\"command\": ..., \"mcid\": ..., fields; optional \"actor\" "
        "and \"command_id\"}) from an argument, a file, or standard input ('-').");
    command->add_option("COMMAND", *input, "the JSON itself, a file holding it, or - for stdin");
    command->add_option("--at", *at,
                        "the instant to stamp (RFC 3339), for importers; default: now");
    command->callback([&context, input, at] { RunSubmit(context, *input, *at); });
  }
  AddTrainerQuery(app, context, "status", "A trainer's status, now or --as-of an instant.",
                  "an RFC 3339 instant, or a date (its end)", WithWallClock(StatusQuery),
                  PrintStatus);
  AddTrainerQuery(app, context, "history", "A trainer's events in order (AUDIT-1).",
                  "only the events up to this instant", HistoryQuery, PrintHistory);
  AddTrainerQuery(app, context, "gaps", "A trainer's transcript gaps [from, to) (REIN-5).",
                  "an RFC 3339 instant, or a date (its end)", WithWallClock(GapsQuery), PrintGaps);
}

}  // namespace mct::admin
