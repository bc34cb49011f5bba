#include "admin/scenario_runner.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <ostream>
#include <regex>
#include <set>
#include <sstream>

#include "admin/command_json.h"
#include "admin/field_reader.h"
#include "admin/file_input.h"
#include "admin/memory_log.h"
#include "admin/status_json.h"
#include "consumers/codec.h"
#include "consumers/json_text.h"
#include "domain/roles.h"
#include "projections/gaps.h"
#include "projections/status.h"

namespace mct::admin {
namespace {

using nlohmann::json;

// A problem with the case itself (not with the system under test).
struct CaseError {
  std::string message;
};


std::string Compact(const json& value) { return value.dump(); }

// The command of a given or when entry, or the reason it cannot be built. `mcid_error` receives
// a malformed MCID instead of failing, so a `when` can be answered invalid_input as the front
// door would.
struct ParsedCommand {
  domain::Command command;
  std::string invalid_input;  // non-empty: the command is malformed
};

// The ids the runner fills in for entries that name none: fresh, so never one the case names
// itself (a command with such an id would be taken for a retry and write nothing).
class FreshCommandIds {
 public:
  explicit FreshCommandIds(const json& scenario) {
    auto take = [this](const json& entry) {
      if (!entry.is_object()) return;
      if (const auto id = entry.find("command_id"); id != entry.end() && id->is_string()) {
        named_.insert(id->get<std::string>());
      }
    };
    if (const auto given = scenario.find("given"); given != scenario.end() && given->is_array()) {
      for (const json& entry : *given) take(entry);
    }
    if (const auto when = scenario.find("when"); when != scenario.end()) take(*when);
  }

  std::string Next() {
    std::string id;
    do {
      id = "cmd-" + std::to_string(next_++);
    } while (named_.contains(id));
    return id;
  }

 private:
  std::set<std::string, std::less<>> named_;
  int next_ = 1;
};

// Who sends an entry's command when the entry names no actor.
enum class UnnamedActor : uint8_t {
  // The trainer whose MCID it names: a `when`, whose answer may well be `forbidden` (ROLE-1).
  kTheTrainer,
  // The trainer when ROLE-1 lets them send it, else the system (ROLE-3 sends every command a
  // trainer may not): a `given` entry is history that must be accepted, so a system-only command
  // such as RecordCertification left without an actor (as in the format's own example) is the
  // member site's, not a case that fails on its own set-up.
  kWhoMaySendIt,
};

domain::Actor DefaultActor(const json& entry, const std::string& mcid_text, UnnamedActor unnamed) {
  const domain::Actor trainer{domain::Role::kTrainer, mcid_text};
  if (unnamed == UnnamedActor::kTheTrainer) return trainer;
  const auto name = entry.find("command");
  if (name == entry.end() || !name->is_string()) return trainer;
  const std::string command = name->get<std::string>();
  if (domain::RoleMaySend(domain::Role::kTrainer, command) ||
      !domain::RoleMaySend(domain::Role::kSystem, command)) {
    return trainer;
  }
  return domain::Actor{domain::Role::kSystem, "system"};
}

// The keys the format page calls optional: written as null, they are left out.
const std::set<std::string, std::less<>> kOptionalKeys = {"actor", "command_id", "order_id",
                                                          "employer_detail", "card"};

// A value of a case as its author means it: an optional field given as null is a field left out
// (an `order_id`, a PayPal order's `card`), and a whole number written with a fraction (40000.0)
// is that whole number. mctd's API is stricter; a case is written by hand. Any other null stays,
// so that an unknown key is still an error even with a null value.
json AsMeant(const json& value, bool top_level = true) {
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [key, field] : value.items()) {
      if (top_level && field.is_null() && kOptionalKeys.contains(key)) continue;
      out[key] = AsMeant(field, false);
    }
    return out;
  }
  if (const std::optional<int64_t> whole = consumers::WholeNumberOf(value)) return *whole;
  return value;
}

