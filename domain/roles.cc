#include "domain/roles.h"

#include <algorithm>
#include <array>

namespace mct::domain {
namespace {

struct CommandRoles {
  std::string_view command;
  bool trainer;  // ROLE-1
  bool support;  // ROLE-2
  bool system;   // ROLE-3
};

// ROLE-4: the auditor sends nothing, so it has no column.
constexpr std::array<CommandRoles, 18> kCommandRoles = {{
    {"EnrollTrainer", false, true, true},
    {"RecordCertification", false, true, true},
    {"StartRenewal", true, true, false},
    {"IssueFteCode", false, false, true},
    {"ChooseProfile", true, true, false},
    {"FileException", true, true, false},
    {"RecordMtmSurvey", true, true, true},
    {"UploadMtmReport", true, true, false},
    {"ConfirmRequirements", true, true, false},
    {"AcceptTerms", true, true, false},
    {"ApplyVoucher", true, true, false},
    {"EnterBillingAddress", true, true, false},
    {"PlaceOrder", true, true, false},
    {"OrderWelcomeKit", true, true, false},
    {"IssueRefund", false, true, true},
    {"SettleRefund", false, false, true},
    {"ApplyAlumni", true, true, false},
    {"SwitchBackFromAlumni", true, true, false},
}};

}  // namespace

bool RoleMaySend(Role role, std::string_view command_name) {
  const auto* row = std::find_if(kCommandRoles.begin(), kCommandRoles.end(),
                                 [&](const CommandRoles& r) { return r.command == command_name; });
  if (row == kCommandRoles.end()) return false;
  switch (role) {
    case Role::kTrainer:
      return row->trainer;
    case Role::kSupport:
      return row->support;
    case Role::kSystem:
      return row->system;
    case Role::kAuditor:
      return false;
  }
  return false;
}

bool RoleMayRead(Role role, ReadAccess access) {
  switch (access) {
    case ReadAccess::kStatus:  // ROLE-5: the system reads status
      return role == Role::kSupport || role == Role::kAuditor || role == Role::kSystem;
    case ReadAccess::kRecords:
    case ReadAccess::kFleet:
    case ReadAccess::kAudit:
      return role == Role::kSupport || role == Role::kAuditor;
  }
  return false;
}

const std::vector<std::string_view>& AllCommandNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& row : kCommandRoles) out.push_back(row.command);
    return out;
  }();
  return names;
}

const std::vector<Role>& AllRoles() {
  static const std::vector<Role> roles = {Role::kTrainer, Role::kSupport, Role::kSystem,
                                          Role::kAuditor};
  return roles;
}

}  // namespace mct::domain
