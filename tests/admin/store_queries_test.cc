// The queries of the back office on a real store on disk, after the read models were rebuilt from
// the log (architecture invariant 1): status, gaps, due dates, reports and e-mail look-ups, and
// status as of a past instant folded from the trainer's own stream (AUDIT-2).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "admin/queries.h"
#include "admin/store.h"
#include "tests/consumers/store_support.h"

namespace mct::admin {
namespace {

using namespace consumers::testing;  // NOLINT(google-build-using-namespace)
using consumers::testing::Life;

constexpr uint64_t kBase = 4000000;
constexpr std::string_view kNow = "2017-04-10T00:00:00Z";

// One trainer of every life (index = Life), sent one after the other so that order numbers are
// handed out in index order; then the read models are rebuilt from the log.
class QueriesAfterRebuild : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Store::Open(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
    const Status lived = RunLives(*store_->commands, kBase, 0, kLifeCount, 1, "q");
    ASSERT_TRUE(lived.ok()) << lived.error().message;
    auto caught_up = store_->runner->CatchUp();
    ASSERT_TRUE(caught_up.ok()) << caught_up.error().message;
    for (uint64_t index = 0; index < kLifeCount; ++index) before_rebuild_.push_back(Everything(index));
    auto live = store_->models->Checksum();
    ASSERT_TRUE(live.ok());
    auto rebuilt = store_->runner->Rebuild();
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.error().message;
    ASSERT_EQ(rebuilt->checksum, live.value());
  }

  static std::string Mcid(Life life) { return LifeMcid(kBase, static_cast<uint64_t>(life)); }

  Json StatusOf(Life life, std::optional<std::string_view> as_of = std::nullopt,
              std::string_view now = kNow) {
    std::optional<domain::Instant> instant;
    if (as_of) instant = At(*as_of);
    auto status = StatusQuery(*store_, M(Mcid(life)), instant, At(now));
    if (!status.ok()) return Json{{"error", status.error().message}};
    return status.value();
  }
  Json GapsOf(Life life, std::optional<std::string_view> as_of = std::nullopt) {
    std::optional<domain::Instant> instant;
    if (as_of) instant = At(*as_of);
    auto gaps = GapsQuery(*store_, M(Mcid(life)), instant, At(kNow));
    if (!gaps.ok()) return Json{{"error", gaps.error().message}};
    return gaps.value()["gaps"];
  }
  // The order id the life's PaymentPlaced got, from the log.
  std::string OrderOf(Life life) {
    auto stream = store_->log->ReadStream(M(Mcid(life)));
    std::string order_id;
    for (const auto& envelope : stream.value()) {
      if (const auto* paid = std::get_if<domain::PaymentPlaced>(&envelope.event.payload)) {
        order_id = paid->order_id;
      }
    }
    return order_id;
  }
  // Every per-trainer answer, to compare before and after the rebuild.
  std::string Everything(uint64_t index) {
    const auto life = static_cast<Life>(index);
    return StatusOf(life).dump() + GapsOf(life).dump() +
           LookupQuery(*store_, "trainer" + Mcid(life) + "@example.jp").value().dump();
  }

