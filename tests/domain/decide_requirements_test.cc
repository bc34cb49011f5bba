// Step 2, the requirements: REQ-2..5 and REQ-2a.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "tests/domain/given.h"

namespace mct::domain {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

// A renewal for 2017-05-01 started on 2017-03-01 with the profile `type`, at the requirements step.
Given RequirementsFor(EmployerType type, std::string detail = "") {
  Given given = Enrolled();
  given.Did(StartRenewal{}, "2017-03-01T09:00:00Z")
      .Did(Profile(type, std::move(detail)), "2017-03-01T09:05:00Z");
  return given;
}

Given AcademicAtRequirements() { return RequirementsFor(EmployerType::kAcademic, "Waseda"); }

constexpr std::string_view kToday = "2017-03-01T10:00:00Z";

// --- REQ-2 ---

TEST(Req2Survey, FreelanceWithoutSurveyIsRefused) {
  const Decision decision = AtRequirements().Decided(ConfirmRequirements{}, kToday);
  EXPECT_EQ(CodeOf(decision), "mtm_survey_required");
  EXPECT_TRUE(Mentions(decision, "between 2016-05-01 and 2017-03-01")) << MessageOf(decision);
  EXPECT_TRUE(Mentions(decision, "upload")) << MessageOf(decision);
}

TEST(Req2Survey, LearningPartnerAndOtherNeedOneToo) {
  EXPECT_EQ(
      RequirementsFor(EmployerType::kLearningPartner, "MPN-1").When(ConfirmRequirements{}, kToday),
      "rejected:mtm_survey_required");
  EXPECT_EQ(RequirementsFor(EmployerType::kOther).When(ConfirmRequirements{}, kToday),
            "rejected:mtm_survey_required");
}

TEST(Req2Survey, OneOnThePreviousAnniversaryCounts) {
  Given given = AtRequirements();
  given.Did(Survey("2016-05-01"), "2017-03-01T09:06:00Z");
  EXPECT_EQ(given.When(ConfirmRequirements{}, kToday), "RequirementsConfirmed{}");
}

TEST(Req2Survey, OneTheDayBeforeThePreviousAnniversaryDoesNot) {
  Given given = AtRequirements();
  given.Did(Survey("2016-04-30"), "2017-03-01T09:06:00Z");
  EXPECT_EQ(given.When(ConfirmRequirements{}, kToday), "rejected:mtm_survey_required");
}

TEST(Req2Survey, OneDatedTodayCounts) {
  Given given = AtRequirements();
  given.Did(Survey("2017-03-01"), "2017-03-01T09:06:00Z");
  EXPECT_EQ(given.When(ConfirmRequirements{}, kToday), "RequirementsConfirmed{}");
}

TEST(Req2Survey, OneDatedAfterTodayDoesNot) {
  Given given = AtRequirements();
  given.Did(Survey("2017-03-02"), "2017-03-01T09:06:00Z");
  EXPECT_EQ(given.When(ConfirmRequirements{}, kToday), "rejected:mtm_survey_required");
}

TEST(Req2Survey, OneRecordedBeforeTheApplicationCounts) {
  Given given = Enrolled();
  given.Did(Survey("2016-11-20"), "2016-11-25T00:00:00Z")
      .Did(StartRenewal{}, "2017-03-01T09:00:00Z")
      .Did(Profile(EmployerType::kFreelance), "2017-03-01T09:05:00Z");
  EXPECT_EQ(given.When(ConfirmRequirements{}, kToday), "RequirementsConfirmed{}");
}

TEST(Req2Survey, NotRequiredOfExceptionTypes) {
  Given given = AcademicAtRequirements();
  given.Did(Exception("2017-02-10"), "2017-03-01T09:06:00Z");
  EXPECT_EQ(given.When(ConfirmRequirements{}, kToday), "RequirementsConfirmed{}");
}

// --- REQ-2a ---

TEST(Req2aSurveyArrivals, AcceptedWithoutAnyApplication) {
  EXPECT_EQ(Enrolled().When(Survey("2016-10-01"), "2016-10-02T00:00:00Z"),
            "MtmSurveyRecorded{course_name=20410D course_date=2016-10-01 average_score=8.5}");
}

TEST(Req2aSurveyArrivals, FromTrainerSupportOrSystem) {
  const Given given = Enrolled();
  for (const Actor& actor : {TrainerActor(), SupportActor(), SystemActor()}) {
    EXPECT_EQ(CodeOf(given.Decided(Survey("2016-10-01"), "2016-10-02T00:00:00Z", actor)),
              "accepted")
        << ToString(actor.role);
  }
}

TEST(Req2aSurveyArrivals, AcceptedWhileAlumniOrLapsed) {
  Given alumni = Enrolled();
  alumni.Did(ApplyAlumni{}, "2016-12-01T00:00:00Z");
  EXPECT_EQ(CodeOf(alumni.Decided(Survey("2016-11-01"), "2016-12-02T00:00:00Z")), "accepted");
  EXPECT_EQ(CodeOf(Enrolled().Decided(Survey("2017-04-01"), "2017-05-03T00:00:00Z")), "accepted");
}

TEST(Req2aSurveyArrivals, UnknownTrainerIsRefused) {
  EXPECT_EQ(Given().When(Survey("2016-10-01"), "2016-10-02T00:00:00Z"), "rejected:unknown_trainer");
}

TEST(Req2aSurveyArrivals, MustNameTheCourse) {
  RecordMtmSurvey survey = Survey("2016-10-01");
  survey.course_name = " ";
  const Decision decision = Enrolled().Decided(survey, "2016-10-02T00:00:00Z");
  EXPECT_EQ(CodeOf(decision), "invalid_input");
  EXPECT_TRUE(Mentions(decision, "course_name")) << MessageOf(decision);
}

TEST(Req2aSurveyArrivals, RecordingOneSendsNobodyBackAStep) {
  Given given = AtTerms();
  given.Did(Survey("2017-02-20"), "2017-03-01T09:07:30Z");
  ASSERT_TRUE(given.state().application);
  EXPECT_EQ(given.state().application->CurrentStep(), Step::kTerms);
}

// --- REQ-3 ---

TEST(Req3NoMinimumScore, ZeroScoreCounts) {
  Given given = AtRequirements();
  given.Did(Survey("2017-02-10", 0.0), "2017-03-01T09:06:00Z");
  EXPECT_EQ(given.When(ConfirmRequirements{}, kToday), "RequirementsConfirmed{}");
}

TEST(Req3NoMinimumScore, ScoreBelowSevenCounts) {
  Given given = AtRequirements();
  given.Did(Survey("2017-02-10", 3.25), "2017-03-01T09:06:00Z");
  EXPECT_EQ(given.When(ConfirmRequirements{}, kToday), "RequirementsConfirmed{}");
}

TEST(Req3NoMinimumScore, NegativeScoreIsMalformed) {
  EXPECT_EQ(Enrolled().When(Survey("2017-02-10", -1.0), kToday), "rejected:invalid_input");
}

// --- REQ-4 ---

TEST(Req4Exception, AcademicMustFileOne) {
  const Decision decision = AcademicAtRequirements().Decided(ConfirmRequirements{}, kToday);
  EXPECT_EQ(CodeOf(decision), "exception_required");
  EXPECT_TRUE(Mentions(decision, "File the online exception")) << MessageOf(decision);
  EXPECT_TRUE(Mentions(decision, "2016-05-01")) << MessageOf(decision);
}

TEST(Req4Exception, ImagineAcademyAndGovernmentMustFileOne) {
  EXPECT_EQ(
      RequirementsFor(EmployerType::kImagineAcademy, "MIA-1").When(ConfirmRequirements{}, kToday),
      "rejected:exception_required");
  EXPECT_EQ(RequirementsFor(EmployerType::kGovernment, "MIC").When(ConfirmRequirements{}, kToday),
            "rejected:exception_required");
}

TEST(Req4Exception, FiledFormIsRecordedInFull) {
  EXPECT_EQ(AcademicAtRequirements().When(Exception("2017-02-10"), kToday),
            "ExceptionFiled{classes=2 course_name=20410D course_date=2017-02-10 students=12 "
            "organization=Tokyo-Tech manager_name=Taro Yamada manager_email=taro@example.jp}");
}

TEST(Req4Exception, ClassOnThePreviousAnniversaryCounts) {
  EXPECT_EQ(CodeOf(AcademicAtRequirements().Decided(Exception("2016-05-01"), kToday)), "accepted");
}

TEST(Req4Exception, ClassTheDayBeforeThePreviousAnniversaryIsRefused) {
  const Decision decision = AcademicAtRequirements().Decided(Exception("2016-04-30"), kToday);
  EXPECT_EQ(CodeOf(decision), "class_outside_period");
  EXPECT_TRUE(Mentions(decision, "between 2016-05-01 and 2017-03-01")) << MessageOf(decision);
}

TEST(Req4Exception, ClassDatedTodayCountsTomorrowDoesNot) {
  EXPECT_EQ(CodeOf(AcademicAtRequirements().Decided(Exception("2017-03-01"), kToday)), "accepted");
  EXPECT_EQ(AcademicAtRequirements().When(Exception("2017-03-02"), kToday),
            "rejected:class_outside_period");
}

TEST(Req4Exception, ConfirmsOnceFiled) {
  Given given = AcademicAtRequirements();
  given.Did(Exception("2017-02-10"), "2017-03-01T09:06:00Z");
  EXPECT_EQ(given.When(ConfirmRequirements{}, kToday), "RequirementsConfirmed{}");
}

TEST(Req4Exception, FteWithExceptionPasses) {
  Given given = Enrolled();
  given.Did(StartRenewal{}, "2017-03-01T09:00:00Z")
      .Did(IssueFteCode{"europe\\hanako", "314159"}, "2017-03-01T09:01:00Z")
      .Did(Profile(EmployerType::kMicrosoftFte, "europe\\hanako", Track::kItPro, "314159"),
           "2017-03-01T09:02:00Z")
      .Did(Exception("2017-01-20"), "2017-03-01T09:03:00Z");
  EXPECT_EQ(given.When(ConfirmRequirements{}, kToday), "RequirementsConfirmed{}");
}

TEST(Req4Exception, NotAvailableToSurveyTypes) {
  for (const auto& [type, detail] :
       {std::pair{EmployerType::kFreelance, ""}, std::pair{EmployerType::kLearningPartner, "MPN-1"},
        std::pair{EmployerType::kOther, ""}}) {
    const Decision decision =
        RequirementsFor(type, detail).Decided(Exception("2017-02-10"), kToday);
    EXPECT_EQ(CodeOf(decision), "exception_not_available") << ToString(type);
    EXPECT_TRUE(Mentions(decision, "record an MTM survey or upload a report"))
        << MessageOf(decision);
  }
}

TEST(Req4Exception, NeedsAtLeastOneClassAndOneStudent) {
  FileException no_classes = Exception("2017-02-10");
  no_classes.classes = 0;
  const Decision classes = AcademicAtRequirements().Decided(no_classes, kToday);
  EXPECT_EQ(CodeOf(classes), "invalid_input");
  EXPECT_TRUE(Mentions(classes, "classes")) << MessageOf(classes);
  FileException no_students = Exception("2017-02-10");
  no_students.students = 0;
  const Decision students = AcademicAtRequirements().Decided(no_students, kToday);
  EXPECT_EQ(CodeOf(students), "invalid_input");
  EXPECT_TRUE(Mentions(students, "students")) << MessageOf(students);
}

TEST(Req4Exception, NeedsEveryTextFieldAndAManagerEmail) {
  FileException no_manager = Exception("2017-02-10");
  no_manager.manager_name.clear();
  EXPECT_TRUE(Mentions(AcademicAtRequirements().Decided(no_manager, kToday), "manager_name"));
  FileException bad_email = Exception("2017-02-10");
  bad_email.manager_email = "taro at example.jp";
  const Decision decision = AcademicAtRequirements().Decided(bad_email, kToday);
  EXPECT_EQ(CodeOf(decision), "invalid_input");
  EXPECT_TRUE(Mentions(decision, "manager_email")) << MessageOf(decision);
}

TEST(Req4Exception, RefiledAfterConfirmingSendsBackToRequirements) {
  Given given = AcademicAtRequirements();
  given.Did(Exception("2017-02-10"), "2017-03-01T09:06:00Z")
      .Did(ConfirmRequirements{}, "2017-03-01T09:07:00Z")
      .Did(Exception("2017-02-11"), "2017-03-01T09:08:00Z");
  ASSERT_TRUE(given.state().application);
  EXPECT_EQ(given.state().application->CurrentStep(), Step::kRequirements);
  EXPECT_EQ(given.When(BothBoxes(), kToday), "rejected:step_out_of_order");
}

// --- REQ-5 ---

TEST(Req5Upload, PdfIsRecordedWithHashSizeAndType) {
  EXPECT_EQ(AtRequirements().When(Report("2017-02-10"), kToday),
            "MtmReportUploaded{media_type=application/pdf size=2048 sha256=" + Hex64() +
                " mct_full_name=Hanako Sato course_name=20410D course_date=2017-02-10}");
}

TEST(Req5Upload, JpegIsAccepted) {
  EXPECT_EQ(CodeOf(AtRequirements().Decided(Report("2017-02-10", "image/jpeg"), kToday)),
            "accepted");
}

TEST(Req5Upload, OtherMediaTypesAreRefused) {
  for (const char* type : {"image/png", "application/msword", "", "image/jpeg2000"}) {
    const Decision decision = AtRequirements().Decided(Report("2017-02-10", type), kToday);
    EXPECT_EQ(CodeOf(decision), "unsupported_media_type") << type;
    EXPECT_TRUE(Mentions(decision, "JPEG image or a PDF")) << MessageOf(decision);
  }
}

// Media types are names without case (RFC 9110, 8.3.1): the event keeps them in lower case.
TEST(Req5Upload, MediaTypesAreReadWithoutRegardToCase) {
  for (const auto& [sent, kept] : std::vector<std::pair<std::string, std::string>>{
           {"APPLICATION/PDF", "application/pdf"}, {"Image/JPEG", "image/jpeg"}}) {
    const Decision decision = AtRequirements().Decided(Report("2017-02-10", sent), kToday);
    ASSERT_TRUE(decision.accepted()) << sent << ": " << MessageOf(decision);
    ASSERT_EQ(decision.events.size(), 1u);
    EXPECT_EQ(std::get<MtmReportUploaded>(decision.events[0]).media_type, kept);
  }
}

TEST(Req5Upload, MustNameTheTrainerTheCourseAndTheDate) {
  UploadMtmReport no_name = Report();
  no_name.mct_full_name = "  ";
  UploadMtmReport no_course = Report();
  no_course.course_name.clear();
  UploadMtmReport no_date = Report();
  no_date.course_date.reset();
  for (const UploadMtmReport& report : {no_name, no_course, no_date}) {
    const Decision decision = AtRequirements().Decided(report, kToday);
    EXPECT_EQ(CodeOf(decision), "report_incomplete");
    EXPECT_TRUE(Mentions(decision, "full name, the course name and the course date"))
        << MessageOf(decision);
  }
}

TEST(Req5Upload, CannotBeReplaced) {
  Given given = AtRequirements();
  given.Did(Report("2017-02-10"), "2017-03-01T09:06:00Z");
  const Decision decision = given.Decided(Report("2017-02-11"), kToday);
  EXPECT_EQ(CodeOf(decision), "report_already_uploaded");
  EXPECT_TRUE(Mentions(decision, "contact support")) << MessageOf(decision);
}

TEST(Req5Upload, AlreadyUploadedBeatsMediaTypeWhichBeatsIncomplete) {
  UploadMtmReport png_without_name = Report("2017-02-10", "image/png");
  png_without_name.mct_full_name.clear();
  EXPECT_EQ(AtRequirements().When(png_without_name, kToday), "rejected:unsupported_media_type");
  Given given = AtRequirements();
  given.Did(Report("2017-02-10"), "2017-03-01T09:06:00Z");
  EXPECT_EQ(given.When(png_without_name, kToday), "rejected:report_already_uploaded");
}

TEST(Req5Upload, CountsForTheSurveyRequirement) {
  Given given = AtRequirements();
  given.Did(Report("2017-02-10"), "2017-03-01T09:06:00Z");
  EXPECT_EQ(given.When(ConfirmRequirements{}, kToday), "RequirementsConfirmed{}");
}

TEST(Req5Upload, DatedOutsideTheCycleIsAcceptedButDoesNotCount) {
  Given given = AtRequirements();
  EXPECT_EQ(CodeOf(given.Decided(Report("2016-01-15"), kToday)), "accepted");
  given.Did(Report("2016-01-15"), "2017-03-01T09:06:00Z");
  EXPECT_EQ(given.When(ConfirmRequirements{}, kToday), "rejected:mtm_survey_required");
}

TEST(Req5Upload, MalformedHashOrSizeIsInvalidInput) {
  UploadMtmReport bad_hash = Report();
  bad_hash.sha256 = "not-a-hash";
  const Decision hash = AtRequirements().Decided(bad_hash, kToday);
  EXPECT_EQ(CodeOf(hash), "invalid_input");
  EXPECT_TRUE(Mentions(hash, "sha256")) << MessageOf(hash);
  UploadMtmReport empty = Report();
  empty.size = 0;
  const Decision size = AtRequirements().Decided(empty, kToday);
  EXPECT_EQ(CodeOf(size), "invalid_input");
  EXPECT_TRUE(Mentions(size, "size")) << MessageOf(size);
}

TEST(Req5Upload, NeedsAProfileFirst) {
  Given given = Enrolled();
  given.Did(StartRenewal{}, "2017-03-01T09:00:00Z");
  EXPECT_EQ(given.When(Report(), kToday), "rejected:step_out_of_order");
}

}  // namespace
}  // namespace mct::domain
