// The read routes of the HTTP API: a trainer's status, history and gaps (now or ?as_of=), due
// dates, reports, e-mail look-up, and the auditors' verify, export and rebuild; each checked
// against the route table.
//
// Read your writes: the read models follow the log a few milliseconds behind (the projection
// runner), so a GET right after a command could show the state before it. Every GET of a trainer,
// due dates, reports and look-up takes ?after=POSITION, a log position such as the last
// `global_position` of a command's answer, and answers only once the read models have applied
// the log up to it: at once when they have, else after waiting up to `read_wait` for the runner,
// and 503 `read_models_behind` when they still have not.
//
// Thread-safety: the handlers run on the server's worker threads; the store is thread-safe.
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

#include "admin/server/rebuild_job.h"
#include "admin/store.h"
#include "domain/values.h"

namespace mct::admin::server {

// ?after=: the longest a read waits for the read models, unless configured otherwise.
inline constexpr std::chrono::milliseconds kDefaultReadWait{5000};
// What a trainer's own history shows for an FteCodeIssued's code_sha256 (PROF-2: the hash of a
// short code would give the code away).
inline constexpr std::string_view kWithheldDigest = "withheld";

struct ReadContext {
  Store& store;
  // Authenticates a request, or answers 401/429 itself and gives nullopt.
  std::function<std::optional<domain::Actor>(const httplib::Request&, httplib::Response&)> authorize;
  std::chrono::milliseconds read_wait = kDefaultReadWait;
  RebuildJob& rebuild;  // POST and GET /v1/rebuild
  // True once a stopping server has let a running export go on long enough: it is then cut.
  std::function<bool()> export_grace_over = [] { return false; };
};

void RegisterReadRoutes(httplib::Server& server, ReadContext context);

}  // namespace mct::admin::server