ParsedCommand ParseCommandEntry(const json& written, const std::string& where,
                                FreshCommandIds& fresh_ids, UnnamedActor unnamed) {
  const json entry = AsMeant(written);
  ParsedCommand out;
  FieldReader envelope(entry, where);
  // A `when` is a client's command: what a front door refuses as a bad request (an MCID that is
  // not a string, AUDIT-3; an actor without its id, AUDIT-1) is its answer, invalid_input. A
  // `given` entry must be accepted, so there it breaks the case.
  const bool clients_command = unnamed == UnnamedActor::kTheTrainer;
  std::string mcid_text;
  if (const auto mcid = entry.find("mcid");
      clients_command && mcid != entry.end() && !mcid->is_string()) {
    envelope.Skip("mcid");
    out.invalid_input = "mcid: must be a string of 4 to 10 digits, not " + mcid->dump();
  } else {
    mcid_text = envelope.Text("mcid");
  }
  out.command.at = envelope.RequiredInstant("at");
  if (const json* actor = envelope.Object("actor")) {
    auto parsed = ActorFromJson(*actor);
    if (parsed.ok()) {
      out.command.actor = parsed.value();
    } else if (clients_command) {
      if (out.invalid_input.empty()) out.invalid_input = parsed.error().message;
      out.command.actor = DefaultActor(entry, mcid_text, unnamed);
    } else {
      throw CaseError{where + "." + parsed.error().message};
    }
  } else {
    out.command.actor = DefaultActor(entry, mcid_text, unnamed);
  }
  out.command.command_id = envelope.Text("command_id");
  if (out.command.command_id.empty()) out.command.command_id = fresh_ids.Next();
  if (!envelope.ok()) {
    envelope.Skip("command");
    throw CaseError{envelope.Finish().error().message};
  }
  if (auto mcid = domain::Mcid::Parse(mcid_text)) {
    out.command.mcid = *mcid;
  } else if (out.invalid_input.empty()) {
    out.invalid_input = "mcid: '" + mcid_text + "' is not 4 to 10 digits";
  }
  auto body = CommandBodyFromJson(entry, {"mcid", "at", "actor", "command_id"});
  if (body.ok()) {
    out.command.body = std::move(body).value();
  } else if (out.invalid_input.empty()) {
    out.invalid_input = body.error().message;
  }
  return out;
}

domain::Policy ReadPolicy(const json& scenario) {
  domain::Policy policy;
  const auto config = scenario.find("config");
  if (config == scenario.end()) return policy;
  const json meant = AsMeant(*config);
  FieldReader fields(meant, "config");
  if (fields.Has("fee_minor")) policy.fee_minor = fields.Integer("fee_minor");
  if (fields.Has("currency")) policy.currency = fields.Text("currency");
  if (const Status done = fields.Finish(); !done.ok()) throw CaseError{done.error().message};
  return policy;
}

void RunGiven(const json& given, const domain::Policy& policy, MemoryLog& log,
              FreshCommandIds& fresh_ids) {
  if (!given.is_array()) throw CaseError{"given: must be an array"};
  for (size_t index = 0; index < given.size(); ++index) {
    const json& entry = given[index];
    const std::string where = "given[" + std::to_string(index) + "]";
    if (!entry.is_object()) throw CaseError{where + ": must be an object"};
    const bool is_event = entry.contains("event");
    const bool is_command = entry.contains("command");
    if (is_event == is_command) {
      throw CaseError{where + ": needs exactly one of \"event\" and \"command\""};
    }
    if (is_event) {
      auto envelope = consumers::EventFromJson(entry, consumers::EnvelopeFields::kMetaOnly);
      if (!envelope.ok()) throw CaseError{where + ": " + envelope.error().message};
      log.Append(envelope->event.meta, {envelope->event.payload});
      continue;
    }
    ParsedCommand parsed = ParseCommandEntry(entry, where, fresh_ids, UnnamedActor::kWhoMaySendIt);
    if (!parsed.invalid_input.empty()) throw CaseError{where + ": " + parsed.invalid_input};
    const domain::Decision decision = log.Handle(policy, parsed.command);
    if (!decision.accepted()) {
      throw CaseError{where + " " + std::string(domain::CommandName(parsed.command.body)) +
                      " was rejected " + std::string(domain::ToString(decision.rejection->code)) +
                      ": " + decision.rejection->message};
    }
  }
}