  consumers::testing::TempDir dir_{"queries"};
  std::unique_ptr<Store> store_;
  std::vector<std::string> before_rebuild_;
};

TEST_F(QueriesAfterRebuild, AnswersAsBeforeTheRebuild) {
  for (uint64_t index = 0; index < kLifeCount; ++index) {
    EXPECT_EQ(Everything(index), before_rebuild_[index]) << "life " << index;
  }
  auto due = DueQuery(*store_, On("2016-01-01"), On("2019-12-31"), At(kNow));
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(due->at("count"), kLifeCount - 1) << "every trainer but the alumni is due some day";
}

TEST_F(QueriesAfterRebuild, StatusOfEachLife) {
  const Json renewed = StatusOf(Life::kRenewed);
  EXPECT_EQ(renewed["status"], "active");
  EXPECT_EQ(renewed["anniversary"], "2018-05-01") << "TIME-2";
  EXPECT_EQ(renewed["days_left"], 386);
  EXPECT_EQ(renewed["last_order"], OrderOf(Life::kRenewed));
  EXPECT_EQ(renewed["email"], "trainer" + Mcid(Life::kRenewed) + "@example.jp");

  const Json refunded = StatusOf(Life::kRenewedThenRefunded);
  EXPECT_EQ(refunded["status"], "renewal_open") << "REF-2: back to the old anniversary";
  EXPECT_EQ(refunded["anniversary"], "2017-05-02");

  const Json reinstated = StatusOf(Life::kReinstated);
  EXPECT_EQ(reinstated["status"], "active");
  EXPECT_EQ(reinstated["anniversary"], "2018-03-01") << "REIN-4: completion date + 1 year";

  const Json lapsed_again = StatusOf(Life::kReinstatedThenRefunded);
  EXPECT_EQ(lapsed_again["status"], "lapsed");
  EXPECT_EQ(lapsed_again["anniversary"], "2017-01-13");
  EXPECT_EQ(lapsed_again["reinstatement_opens"], "2017-01-20");

  EXPECT_EQ(StatusOf(Life::kAlumni)["status"], "alumni");
  EXPECT_EQ(StatusOf(Life::kAlumniSwitchedBack)["anniversary"], "2018-05-06");
  EXPECT_EQ(StatusOf(Life::kVoucher)["last_order"], OrderOf(Life::kVoucher));

  const Json in_progress = StatusOf(Life::kInProgress);
  EXPECT_EQ(in_progress["status"], "renewal_in_progress");
  EXPECT_EQ(in_progress["step"], "payment");
  EXPECT_EQ(in_progress["kind"], "renewal");

  const Json lapsed = StatusOf(Life::kLapsed);
  EXPECT_EQ(lapsed["status"], "lapsed");
  EXPECT_EQ(lapsed["anniversary"], "2017-01-18");
  EXPECT_EQ(lapsed["days_left"], -82);
}

TEST_F(QueriesAfterRebuild, GapsOfReinstatements) {
  EXPECT_EQ(GapsOf(Life::kReinstated).dump(), R"([{"from":"2017-01-12","to":"2017-03-01"}])") << "REIN-5";
  EXPECT_EQ(GapsOf(Life::kReinstatedThenRefunded).dump(), R"([{"from":"2017-01-13","to":null}])")
      << "REF-2: the refunded reinstatement's gap is open again";
  EXPECT_EQ(GapsOf(Life::kRenewed).dump(), "[]");
  EXPECT_EQ(GapsOf(Life::kLapsed).dump(), R"([{"from":"2017-01-18","to":null}])");
  // As of before the reinstatement, the gap was open; as of now from the stream, as stored.
  EXPECT_EQ(GapsOf(Life::kReinstated, "2017-02-28T00:00:00Z").dump(), R"([{"from":"2017-01-12","to":null}])");
  EXPECT_EQ(GapsOf(Life::kReinstated, kNow), GapsOf(Life::kReinstated));
}

TEST_F(QueriesAfterRebuild, DueIsARangeScanInAnniversaryOrder) {
  auto due = DueQuery(*store_, On("2017-01-01"), On("2017-12-31"), At(kNow));
  ASSERT_TRUE(due.ok()) << due.error().message;
  std::vector<std::string> trainers;
  for (const auto& trainer : due->at("trainers")) {
    trainers.push_back(trainer["mcid"].get<std::string>() + "@" + trainer["anniversary"].get<std::string>());
  }
  EXPECT_EQ(trainers, (std::vector<std::string>{
                          Mcid(Life::kReinstatedThenRefunded) + "@2017-01-13",
                          Mcid(Life::kLapsed) + "@2017-01-18",
                          Mcid(Life::kRenewedThenRefunded) + "@2017-05-02",
                          Mcid(Life::kInProgress) + "@2017-05-08",
                      }))
      << "the alumni (anniversary 2017-05-05) is not due";
  auto one_day = DueQuery(*store_, On("2018-03-01"), On("2018-03-01"), At(kNow));
  ASSERT_TRUE(one_day.ok());
  ASSERT_EQ(one_day->at("count"), 1);
  EXPECT_EQ(one_day->at("trainers")[0]["mcid"], Mcid(Life::kReinstated)) << "both ends inclusive";
  EXPECT_EQ(one_day->at("trainers")[0]["days_left"], 325);
  EXPECT_FALSE(DueQuery(*store_, On("2018-01-01"), On("2017-01-01"), At(kNow)).ok());
}

TEST_F(QueriesAfterRebuild, ReportCountsMarch) {
  auto report = ReportQuery(*store_, "2017-03", At(kNow));
  ASSERT_TRUE(report.ok()) << report.error().message;
  const Json& march = report->at("report");
  EXPECT_EQ(march["renewals"], 4) << march.dump();
  EXPECT_EQ(march["reinstatements"], 2) << march.dump();
  EXPECT_EQ(march["revenue_minor"], 6 * 40000) << "a voucher records the full fee (PAY-6)";
  EXPECT_EQ(march["refunds_minor"], 40000);
  EXPECT_EQ(march["refunds"], 1);
  EXPECT_EQ(march["net_minor"], 5 * 40000);
  EXPECT_EQ(march["by_payment_method"]["voucher"]["renewal"], 1);
  EXPECT_EQ(march["by_payment_method"]["credit_card"]["renewal"], 3);
  EXPECT_EQ(march["by_payment_method"]["credit_card"]["reinstatement"], 2);
  EXPECT_EQ(march["by_employer_type"]["freelance"]["renewal"], 4);
  EXPECT_EQ(march["funnel"].dump(),
            R"({"started":8,"profile":8,"requirements":7,"terms":7,"payment":6,"completed":6})");
  EXPECT_EQ(march["alumni_applied"], 1);
  EXPECT_EQ(report->at("lapsed_now"), 2);

  auto april = ReportQuery(*store_, "2017-04", At(kNow));
  ASSERT_TRUE(april.ok());
  EXPECT_EQ(april->at("report")["refunds_minor"], 40000);
  EXPECT_EQ(april->at("report")["renewals"], 0);
  auto february = ReportQuery(*store_, "2017-02", At(kNow));
  ASSERT_TRUE(february.ok());
  EXPECT_EQ(february->at("report")["alumni_applied"], 1);
  EXPECT_EQ(february->at("report")["alumni_switched_back"], 1);
}

TEST_F(QueriesAfterRebuild, LookupByEmailIgnoresCase) {
  const std::string mcid = Mcid(Life::kVoucher);
  auto found = LookupQuery(*store_, "TRAINER" + mcid + "@Example.JP");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->at("trainers").dump(), "[\"" + mcid + "\"]");
  auto nobody = LookupQuery(*store_, "nobody@example.jp");
  ASSERT_TRUE(nobody.ok());
  EXPECT_TRUE(nobody->at("trainers").empty());
}

