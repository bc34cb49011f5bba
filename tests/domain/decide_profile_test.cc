// Step 1, the profile: PROF-1..3, AUD-1..2 and REQ-1.
#include <gtest/gtest.h>

#include <string>

#include "domain/sha256.h"
#include "tests/domain/given.h"

namespace mct::domain {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

constexpr std::string_view kAlias = "europe\\hanako";
constexpr std::string_view kCode = "314159";

// A renewal started on 2017-03-01, at the profile step.
Given AtProfile() {
  Given given = Enrolled();
  given.Did(StartRenewal{}, "2017-03-01T09:00:00Z");
  return given;
}

// The same, with an FTE code mailed to europe\hanako at 2017-03-01T09:00:00Z.
Given WithFteCode() {
  Given given = AtProfile();
  given.Did(IssueFteCode{std::string(kAlias), std::string(kCode)}, "2017-03-01T09:00:00Z");
  return given;
}

ChooseProfile FteProfile(std::string_view code = kCode) {
  return Profile(EmployerType::kMicrosoftFte, std::string(kAlias), Track::kItPro,
                 std::string(code));
}

// --- PROF-1 ---

TEST(Prof1EmployerDetail, FreelanceAndOtherNeedNone) {
  EXPECT_EQ(AtProfile().When(Profile(EmployerType::kFreelance), "2017-03-01T09:05:00Z"),
            "ProfileChosen{employer_type=freelance employer_detail= track=it_pro}");
  EXPECT_EQ(AtProfile().When(Profile(EmployerType::kOther), "2017-03-01T09:05:00Z"),
            "ProfileChosen{employer_type=other employer_detail= track=it_pro}");
}

TEST(Prof1EmployerDetail, RequiredForEveryOtherType) {
  const Given given = AtProfile();
  for (const EmployerType type :
       {EmployerType::kMicrosoftFte, EmployerType::kAcademic, EmployerType::kGovernment,
        EmployerType::kImagineAcademy, EmployerType::kLearningPartner}) {
    EXPECT_EQ(given.When(Profile(type), "2017-03-01T09:05:00Z"),
              "rejected:employer_detail_required")
        << ToString(type);
  }
}

TEST(Prof1EmployerDetail, BlankDetailIsMissing) {
  EXPECT_EQ(AtProfile().When(Profile(EmployerType::kGovernment, "   "), "2017-03-01T09:05:00Z"),
            "rejected:employer_detail_required");
}

TEST(Prof1EmployerDetail, RejectionNamesTheFieldToFill) {
  const Decision decision =
      AtProfile().Decided(Profile(EmployerType::kLearningPartner), "2017-03-01T09:05:00Z");
  EXPECT_EQ(CodeOf(decision), "employer_detail_required");
  EXPECT_TRUE(Mentions(decision, "learning_partner")) << MessageOf(decision);
  EXPECT_TRUE(Mentions(decision, "employer_detail")) << MessageOf(decision);
}

TEST(Prof1EmployerDetail, SchoolNameMayBeJapanese) {
  EXPECT_EQ(AtProfile().When(Profile(EmployerType::kAcademic, "東京大学"), "2017-03-01T09:05:00Z"),
            "ProfileChosen{employer_type=academic employer_detail=東京大学 track=it_pro}");
}

TEST(Prof1EmployerDetail, IsTrimmed) {
  EXPECT_EQ(AtProfile().When(Profile(EmployerType::kImagineAcademy, "  MIA-123 "),
                             "2017-03-01T09:05:00Z"),
            "ProfileChosen{employer_type=imagine_academy employer_detail=MIA-123 track=it_pro}");
}

TEST(Prof1EmployerDetail, LearningPartnerKeepsItsMpnLocationId) {
  EXPECT_EQ(
      AtProfile().When(Profile(EmployerType::kLearningPartner, "MPN-4242"), "2017-03-01T09:05:00Z"),
      "ProfileChosen{employer_type=learning_partner employer_detail=MPN-4242 track=it_pro}");
}

// --- PROF-2 ---

TEST(Prof2FteCode, IssueKeepsOnlyTheHashValidFor48Hours) {
  const std::string rendered = AtProfile().When(
      IssueFteCode{std::string(kAlias), std::string(kCode)}, "2017-03-01T09:00:00Z", SystemActor());
  EXPECT_EQ(rendered, "FteCodeIssued{alias=europe\\hanako code_sha256=" + Sha256Hex(kCode) +
                          " expires_at=2017-03-03T09:00:00Z}");
  EXPECT_EQ(rendered.find(kCode), std::string::npos);
}

TEST(Prof2FteCode, IssuedWithoutAnApplicationToo) {
  EXPECT_EQ(CodeOf(Enrolled().Decided(IssueFteCode{std::string(kAlias), std::string(kCode)},
                                      "2016-12-01T09:00:00Z")),
            "accepted");
}

TEST(Prof2FteCode, ValidUntilTheLastMillisecond) {
  EXPECT_EQ(WithFteCode().When(FteProfile(), "2017-03-03T08:59:59.999Z"),
            "ProfileChosen{employer_type=microsoft_fte employer_detail=europe\\hanako "
            "track=it_pro}");
}

TEST(Prof2FteCode, ExpiredAtExactly48Hours) {
  const Decision decision = WithFteCode().Decided(FteProfile(), "2017-03-03T09:00:00Z");
  EXPECT_EQ(CodeOf(decision), "fte_code_expired");
  EXPECT_TRUE(Mentions(decision, "new one")) << MessageOf(decision);
  EXPECT_TRUE(Mentions(decision, "2017-03-03T09:00:00Z")) << MessageOf(decision);
}

TEST(Prof2FteCode, WrongCodeIsInvalid) {
  const Decision decision = WithFteCode().Decided(FteProfile("271828"), "2017-03-01T10:00:00Z");
  EXPECT_EQ(CodeOf(decision), "fte_code_invalid");
  EXPECT_TRUE(Mentions(decision, "ask for a new one")) << MessageOf(decision);
}

TEST(Prof2FteCode, NoCodeIssuedForTheAliasIsInvalid) {
  EXPECT_EQ(AtProfile().When(FteProfile(), "2017-03-01T10:00:00Z"), "rejected:fte_code_invalid");
  const ChooseProfile other_alias =
      Profile(EmployerType::kMicrosoftFte, "asia\\taro", Track::kItPro, std::string(kCode));
  EXPECT_EQ(WithFteCode().When(other_alias, "2017-03-01T10:00:00Z"), "rejected:fte_code_invalid");
}

TEST(Prof2FteCode, ANewerCodeReplacesTheOlder) {
  Given given = WithFteCode();
  given.Did(IssueFteCode{std::string(kAlias), "999999"}, "2017-03-01T12:00:00Z");
  EXPECT_EQ(given.When(FteProfile(), "2017-03-01T13:00:00Z"), "rejected:fte_code_invalid");
  EXPECT_EQ(CodeOf(given.Decided(FteProfile("999999"), "2017-03-01T13:00:00Z")), "accepted");
}

TEST(Prof2FteCode, WrongCodeBeatsExpiry) {
  EXPECT_EQ(WithFteCode().When(FteProfile("000000"), "2017-03-10T00:00:00Z"),
            "rejected:fte_code_invalid");
}

TEST(Prof2FteCode, StateKeepsTheHashNotTheCode) {
  const Given given = WithFteCode();
  const auto found = given.state().fte_codes.find(std::string(kAlias));
  ASSERT_NE(found, given.state().fte_codes.end());
  EXPECT_EQ(found->second.code_sha256, Sha256Hex(kCode));
  EXPECT_NE(found->second.code_sha256, kCode);
}

TEST(Prof2Sha256, MatchesTheStandardVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(IsSha256Hex(Sha256Hex("abc")));
  EXPECT_FALSE(IsSha256Hex("abc"));
}

// --- PROF-3 ---

TEST(Prof3AnyEducationBusiness, ComputerSchoolCountsAsAcademic) {
  EXPECT_EQ(AtProfile().When(Profile(EmployerType::kAcademic, "Shinjuku PC School"),
                             "2017-03-01T09:05:00Z"),
            "ProfileChosen{employer_type=academic employer_detail=Shinjuku PC School "
            "track=it_pro}");
}

TEST(Prof3AnyEducationBusiness, FreelancerWhoTaughtForGovernmentMayChooseGovernment) {
  EXPECT_EQ(AtProfile().When(Profile(EmployerType::kGovernment, "Tokyo Metropolitan Government"),
                             "2017-03-01T09:05:00Z"),
            "ProfileChosen{employer_type=government employer_detail=Tokyo Metropolitan Government "
            "track=it_pro}");
}

// --- AUD-1, REQ-1 ---

TEST(Aud1TracksOffered, TrackWithoutCertificationIsRefused) {
  const Decision decision = AtProfile().Decided(
      Profile(EmployerType::kFreelance, "", Track::kDeveloper), "2017-03-01T09:05:00Z");
  EXPECT_EQ(CodeOf(decision), "track_not_held");
  EXPECT_TRUE(Mentions(decision, "developer")) << MessageOf(decision);
}

TEST(Req1Certification, RecordedLaterMakesTheTrackSelectable) {
  Given given = AtProfile();
  given.Did(RecordCertification{"CERT-dyn", Track::kDynamics}, "2017-03-01T09:01:00Z");
  EXPECT_EQ(
      given.When(Profile(EmployerType::kFreelance, "", Track::kDynamics), "2017-03-01T09:05:00Z"),
      "ProfileChosen{employer_type=freelance employer_detail= track=dynamics}");
}

TEST(Req1Certification, RecordingTheSameCertificationAgainWritesNothing) {
  EXPECT_EQ(
      Enrolled().When(RecordCertification{"CERT-it_pro", Track::kItPro}, "2017-03-01T09:00:00Z"),
      "(none)");
  EXPECT_EQ(
      Enrolled().When(RecordCertification{"CERT-dev", Track::kDeveloper}, "2017-03-01T09:00:00Z"),
      "CertificationRecorded{certification_id=CERT-dev track=developer}");
}

TEST(Req1Certification, CheckedAfterTheEmployerDetail) {
  EXPECT_EQ(AtProfile().When(Profile(EmployerType::kAcademic, "", Track::kDeveloper),
                             "2017-03-01T09:05:00Z"),
            "rejected:employer_detail_required");
}

// --- AUD-2 ---

TEST(Aud2Iw, NotOfferedToAHolderOfAnotherTrack) {
  Given given = AtProfile();
  given.Did(RecordCertification{"CERT-iw", Track::kIw}, "2017-03-01T09:01:00Z");
  const Decision decision =
      given.Decided(Profile(EmployerType::kFreelance, "", Track::kIw), "2017-03-01T09:05:00Z");
  EXPECT_EQ(CodeOf(decision), "iw_not_selectable");
  EXPECT_TRUE(Mentions(decision, "renew on one of those")) << MessageOf(decision);
}

TEST(Aud2Iw, NotOfferedToADeveloperOrDynamicsHolder) {
  for (const Track other : {Track::kDeveloper, Track::kDynamics}) {
    Given given;
    given
        .Did(EnrollTrainer{"Hanako Sato", "hanako@example.jp", On("2017-05-01")},
             "2016-05-01T00:00:00Z")
        .Did(RecordCertification{"CERT-iw", Track::kIw}, "2016-05-01T00:00:00Z")
        .Did(RecordCertification{"CERT-other", other}, "2016-05-01T00:00:00Z")
        .Did(StartRenewal{}, "2017-03-01T09:00:00Z");
    EXPECT_EQ(given.When(Profile(EmployerType::kFreelance, "", Track::kIw), "2017-03-01T09:05:00Z"),
              "rejected:iw_not_selectable")
        << ToString(other);
  }
}

TEST(Aud2Iw, OfferedToAnIwOnlyHolder) {
  Given given;
  given
      .Did(EnrollTrainer{"Hanako Sato", "hanako@example.jp", On("2017-05-01")},
           "2016-05-01T00:00:00Z")
      .Did(RecordCertification{"CERT-iw", Track::kIw}, "2016-05-01T00:00:00Z")
      .Did(StartRenewal{}, "2017-03-01T09:00:00Z");
  EXPECT_EQ(given.When(Profile(EmployerType::kFreelance, "", Track::kIw), "2017-03-01T09:05:00Z"),
            "ProfileChosen{employer_type=freelance employer_detail= track=iw}");
}

TEST(Aud2Iw, TrackNotHeldIsCheckedFirst) {
  // it_pro held, iw not: the trainer lacks the track before IW's own rule matters.
  EXPECT_EQ(
      AtProfile().When(Profile(EmployerType::kFreelance, "", Track::kIw), "2017-03-01T09:05:00Z"),
      "rejected:track_not_held");
}

}  // namespace
}  // namespace mct::domain
