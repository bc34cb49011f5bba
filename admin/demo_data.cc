// The demo data generator. Each trainer's history is a small simulation: a persona (employer,
// tracks, how loyal), then one membership cycle after another until the history's end, every step
// sent as a real command through CommandService::Handle. The generator keeps its own model of the
// rules' consequences (anniversary, surveys, orders) only to choose valid instants; every command
// says what answer it expects, and any other answer stops the run with an Error, because then the
// plan and the rules disagree and the data would no longer be what it claims to be.
//
// Determinism: a trainer's randomness comes from (seed, trainer index) alone, and the commands of
// one trainer are sent in order by one worker, so the commands, and so the events, are the same
// whatever the thread count. Only order numbers (PAY-7, reserved from the store) and log
// positions depend on how the workers interleave.
#include "admin/demo_data.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "domain/commands.h"
#include "domain/decide.h"

namespace mct::admin {
namespace {

using consumers::CommandAnswer;
using domain::Date;
using domain::EmployerType;
using domain::Instant;
using domain::RejectionCode;
using domain::RenewalKind;
using domain::Role;
using domain::Track;

// Trainer `index` gets the MCID 1000000 + index: 7 digits up to nine million trainers, and never
// more than the 10 an MCID may have.
constexpr uint64_t kFirstMcid = 1'000'000;
constexpr uint64_t kMaxTrainers = 9'999'999'999ULL - kFirstMcid + 1;

// --- Calendar -----------------------------------------------------------------------------------

Date Ymd(int year, unsigned month, unsigned day) {
  return Date(std::chrono::sys_days(std::chrono::year{year} / std::chrono::month{month} /
                                    std::chrono::day{day}));
}

int YearOf(const Date& date) {
  return static_cast<int>(std::chrono::year_month_day{date.days()}.year());
}

Date Max(const Date& a, const Date& b) { return a < b ? b : a; }
Date Min(const Date& a, const Date& b) { return a < b ? a : b; }

Instant At(const Date& day, int64_t seconds_into_day) {
  return Instant(Instant::TimePoint(day.days() + std::chrono::seconds(seconds_into_day)));
}

Instant PlusSeconds(const Instant& instant, int64_t seconds) {
  return Instant(instant.point() + std::chrono::seconds(seconds));
}

// Enrolments over ten years give anniversaries on every day of the year.
const Date kFirstEnrollment = Ymd(2015, 1, 1);
const Date kLastEnrollment = Ymd(2024, 12, 31);
// Nothing is sent on or after this day: histories end with whatever was in progress.
const Date kHistoryEnd = Ymd(2026, 11, 1);
// Office hours in Japan (09:00 to 21:00 JST) are 00:00 to 12:00 UTC: a session started then ends
// the same UTC day, which keeps last-day renewals before their deadline (TIME-1).
constexpr int64_t kOfficeSeconds = 12 * 3600;

// --- Randomness ---------------------------------------------------------------------------------

uint64_t SplitMix64(uint64_t value) {
  value += 0x9E3779B97F4A7C15ULL;
  value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ULL;
  value = (value ^ (value >> 27)) * 0x94D049BB133111EBULL;
  return value ^ (value >> 31);
}

// One trainer's dice, seeded from the seed and the trainer's index only. The helpers avoid the
// standard distributions, whose output differs between standard libraries.
class Dice {
 public:
  Dice(uint64_t seed, uint64_t index) : engine_(SplitMix64(seed ^ SplitMix64(index + 1))) {}

  // Uniform in [low, high]; the modulo bias is far below anything the demo could show.
  int64_t Between(int64_t low, int64_t high) {
    if (high <= low) return low;
    return low + static_cast<int64_t>(engine_() % static_cast<uint64_t>(high - low + 1));
  }
  bool Chance(double probability) {
    return static_cast<double>(engine_() >> 11) * 0x1.0p-53 < probability;
  }
  template <typename Container>
  const auto& Pick(const Container& items) {
    return items[static_cast<size_t>(Between(0, static_cast<int64_t>(std::size(items)) - 1))];
  }
  // Index into `weights`, chosen with probability proportional to its weight.
  template <size_t N>
  size_t Weighted(const std::array<int, N>& weights) {
    int total = 0;
    for (const int weight : weights) total += weight;
    int64_t roll = Between(0, total - 1);
    for (size_t index = 0; index < N; ++index) {
      if (roll < weights[index]) return index;
      roll -= weights[index];
    }
    return N - 1;
  }
  std::string Digits(int count) {
    std::string out;
    for (int index = 0; index < count; ++index)
      out.push_back(static_cast<char>('0' + Between(0, 9)));
    return out;
  }
  std::string Hex(int count) {
    static constexpr std::string_view kHex = "0123456789abcdef";
    std::string out;
    for (int index = 0; index < count; ++index)
      out.push_back(kHex[static_cast<size_t>(Between(0, 15))]);
    return out;
  }
  std::string Letters(int count) {
    static constexpr std::string_view kLetters = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    std::string out;
    for (int index = 0; index < count; ++index) out.push_back(Pick(kLetters));
    return out;
  }