// `expected` matches `actual` when every field it lists is equal; "re:" strings are regexes.
bool ValueMatches(const json& expected, const json& actual) {
  if (expected.is_string()) {
    const std::string text = expected.get<std::string>();
    if (text.rfind("re:", 0) == 0) {
      // A number or a flag is matched by its JSON text ("re:[0-9]+" for an amount).
      if (!actual.is_string() && !actual.is_number() && !actual.is_boolean()) return false;
      const std::string subject = actual.is_string() ? actual.get<std::string>() : actual.dump();
      try {
        return std::regex_match(subject, std::regex(text.substr(3)));
      } catch (const std::regex_error&) {
        throw CaseError{"'" + text + "' is not a valid regular expression"};
      }
    }
    // An instant written with an offset names the same instant as the UTC one events render.
    if (actual.is_string() && actual.get_ref<const std::string&>() != text) {
      const auto want = domain::Instant::Parse(text);
      const auto got = domain::Instant::Parse(actual.get_ref<const std::string&>());
      if (want && got) return *want == *got;
    }
  }
  // "None" written as null matches the empty text an event holds (a freelance profile's
  // employer_detail).
  if (expected.is_null() && actual.is_string()) {
    return actual.get_ref<const std::string&>().empty();
  }
  return expected == actual;
}

// The first field of `expected` that `actual` does not match, or empty.
std::string SubsetMismatch(const json& expected, const json& actual) {
  for (const auto& [key, value] : expected.items()) {
    const auto found = actual.find(key);
    if (found == actual.end()) return key + " (no such field)";
    if (!ValueMatches(value, *found)) return key;
  }
  return "";
}

std::string DescribeEvents(const std::vector<domain::Event>& events) {
  json out = json::array();
  for (const auto& event : events) {
    json rendered = consumers::PayloadToJson(event);
    out.push_back(rendered);
  }
  return Compact(out);
}

// Compares the decision with then.rejected / then.events. Empty when they agree.
std::string CheckDecision(const json& then, const domain::Decision& decision,
                          const std::string& invalid_input,
                          const std::vector<consumers::EventEnvelope>& written) {
  const std::string got =
      !invalid_input.empty()
          ? "rejected invalid_input (" + invalid_input + ")"
      : decision.accepted()
          ? "accepted with events " + DescribeEvents(decision.events)
          : "rejected " + std::string(domain::ToString(decision.rejection->code)) + " (" +
                decision.rejection->message + ")";
  if (const auto rejected = then.find("rejected"); rejected != then.end()) {
    if (!rejected->is_string() || !domain::ParseRejectionCode(rejected->get<std::string>())) {
      throw CaseError{"then.rejected: " + Compact(*rejected) + " is not a rejection code"};
    }
    const std::string want = rejected->get<std::string>();
    const std::string actual_code =
        !invalid_input.empty() ? "invalid_input"
        : decision.accepted()  ? ""
                               : std::string(domain::ToString(decision.rejection->code));
    if (actual_code != want) return "expected rejected " + want + ", got " + got;
    if (!written.empty()) return "expected nothing written, got " + std::to_string(written.size());
    return "";
  }
  if (const auto events = then.find("events"); events != then.end()) {
    if (!events->is_array()) throw CaseError{"then.events: must be an array"};
    if (!invalid_input.empty() || !decision.accepted()) {
      return "expected events " + Compact(*events) + ", got " + got;
    }
    if (events->size() != written.size()) {
      return "expected " + std::to_string(events->size()) + " events " + Compact(*events) +
             ", got " + std::to_string(written.size()) + " " + DescribeEvents(decision.events);
    }
    for (size_t index = 0; index < written.size(); ++index) {
      const json& want = (*events)[index];
      if (!want.is_object() || !want.contains("event")) {
        throw CaseError{"then.events[" + std::to_string(index) + "]: needs \"event\""};
      }
      const json actual = consumers::ToJson(written[index]);
      if (const std::string field = SubsetMismatch(want, actual); !field.empty()) {
        return "expected event " + Compact(want) + ", got " + Compact(actual) + " (differs in " +
               field + ")";
      }
    }
  }
  return "";
}