TEST_F(QueriesAfterRebuild, AsOfAfterEveryEventEqualsTheReadModel) {
  for (uint64_t index = 0; index < kLifeCount; ++index) {
    const auto life = static_cast<Life>(index);
    for (const std::string_view instant : {kNow, std::string_view("2017-12-31T23:59:59Z")}) {
      EXPECT_EQ(StatusOf(life, instant, instant).dump(), StatusOf(life, std::nullopt, instant).dump())
          << "life " << index << " at " << instant;
    }
  }
}

TEST_F(QueriesAfterRebuild, AsOfBeforeALaterEventIgnoresIt) {
  // AUDIT-2: the order was placed at 09:10; a second before, the renewal was at the payment step.
  const Json paying = StatusOf(Life::kRenewed, "2017-03-01T09:09:59Z");
  EXPECT_EQ(paying["status"], "renewal_in_progress");
  EXPECT_EQ(paying["step"], "payment");
  EXPECT_EQ(paying["anniversary"], "2017-05-01");
  EXPECT_EQ(paying["last_order"], nullptr);
  const Json paid = StatusOf(Life::kRenewed, "2017-03-01T09:10:00Z");
  EXPECT_EQ(paid["status"], "active");
  EXPECT_EQ(paid["anniversary"], "2018-05-01");

  // The refund of 2017-03-15 is ignored the day before, and counts the day after.
  const Json before_refund = StatusOf(Life::kRenewedThenRefunded, "2017-03-14T00:00:00Z");
  EXPECT_EQ(before_refund["status"], "active");
  EXPECT_EQ(before_refund["anniversary"], "2018-05-02");
  const Json after_refund = StatusOf(Life::kRenewedThenRefunded, "2017-03-16T00:00:00Z");
  EXPECT_EQ(after_refund["status"], "renewal_open");
  EXPECT_EQ(after_refund["anniversary"], "2017-05-02");

  // Before enrolment there was nobody; the message says it was not yet, not never.
  auto nobody = StatusQuery(*store_, M(Mcid(Life::kRenewed)), At("2016-04-30T00:00:00Z"), At(kNow));
  ASSERT_FALSE(nobody.ok());
  EXPECT_EQ(nobody.error().code, kUnknownTrainer);
  EXPECT_EQ(nobody.error().message,
            "the MCID " + Mcid(Life::kRenewed) + " was not enrolled yet as of 2016-04-30T00:00:00Z");
  // The history as of then is empty, not unknown: the trainer's events all came later.
  auto history = HistoryQuery(*store_, M(Mcid(Life::kRenewed)), At("2016-04-30T00:00:00Z"));
  ASSERT_TRUE(history.ok()) << history.error().message;
  EXPECT_EQ(history.value()["events"], Json::array());
  // An MCID with no events at all is unknown at any instant.
  auto never = StatusQuery(*store_, M("9999999"), At("2016-04-30T00:00:00Z"), At(kNow));
  ASSERT_FALSE(never.ok());
  EXPECT_EQ(never.error().message, "no trainer is enrolled with the MCID 9999999");
}