 private:
  std::mt19937_64 engine_;
};

// --- What people type ---------------------------------------------------------------------------

constexpr std::array<std::string_view, 20> kFamilyNames = {
    "Sato",      "Suzuki",    "Takahashi", "Tanaka",  "Watanabe", "Ito",     "Yamamoto",
    "Nakamura",  "Kobayashi", "Kato",      "Yoshida", "Yamada",   "Sasaki",  "Yamaguchi",
    "Matsumoto", "Inoue",     "Kimura",    "Hayashi", "Shimizu",  "Ishikawa"};
constexpr std::array<std::string_view, 20> kGivenNames = {
    "Hiroshi", "Takeshi", "Kenji", "Yuki",   "Haruto", "Sota", "Ren",   "Daiki", "Akira", "Naoki",
    "Yui",     "Aoi",     "Hina",  "Sakura", "Misaki", "Emi",  "Kaori", "Yoko",  "Mai",   "Ken"};
constexpr std::array<std::string_view, 4> kMailDomains = {"example.jp", "example.co.jp",
                                                          "example.com", "mail.example.ne.jp"};

struct Place {
  std::string_view prefecture;
  std::string_view city;
  std::string_view street;
  std::string_view postal_prefix;
};
constexpr std::array<Place, 8> kPlaces = {{
    {"Tokyo", "Shibuya-ku", "Jingumae", "150-00"},
    {"Tokyo", "Minato-ku", "Konan", "108-00"},
    {"Osaka", "Osaka-shi Kita-ku", "Umeda", "530-00"},
    {"Kanagawa", "Yokohama-shi Nishi-ku", "Minatomirai", "220-00"},
    {"Aichi", "Nagoya-shi Naka-ku", "Sakae", "460-00"},
    {"Fukuoka", "Fukuoka-shi Hakata-ku", "Hakataekimae", "812-00"},
    {"Hokkaido", "Sapporo-shi Chuo-ku", "Kita 3-jo Nishi", "060-00"},
    {"Miyagi", "Sendai-shi Aoba-ku", "Chuo", "980-00"},
}};
constexpr std::array<std::string_view, 5> kBuildings = {
    "Shinsei Bldg 5F", "Room 302", "Sakura Tower 12F", "Annex 2F", "Green Heights 101"};

struct TrackCatalog {
  std::array<std::string_view, 4> certifications;
  std::array<std::string_view, 3> courses;
};
// Indexed by Track.
constexpr std::array<TrackCatalog, 4> kCatalog = {{
    {{"MCSA-WS2016", "MCSE-CloudPlatform", "MCSA-Office365", "AZ-104"},
     {"20740: Installation, Storage, and Compute with Windows Server 2016",
      "20345: Administering Microsoft Exchange Server 2016",
      "AZ-104T00: Microsoft Azure Administrator"}},
    {{"MCSD-AppBuilder", "MCSA-WebApplications", "AZ-204", "MCSD-Azure"},
     {"20483: Programming in C#", "20486: Developing ASP.NET Core MVC Web Applications",
      "AZ-204T00: Developing Solutions for Microsoft Azure"}},
    {{"MB2-716", "MB-200", "MB-300", "MCSA-Dynamics365"},
     {"MB-200T01: Microsoft Power Platform + Dynamics 365 Core",
      "80534: Financial Management in Microsoft Dynamics AX 2012",
      "MB-300T00: Finance and Operations Core"}},
    {{"MOS-Expert-2016", "MOS-Master-2016", "MO-200", "MO-100"},
     {"55166: Microsoft Excel 2016 Level 1", "MO-200: Microsoft Excel (Office 2019)",
      "Microsoft Word 2016 Expert preparation"}},
}};

constexpr std::array<std::string_view, 5> kSchools = {
    "東京情報ビジネス専門学校", "Osaka Institute of Technology", "神戸電子専門学校",
    "Waseda University Extension Center", "日本工学院専門学校"};
constexpr std::array<std::string_view, 4> kDepartments = {
    "Ministry of Internal Affairs and Communications, IT Training Office",
    "東京都 総務局 情報システム部", "Osaka Prefectural Government, Digital Division",
    "Japan Pension Service, IT Education Section"};
constexpr std::array<std::string_view, 5> kManagerNames = {
    "Keiko Mori", "Taro Okada", "Junko Fujita", "Masato Ogawa", "Reiko Abe"};
constexpr std::array<std::string_view, 4> kRefundReasons = {
    "Charged to a personal card by mistake; the company pays instead",
    "Employer will pay with an MCT voucher", "Applicant changed their mind within the week",
    "Payment made for the wrong MCID"};

// The system actors of ROLE-3 and the support desk of ROLE-2.
const domain::Actor kMemberSite{Role::kSystem, "member-site"};
const domain::Actor kTranscript{Role::kSystem, "mcp-transcript"};
const domain::Actor kMtm{Role::kSystem, "mtm"};
const domain::Actor kPaymentProvider{Role::kSystem, "arvato"};
constexpr std::array<std::string_view, 3> kSupportDesk = {"support-tokyo-1", "support-tokyo-2",
                                                          "support-osaka-1"};

// --- Cards (PAY-1, PAY-5) -----------------------------------------------------------------------

enum class CardKind : uint8_t { kVisa, kMastercard, kAmex, kJcb };

// Appends the Luhn check digit, so the number passes PAY-5's check.
std::string WithCheckDigit(const std::string& body) {
  int sum = 0;
  bool double_it = true;  // the digit left of the check digit is doubled
  for (auto digit_it = body.rbegin(); digit_it != body.rend(); ++digit_it) {
    int digit = *digit_it - '0';
    if (double_it) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double_it = !double_it;
  }
  return body + static_cast<char>('0' + (10 - sum % 10) % 10);
}

// A card as its holder types it: a Luhn-valid number of the brand, sometimes grouped with spaces,
// an expiry one to five years after `today`, and the security code of the brand.
domain::CardDetails MakeCard(Dice& dice, CardKind kind, const std::string& holder,
                             const Date& today) {
  std::string prefix;
  switch (kind) {
    case CardKind::kVisa:
      prefix = "4";
      break;
    case CardKind::kMastercard:
      prefix = dice.Chance(0.7) ? std::to_string(dice.Between(51, 55))
                                : std::to_string(dice.Between(2221, 2720));
      break;
    case CardKind::kAmex:
      prefix = dice.Chance(0.5) ? "34" : "37";
      break;
    case CardKind::kJcb:
      prefix = std::to_string(dice.Between(3528, 3589));
      break;
  }
  const int length = kind == CardKind::kAmex ? 15 : 16;
  const std::string digits =
      WithCheckDigit(prefix + dice.Digits(length - 1 - static_cast<int>(prefix.size())));
  std::string number = digits;
  if (dice.Chance(0.3)) {  // typed in groups, as printed on the card
    number = kind == CardKind::kAmex
                 ? digits.substr(0, 4) + " " + digits.substr(4, 6) + " " + digits.substr(10)
                 : digits.substr(0, 4) + " " + digits.substr(4, 4) + " " + digits.substr(8, 4) +
                       " " + digits.substr(12);
  }
  char expiry[16];
  std::snprintf(expiry, sizeof expiry, "%04d-%02d",
                static_cast<int>(YearOf(today) + dice.Between(1, 5)),
                static_cast<int>(dice.Between(1, 12)));
  return domain::CardDetails{holder, number, expiry, dice.Digits(kind == CardKind::kAmex ? 4 : 3)};
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// --- Expected answers ---------------------------------------------------------------------------

struct Expect {
  CommandAnswer::Kind kind = CommandAnswer::Kind::kAccepted;
  RejectionCode code = RejectionCode::kInvalidInput;  // when kind is kRejected
};
Expect Refused(RejectionCode code) { return {CommandAnswer::Kind::kRejected, code}; }
Expect Retried() { return {CommandAnswer::Kind::kRetried, RejectionCode::kInvalidInput}; }

std::string Describe(const Expect& expect) {
  switch (expect.kind) {
    case CommandAnswer::Kind::kAccepted:
      return "accepted";
    case CommandAnswer::Kind::kRetried:
      return "retried";
    case CommandAnswer::Kind::kRejected:
      return "rejected " + std::string(domain::ToString(expect.code));
  }
  return "?";
}

// --- One trainer's history ----------------------------------------------------------------------

// How a trainer behaves over the years.
struct Persona {
  double renew_chance = 0.8;  // renews a cycle in time
  double alumni_chance = 0.05;
};
constexpr std::array<Persona, 4> kPersonas = {
    {{0.9, 0.02}, {0.72, 0.05}, {0.5, 0.08}, {0.25, 0.1}}};

class TrainerHistory {
 public:
  TrainerHistory(consumers::CommandService& commands, uint64_t seed, uint64_t index,
                 DemoStats& stats)
      : commands_(commands),
        stats_(stats),
        dice_(seed, index),
        seed_(seed),
        index_(index),
        mcid_(*domain::Mcid::Parse(std::to_string(kFirstMcid + index))),
        self_{Role::kTrainer, mcid_.str()} {}

  // Sends the whole history. An Error is a storage failure or a plan the rules refused.
  Status Run() {
    Enroll();
    while (live_ && Cycle()) {
    }
    if (failure_) return *failure_;
    return Ok();
  }

 private:
  // --- Sending --------------------------------------------------------------------------------

  // Sends one command; false when the history is over (its end reached, or a failure).
  bool Send(const Instant& at, const domain::Actor& actor, domain::CommandBody body,
            Expect expect = {}) {
    if (!live_) return false;
    if (at.date() >= kHistoryEnd) {
      live_ = false;
      return false;
    }
    domain::Command command;
    command.mcid = mcid_;
    command.at = at;
    command.actor = actor;
    command.command_id = "demo-" + std::to_string(seed_) + "-" + mcid_.str() + "-" +
                         std::to_string(++commands_sent_);
    command.correlation_id = correlation_id_;
    command.body = std::move(body);
    auto answer = commands_.Handle(command);
    if (!answer.ok()) return Fail(answer.error().message);
    const CommandAnswer& result = answer.value();
    stats_.commands += 1;
    if (result.kind == CommandAnswer::Kind::kRejected) {
      stats_.rejected += 1;
    } else {
      stats_.accepted += 1;
    }
    if (result.kind == CommandAnswer::Kind::kAccepted) stats_.events += result.events.size();
    const bool as_planned =
        result.kind == expect.kind &&
        (result.kind != CommandAnswer::Kind::kRejected || result.rejection.code == expect.code);
    if (!as_planned) {
      const std::string got = result.kind == CommandAnswer::Kind::kRejected
                                  ? "rejected " +
                                        std::string(domain::ToString(result.rejection.code)) +
                                        " (" + result.rejection.message + ")"
                                  : Describe({result.kind, RejectionCode::kInvalidInput});
      return Fail(std::string(domain::CommandName(command.body)) + " at " + at.ToString() +
                  " should have been " + Describe(expect) + " but was " + got);
    }
    return true;
  }

  bool Fail(const std::string& message) {
    failure_ = Error("demo trainer " + mcid_.str() + ": " + message);
    live_ = false;
    return false;
  }

  // --- Time -----------------------------------------------------------------------------------

  // An instant during office hours on `day`, after everything sent so far.
  Instant Moment(const Date& day) {
    Instant candidate = At(Max(day, clock_.date()), dice_.Between(0, kOfficeSeconds - 1));
    if (candidate <= clock_) candidate = PlusSeconds(clock_, dice_.Between(60, 600));
    clock_ = candidate;
    return clock_;
  }
  // A few minutes after the last command: the next click of the same session.
  Instant Soon() {
    clock_ = PlusSeconds(clock_, dice_.Between(30, 900));
    return clock_;
  }
  // The next step of an application: usually the same session, sometimes days later, but never
  // on or after `deadline` (TIME-3).
  Instant NextStep(const std::optional<Date>& deadline) {
    if (spread_steps_ && dice_.Chance(0.35)) {
      const Date later = clock_.date().AddDays(static_cast<int>(dice_.Between(1, 6)));
      if (!deadline || later < deadline->AddDays(-1)) return Moment(later);
    }
    return Soon();
  }

  // --- Enrolment and certifications ----------------------------------------------------------

  void Enroll() {
    name_ = std::string(dice_.Pick(kGivenNames)) + " " + std::string(dice_.Pick(kFamilyNames));
    std::string local = name_;
    std::transform(local.begin(), local.end(), local.begin(), [](unsigned char c) {
      return c == ' ' ? '.' : static_cast<char>(std::tolower(c));
    });
    email_ = local + std::to_string(index_ % 10000) + "@" + std::string(dice_.Pick(kMailDomains));
    persona_ = dice_.Pick(kPersonas);
    employer_ = PickEmployer();
    employer_detail_ = EmployerDetail(employer_);
    home_address_ = BillingAddress(name_, email_);
    employer_address_ =
        BillingAddress(std::string(dice_.Pick(kManagerNames)), "accounting@example.co.jp");

    const Date enrolled = kFirstEnrollment.AddDays(
        static_cast<int>(dice_.Between(0, kLastEnrollment.DaysSince(kFirstEnrollment))));
    anniversary_ = enrolled.AddYears(1);
    // Support enrols the odd trainer by hand; the member site does the rest (ROLE-2, ROLE-3).
    const domain::Actor enroller =
        dice_.Chance(0.1) ? domain::Actor{Role::kSupport, std::string(dice_.Pick(kSupportDesk))}
                          : kMemberSite;
    if (!Send(Moment(enrolled), enroller, domain::EnrollTrainer{name_, email_, anniversary_}))
      return;

    // AUD-1: the tracks offered are those held. Some hold IW only; some hold IW beside another
    // track and so may never renew on IW (AUD-2).
    const auto primary = static_cast<Track>(dice_.Weighted(std::array<int, 4>{40, 28, 12, 20}));
    RecordCertification(primary, Soon());
    if (primary != Track::kIw || dice_.Chance(0.4)) {
      if (dice_.Chance(0.3)) RecordCertification(static_cast<Track>(dice_.Between(0, 3)), Soon());
    }
  }

  // Records the next certification of `track` the trainer does not hold yet, if any.
  void RecordCertification(Track track, const Instant& at) {
    const auto& catalog = kCatalog[static_cast<size_t>(track)].certifications;
    for (size_t attempt = 0; attempt < catalog.size(); ++attempt) {
      const std::string id(catalog[(certifications_ + attempt) % catalog.size()]);
      if (std::find(certification_ids_.begin(), certification_ids_.end(), id) !=
          certification_ids_.end()) {
        continue;
      }
      if (!Send(at, kTranscript, domain::RecordCertification{id, track})) return;
      certification_ids_.push_back(id);
      tracks_.push_back(track);
      ++certifications_;
      return;
    }
  }

  bool Holds(Track track) const {
    return std::find(tracks_.begin(), tracks_.end(), track) != tracks_.end();
  }

  // A held track, never IW beside another track (AUD-1, AUD-2).
  Track ChooseTrack() {
    std::vector<Track> offered;
    for (const Track track : {Track::kItPro, Track::kDeveloper, Track::kDynamics}) {
      if (Holds(track)) offered.push_back(track);
    }
    if (offered.empty()) return Track::kIw;
    return dice_.Chance(0.7) && tracks_.front() != Track::kIw ? tracks_.front()
                                                              : dice_.Pick(offered);
  }

  EmployerType PickEmployer() {
    // Indexed by EmployerType: fte, academic, freelance, government, imagine, partner, other.
    return static_cast<EmployerType>(dice_.Weighted(std::array<int, 7>{12, 14, 22, 8, 6, 28, 10}));
  }

  std::string EmployerDetail(EmployerType type) {
    switch (type) {
      case EmployerType::kMicrosoftFte: {  // domain\alias: initial and family name
        std::string alias = name_.substr(0, 1) + name_.substr(name_.find(' ') + 1);
        std::transform(alias.begin(), alias.end(), alias.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return (dice_.Chance(0.7) ? "FAREAST\\" : "REDMOND\\") + alias +
               std::to_string(index_ % 100);
      }
      case EmployerType::kAcademic:
        return std::string(dice_.Pick(kSchools));
      case EmployerType::kGovernment:
        return std::string(dice_.Pick(kDepartments));
      case EmployerType::kImagineAcademy:
        return "MIA-" + dice_.Digits(6);  // formerly the ITA ID
      case EmployerType::kLearningPartner:
        return dice_.Digits(7);  // MPN Location ID
      case EmployerType::kFreelance:
      case EmployerType::kOther:
        return "";
    }
    return "";
  }

  // --- Cycles ---------------------------------------------------------------------------------

  // Plays one membership cycle: renew, lapse (and maybe reinstate), or leave for the Alumni
  // Program. False when the history has nothing more to do.
  bool Cycle() {
    if (dice_.Chance(0.1)) {  // a new certification now and then, perhaps of a new track
      const Date passed = clock_.date().AddDays(static_cast<int>(dice_.Between(1, 40)));
      RecordCertification(static_cast<Track>(dice_.Between(0, 3)), Moment(passed));
    }
    const Date earliest = Max(clock_.date(), reapply_from_);
    // TIME-1: the window is [A - 90, A); a start on the very last day still completes in time.
    if (earliest < anniversary_) {
      const double roll = static_cast<double>(dice_.Between(0, 9999)) / 10000.0;
      if (roll < persona_.renew_chance) return Renew(earliest);
      if (roll < persona_.renew_chance + persona_.alumni_chance) {
        return Alumni(Max(earliest, anniversary_.AddDays(-90)), anniversary_.AddDays(-1));
      }
    }
    return AfterLapse();
  }

  // A renewal early in the window, in the middle, or in its last days (TIME-1, TIME-2).
  bool Renew(const Date& earliest) {
    const Date opens = Max(anniversary_.AddDays(-90), earliest);
    const Date last = anniversary_.AddDays(-1);
    Date start;
    switch (dice_.Weighted(std::array<int, 3>{50, 30, 20})) {
      case 0:
        start = RandomDay(opens, Max(opens, anniversary_.AddDays(-45)));
        break;
      case 1:
        start =
            RandomDay(Max(opens, anniversary_.AddDays(-45)), Max(opens, anniversary_.AddDays(-8)));
        break;
      default:
        start = RandomDay(Max(opens, anniversary_.AddDays(-3)), last);
        break;
    }
    start = Min(start, last);
    // A mistake people make: trying before the window opens (TIME-1).
    if (earliest < anniversary_.AddDays(-91) && dice_.Chance(0.03)) {
      const Date too_early =
          RandomDay(Max(earliest, anniversary_.AddDays(-120)), anniversary_.AddDays(-91));
      if (!Send(Moment(too_early), self_, domain::StartRenewal{},
                Refused(RejectionCode::kRenewalWindowNotOpen))) {
        return false;
      }
    }
    RecordSurveys(start);
    return Apply(start, RenewalKind::kRenewal);
  }

  // The anniversary came without a renewal (TIME-3): come back after weeks or years (REIN-1), go
  // to the Alumni Program, or simply leave.
  bool AfterLapse() {
    const Date reinstatement_opens = anniversary_.AddDays(7);
    const Date earliest = Max(Max(clock_.date(), reapply_from_), reinstatement_opens);
    switch (dice_.Weighted(std::array<int, 4>{26, 18, 8, 48})) {
      case 0: {  // weeks later; some try during REIN-6's week first
        const Date day = RandomDay(earliest, earliest.AddDays(60));
        if (clock_.date() < reinstatement_opens && dice_.Chance(0.15)) {
          const Date too_soon =
              RandomDay(Max(clock_.date(), anniversary_), reinstatement_opens.AddDays(-1));
          if (!Send(Moment(too_soon), self_, domain::StartRenewal{},
                    Refused(RejectionCode::kReinstatementNotYetOpen))) {
            return false;
          }
        }
        return Apply(day, RenewalKind::kReinstatement);
      }
      case 1:  // years later
        return Apply(RandomDay(earliest.AddYears(1), earliest.AddYears(4)),
                     RenewalKind::kReinstatement);
      case 2:
        return Alumni(earliest, earliest.AddDays(300));
      default:
        return false;
    }
  }

  // ALUM-1, ALUM-2: applies to the Alumni Program; some did it by mistake and switch back.
  bool Alumni(const Date& from, const Date& to) {
    if (!Send(Moment(RandomDay(from, to)), self_, domain::ApplyAlumni{})) return false;
    if (!dice_.Chance(0.4)) return false;  // an alumnus for good
    return SwitchBack(dice_.Between(1, 21));
  }

  bool SwitchBack(int64_t days_later) {
    const domain::Actor who =
        dice_.Chance(0.3) ? domain::Actor{Role::kSupport, std::string(dice_.Pick(kSupportDesk))}
                          : self_;
    return Send(Moment(clock_.date().AddDays(static_cast<int>(days_later))), who,
                domain::SwitchBackFromAlumni{});
  }

  Date RandomDay(const Date& from, const Date& to) {
    return from.AddDays(static_cast<int>(dice_.Between(0, std::max(0, to.DaysSince(from)))));
  }

  // REQ-2a: MTM sends the surveys of classes delivered during the cycle, whoever needs them.
  void RecordSurveys(const Date& application_day) {
    const bool needs_them = domain::RulesFor(employer_).survey_required;
    if (!dice_.Chance(needs_them ? 0.75 : 0.15)) return;
    const Date from = Max(anniversary_.AddYears(-1), clock_.date().AddDays(1));
    const Date to = application_day.AddDays(-3);
    if (to < from) return;
    std::vector<Date> course_days;
    for (int64_t count = dice_.Between(1, 2); count > 0; --count)
      course_days.push_back(RandomDay(from, to));
    std::sort(course_days.begin(), course_days.end());
    for (const Date& course : course_days) {
      const double score = static_cast<double>(dice_.Between(55, 98)) / 10.0;  // REQ-3: any score
      if (!Send(Moment(course.AddDays(static_cast<int>(dice_.Between(1, 2)))), kMtm,
                domain::RecordMtmSurvey{std::string(CourseName()), course, score})) {
        return;
      }
      survey_days_.push_back(course);
    }
  }

  std::string_view CourseName() {
    return dice_.Pick(kCatalog[static_cast<size_t>(tracks_.front())].courses);
  }

  // --- One application (STEP-1) ---------------------------------------------------------------

  // Starts an application on `day` and goes through every step to the order; false when the
  // history ended on the way.
  bool Apply(const Date& day, RenewalKind kind) {
    ++applications_;
    correlation_id_ = "demo-" + std::to_string(seed_) + "-" + mcid_.str() + "-application-" +
                      std::to_string(applications_);
    const Date deadline_if_renewal = anniversary_;
    const std::optional<Date> deadline =
        kind == RenewalKind::kRenewal ? std::optional<Date>(anniversary_) : std::nullopt;
    spread_steps_ = dice_.Chance(0.3);
    if (dice_.Chance(0.08)) {  // changed jobs since the last renewal
      employer_ = PickEmployer();
      employer_detail_ = EmployerDetail(employer_);
    }
    if (!Send(Moment(day), self_, domain::StartRenewal{})) return Done();
    if (!ChooseProfile(deadline)) return Done();
    // ALUM-1/ALUM-2: the Alumni button pressed by mistake mid-application; the application is
    // lost, so after switching back the trainer starts again.
    if ((!deadline || clock_.date().AddDays(10) < *deadline) && dice_.Chance(0.03)) {
      if (!Send(NextStep(deadline), self_, domain::ApplyAlumni{})) return Done();
      if (!SwitchBack(dice_.Between(1, 2))) return Done();
      if (!Send(Soon(), self_, domain::StartRenewal{})) return Done();
      if (!ChooseProfile(deadline)) return Done();
    }
    // Some renewals are started and never finished: the application dies on the anniversary
    // (TIME-3), which the funnel of the monthly report shows.
    const int64_t abandoned_before_step =
        kind == RenewalKind::kRenewal && dice_.Chance(0.05) ? dice_.Between(1, 3) : 0;
    if (abandoned_before_step == 1) return Abandon();
    if (!Requirements(kind, deadline, deadline_if_renewal)) return Done();
    if (abandoned_before_step == 2) return Abandon();
    if (dice_.Chance(0.02)) {  // TERMS-1: one box left unticked
      if (!Send(NextStep(deadline), self_, domain::AcceptTerms{true, false},
                Refused(RejectionCode::kTermsNotAccepted))) {
        return Done();
      }
    }
    if (!Send(NextStep(deadline), self_, domain::AcceptTerms{true, true})) return Done();
    if (abandoned_before_step == 3) return Abandon();
    if (!Pay(kind, deadline)) return Done();
    AfterCompletion();
    correlation_id_.clear();
    return live_;
  }

  bool Done() {
    correlation_id_.clear();
    return false;
  }

  // The trainer walks away from a renewal; what follows is a lapse.
  bool Abandon() {
    correlation_id_.clear();
    return AfterLapse();
  }

  // Step 1, with PROF-2's code for Microsoft employees.
  bool ChooseProfile(const std::optional<Date>& deadline) {
    std::string code;
    if (employer_ == EmployerType::kMicrosoftFte) {
      code = dice_.Digits(6);
      if (!Send(Soon(), kMemberSite, domain::IssueFteCode{employer_detail_, code})) return false;
      // Back from a long weekend after the 48 hours (PROF-2): ask for a new code.
      if ((!deadline || clock_.date().AddDays(8) < *deadline) && dice_.Chance(0.05)) {
        if (!Send(Moment(clock_.date().AddDays(3)), self_,
                  domain::ChooseProfile{employer_, employer_detail_, code, ChooseTrack()},
                  Refused(RejectionCode::kFteCodeExpired))) {
          return false;
        }
        code = dice_.Digits(6);
        if (!Send(Soon(), kMemberSite, domain::IssueFteCode{employer_detail_, code})) return false;
      }
      // The code arrives by mail within minutes; the trainer stays in the same session.
      return Send(Soon(), self_,
                  domain::ChooseProfile{employer_, employer_detail_, code, ChooseTrack()});
    }
    return Send(NextStep(deadline), self_,
                domain::ChooseProfile{employer_, employer_detail_, code, ChooseTrack()});
  }

  // Step 2: REQ-2..REQ-5, with REIN-3's exemption for reinstatements.
  bool Requirements(RenewalKind kind, const std::optional<Date>& deadline,
                    const Date& anniversary) {
    if (kind == RenewalKind::kRenewal) {
      const domain::EmployerRules rules = domain::RulesFor(employer_);
      const Date cycle_start = anniversary.AddYears(-1);
      if (rules.exception_required) {  // REQ-4
        const Instant at = NextStep(deadline);
        const Date course = RandomDay(Max(cycle_start, at.date().AddDays(-300)), at.date());
        if (!Send(at, self_, ExceptionForm(course))) return false;
      } else if (rules.survey_required && !HasSurveySince(cycle_start)) {
        if (dice_.Chance(0.2)) {  // confirms first, and learns a survey is needed (REQ-2)
          if (!Send(NextStep(deadline), self_, domain::ConfirmRequirements{},
                    Refused(RejectionCode::kMtmSurveyRequired))) {
            return false;
          }
        }
        const Instant at = NextStep(deadline);  // REQ-5: a report from another tool
        const Date course = RandomDay(Max(cycle_start, at.date().AddDays(-200)), at.date());
        const bool pdf = dice_.Chance(0.6);
        if (!Send(at, self_,
                  domain::UploadMtmReport{pdf ? "application/pdf" : "image/jpeg",
                                          dice_.Between(40'000, 3'000'000), dice_.Hex(64), name_,
                                          std::string(CourseName()), course})) {
          return false;
        }
        survey_days_.push_back(course);
      }
    }
    return Send(NextStep(deadline), self_, domain::ConfirmRequirements{});
  }

  bool HasSurveySince(const Date& cycle_start) const {
    return std::any_of(survey_days_.begin(), survey_days_.end(),
                       [&](const Date& day) { return day >= cycle_start; });
  }

  domain::FileException ExceptionForm(const Date& course) {
    std::string organization = employer_detail_;
    if (employer_ == EmployerType::kMicrosoftFte) organization = "Microsoft Japan Co., Ltd.";
    if (employer_ == EmployerType::kImagineAcademy)
      organization = std::string(dice_.Pick(kSchools));
    const std::string manager(dice_.Pick(kManagerNames));
    std::string manager_mail = manager;
    std::replace(manager_mail.begin(), manager_mail.end(), ' ', '.');
    std::transform(manager_mail.begin(), manager_mail.end(), manager_mail.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return domain::FileException{dice_.Between(1, 12),
                                 std::string(CourseName()),
                                 course,
                                 dice_.Between(1, 30),
                                 organization,
                                 manager,
                                 manager_mail + "@example.ac.jp"};
  }

  domain::EnterBillingAddress BillingAddress(const std::string& payer, const std::string& mail) {
    const Place& place = dice_.Pick(kPlaces);
    const std::string first = payer.substr(0, payer.find(' '));
    const std::string last = payer.substr(payer.find(' ') + 1);
    domain::EnterBillingAddress address;
    address.first_name = first;
    address.last_name = last;
    address.email = mail;
    address.email_confirmation = mail;
    address.phone = dice_.Chance(0.5) ? "090-" + dice_.Digits(4) + "-" + dice_.Digits(4)
                                      : "03-" + dice_.Digits(4) + "-" + dice_.Digits(4);
    address.address1 = std::to_string(dice_.Between(1, 5)) + "-" +
                       std::to_string(dice_.Between(1, 20)) + "-" +
                       std::to_string(dice_.Between(1, 30)) + " " + std::string(place.street);
    address.address2 = std::string(dice_.Pick(kBuildings));
    address.city = std::string(place.city);
    address.state = std::string(place.prefecture);
    address.postal_code = std::string(place.postal_prefix) + dice_.Digits(2);
    return address;
  }

  // Step 4 (PAY-1..PAY-8): cart, address, payment, review, complete.
  bool Pay(RenewalKind kind, const std::optional<Date>& deadline) {
    // Indexed: credit card, debit card, PayPal, voucher.
    const size_t method = dice_.Weighted(std::array<int, 4>{45, 15, 25, 15});
    if (method == 3) {  // PAY-2: a voucher, unique to this application
      const std::string voucher =
          "MCTV-" + mcid_.str() + "-" + std::to_string(applications_) + "-" + dice_.Letters(4);
      if (!Send(NextStep(deadline), self_, domain::ApplyVoucher{voucher})) return false;
    }
    // PAY-4: sometimes the employer's accounting pays.
    const bool employer_pays = dice_.Chance(0.2);
    const domain::EnterBillingAddress& address = employer_pays ? employer_address_ : home_address_;
    const std::string payer = address.first_name + " " + address.last_name;
    if (dice_.Chance(0.04)) {  // PAY-3: a typo in the repeated e-mail
      domain::EnterBillingAddress typo = address;
      typo.email_confirmation = "x" + typo.email_confirmation;
      if (!Send(NextStep(deadline), self_, typo, Refused(RejectionCode::kEmailMismatch)))
        return false;
    }
    if (!Send(NextStep(deadline), self_, address)) return false;

    domain::PlaceOrder order;
    order.method = std::string(
        std::array<std::string_view, 4>{"credit_card", "debit_card", "paypal", "voucher"}[method]);
    order.payer_name = payer;
    order.confirmed = true;
    order.idempotency_key = "order-" + mcid_.str() + "-" + std::to_string(applications_);
    const bool card = method <= 1;
    if (card) {
      if (dice_.Chance(0.03)) {  // PAY-1: JCB is refused as a card
        domain::PlaceOrder jcb = order;
        jcb.card = MakeCard(dice_, CardKind::kJcb, Upper(payer), clock_.date());
        if (!Send(Soon(), self_, jcb, Refused(RejectionCode::kCardBrandNotAccepted))) return false;
      }
      const auto brand = static_cast<CardKind>(dice_.Weighted(std::array<int, 3>{50, 35, 15}));
      order.card = MakeCard(dice_, brand, dice_.Chance(0.7) ? Upper(payer) : payer, clock_.date());
    }
    if (dice_.Chance(0.04)) {  // PAY-6: the review box left unticked
      domain::PlaceOrder unconfirmed = order;
      unconfirmed.confirmed = false;
      if (!Send(Soon(), self_, unconfirmed, Refused(RejectionCode::kOrderNotConfirmed)))
        return false;
    }
    if (!Send(Soon(), self_, order)) return false;
    last_order_ = LastOrder{card, clock_.date(), anniversary_};
    if (dice_.Chance(0.03)) {  // PAY-8: the browser timed out and the user pressed again
      if (!Send(Soon(), self_, order, Retried())) return false;
    }
    // TIME-2 keeps the anniversary day; REIN-4 counts a year from the completion.
    anniversary_ = kind == RenewalKind::kRenewal ? anniversary_.AddYears(1)
                                                 : last_order_.completed_on.AddYears(1);
    return true;
  }

  // KIT-1 and REF-1..REF-3 after an order completed.
  void AfterCompletion() {
    const Date completed = last_order_.completed_on;
    if (last_order_.card && dice_.Chance(0.07)) {
      const domain::Actor support{Role::kSupport, std::string(dice_.Pick(kSupportDesk))};
      const Date refunded = completed.AddDays(static_cast<int>(dice_.Between(1, 12)));
      if (!Send(Moment(refunded), support,
                domain::IssueRefund{"", std::string(dice_.Pick(kRefundReasons))})) {
        return;
      }
      anniversary_ = last_order_.previous_anniversary;  // REF-2
      reapply_from_ = refunded.AddDays(30);             // REF-3, unless it settles sooner
      if (dice_.Chance(0.7)) {
        const Date settled = refunded.AddDays(static_cast<int>(dice_.Between(3, 25)));
        if (!Send(Moment(settled), kPaymentProvider, domain::SettleRefund{})) return;
        reapply_from_ = settled;
      }
      return;
    }
    if (!dice_.Chance(0.65)) return;
    if (dice_.Chance(0.04)) {  // KIT-1: the button looked ready too soon
      const Date early = completed.AddDays(static_cast<int>(dice_.Between(1, 6)));
      if (!Send(Moment(early), self_, domain::OrderWelcomeKit{},
                Refused(RejectionCode::kWelcomeKitNotYetAvailable))) {
        return;
      }
    }
    Send(Moment(completed.AddDays(static_cast<int>(dice_.Between(7, 40)))), self_,
         domain::OrderWelcomeKit{});
  }

  struct LastOrder {
    bool card = false;
    Date completed_on;
    Date previous_anniversary;
  };

  consumers::CommandService& commands_;
  DemoStats& stats_;
  Dice dice_;
  const uint64_t seed_;
  const uint64_t index_;
  const domain::Mcid mcid_;
  const domain::Actor self_;

  bool live_ = true;
  std::optional<Error> failure_;
  uint64_t commands_sent_ = 0;
  std::string correlation_id_;
  Instant clock_ = At(kFirstEnrollment, 0);

  std::string name_;
  std::string email_;
  Persona persona_;
  EmployerType employer_ = EmployerType::kOther;
  std::string employer_detail_;
  std::vector<Track> tracks_;  // in the order recorded; front() is the trainer's main track
  std::vector<std::string> certification_ids_;
  size_t certifications_ = 0;
  std::vector<Date> survey_days_;
  domain::EnterBillingAddress home_address_;
  domain::EnterBillingAddress employer_address_;  // for when the employer pays (PAY-4)

  // The model of the rules' consequences, to choose valid days.
  Date anniversary_;
  Date reapply_from_;
  int applications_ = 0;
  bool spread_steps_ = false;
  LastOrder last_order_;
};

void Add(DemoStats& total, const DemoStats& part) {
  total.trainers += part.trainers;
  total.commands += part.commands;
  total.accepted += part.accepted;
  total.rejected += part.rejected;
  total.events += part.events;
}

}  // namespace

Result<DemoStats> GenerateDemo(consumers::CommandService& commands, const DemoOptions& options,
                               const DemoProgressFn& progress) {
  if (options.trainers > kMaxTrainers) {
    return Error("at most " + std::to_string(kMaxTrainers) +
                 " trainers, so that every MCID stays within 10 digits");
  }
  const uint64_t workers = std::clamp<uint64_t>(static_cast<uint64_t>(std::max(options.threads, 1)),
                                                1, std::max<uint64_t>(options.trainers, 1));
  std::atomic<uint64_t> next_trainer{0};
  std::atomic<uint64_t> trainers_done{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;  // guards the three below
  std::condition_variable worker_finished;
  uint64_t workers_running = workers;
  DemoStats total;
  std::optional<Error> first_failure;

  // Each worker takes whole trainers, so one trainer's commands go in order through one thread,
  // while the workers' appends meet in the store's group commit.
  auto work = [&] {
    DemoStats mine;
    while (!failed.load()) {
      const uint64_t index = next_trainer.fetch_add(1);
      if (index >= options.trainers) break;
      TrainerHistory history(commands, options.seed, index, mine);
      if (Status ran = history.Run(); !ran.ok()) {
        std::lock_guard lock(mutex);
        if (!first_failure) first_failure = ran.error();
        failed = true;
        break;
      }
      mine.trainers += 1;
      trainers_done.fetch_add(1);
    }
    std::lock_guard lock(mutex);
    Add(total, mine);
    --workers_running;
    worker_finished.notify_all();
  };
  std::vector<std::thread> threads;
  threads.reserve(workers);
  for (uint64_t worker = 0; worker < workers; ++worker) threads.emplace_back(work);

  // Progress is reported from the caller's thread, so the callback needs no locking of its own.
  {
    std::unique_lock lock(mutex);
    while (!worker_finished.wait_for(lock, std::chrono::milliseconds(100),
                                     [&] { return workers_running == 0; })) {
      if (!progress) continue;
      lock.unlock();
      progress(trainers_done.load(), options.trainers);
      lock.lock();
    }
  }
  for (auto& thread : threads) thread.join();
  if (first_failure) return *first_failure;
  if (progress) progress(trainers_done.load(), options.trainers);
  return total;
}

}  // namespace mct::admin