const std::set<std::string, std::less<>> kStatusKeys = {
    "mcid", "as_of", "status", "step", "kind", "anniversary", "days_left", "window_opens",
    "reinstatement_opens", "last_order"};

std::string CheckStatus(const json& expected, const domain::Command& when, const MemoryLog& log) {
  if (!expected.is_object()) throw CaseError{"then.status: must be an object"};
  for (const auto& [key, value] : expected.items()) {
    if (!kStatusKeys.contains(key)) throw CaseError{"then.status." + key + ": unknown field"};
  }
  FieldReader fields(expected, "then.status");
  domain::Mcid mcid = when.mcid;
  if (fields.Has("mcid")) {
    auto parsed = domain::Mcid::Parse(fields.Text("mcid"));
    if (!parsed) throw CaseError{"then.status.mcid: not an MCID"};
    mcid = *parsed;
  }
  // A day alone (as_of "2017-03-02") is read as its last instant, UTC: the status once that
  // day's events, the `when`'s included, are in.
  const auto as_of_day = expected.contains("as_of") && expected["as_of"].is_string()
                             ? domain::Date::Parse(expected["as_of"].get<std::string>())
                             : std::nullopt;
  if (as_of_day) fields.Skip("as_of");
  const domain::Instant as_of =
      as_of_day
          ? domain::Instant(domain::Instant::TimePoint(as_of_day->days() + std::chrono::days(1)) -
                            std::chrono::milliseconds(1))
      : fields.Has("as_of") ? fields.RequiredInstant("as_of")
                            : when.at;
  if (!fields.ok()) throw CaseError{fields.Finish().error().message};
  const domain::TrainerState state = projections::FoldAsOf(log.Stream(mcid), as_of);
  if (!state.enrolled) return "expected status of " + mcid.str() + ", but it is not enrolled";
  const json actual = StatusToJson(mcid, as_of, projections::ComputeStatus(state, as_of.date()));
  // mcid and as_of choose the trainer and the instant; they are not compared as text (an as_of
  // with an offset names the same instant as the UTC one the status renders).
  json compared = expected;
  compared.erase("mcid");
  compared.erase("as_of");
  if (const std::string field = SubsetMismatch(compared, actual); !field.empty()) {
    return "expected status " + Compact(expected) + ", got " + Compact(actual) + " (differs in " +
           field + ")";
  }
  return "";
}

std::string CheckGaps(const json& expected, const domain::Command& when, const MemoryLog& log) {
  if (!expected.is_array()) throw CaseError{"then.gaps: must be an array"};
  const domain::TrainerState state = projections::FoldAsOf(log.Stream(when.mcid), when.at);
  const json actual = GapsToJson(projections::GapsAsOf(state, when.at.date()));
  if (actual != expected) return "expected gaps " + Compact(expected) + ", got " + Compact(actual);
  return "";
}

