#include "admin/queries.h"

#include <map>
#include <set>

#include "admin/cli.h"
#include "admin/status_json.h"
#include "consumers/codec.h"
#include "projections/gaps.h"
#include "projections/status.h"

namespace mct::admin {
namespace {

Error UnknownTrainer(const domain::Mcid& mcid) {
  return Error{"no trainer is enrolled with the MCID " + mcid.str(), kUnknownTrainer};
}

// The trainer's stream as far as it is durable: an event written but not yet synced (about 100 µs
// before its group commit's sync, or for good if that sync fails) is not shown to anyone.
Result<std::vector<consumers::EventEnvelope>> DurableStream(const Store& store,
                                                            const domain::Mcid& mcid) {
  auto stream = store.log->ReadStream(mcid);
  if (!stream.ok()) return stream.error();
  const uint64_t durable = store.log->Head();
  std::vector<consumers::EventEnvelope>& events = stream.value();
  while (!events.empty() && events.back().global_position > durable) events.pop_back();
  return stream;
}

// The trainer's facts now (read model) or as of an instant (folded from the stream).
Result<domain::TrainerState> StateOf(const Store& store, const domain::Mcid& mcid,
                                     const std::optional<domain::Instant>& as_of) {
  if (as_of) {
    auto stream = DurableStream(store, mcid);
    if (!stream.ok()) return stream.error();
    domain::TrainerState state = projections::FoldAsOf(
        stream.value(), *as_of,
        [](const consumers::EventEnvelope& envelope) -> const domain::RecordedEvent& {
          return envelope.event;
        });
    if (!state.enrolled) {
      // Enrolled later is not "no such trainer": say which, since an auditor asks about the past.
      if (!stream.value().empty()) {
        return Error{"the MCID " + mcid.str() + " was not enrolled yet as of " + as_of->ToString(),
                     kUnknownTrainer};
      }
      return UnknownTrainer(mcid);
    }
    return state;
  }
  auto view = store.models->View(mcid);
  if (!view.ok()) return view.error();
  if (!view.value() || !view.value()->state.enrolled) return UnknownTrainer(mcid);
  return view.value()->state;
}

}  // namespace

Result<Json> StatusQuery(const Store& store, const domain::Mcid& mcid,
                         const std::optional<domain::Instant>& as_of, const domain::Instant& now) {
  auto state = StateOf(store, mcid, as_of);
  if (!state.ok()) return state.error();
  const domain::Instant instant = as_of.value_or(now);
  Json out = StatusToJson(mcid, instant, projections::ComputeStatus(state.value(), instant.date()));
  out["name"] = state.value().name;
  out["email"] = state.value().email;
  return out;
}

Result<Json> HistoryQuery(const Store& store, const domain::Mcid& mcid,
                          const std::optional<domain::Instant>& as_of) {
  auto stream = DurableStream(store, mcid);
  if (!stream.ok()) return stream.error();
  if (stream.value().empty()) return UnknownTrainer(mcid);
  Json events = Json::array();
  for (const auto& envelope : stream.value()) {
    if (!as_of || envelope.event.meta.at <= *as_of) events.push_back(consumers::ToJson(envelope));
  }
  return Json{{"mcid", mcid.str()}, {"events", std::move(events)}};
}

Result<Json> GapsQuery(const Store& store, const domain::Mcid& mcid,
                       const std::optional<domain::Instant>& as_of, const domain::Instant& now) {
  const domain::Instant instant = as_of.value_or(now);
  std::vector<projections::Gap> gaps;
  if (as_of) {
    auto state = StateOf(store, mcid, as_of);
    if (!state.ok()) return state.error();
    gaps = projections::GapsAsOf(state.value(), instant.date());
  } else {
    auto stored = store.models->Gaps(mcid);
    if (!stored.ok()) return stored.error();
    if (!stored.value()) return UnknownTrainer(mcid);
    gaps = projections::WithOpenGap(stored.value()->closed, stored.value()->anniversary, instant.date());
  }
  return Json{{"mcid", mcid.str()}, {"as_of", instant.ToString()}, {"gaps", GapsToJson(gaps)}};
}

std::optional<Error> CheckDueRange(const domain::Date& from, const domain::Date& to) {
  if (!(to < from)) return std::nullopt;
  return Error{"to (" + to.ToString() + ") comes before from (" + from.ToString() + ")",
               kInvalidInput};
}

Result<Json> DueQuery(const Store& store, const domain::Date& from, const domain::Date& to,
                      const domain::Instant& now) {
  if (std::optional<Error> bad = CheckDueRange(from, to)) return *std::move(bad);
  auto due = store.models->Due(from, to);
  if (!due.ok()) return due.error();
  Json trainers = Json::array();
  for (const auto& entry : due.value()) {
    trainers.push_back({{"mcid", entry.mcid.str()},
                        {"anniversary", entry.anniversary.ToString()},
                        {"days_left", entry.anniversary.DaysSince(now.date())}});
  }
  return Json{{"from", from.ToString()}, {"to", to.ToString()}, {"count", trainers.size()},
              {"trainers", std::move(trainers)}};
}

namespace {

// The counter "<prefix><currency>", and the other currencies' under `prefix` as {currency: n}.
std::pair<int64_t, Json> SplitByCurrency(const std::map<std::string, int64_t>& counters,
                                         const std::string& prefix, const std::string& currency) {
  int64_t own = 0;
  Json others = Json::object();
  for (auto it = counters.lower_bound(prefix); it != counters.end(); ++it) {
    const auto& [name, value] = *it;
    if (name.rfind(prefix, 0) != 0) break;
    if (name == prefix + currency) {
      own = value;
    } else {
      others[name.substr(prefix.size())] = value;
    }
  }
  return {own, std::move(others)};
}

// Folds "name" → value counters of one month into the report's shape.
Json MonthReport(const std::string& month, const std::map<std::string, int64_t>& counters,
                 int64_t lapses, const std::string& currency) {
  auto count = [&](const std::string& name) -> int64_t {
    const auto found = counters.find(name);
    return found == counters.end() ? 0 : found->second;
  };
  // "completed.<kind>.by_<dimension>.<value>" grouped as {dimension: {value: {kind: n}}}.
  Json by_employer = Json::object(), by_track = Json::object(), by_method = Json::object();
  for (const auto& [name, value] : counters) {
    for (const std::string kind : {"renewal", "reinstatement"}) {
      const std::string prefix = "completed." + kind + ".by_";
      if (name.rfind(prefix, 0) != 0) continue;
      const std::string rest = name.substr(prefix.size());
      const std::string dimension = rest.substr(0, rest.find('.'));
      const std::string key = rest.substr(rest.find('.') + 1);
      Json& target = dimension == "employer" ? by_employer : dimension == "track" ? by_track : by_method;
      if (!target.contains(key)) target[key] = Json{{"renewal", 0}, {"reinstatement", 0}};
      target[key][kind] = target[key][kind].get<int64_t>() + value;
    }
  }
  // Orders placed (and refunds of orders paid) while the fee was configured in another currency:
  // kept out of revenue, refunds and net, which would otherwise mix units, but not hidden.
  const auto [revenue, revenue_other] = SplitByCurrency(counters, "revenue_minor.", currency);
  const auto [refunds, refunds_other] = SplitByCurrency(counters, "refunds_minor.", currency);
  Json funnel = Json::object();
  for (const char* stage : {"started", "profile", "requirements", "terms", "payment", "completed"}) {
    funnel[stage] = count(std::string("funnel.") + stage);
  }
  return Json{{"month", month},
              {"renewals", count("completed.renewal")},
              {"reinstatements", count("completed.reinstatement")},
              {"by_employer_type", by_employer},
              {"by_track", by_track},
              {"by_payment_method", by_method},
              {"currency", currency},
              {"revenue_minor", revenue},
              {"revenue_minor_other_currencies", revenue_other},
              {"refunds_minor", refunds},
              {"refunds_minor_other_currencies", refunds_other},
              {"net_minor", revenue - refunds},
              {"refunds", count("refunds.count")},
              {"lapses", lapses},
              {"funnel", funnel},
              {"exceptions_filed", count("exceptions_filed")},
              {"uploads", count("uploads")},
              {"alumni_applied", count("alumni_applied")},
              {"alumni_switched_back", count("alumni_switched_back")}};
}

// The first and last day of "YYYY-MM".
std::optional<std::pair<domain::Date, domain::Date>> MonthRange(const std::string& month) {
  auto first = domain::Date::Parse(month + "-01");
  if (!first || month.size() != 7) return std::nullopt;
  const std::chrono::year_month_day ymd{first->days()};
  const std::chrono::year_month_day_last last{ymd.year() / ymd.month() / std::chrono::last};
  return std::make_pair(*first, domain::Date(std::chrono::sys_days(last)));
}

}  // namespace

std::optional<Error> CheckReportMonth(const std::optional<std::string>& month) {
  if (!month || MonthRange(*month)) return std::nullopt;
  // Given empty (`?month=`, `--month ""`), it is refused rather than read as every month.
  if (month->empty())
    return Error{"month is empty: give YYYY-MM, or leave it out for every month", kInvalidInput};
  return Error{"month '" + *month + "' is not of the form YYYY-MM", kInvalidInput};
}

Result<Json> ReportQuery(const Store& store, const std::optional<std::string>& month,
                         const domain::Instant& now) {
  if (std::optional<Error> bad = CheckReportMonth(month)) return *std::move(bad);
  auto counters = store.models->Report(month.value_or(""));
  if (!counters.ok()) return counters.error();
  // Lapses are not events: trainers whose deadline came without a renewal, counted now.
  const domain::Date today = now.date();
  auto lapsed = store.models->Due(domain::Date(std::chrono::sys_days(std::chrono::days(-200000))), today);
  if (!lapsed.ok()) return lapsed.error();
  std::map<std::string, std::map<std::string, int64_t>> by_month;
  for (const auto& [key, value] : counters.value()) {
    by_month[key.substr(0, 7)][key.substr(8)] = value;
  }
  std::map<std::string, int64_t> lapses_by_month;
  for (const auto& entry : lapsed.value()) lapses_by_month[entry.anniversary.ToString().substr(0, 7)] += 1;
  const std::string& currency = store.commands->policy().currency;
  Json out{{"as_of", now.ToString()}, {"lapsed_now", lapsed.value().size()}};
  if (month) {
    out["report"] = MonthReport(*month, by_month[*month], lapses_by_month[*month], currency);
    return out;
  }
  std::set<std::string> months;
  for (const auto& [name, unused] : by_month) months.insert(name);
  for (const auto& [name, unused] : lapses_by_month) months.insert(name);
  Json reports = Json::array();
  for (const auto& name : months) {
    reports.push_back(MonthReport(name, by_month[name], lapses_by_month[name], currency));
  }
  out["months"] = std::move(reports);
  return out;
}

Result<Json> LookupQuery(const Store& store, const std::string& email) {
  auto found = store.models->LookupEmail(email);
  if (!found.ok()) return found.error();
  Json trainers = Json::array();
  for (const auto& mcid : found.value()) trainers.push_back(mcid.str());
  return Json{{"email", email}, {"trainers", std::move(trainers)}};
}

Json VerifyReportJson(const consumers::VerifyReport& report) {
  Json broken = nullptr;
  if (report.broken) {
    broken = Json{{"mcid", report.broken->mcid.empty() ? Json(nullptr) : Json(report.broken->mcid)},
                  {"version", report.broken->version},
                  {"position", report.broken->position},
                  {"problem", report.broken->problem},
                  {"message", consumers::DescribeBrokenLink(*report.broken)}};
  }
  Json checkpoint = nullptr;
  if (report.checkpoint) {
    checkpoint =
        Json{{"position", report.checkpoint->position}, {"digest", report.checkpoint->digest}};
  }
  Json holds = nullptr;
  if (report.recorded_checkpoint_holds) holds = *report.recorded_checkpoint_holds;
  return Json{{"ok", report.ok()},
              {"events", report.events_checked},
              {"streams", report.streams_checked},
              {"broken_link", broken},
              {"checkpoint", checkpoint},
              {"recorded_checkpoint_holds", holds}};
}

TrainerQuery WithWallClock(ClockedTrainerQuery query) {
  return [query](const Store& store, const domain::Mcid& mcid,
                 const std::optional<domain::Instant>& as_of) {
    return query(store, mcid, as_of, Now());
  };
}

}  // namespace mct::admin
