// Transcript gaps (REIN-5, REF-2): [from, to), an open gap having no end yet.
#include "projections/gaps.h"

#include <gtest/gtest.h>

#include "projections/status.h"

namespace mct::projections {
namespace {

using domain::Date;
using domain::Instant;
using domain::RecordedEvent;

Date D(const char* text) { return *Date::Parse(text); }

RecordedEvent Recorded(const char* at, domain::Event event) {
  domain::EventMeta meta;
  meta.mcid = *domain::Mcid::Parse("1000001");
  meta.at = *Instant::Parse(at);
  meta.actor = {domain::Role::kSupport, "s-1"};
  return {meta, std::move(event)};
}

class GapsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stream_.push_back(Recorded("2016-05-01T00:00:00Z",
                               domain::TrainerEnrolled{"Hanako", "h@example.jp", D("2017-05-01")}));
  }
  void Complete(const char* at, domain::RenewalKind kind, const char* order_id,
                const char* previous, const char* next) {
    domain::PaymentPlaced paid;
    paid.order_id = order_id;
    paid.method = domain::PaymentMethod::kCreditCard;
    paid.amount_minor = 40000;
    paid.idempotency_key = order_id;
    stream_.push_back(Recorded(at, paid));
    stream_.push_back(
        Recorded(at, domain::RenewalCompleted{kind, order_id, D(previous), D(next)}));
  }
  std::vector<Gap> GapsOn(const char* instant) const {
    const Instant as_of = *Instant::Parse(instant);
    return GapsAsOf(FoldAsOf(stream_, as_of), as_of.date());
  }
  std::vector<RecordedEvent> stream_;
};

TEST(GapsOfNoEnrolment, AreNone) {
  EXPECT_TRUE(GapsAsOf(domain::TrainerState{}, D("2017-06-01")).empty());
}

TEST_F(GapsTest, NoGapBeforeTheAnniversary) { EXPECT_TRUE(GapsOn("2017-04-30T23:59:59Z").empty()); }

TEST_F(GapsTest, OpenGapFromTheAnniversary) {
  EXPECT_EQ(GapsOn("2017-05-01T00:00:00Z"), (std::vector<Gap>{{D("2017-05-01"), std::nullopt}}));
}

TEST_F(GapsTest, Rein5ReinstatementClosesTheGapAtItsCompletionDate) {
  Complete("2017-06-10T08:05:00Z", domain::RenewalKind::kReinstatement, "CT00000001",
           "2017-05-01", "2018-06-10");
  EXPECT_EQ(GapsOn("2017-06-10T08:05:00Z"), (std::vector<Gap>{{D("2017-05-01"), D("2017-06-10")}}));
}

TEST_F(GapsTest, Time2RenewalLeavesNoGap) {
  Complete("2017-03-01T09:10:00Z", domain::RenewalKind::kRenewal, "CT00000001", "2017-05-01",
           "2018-05-01");
  EXPECT_TRUE(GapsOn("2017-12-01T00:00:00Z").empty());
}

TEST_F(GapsTest, Ref2RefundedReinstatementReopensItsGap) {
  Complete("2017-06-10T08:05:00Z", domain::RenewalKind::kReinstatement, "CT00000001",
           "2017-05-01", "2018-06-10");
  stream_.push_back(Recorded("2017-06-20T00:00:00Z", domain::RefundIssued{"CT00000001", 40000, "x"}));
  EXPECT_EQ(GapsOn("2017-06-20T00:00:00Z"), (std::vector<Gap>{{D("2017-05-01"), std::nullopt}}));
  // Before the refund, the closed gap stood (AUDIT-2).
  EXPECT_EQ(GapsOn("2017-06-19T00:00:00Z"), (std::vector<Gap>{{D("2017-05-01"), D("2017-06-10")}}));
}

TEST_F(GapsTest, Ref2RefundedRenewalAfterTheAnniversaryOpensAGap) {
  Complete("2017-03-01T09:10:00Z", domain::RenewalKind::kRenewal, "CT00000001", "2017-05-01",
           "2018-05-01");
  stream_.push_back(Recorded("2017-05-03T00:00:00Z", domain::RefundIssued{"CT00000001", 40000, "x"}));
  EXPECT_EQ(GapsOn("2017-05-03T00:00:00Z"), (std::vector<Gap>{{D("2017-05-01"), std::nullopt}}));
}

TEST_F(GapsTest, SeveralReinstatementsGiveGapsOldestFirst) {
  Complete("2017-06-10T08:05:00Z", domain::RenewalKind::kReinstatement, "CT00000001",
           "2017-05-01", "2018-06-10");
  Complete("2019-01-05T08:05:00Z", domain::RenewalKind::kReinstatement, "CT00000002",
           "2018-06-10", "2020-01-05");
  EXPECT_EQ(GapsOn("2019-01-05T09:00:00Z"),
            (std::vector<Gap>{{D("2017-05-01"), D("2017-06-10")}, {D("2018-06-10"), D("2019-01-05")}}));
}

}  // namespace
}  // namespace mct::projections
