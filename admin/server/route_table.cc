#include "admin/server/route_table.h"

#include <algorithm>

namespace mct::admin::server {

const std::vector<Route>& Routes() {
  static const std::vector<Route> routes = {
      {"POST", "/v1/trainers/{mcid}/commands", RouteAccess::kCommand, "Send one command"},
      {"POST", "/v1/trainers/{mcid}/mtm-report", RouteAccess::kUpload,
       "Upload an MTM survey report (REQ-5), multipart/form-data"},
      {"GET", "/v1/trainers/{mcid}", RouteAccess::kStatus, "A trainer's status (?as_of=, ?after=)"},
      {"GET", "/v1/trainers/{mcid}/history", RouteAccess::kRecords,
       "A trainer's events (?as_of=, ?after=); to the trainer, an FteCodeIssued's code_sha256 "
       "reads \"withheld\" (PROF-2)"},
      {"GET", "/v1/trainers/{mcid}/gaps", RouteAccess::kRecords,
       "Transcript gaps (?as_of=, ?after=)"},
      {"GET", "/v1/due", RouteAccess::kFleet, "Who falls due between ?from= and ?to= (?after=)"},
      {"GET", "/v1/reports", RouteAccess::kFleet, "Monthly reports (?month=, ?after=)"},
      {"GET", "/v1/lookup", RouteAccess::kFleet, "Trainers by ?email= (?after=)"},
      {"POST", "/v1/verify", RouteAccess::kAudit, "Verify every hash chain"},
      {"GET", "/v1/export", RouteAccess::kAudit, "The whole log as NDJSON"},
      {"POST", "/v1/rebuild", RouteAccess::kAudit,
       "Rebuild every read model from the log in the background while serving; on a quiet log "
       "the rebuilt checksum must equal the live one (invariant 1)"},
      {"GET", "/v1/rebuild", RouteAccess::kAudit, "The last rebuild's progress and result"},
      {"GET", "/healthz", RouteAccess::kPublic, "The process is up"},
      {"GET", "/readyz", RouteAccess::kPublic, "The read models are caught up and serving"},
      {"GET", "/metrics", RouteAccess::kPublic, "Prometheus metrics"},
  };
  return routes;
}

bool MayCall(RouteAccess access, domain::Role role, std::string_view actor_id, std::string_view mcid) {
  using domain::ReadAccess;
  const bool own = role == domain::Role::kTrainer && !mcid.empty() && actor_id == mcid;
  switch (access) {
    case RouteAccess::kPublic:
    case RouteAccess::kCommand:
      return true;
    case RouteAccess::kUpload:
      return domain::RoleMaySend(role, "UploadMtmReport") &&
             (role != domain::Role::kTrainer || own);
    case RouteAccess::kStatus:
      return own || domain::RoleMayRead(role, ReadAccess::kStatus);
    case RouteAccess::kRecords:
      return own || domain::RoleMayRead(role, ReadAccess::kRecords);
    case RouteAccess::kFleet:
      return domain::RoleMayRead(role, ReadAccess::kFleet);
    case RouteAccess::kAudit:
      return domain::RoleMayRead(role, ReadAccess::kAudit);
  }
  return false;
}

namespace {

// Whether `path` is an instance of the route path `pattern`, {mcid} standing for one segment.
bool PathFits(std::string_view pattern, std::string_view path) {
  constexpr std::string_view kParameter = "{mcid}";
  const size_t at = pattern.find(kParameter);
  if (at == std::string_view::npos) return pattern == path;
  const std::string_view before = pattern.substr(0, at);
  const std::string_view after = pattern.substr(at + kParameter.size());
  if (!path.starts_with(before) || !path.ends_with(after) ||
      path.size() <= before.size() + after.size()) {
    return false;
  }
  const std::string_view segment =
      path.substr(before.size(), path.size() - before.size() - after.size());
  return segment.find('/') == std::string_view::npos;
}

}  // namespace

std::vector<std::string_view> MethodsAt(std::string_view path) {
  std::vector<std::string_view> methods;
  for (const Route& route : Routes()) {
    if (PathFits(route.path, path) &&
        std::find(methods.begin(), methods.end(), route.method) == methods.end()) {
      methods.push_back(route.method);
    }
  }
  return methods;
}

bool ReadsReadModels(const Route& route) {
  return route.method == "GET" &&
         (route.access == RouteAccess::kStatus || route.access == RouteAccess::kRecords ||
          route.access == RouteAccess::kFleet);
}

bool AsksTheReadModels(const Route& route) {
  return ReadsReadModels(route) && !route.path.ends_with("/history");
}

std::vector<std::string_view> QueryParameters(const Route& route) {
  std::vector<std::string_view> names;
  if (route.method == "GET" &&
      (route.access == RouteAccess::kStatus || route.access == RouteAccess::kRecords)) {
    names.push_back("as_of");
  }
  if (ReadsReadModels(route)) names.push_back("after");
  if (route.path == "/v1/due") names.insert(names.end(), {"from", "to"});
  if (route.path == "/v1/reports") names.push_back("month");
  if (route.path == "/v1/lookup") names.push_back("email");
  if (route.path == "/v1/verify") names.push_back("checkpoint");
  return names;
}

std::optional<std::string> UnknownQueryParameter(std::string_view method, std::string_view path,
                                                 const std::vector<std::string>& names) {
  if (names.empty()) return std::nullopt;
  const std::string_view asked = method == "HEAD" ? "GET" : method;
  for (const Route& route : Routes()) {
    if (route.method != asked || !PathFits(route.path, path)) continue;
    const std::vector<std::string_view> taken = QueryParameters(route);
    for (const std::string& name : names) {
      if (std::find(taken.begin(), taken.end(), name) == taken.end()) return name;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

namespace {

// How the document names a role that acts on trainers: a trainer only ever on their own MCID.
std::string RoleName(domain::Role role) {
  const std::string name(domain::ToString(role));
  return role == domain::Role::kTrainer ? name + " (own MCID)" : name;
}

}  // namespace

std::vector<std::string> AllowedRoles(RouteAccess access) {
  std::vector<std::string> out;
  for (const domain::Role role : domain::AllRoles()) {
    const std::string name(domain::ToString(role));
    if (access == RouteAccess::kCommand) {
      bool any = false;
      for (const auto command : domain::AllCommandNames()) any = any || domain::RoleMaySend(role, command);
      if (any) out.push_back(RoleName(role));
      continue;
    }
    if (access == RouteAccess::kPublic) continue;
    if (MayCall(access, role, "x", "")) {
      out.push_back(name);
    } else if (MayCall(access, role, "1000001", "1000001")) {
      out.push_back(name + " (own MCID)");
    }
  }
  return out;
}

std::vector<std::string> RolesSending(std::string_view command_name) {
  std::vector<std::string> out;
  for (const domain::Role role : domain::AllRoles()) {
    if (domain::RoleMaySend(role, command_name)) out.push_back(RoleName(role));
  }
  return out;
}

}  // namespace mct::admin::server
