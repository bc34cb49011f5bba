// mctctl token add: a bearer token for mctd.
#include <iostream>

#include "admin/cli.h"
#include "admin/server/tokens.h"

namespace mct::admin {

void AddTokenCommands(CLI::App& app, CliContext& context) {
  CLI::App* token = app.add_subcommand("token", "Bearer tokens for mctd (kept hashed in the data directory).");
  token->require_subcommand(1);
  auto role = std::make_shared<std::string>();
  auto id = std::make_shared<std::string>();
  CLI::App* add = token->add_subcommand(
      "add", "Make a new token for a role and an id, and print it (it is shown only once).");
  add->add_option("--role", *role, "trainer, support, system or auditor")
      ->required()
      ->check(CLI::IsMember({"trainer", "support", "system", "auditor"}));
  add->add_option("--id", *id, "who: the trainer's MCID, or a support, system or auditor id")->required();
  add->callback([&context, role, id] {
    const auto parsed = domain::ParseRole(*role);
    if (*parsed == domain::Role::kTrainer && !domain::Mcid::Parse(*id)) {
      return void(context.Fail("a trainer's id is their MCID (4 to 10 digits)", 2));
    }
    auto made = server::TokenStore::Add(context.data_dir, *parsed, *id);
    if (!made.ok()) {
      const bool bad_argument = made.error().code == "invalid_input";
      return void(context.Fail(made.error().message, bad_argument ? 2 : 1));
    }
    std::cout << made.value() << "\n";
  });
}

}  // namespace mct::admin
