// mctctl token add, list and remove: the bearer tokens of mctd.
#include <iostream>

#include "admin/cli.h"
#include "admin/server/tokens.h"

namespace mct::admin {

namespace {

nlohmann::json ListedJson(const server::TokenStore::Listed& listed) {
  return {{"fingerprint", listed.fingerprint},
          {"role", domain::ToString(listed.actor.role)},
          {"id", listed.actor.id}};
}

void PrintListed(const std::vector<server::TokenStore::Listed>& tokens, bool json) {
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& listed : tokens) out.push_back(ListedJson(listed));
    PrintJson(out);
    return;
  }
  for (const auto& listed : tokens) {
    std::cout << listed.fingerprint << "  " << domain::ToString(listed.actor.role) << "  "
              << listed.actor.id << "\n";
  }
}

void AddTokenListCommand(CLI::App& token, CliContext& context) {
  CLI::App* list = token.add_subcommand(
      "list", "The tokens: fingerprint (the first digits of the token's hash), role and id.");
  list->callback([&context] {
    auto tokens = server::TokenStore::List(context.data_dir);
    if (!tokens.ok()) return void(context.Fail(tokens.error().message));
    PrintListed(tokens.value(), context.json);
    if (!context.json) std::cout << tokens.value().size() << " tokens\n";
  });
}

void AddTokenRemoveCommand(CLI::App& token, CliContext& context) {
  auto which = std::make_shared<server::TokenStore::Selector>();
  auto role = std::make_shared<std::string>();
  CLI::App* remove = token.add_subcommand(
      "remove",
      "Revoke tokens: one by --token or --fingerprint, or every token of an --id. mctd stops "
      "taking them within a second.");
  remove->add_option("--token", which->token, "the token itself");
  remove->add_option("--fingerprint", which->fingerprint,
                     "the token's fingerprint from `token list` (8 or more of its hex digits)");
  remove->add_option("--id", which->id, "every token of this id (someone who left)");
  remove->add_option("--role", *role, "with --id: only that role's tokens")
      ->check(CLI::IsMember({"trainer", "support", "system", "auditor"}));
  remove->callback([&context, which, role] {
    server::TokenStore::Selector selector = *which;
    if (!role->empty()) selector.role = domain::ParseRole(*role);
    auto removed = server::TokenStore::Remove(context.data_dir, selector);
    if (!removed.ok()) {
      const bool bad_argument = removed.error().code == "invalid_input";
      return void(context.Fail(removed.error().message, bad_argument ? 2 : 1));
    }
    PrintListed(removed.value(), context.json);
    if (!context.json) std::cout << "removed " << removed.value().size() << " tokens\n";
  });
}

}  // namespace

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
    if (context.json) {
      PrintJson({{"token", made.value()}, {"role", *role}, {"id", *id}});
    } else {
      std::cout << made.value() << "\n";
    }
    // The token is shown only once: one that could not be shown is of no use, so it goes again.
    if (!StdoutWritten()) {
      const auto removed = server::TokenStore::Remove(context.data_dir, {.token = made.value()});
      if (removed.ok()) {
        return void(
            context.Fail("the token could not be printed (standard output?), so it was not kept"));
      }
      // Still valid, and nobody knows it: say how to revoke it.
      context.Fail("the token could not be printed (standard output?) and is still kept (" +
                   removed.error().message +
                   "): remove it with `mctctl token remove --fingerprint " +
                   server::TokenStore::FingerprintOf(made.value()) + "`");
    }
  });
  AddTokenListCommand(*token, context);
  AddTokenRemoveCommand(*token, context);
}

}  // namespace mct::admin
