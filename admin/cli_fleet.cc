// mctctl due, report, lookup: questions about every trainer at once.
#include <iomanip>
#include <iostream>

#include "admin/cli.h"
#include "admin/queries.h"

namespace mct::admin {
namespace {

void PrintBreakdown(const char* title, const Json& table) {
  if (table.empty()) return;
  std::cout << "  " << title << "\n";
  for (const auto& [key, counts] : table.items()) {
    std::cout << "    " << std::left << std::setw(18) << key << " renewals "
              << counts["renewal"].get<int64_t>() << ", reinstatements "
              << counts["reinstatement"].get<int64_t>() << "\n";
  }
}

void PrintMonth(const Json& month) {
  std::cout << month["month"].get<std::string>() << "\n"
            << "  completed          renewals " << month["renewals"].get<int64_t>()
            << ", reinstatements " << month["reinstatements"].get<int64_t>() << "\n";
  PrintBreakdown("by employer type", month["by_employer_type"]);
  PrintBreakdown("by track", month["by_track"]);
  PrintBreakdown("by payment method", month["by_payment_method"]);
  std::cout << "  revenue            " << month["revenue_minor"].get<int64_t>() << " "
            << month["currency"].get<std::string>() << " (minor units), refunds "
            << month["refunds_minor"].get<int64_t>() << ", net "
            << month["net_minor"].get<int64_t>() << "; " << month["refunds"].get<int64_t>()
            << " refunds in all currencies\n";
  for (const auto& [currency, minor] : month["revenue_minor_other_currencies"].items()) {
    std::cout << "  revenue in " << currency << "     " << minor.get<int64_t>()
              << " (minor units; orders of another fee currency, not in net)\n";
  }
  for (const auto& [currency, minor] : month["refunds_minor_other_currencies"].items()) {
    std::cout << "  refunds in " << currency << "     " << minor.get<int64_t>()
              << " (minor units; refunds of orders paid in another currency, not in net)\n";
  }
  std::cout << "  funnel            ";
  for (const auto& [stage, count] : month["funnel"].items()) {
    std::cout << " " << stage << " " << count.get<int64_t>();
  }
  std::cout << "\n  lapses " << month["lapses"].get<int64_t>() << ", exceptions filed "
            << month["exceptions_filed"].get<int64_t>() << ", uploads "
            << month["uploads"].get<int64_t>() << ", alumni applied "
            << month["alumni_applied"].get<int64_t>() << ", switched back "
            << month["alumni_switched_back"].get<int64_t>() << "\n";
}

}  // namespace

void AddFleetCommands(CLI::App& app, CliContext& context) {
  {
    auto from = std::make_shared<std::string>();
    auto to = std::make_shared<std::string>();
    CLI::App* command =
        app.add_subcommand("due", "Who falls due (anniversary) between two dates, inclusive.");
    command->add_option("--from", *from, "first date, YYYY-MM-DD")->required();
    command->add_option("--to", *to, "last date, YYYY-MM-DD")->required();
    command->callback([&context, from, to] {
      const auto first = domain::Date::Parse(*from);
      const auto last = domain::Date::Parse(*to);
      if (!first || !last) return void(context.Fail("--from and --to are dates YYYY-MM-DD", 2));
      auto store = context.OpenStoreToRead();
      if (!store) return;
      auto due = DueQuery(*store, *first, *last, Now());
      if (!due.ok()) return void(context.Fail(due.error().message, 2));
      if (context.json) return PrintJson(due.value());
      for (const auto& trainer : due.value()["trainers"]) {
        std::cout << trainer["anniversary"].get<std::string>() << "  "
                  << trainer["mcid"].get<std::string>() << "  ("
                  << trainer["days_left"].get<int64_t>() << " days left)\n";
      }
      std::cout << due.value()["count"].get<size_t>() << " trainers fall due\n";
    });
  }
  {
    auto month = std::make_shared<std::optional<std::string>>();
    CLI::App* command = app.add_subcommand(
        "report", "Monthly reports: renewals and reinstatements, revenue, refunds, the funnel.");
    command->add_option("--month", *month, "one month, YYYY-MM (default: every month)");
    command->callback([&context, month] {
      // A malformed month is the caller's mistake (2), whether or not there is a store.
      if (const std::optional<Error> bad = CheckReportMonth(*month)) {
        return void(context.Fail(bad->message, 2));
      }
      auto store = context.OpenStoreToRead();
      if (!store) return;
      auto report = ReportQuery(*store, *month, Now());
      if (!report.ok()) return void(context.Fail(report.error().message, 2));
      if (context.json) return PrintJson(report.value());
      if (report.value().contains("report")) PrintMonth(report.value()["report"]);
      if (report.value().contains("months")) {
        for (const auto& one : report.value()["months"]) PrintMonth(one);
      }
      std::cout << "lapsed now: " << report.value()["lapsed_now"].get<size_t>() << "\n";
    });
  }
  {
    auto email = std::make_shared<std::string>();
    CLI::App* command = app.add_subcommand("lookup", "Find trainers by e-mail (AUDIT-3).");
    command->add_option("--email", *email, "the e-mail address")->required();
    command->callback([&context, email] {
      auto store = context.OpenStoreToRead();
      if (!store) return;
      auto found = LookupQuery(*store, *email);
      if (!found.ok()) return void(context.Fail(found.error().message));
      // No trainer is exit 1 whatever the form, as grep answers no match.
      const bool none = found.value()["trainers"].empty();
      if (context.json) {
        PrintJson(found.value());
        if (none) context.exit_code = 1;
        return;
      }
      if (none) return void(context.Fail("no trainer has the e-mail " + *email));
      for (const auto& mcid : found.value()["trainers"])
        std::cout << mcid.get<std::string>() << "\n";
    });
  }
}

}  // namespace mct::admin
