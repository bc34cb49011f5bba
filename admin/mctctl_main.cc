// mctctl: the command line of the MCT renewal back office, for support, auditors and operators.
#include <CLI/CLI.hpp>
#include <csignal>

#include "admin/cli.h"

int main(int argc, char** argv) {
  CLI::App app{
      "mctctl: the command line of the MCT renewal back office.\n"
      "Answers support's and auditors' questions on a data directory, and runs the renewal\n"
      "rules' executable specification.",
      "mctctl"};
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(
      "The data directory is --data DIR, else $MCT_DATA, else ./mct-data.\n"
      "Run `mctctl COMMAND --help` for the options of a command.");

  // A reader that went away (`mctctl ... | head`) is an error to report, as a full disk is, not a
  // signal that ends the command wherever it is (between a token kept and the token printed).
  std::signal(SIGPIPE, SIG_IGN);
  mct::admin::CliContext context;
  app.add_option("--data", context.data_dir, "data directory (default: $MCT_DATA or ./mct-data)");
  app.add_flag("--json", context.json, "print JSON for machines instead of text for people");
  app.add_option("--fee-minor", context.policy.fee_minor,
                 "the renewal fee in minor units (PAY-6; default 40000)")
      ->check(mct::admin::WholeNumberIn(1, mct::admin::kLargestFeeMinor));
  app.add_option("--currency", context.policy.currency, "the fee's currency (default USD)")
      ->check(mct::admin::CurrencyCode());

  mct::admin::AddScenarioCommand(app, context);
  mct::admin::AddTrainerCommands(app, context);
  mct::admin::AddFleetCommands(app, context);
  mct::admin::AddMaintenanceCommands(app, context);
  mct::admin::AddTokenCommands(app, context);
  mct::admin::AddDemoCommand(app, context);
  mct::admin::AddAuditCommands(app, context);

  app.failure_message(mct::admin::OneLineFailure);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;  // --help is not an error; bad arguments exit 2
  }
  // What a command printed must have reached its reader: a token shown once, an export, a
  // verify's checkpoint. A full disk or a closed pipe behind stdout is a failure, not exit 0.
  if (context.exit_code == 0 && !mct::admin::StdoutWritten()) {
    context.Fail(
        "the command ran, but its output could not be written (standard output: a full disk or a "
        "closed pipe?); what it saved, if anything, is saved");
  }
  return context.exit_code;
}
