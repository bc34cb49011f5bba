// Golden files (architecture invariant 7): the bytes of schema version 1 of every event type, as
// committed under tests/golden/v1/, must still decode to the same event, and today's encoder must
// still write exactly those bytes; the JSON beside each file pins the rendering. How to create
// the files for a new event type or schema version: tests/golden/README.md.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "consumers/codec.h"
#include "domain/events.h"
#include "domain/sha256.h"
#include "tests/consumers/event_samples.h"

namespace mct::consumers {
namespace {

namespace fs = std::filesystem;
using samples::DateOf;
using samples::InstantOf;
using samples::McidOf;

struct GoldenCase {
  std::string name;       // the event type, as domain.md names it
  std::string file_stem;  // its snake_case file name under tests/golden/v1/
  EventEnvelope envelope;
};

std::string SnakeCase(std::string_view name) {
  std::string snake;
  for (const char letter : name) {
    if (std::isupper(static_cast<unsigned char>(letter)) != 0) {
      if (!snake.empty()) snake += '_';
      snake += static_cast<char>(std::tolower(static_cast<unsigned char>(letter)));
    } else {
      snake += letter;
    }
  }
  return snake;
}

// The version-1 events whose bytes are committed, one trainer's stream with a valid hash chain.
// Never change a value here: the committed files would stop matching, which is the point. A new
// event type or schema version gets new cases (and new files) instead.
std::vector<GoldenCase> GoldenV1() {
  using namespace mct::domain;  // NOLINT(google-build-using-namespace): test data only
  struct Entry {
    Event payload;
    const char* at;
    Actor actor;
  };
  const Actor trainer{.role = Role::kTrainer, .id = "1000001"};
  const Actor support{.role = Role::kSupport, .id = "support-7"};
  const Actor system{.role = Role::kSystem, .id = "member-site"};
  const std::vector<Entry> entries = {
      {TrainerEnrolled{.name = "Hanako Sato",
                       .email = "hanako@example.jp",
                       .anniversary = DateOf("2017-05-01")},
       "2016-05-01T00:00:00Z", system},
      {CertificationRecorded{.certification_id = "MCSA-2016", .track = Track::kDeveloper},
       "2016-05-01T00:00:00Z", system},
      {RenewalStarted{.kind = RenewalKind::kReinstatement, .anniversary = DateOf("2017-05-01")},
       "2017-03-01T09:00:00Z", trainer},
      {FteCodeIssued{.alias = "FAREAST\\hsato",
                     .code_sha256 = Sha256Hex("482913"),
                     .expires_at = InstantOf("2017-03-03T09:00:00.500Z")},
       "2017-03-01T09:00:00.500Z", system},
      {ProfileChosen{.employer_type = EmployerType::kMicrosoftFte,
                     .employer_detail = "FAREAST\\hsato",
                     .track = Track::kDynamics},
       "2017-03-01T09:05:00Z", trainer},
      {ExceptionFiled{.classes = 2,
                      .course_name = "20410D Installing Windows Server",
                      .course_date = DateOf("2017-02-10"),
                      .students = 12,
                      .organization = "Contoso",
                      .manager_name = "Taro Yamada",
                      .manager_email = "taro@contoso.example"},
       "2017-03-01T09:06:00Z", trainer},
      {MtmSurveyRecorded{.course_name = "20411D Administering Windows Server",
                         .course_date = DateOf("2017-01-20"),
                         .average_score = 8.25},
       "2017-03-01T09:07:00Z", trainer},
      {MtmReportUploaded{.media_type = "application/pdf",
                         .size = 183'204,
                         .sha256 = Sha256Hex("mtm report"),
                         .mct_full_name = "Hanako Sato",
                         .course_name = "20411D Administering Windows Server",
                         .course_date = DateOf("2017-01-20")},
       "2017-03-01T09:08:00Z", trainer},
      {RequirementsConfirmed{}, "2017-03-01T09:09:00Z", trainer},
      {TermsAccepted{}, "2017-03-01T09:10:00Z", trainer},
      {VoucherApplied{.voucher_code = "MCTV-2017-0001"}, "2017-03-01T09:11:00Z", trainer},
      {BillingAddressEntered{.first_name = "Hanako",
                             .last_name = "Sato",
                             .email = "hanako@example.jp",
                             .phone = "+81-3-1234-5678",
                             .address1 = "1-2-3 Shinjuku",
                             .address2 = "Room 405",
                             .city = "Shinjuku-ku",
                             .state = "Tokyo",
                             .postal_code = "160-0022",
                             .country = "JP"},
       "2017-03-01T09:12:00Z", trainer},
      {PaymentPlaced{.order_id = "CT00000001",
                     .method = PaymentMethod::kCreditCard,
                     .card_brand = CardBrand::kAmex,
                     .card_last4 = "0005",
                     .payer_name = "HANAKO SATO",
                     .amount_minor = 40000,
                     .currency = "USD",
                     .tax_minor = 0,
                     .idempotency_key = "order-1",
                     .voucher_code = ""},
       "2017-03-01T09:13:00Z", trainer},
      {RenewalCompleted{.kind = RenewalKind::kReinstatement,
                        .order_id = "CT00000001",
                        .previous_anniversary = DateOf("2017-05-01"),
                        .new_anniversary = DateOf("2018-05-01")},
       "2017-03-01T09:13:00Z", trainer},
      {WelcomeKitOrdered{.order_id = "CT00000001"}, "2017-03-08T10:00:00Z", trainer},
      {RefundIssued{.order_id = "CT00000001", .amount_minor = 40000, .reason = "charged twice"},
       "2017-03-09T10:00:00Z", support},
      {RefundSettled{.order_id = "CT00000001"}, "2017-03-10T10:00:00Z", system},
      {AlumniApplied{}, "2017-04-01T10:00:00Z", trainer},
      {AlumniSwitchedBack{}, "2017-04-02T10:00:00Z", trainer},
  };

  std::vector<GoldenCase> cases;
  std::string prev_hash;
  for (const Entry& entry : entries) {
    const uint64_t number = cases.size() + 1;
    EventEnvelope envelope;
    envelope.event.meta = {
        .mcid = McidOf("1000001"),
        .at = InstantOf(entry.at),
        .actor = entry.actor,
        .command_id = "cmd-" + std::to_string(number),
        .correlation_id = "corr-" + std::to_string(number),
        .causation_id = number == 1 ? "" : "cmd-" + std::to_string(number - 1),
    };
    envelope.event.payload = entry.payload;
    envelope.stream_version = number;
    envelope.global_position = 1000 + number;
    envelope.prev_hash = prev_hash;
    envelope.hash = ComputeEventHash(envelope);
    prev_hash = envelope.hash;
    const std::string name(EventName(entry.payload));
    cases.push_back({name, SnakeCase(name), envelope});
  }
  return cases;
}

// The schema version whose files this test holds.
constexpr uint16_t kGoldenVersion = 1;

fs::path GoldenFolder() { return fs::path(MCT_SOURCE_DIR) / "tests/golden/v1"; }

bool MayWriteGolden() {
  const char* flag = std::getenv("MCT_WRITE_GOLDEN");
  return flag != nullptr && std::string(flag) == "1";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// A missing golden file is written only when asked for; otherwise it fails the test.
void EnsureFile(const fs::path& path, const std::string& content) {
  if (fs::exists(path)) return;
  if (!MayWriteGolden()) {
    ADD_FAILURE() << path << " is missing; to create it deliberately, run the test with "
                  << "MCT_WRITE_GOLDEN=1 (see tests/golden/README.md)";
    return;
  }
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
  std::cerr << "wrote " << path << "\n";
}

std::string Hex(std::string_view bytes) {
  std::ostringstream hex;
  for (const char byte : bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    const auto value = static_cast<unsigned char>(byte);
    hex << kDigits[value >> 4] << kDigits[value & 0xf];
  }
  return hex.str();
}

class CodecGolden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(CodecGolden, MatchesTheCommittedFiles) {
  const GoldenCase& golden = GetParam();
  const EventEnvelope& expected = golden.envelope;
  const fs::path bin_path = GoldenFolder() / (golden.file_stem + ".bin");
  const fs::path json_path = GoldenFolder() / (golden.file_stem + ".json");
  const std::string encoded = EncodeBinary(expected);
  const std::string rendered = ToJson(expected).dump(2) + "\n";
  EnsureFile(bin_path, encoded);
  EnsureFile(json_path, rendered);
  if (!fs::exists(bin_path) || !fs::exists(json_path)) return;

  const std::string committed = ReadFile(bin_path);
  const Result<EventEnvelope> decoded = DecodeBinary(committed);
  ASSERT_TRUE(decoded.ok()) << bin_path << ": " << decoded.error().message;
  EXPECT_EQ(*decoded, expected) << bin_path << " no longer decodes to the event it holds";
  EXPECT_EQ(ComputeEventHash(*decoded), decoded->hash) << "the hash of " << bin_path;
  // Today's writers must still produce the committed files while version 1 is the current
  // version of this type; once it has moved on, the old bytes only have to decode (upcast).
  const bool current = domain::EventSchemaVersion(expected.event.payload) == kGoldenVersion;
  if (current) {
    EXPECT_EQ(Hex(encoded), Hex(committed)) << "the encoder no longer writes " << bin_path;
  }

  const std::string committed_json = ReadFile(json_path);
  if (current) {
    EXPECT_EQ(rendered, committed_json) << "ToJson no longer renders " << json_path;
  }
  const Result<EventEnvelope> read =
      EventFromJson(nlohmann::json::parse(committed_json), EnvelopeFields::kComplete);
  ASSERT_TRUE(read.ok()) << json_path << ": " << read.error().message;
  EXPECT_EQ(*read, expected);
}

INSTANTIATE_TEST_SUITE_P(V1, CodecGolden, ::testing::ValuesIn(GoldenV1()),
                         [](const ::testing::TestParamInfo<GoldenCase>& info) {
                           return info.param.name;
                         });

TEST(CodecGoldenFiles, CoverEveryEventType) {
  std::set<size_t> covered;
  for (const GoldenCase& golden : GoldenV1()) {
    covered.insert(golden.envelope.event.payload.index());
  }
  EXPECT_EQ(covered.size(), std::variant_size_v<domain::Event>);
}

TEST(CodecGoldenFiles, HoldNothingButTheCases) {
  std::set<std::string> expected;
  for (const GoldenCase& golden : GoldenV1()) {
    expected.insert(golden.file_stem + ".bin");
    expected.insert(golden.file_stem + ".json");
  }
  ASSERT_TRUE(fs::exists(GoldenFolder())) << "the golden files are missing: " << GoldenFolder();
  for (const auto& entry : fs::directory_iterator(GoldenFolder())) {
    EXPECT_EQ(expected.count(entry.path().filename().string()), 1u)
        << entry.path() << " belongs to no golden case";
  }
}

}  // namespace
}  // namespace mct::consumers
