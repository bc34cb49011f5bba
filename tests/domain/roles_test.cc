// The role table of ROLE-1..5, read directly and through Decide.
#include "domain/roles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <string_view>

#include "tests/domain/given.h"

namespace mct::domain {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

const std::set<std::string_view> kTrainerCommands = {
    "StartRenewal",        "ChooseProfile",       "FileException",   "RecordMtmSurvey",
    "UploadMtmReport",     "ConfirmRequirements", "AcceptTerms",     "ApplyVoucher",
    "EnterBillingAddress", "PlaceOrder",          "OrderWelcomeKit", "ApplyAlumni",
    "SwitchBackFromAlumni"};
const std::set<std::string_view> kSupportOnlyCommands = {"EnrollTrainer", "RecordCertification",
                                                         "IssueRefund"};
const std::set<std::string_view> kSystemCommands = {"EnrollTrainer", "RecordCertification",
                                                    "IssueFteCode",  "RecordMtmSurvey",
                                                    "IssueRefund",   "SettleRefund"};

TEST(RoleTable, ListsEveryCommandOfDomainMd) {
  const auto& names = AllCommandNames();
  EXPECT_EQ(names.size(), 18u);
  const std::set<std::string_view> unique(names.begin(), names.end());
  EXPECT_EQ(unique.size(), names.size());
  for (const auto name : kTrainerCommands) EXPECT_TRUE(unique.contains(name)) << name;
  for (const auto name : kSystemCommands) EXPECT_TRUE(unique.contains(name)) << name;
}

TEST(Role1Trainer, MaySendExactlyTheTrainerCommands) {
  for (const auto name : AllCommandNames()) {
    EXPECT_EQ(RoleMaySend(Role::kTrainer, name), kTrainerCommands.contains(name)) << name;
  }
}

TEST(Role2Support, MaySendTrainerCommandsAndEnrollCertifyRefund) {
  for (const auto name : AllCommandNames()) {
    const bool expected = kTrainerCommands.contains(name) || kSupportOnlyCommands.contains(name);
    EXPECT_EQ(RoleMaySend(Role::kSupport, name), expected) << name;
  }
}

TEST(Role2Support, MayNotIssueFteCodesNorSettleRefunds) {
  EXPECT_FALSE(RoleMaySend(Role::kSupport, "IssueFteCode"));
  EXPECT_FALSE(RoleMaySend(Role::kSupport, "SettleRefund"));
}

TEST(Role3System, MaySendExactlyTheSystemCommands) {
  for (const auto name : AllCommandNames()) {
    EXPECT_EQ(RoleMaySend(Role::kSystem, name), kSystemCommands.contains(name)) << name;
  }
}

TEST(Role4Auditor, SendsNoCommand) {
  for (const auto name : AllCommandNames()) {
    EXPECT_FALSE(RoleMaySend(Role::kAuditor, name)) << name;
  }
}

TEST(RoleTable, UnknownCommandIsRefusedToEveryone) {
  for (const Role role : AllRoles()) EXPECT_FALSE(RoleMaySend(role, "DeleteTrainer"));
}

TEST(Role5Reading, SupportAndAuditorsReadEverything) {
  for (const Role role : {Role::kSupport, Role::kAuditor}) {
    EXPECT_TRUE(RoleMayRead(role, ReadAccess::kStatus));
    EXPECT_TRUE(RoleMayRead(role, ReadAccess::kRecords));
    EXPECT_TRUE(RoleMayRead(role, ReadAccess::kFleet));
    EXPECT_TRUE(RoleMayRead(role, ReadAccess::kAudit));
  }
}

TEST(Role5Reading, TrainerReadsNobodyElse) {
  EXPECT_FALSE(RoleMayRead(Role::kTrainer, ReadAccess::kStatus));
  EXPECT_FALSE(RoleMayRead(Role::kTrainer, ReadAccess::kRecords));
  EXPECT_FALSE(RoleMayRead(Role::kTrainer, ReadAccess::kFleet));
  EXPECT_FALSE(RoleMayRead(Role::kTrainer, ReadAccess::kAudit));
}

TEST(Role5Reading, SystemReadsStatusOnly) {
  EXPECT_TRUE(RoleMayRead(Role::kSystem, ReadAccess::kStatus));
  EXPECT_FALSE(RoleMayRead(Role::kSystem, ReadAccess::kRecords));
  EXPECT_FALSE(RoleMayRead(Role::kSystem, ReadAccess::kFleet));
  EXPECT_FALSE(RoleMayRead(Role::kSystem, ReadAccess::kAudit));
}

// --- Through Decide: every command × role. ---

// A well-formed body for each command name.
CommandBody BodyFor(std::string_view name) {
  if (name == "EnrollTrainer") {
    return EnrollTrainer{"Hanako Sato", "hanako@example.jp", On("2017-05-01")};
  }
  if (name == "RecordCertification") return RecordCertification{"CERT-dev", Track::kDeveloper};
  if (name == "StartRenewal") return StartRenewal{};
  if (name == "IssueFteCode") return IssueFteCode{"europe\\hanako", "314159"};
  if (name == "ChooseProfile") return Profile(EmployerType::kFreelance);
  if (name == "FileException") return Exception("2017-02-10");
  if (name == "RecordMtmSurvey") return Survey("2017-02-10");
  if (name == "UploadMtmReport") return Report();
  if (name == "ConfirmRequirements") return ConfirmRequirements{};
  if (name == "AcceptTerms") return BothBoxes();
  if (name == "ApplyVoucher") return ApplyVoucher{"MCT-VOUCHER-1"};
  if (name == "EnterBillingAddress") return Billing();
  if (name == "PlaceOrder") return CardOrder();
  if (name == "OrderWelcomeKit") return OrderWelcomeKit{};
  if (name == "IssueRefund") return Refund();
  if (name == "SettleRefund") return SettleRefund{};
  if (name == "ApplyAlumni") return ApplyAlumni{};
  return SwitchBackFromAlumni{};
}

TEST(RoleTable, DecideRefusesForbiddenAndOnlyForbiddenCombinations) {
  const Given given = Enrolled();
  for (const auto name : AllCommandNames()) {
    const CommandBody body = BodyFor(name);
    ASSERT_EQ(CommandName(body), name);
    for (const Role role : AllRoles()) {
      const Actor actor =
          role == Role::kTrainer ? TrainerActor() : Actor{role, std::string(ToString(role)) + "-1"};
      const std::string code = CodeOf(given.Decided(body, "2017-03-01T09:00:00Z", actor));
      if (RoleMaySend(role, name)) {
        EXPECT_NE(code, "forbidden") << ToString(role) << " " << name;
      } else {
        EXPECT_EQ(code, "forbidden") << ToString(role) << " " << name;
      }
    }
  }
}

TEST(Role1Trainer, ActsOnlyOnTheirOwnMcid) {
  const Given given = Enrolled();
  EXPECT_EQ(given.When(StartRenewal{}, "2017-03-01T09:00:00Z", TrainerActor(kOtherMcid)),
            "rejected:forbidden");
  EXPECT_EQ(given.When(StartRenewal{}, "2017-03-01T09:00:00Z", TrainerActor(kMcid)),
            "RenewalStarted{kind=renewal anniversary=2017-05-01}");
}

TEST(Role1Trainer, ForbiddenMessageSaysOwnMcidOnly) {
  const Given given = Enrolled();
  const Decision decision =
      given.Decided(StartRenewal{}, "2017-03-01T09:00:00Z", TrainerActor(kOtherMcid));
  EXPECT_NE(MessageOf(decision).find("own MCID"), std::string::npos) << MessageOf(decision);
}

TEST(Role2Support, ActsForAnyTrainer) {
  const Given given = Enrolled();
  EXPECT_EQ(given.When(StartRenewal{}, "2017-03-01T09:00:00Z", SupportActor()),
            "RenewalStarted{kind=renewal anniversary=2017-05-01}");
}

TEST(Role2Support, EnrollsATrainerWithAFourDigitMcid) {
  const Given given("1234");
  EXPECT_EQ(given.When(EnrollTrainer{"Taro Yamada", "taro@example.jp", On("2017-09-30")},
                       "2016-10-01T00:00:00Z", SupportActor()),
            "TrainerEnrolled{name=Taro Yamada email=taro@example.jp anniversary=2017-09-30}");
}

TEST(Role2Trainer, MayNotEnrollThemselves) {
  const Given given;
  EXPECT_EQ(given.When(EnrollTrainer{"Hanako Sato", "hanako@example.jp", On("2017-05-01")},
                       "2016-05-01T00:00:00Z", TrainerActor()),
            "rejected:forbidden");
}

TEST(Role2Trainer, MayNotRefund) {
  EXPECT_EQ(Renewed().When(Refund(), "2017-03-02T00:00:00Z", TrainerActor()), "rejected:forbidden");
}

TEST(Role3System, RecordsSurveysButDoesNotStartRenewals) {
  const Given given = Enrolled();
  EXPECT_EQ(given.When(StartRenewal{}, "2017-03-01T09:00:00Z", SystemActor()),
            "rejected:forbidden");
  EXPECT_EQ(given.When(Survey("2017-02-10"), "2017-03-01T09:00:00Z", SystemActor()),
            "MtmSurveyRecorded{course_name=20410D course_date=2017-02-10 average_score=8.5}");
}

TEST(Role3Support, MayNotSettleRefunds) {
  Given given = Renewed();
  given.Did(Refund(), "2017-03-02T00:00:00Z");
  EXPECT_EQ(given.When(SettleRefund{}, "2017-03-05T00:00:00Z", SupportActor()),
            "rejected:forbidden");
  EXPECT_EQ(given.When(SettleRefund{}, "2017-03-05T00:00:00Z", SystemActor()),
            "RefundSettled{order_id=CT00000001}");
}

TEST(Role4Auditor, ForbiddenEvenOnTheirOwnReadOnlyBusiness) {
  const Given given = Enrolled();
  EXPECT_EQ(given.When(ApplyAlumni{}, "2017-03-01T09:00:00Z", AuditorActor()),
            "rejected:forbidden");
  const Decision decision = given.Decided(ApplyAlumni{}, "2017-03-01T09:00:00Z", AuditorActor());
  EXPECT_NE(MessageOf(decision).find("auditor"), std::string::npos) << MessageOf(decision);
}

}  // namespace
}  // namespace mct::domain
