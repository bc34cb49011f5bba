// The OpenAPI document: the committed docs/openapi.json is exactly what `mctd --openapi` prints, so
// a change of a route or a role that does not update the document fails here; and every route of
// the route table is in it with its roles.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <string>

#include "admin/server/openapi.h"
#include "admin/server/route_table.h"

namespace mct::admin::server {
namespace {

const char* const kCommitted = MCT_SOURCE_DIR "/docs/openapi.json";

std::string Committed() {
  std::ifstream in(kCommitted, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(OpenApi, TheCommittedDocumentIsTheGeneratedOne) {
  const std::string committed = Committed();
  ASSERT_FALSE(committed.empty()) << kCommitted << " is missing";
  // mctd --openapi prints dump(2) and a newline.
  EXPECT_EQ(committed, OpenApiDocument().dump(2) + "\n")
      << "docs/openapi.json is out of date: regenerate it with `mctd --openapi > docs/openapi.json`";
}

TEST(OpenApi, EveryRouteIsDocumentedWithItsRoles) {
  const auto document = nlohmann::ordered_json::parse(Committed(), nullptr, false);
  ASSERT_FALSE(document.is_discarded());
  const auto& paths = document["paths"];
  size_t operations = 0;
  for (const Route& route : Routes()) {
    std::string method(route.method);
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::string path(route.path);
    SCOPED_TRACE(method + " " + path);
    ASSERT_TRUE(paths.contains(path));
    ASSERT_TRUE(paths[path].contains(method));
    const auto& operation = paths[path][method];
    std::vector<std::string> roles;
    for (const auto& role : operation["x-roles"]) roles.push_back(role.get<std::string>());
    EXPECT_EQ(roles, AllowedRoles(route.access));
    EXPECT_EQ(operation.contains("security"), route.access != RouteAccess::kPublic);
    ++operations;
  }
  // Nothing documented that the table does not have.
  size_t documented = 0;
  for (const auto& [path, methods] : paths.items()) documented += methods.size();
  EXPECT_EQ(documented, operations);
}

TEST(OpenApi, RolesFollowTheRoleTable) {
  // ROLE-4: the auditor sends no command; ROLE-5: only support and auditors verify and export.
  auto roles_of = [](std::string_view path) {
    for (const Route& route : Routes()) {
      if (route.path == path) return AllowedRoles(route.access);
    }
    return std::vector<std::string>{};
  };
  const auto commands = roles_of("/v1/trainers/{mcid}/commands");
  EXPECT_EQ(std::count(commands.begin(), commands.end(), "auditor"), 0);
  EXPECT_EQ(std::count(commands.begin(), commands.end(), "trainer (own MCID)"), 1);
  EXPECT_EQ(roles_of("/v1/verify"), (std::vector<std::string>{"support", "auditor"}));
  EXPECT_EQ(roles_of("/v1/trainers/{mcid}"),
            (std::vector<std::string>{"trainer (own MCID)", "support", "system", "auditor"}));
  EXPECT_EQ(roles_of("/v1/trainers/{mcid}/mtm-report"),
            (std::vector<std::string>{"trainer (own MCID)", "support"}));
  EXPECT_TRUE(roles_of("/healthz").empty());
}

}  // namespace
}  // namespace mct::admin::server