std::string RunCase(const json& scenario, std::string* name) {
  if (!scenario.is_object()) throw CaseError{"the file must hold one JSON object"};
  static const std::set<std::string, std::less<>> kTopKeys = {"name", "rules", "config", "given",
                                                              "when", "then"};
  for (const auto& [key, value] : scenario.items()) {
    if (!kTopKeys.contains(key)) throw CaseError{key + ": unknown key"};
  }
  if (const auto found = scenario.find("name"); found != scenario.end() && found->is_string()) {
    *name = found->get<std::string>();
  }
  for (const char* required : {"given", "when", "then"}) {
    if (!scenario.contains(required)) throw CaseError{std::string(required) + ": is required"};
  }
  const json& then = scenario["then"];
  if (!then.is_object()) throw CaseError{"then: must be an object"};
  static const std::set<std::string, std::less<>> kThenKeys = {"rejected", "events", "status",
                                                               "gaps"};
  for (const auto& [key, value] : then.items()) {
    if (!kThenKeys.contains(key)) throw CaseError{"then." + key + ": unknown key"};
  }
  if (then.contains("rejected") && then.contains("events")) {
    throw CaseError{"then: \"rejected\" and \"events\" cannot stand together"};
  }

  const domain::Policy policy = ReadPolicy(scenario);
  MemoryLog log;
  FreshCommandIds fresh_ids(scenario);
  RunGiven(scenario["given"], policy, log, fresh_ids);

  const json& when_entry = scenario["when"];
  if (!when_entry.is_object() || !when_entry.contains("command")) {
    throw CaseError{"when: must be one command object"};
  }
  ParsedCommand when = ParseCommandEntry(when_entry, "when", fresh_ids, UnnamedActor::kTheTrainer);
  const size_t before = log.Envelopes().size();
  domain::Decision decision;
  if (when.invalid_input.empty()) decision = log.Handle(policy, when.command);
  const std::vector<consumers::EventEnvelope> written(log.Envelopes().begin() + before,
                                                      log.Envelopes().end());

  if (std::string failure = CheckDecision(then, decision, when.invalid_input, written);
      !failure.empty()) {
    return failure;
  }
  if (const auto status = then.find("status"); status != then.end()) {
    if (std::string failure = CheckStatus(*status, when.command, log); !failure.empty()) {
      return failure;
    }
  }
  if (const auto gaps = then.find("gaps"); gaps != then.end()) {
    if (std::string failure = CheckGaps(*gaps, when.command, log); !failure.empty()) {
      return failure;
    }
  }
  return "";
}

void CollectFiles(const std::filesystem::path& path, std::vector<std::filesystem::path>* files) {
  if (std::filesystem::is_directory(path)) {
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
      // Anything named *.json but a folder is a case: one that cannot be read (a dangling
      // link) is reported failing, never skipped.
      if (!entry.is_directory() && entry.path().extension() == ".json") {
        found.push_back(entry.path());
      }
    }
    std::sort(found.begin(), found.end());
    files->insert(files->end(), found.begin(), found.end());
  } else {
    files->push_back(path);  // a missing file is reported by RunScenarioFile
  }
}

}  // namespace

CaseResult RunScenarioFile(const std::filesystem::path& file) {
  CaseResult result;
  result.file = file.string();
  // A case is a few kilobytes; the limit keeps a mistaken device or log file from the memory.
  constexpr size_t kScenarioFileLimit = 16 * 1024 * 1024;
  const auto text = ReadWholeFile(file, kScenarioFileLimit);
  if (!text.ok()) {
    result.failure = text.error().message;
    return result;
  }
  const auto parsed = consumers::ParseJsonText(text.value());
  if (!parsed.ok()) {
    result.failure = "not valid JSON: " + parsed.error().message;
    return result;
  }
  const json& scenario = parsed.value();
  try {
    result.failure = RunCase(scenario, &result.name);
  } catch (const CaseError& error) {
    result.failure = "malformed case: " + error.message;
  } catch (const std::exception& error) {
    result.failure = std::string("malformed case: ") + error.what();
  }
  result.passed = result.failure.empty();
  return result;
}

ScenarioSummary RunScenarioPaths(const std::vector<std::string>& paths, std::ostream& out) {
  std::vector<std::filesystem::path> files;
  for (const auto& path : paths) CollectFiles(path, &files);
  ScenarioSummary summary;
  for (const auto& file : files) {
    const CaseResult result = RunScenarioFile(file);
    if (result.passed) {
      ++summary.passed;
    } else {
      ++summary.failed;
      out << "FAIL " << result.file << (result.name.empty() ? "" : " (" + result.name + ")")
          << ": " << result.failure << "\n";
    }
  }
  out << summary.passed << " passed, " << summary.failed << " failed\n";
  return summary;
}

}  // namespace mct::admin