TEST(StoreReopen, QueriesAnswerTheSameAfterReopen) {
  consumers::testing::TempDir dir("reopen");
  std::string before;
  std::string checksum;
  {
    auto store = Store::Open(dir.path());
    ASSERT_TRUE(store.ok()) << store.error().message;
    const Status lived = RunLives(*store.value()->commands, kBase, 0, 2 * kLifeCount, 3, "r");
    ASSERT_TRUE(lived.ok()) << lived.error().message;
    // Not caught up on purpose: opening again catches up before serving.
    auto report = ReportQuery(*store.value(), std::nullopt, At(kNow));
    ASSERT_TRUE(report.ok());
    before = report->dump();
  }
  auto store = Store::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto checkpoint = store.value()->models->Checkpoint(*store.value()->models->Current());
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ(checkpoint.value(), store.value()->log->Head());
  auto report = ReportQuery(*store.value(), std::nullopt, At(kNow));
  ASSERT_TRUE(report.ok());
  EXPECT_NE(report->dump(), before);
  auto live = store.value()->models->Checksum();
  auto rebuilt = store.value()->runner->Rebuild();
  ASSERT_TRUE(live.ok() && rebuilt.ok());
  EXPECT_EQ(rebuilt->checksum, live.value());
  EXPECT_EQ(ReportQuery(*store.value(), std::nullopt, At(kNow))->dump(), report->dump());
}

// The fee's currency is configuration (PAY-6): orders placed before it changed, and their
// refunds, are shown apart by currency, never added into revenue, refunds and net in other units.
TEST(ReportCurrencies, OrdersAndRefundsOfAnEarlierFeeCurrencyAreShownApart) {
  consumers::testing::TempDir dir("currencies");
  int64_t usd_revenue = 0;
  int64_t usd_refunds = 0;
  {
    auto store = Store::Open(dir.path());
    ASSERT_TRUE(store.ok()) << store.error().message;
    const Status lived = RunLives(*store.value()->commands, kBase, 0, kLifeCount, 1, "usd");
    ASSERT_TRUE(lived.ok()) << lived.error().message;
    ASSERT_TRUE(store.value()->runner->CatchUp().ok());
    auto report = ReportQuery(*store.value(), "2017-03", At(kNow));
    ASSERT_TRUE(report.ok()) << report.error().message;
    const Json& march = report->at("report");
    usd_revenue = march["revenue_minor"].get<int64_t>();
    usd_refunds = march["refunds_minor"].get<int64_t>();
    ASSERT_GT(usd_revenue, 0);
    ASSERT_GT(usd_refunds, 0);
    EXPECT_EQ(march["net_minor"], usd_revenue - usd_refunds);
    EXPECT_EQ(march["revenue_minor_other_currencies"], Json::object());
    EXPECT_EQ(march["refunds_minor_other_currencies"], Json::object());
  }
  auto store = Store::Open(dir.path(), domain::Policy{.fee_minor = 60000, .currency = "EUR"});
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto report = ReportQuery(*store.value(), "2017-03", At(kNow));
  ASSERT_TRUE(report.ok()) << report.error().message;
  const Json& march = report->at("report");
  EXPECT_EQ(march["currency"], "EUR");
  EXPECT_EQ(march["revenue_minor"], 0);
  EXPECT_EQ(march["refunds_minor"], 0);
  EXPECT_EQ(march["net_minor"], 0);
  EXPECT_EQ(march["revenue_minor_other_currencies"], (Json{{"USD", usd_revenue}}));
  EXPECT_EQ(march["refunds_minor_other_currencies"], (Json{{"USD", usd_refunds}}));

  // The same month with orders and refunds in euros too: each currency counted on its own side.
  const Status lived = RunLives(*store.value()->commands, kBase, kLifeCount, kLifeCount, 1, "eur");
  ASSERT_TRUE(lived.ok()) << lived.error().message;
  ASSERT_TRUE(store.value()->runner->CatchUp().ok());
  auto mixed = ReportQuery(*store.value(), "2017-03", At(kNow));
  ASSERT_TRUE(mixed.ok()) << mixed.error().message;
  const Json& both = mixed->at("report");
  const int64_t eur_revenue = both["revenue_minor"].get<int64_t>();
  const int64_t eur_refunds = both["refunds_minor"].get<int64_t>();
  EXPECT_GT(eur_revenue, 0);
  EXPECT_GT(eur_refunds, 0);
  EXPECT_NE(eur_revenue, usd_revenue);  // the euro fee is another amount
  EXPECT_EQ(both["net_minor"], eur_revenue - eur_refunds);
  EXPECT_EQ(both["revenue_minor_other_currencies"], (Json{{"USD", usd_revenue}}));
  EXPECT_EQ(both["refunds_minor_other_currencies"], (Json{{"USD", usd_refunds}}));
  EXPECT_EQ(both["refunds"], 2 * march["refunds"].get<int64_t>());
}

}  // namespace
}  // namespace mct::admin
