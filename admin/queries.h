// The read side of the product as JSON: what mctctl prints with --json and what the HTTP server
// answers. One place decides every field name, so the two front doors never disagree.
//
// Thread-safety: safe from any thread (the store's parts are).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "admin/store.h"
#include "consumers/chain_verifier.h"
#include "domain/result.h"
#include "domain/values.h"

namespace mct::admin {

using Json = nlohmann::ordered_json;

// Error codes of the queries (Error::code).
inline constexpr const char* kUnknownTrainer = "unknown_trainer";
inline constexpr const char* kInvalidInput = "invalid_input";

// A trainer's status (domain.md, Projections) now, or as of a past instant (AUDIT-2: folded
// from the trainer's own stream). Adds "name" and "email".
Result<Json> StatusQuery(const Store& store, const domain::Mcid& mcid,
                         const std::optional<domain::Instant>& as_of, const domain::Instant& now);
// {"mcid", "events": [...]}: every event in the codec's JSON rendering, up to `as_of` if given.
Result<Json> HistoryQuery(const Store& store, const domain::Mcid& mcid,
                          const std::optional<domain::Instant>& as_of);
// {"mcid", "as_of", "gaps": [{"from", "to"}]}.
Result<Json> GapsQuery(const Store& store, const domain::Mcid& mcid,
                       const std::optional<domain::Instant>& as_of, const domain::Instant& now);
// One of the three above with its clock bound: what `mctctl` and the HTTP API both serve for a
// trainer's MCID and an optional instant.
using TrainerQuery = std::function<Result<Json>(const Store&, const domain::Mcid&,
                                                const std::optional<domain::Instant>&)>;
// StatusQuery or GapsQuery with "now" read from the wall clock at each call.
using ClockedTrainerQuery = Result<Json> (*)(const Store&, const domain::Mcid&,
                                             const std::optional<domain::Instant>&,
                                             const domain::Instant& now);
TrainerQuery WithWallClock(ClockedTrainerQuery query);
// An error when `to` comes before `from`; checked before a read waits for ?after=.
std::optional<Error> CheckDueRange(const domain::Date& from, const domain::Date& to);
// {"from", "to", "trainers": [{"mcid", "anniversary", "days_left"}]}, by anniversary.
Result<Json> DueQuery(const Store& store, const domain::Date& from, const domain::Date& to,
                      const domain::Instant& now);
// An error when `month` is given but not of the form YYYY-MM (absent means every month); checked
// before a read waits for ?after=, so bad input is answered at once.
std::optional<Error> CheckReportMonth(const std::optional<std::string>& month);
// One month's report ("YYYY-MM"), or every month's when `month` is absent; lapses computed now.
Result<Json> ReportQuery(const Store& store, const std::optional<std::string>& month,
                         const domain::Instant& now);
// {"email", "trainers": [mcid...]} (AUDIT-3).
Result<Json> LookupQuery(const Store& store, const std::string& email);
// The verify report (invariant 6) as both front doors give it: {"ok", "events", "streams",
// "broken_link": {"mcid", "version", "position", "problem", "message"} or null, "checkpoint":
// {"position", "digest"} or null, "recorded_checkpoint_holds": true, false or null}.
Json VerifyReportJson(const consumers::VerifyReport& report);

}  // namespace mct::admin
