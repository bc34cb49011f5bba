// The role table of ROLE-1..5, in one place: Decide, the HTTP server, its OpenAPI document and the
// tests all read it from here.
//
// Pure constant data; safe from any thread.
#pragma once

#include <string_view>
#include <vector>

#include "domain/values.h"

namespace mct::domain {

// Whether `role` may send the command named `command_name` (domain.md spelling). ROLE-1: a
// trainer also only on their own MCID, which Decide checks with the actor's id.
bool RoleMaySend(Role role, std::string_view command_name);

// What can be read (ROLE-5).
enum class ReadAccess : uint8_t {
  kStatus,    // one trainer's status
  kRecords,   // one trainer's history, as-of state and gaps
  kFleet,     // due dates, reports, look-ups
  kAudit,     // verify, export
};
// Whether `role` may read `access` of a trainer other than itself (a trainer may always read its
// own status and records; the caller checks whose they are).
bool RoleMayRead(Role role, ReadAccess access);

// Every command name, in domain.md's order.
const std::vector<std::string_view>& AllCommandNames();
// Every role, in ROLE-1..4's order.
const std::vector<Role>& AllRoles();

}  // namespace mct::domain
