// The read routes of the HTTP API: a trainer's status, history and gaps (now or ?as_of=), due
// dates, reports, e-mail look-up, verify and export; each checked against the route table.
//
// Thread-safety: the handlers run on the server's worker threads; the store is thread-safe.
#pragma once

#include <httplib.h>

#include <functional>
#include <optional>

#include "admin/store.h"
#include "domain/values.h"

namespace mct::admin::server {

struct ReadContext {
  Store& store;
  // Authenticates a request, or answers 401/429 itself and gives nullopt.
  std::function<std::optional<domain::Actor>(const httplib::Request&, httplib::Response&)> authorize;
};

void RegisterReadRoutes(httplib::Server& server, ReadContext context);

}  // namespace mct::admin::server
