#include "domain/decide.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "domain/card.h"
#include "domain/input_checks.h"
#include "domain/overloaded.h"
#include "domain/roles.h"
#include "domain/sha256.h"

namespace mct::domain {
namespace {

using Code = RejectionCode;

// The context every rule reads.
struct Ctx {
  const Policy& policy;
  const TrainerState& state;
  const SharedFacts& facts;
  const Command& command;
  Date today;
};

Decision One(Event event) { return Decision::Accept({std::move(event)}); }

std::string D(const Date& date) { return date.ToString(); }

// Names compared as people write them: case and runs of spaces do not matter (PAY-4); also media
// types, whose case does not matter either.
std::string NormalisedName(std::string_view name) {
  std::string out;
  bool pending_space = false;
  for (const unsigned char c : Trim(name)) {
    if (std::isspace(c) != 0) {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.push_back(static_cast<char>(std::toupper(c)));
  }
  return out;
}

// --- Steps of an application (STEP-1, TIME-3, ALUM-1) -------------------------------------------

// The checks every renewal step shares, in domain.md's order: already_alumni, timing,
// no_renewal_in_progress / step_out_of_order. `needed` is the step the command belongs to.
std::optional<Decision> CheckStep(const Ctx& ctx, Step needed, const Application** out) {
  const TrainerState& state = ctx.state;
  if (state.alumni) {
    return Decision::Reject(Code::kAlreadyAlumni,
                            "You applied to the Alumni Program; switch back to the MCT renewal "
                            "first (SwitchBackFromAlumni).");
  }
  if (state.application && state.application->kind == RenewalKind::kRenewal &&
      ctx.today >= state.application->anniversary) {
    const Date deadline = state.application->anniversary;
    return Decision::Reject(Code::kRenewalWindowClosed,
                            "The renewal deadline " + D(deadline) +
                                " has passed, so this renewal can no longer be completed; "
                                "apply for reinstatement from " +
                                D(deadline.AddDays(7)) + ".");
  }
  const Application* app = state.LiveApplication(ctx.today);
  if (app == nullptr) {
    return Decision::Reject(Code::kNoRenewalInProgress,
                            "No renewal is in progress; start one first (StartRenewal).");
  }
  const Step current = app->CurrentStep();
  if (needed > current) {
    return Decision::Reject(Code::kStepOutOfOrder,
                            "Finish the " + std::string(ToString(current)) +
                                " step before the " + std::string(ToString(needed)) + " step.");
  }
  *out = app;
  return std::nullopt;
}

// Architecture invariant 5 and PAY-8: whether `command` was accepted before, by its command id
// or, for an order, by its idempotency key; such a command writes nothing new.
bool IsRetried(const TrainerState& state, const Command& command) {
  if (!command.command_id.empty() && state.command_ids.contains(command.command_id)) return true;
  const auto* order = std::get_if<PlaceOrder>(&command.body);
  return order != nullptr && state.idempotency_keys.contains(order->idempotency_key);
}

// PAY-6 (decided): a voucher payment with no voucher in the cart is invalid_input, the first of
// domain.md's codes, before forbidden and unknown_trainer; but a retried order (PAY-8: its key or
// its command id seen before) answers as a retry, whatever the cart holds now.
std::optional<Decision> CheckVoucherInCart(const TrainerState& state, const Command& command) {
  const auto* order = std::get_if<PlaceOrder>(&command.body);
  if (order == nullptr || ParsePaymentMethod(order->method) != PaymentMethod::kVoucher) {
    return std::nullopt;
  }
  if (IsRetried(state, command)) return std::nullopt;
  if (state.application && state.application->voucher_code) return std::nullopt;
  return Decision::Reject(Code::kInvalidInput,
                          "method: voucher needs a voucher applied in the cart first "
                          "(ApplyVoucher).");
}

Decision DecideStartRenewal(const Ctx& ctx) {
  const TrainerState& state = ctx.state;
  if (state.alumni) {
    return Decision::Reject(Code::kAlreadyAlumni,
                            "You applied to the Alumni Program; switch back to the MCT renewal "
                            "first (SwitchBackFromAlumni).");
  }
  const Date anniversary = state.anniversary;
  const Date window_opens = anniversary.AddDays(-90);
  const Date reinstatement_opens = anniversary.AddDays(7);
  if (ctx.today < window_opens) {  // TIME-1
    return Decision::Reject(Code::kRenewalWindowNotOpen,
                            "The renewal for the anniversary " + D(anniversary) + " opens on " +
                                D(window_opens) + "; start it on or after that date.");
  }
  if (ctx.today >= anniversary && ctx.today < reinstatement_opens) {  // REIN-6, TIME-3
    return Decision::Reject(Code::kReinstatementNotYetOpen,
                            "The anniversary " + D(anniversary) +
                                " has passed; reinstatement opens on " + D(reinstatement_opens) +
                                ".");
  }
  if (const Application* app = state.LiveApplication(ctx.today)) {
    return Decision::Reject(Code::kRenewalInProgress,
                            "A " + std::string(ToString(app->kind)) +
                                " is already in progress at the " +
                                std::string(ToString(app->CurrentStep())) +
                                " step; continue it instead of starting another.");
  }
  // REF-3: a new application after a refund waits for the refund to settle, 30 days at most.
  if (const Order* latest = state.LatestOrder();
      latest != nullptr && latest->refund_issued_on && !latest->refund_settled) {
    const Date allowed_from = latest->refund_issued_on->AddDays(30);
    if (ctx.today < allowed_from) {
      return Decision::Reject(Code::kReapplicationBlocked,
                              "The refund of order " + latest->order_id +
                                  " has not settled yet; apply again once it has, or from " +
                                  D(allowed_from) + ".");
    }
  }
  const RenewalKind kind =
      ctx.today < anniversary ? RenewalKind::kRenewal : RenewalKind::kReinstatement;  // REIN-1
  return One(RenewalStarted{kind, anniversary});
}

Decision DecideChooseProfile(const Ctx& ctx, const ChooseProfile& c) {
  const Application* app = nullptr;
  if (auto refused = CheckStep(ctx, Step::kProfile, &app)) return *refused;
  const TrainerState& state = ctx.state;
  const std::string detail(Trim(c.employer_detail));
  if (RulesFor(c.employer_type).detail_required && detail.empty()) {  // PROF-1
    return Decision::Reject(Code::kEmployerDetailRequired,
                            "The employer type " + std::string(ToString(c.employer_type)) +
                                " needs its detail (employer_detail); fill it in.");
  }
  if (c.employer_type == EmployerType::kMicrosoftFte) {  // PROF-2
    const auto code = state.fte_codes.find(detail);
    if (code == state.fte_codes.end() || Sha256Hex(Trim(c.fte_code)) != code->second.code_sha256) {
      return Decision::Reject(Code::kFteCodeInvalid,
                              "The code does not match the one mailed to " + detail +
                                  "; enter the latest code, or ask for a new one.");
    }
    if (ctx.command.at >= code->second.expires_at) {
      return Decision::Reject(Code::kFteCodeExpired,
                              "The code mailed to " + detail + " expired at " +
                                  code->second.expires_at.ToString() + "; ask for a new one.");
    }
  }
  if (!state.tracks_held.contains(c.track)) {  // AUD-1, REQ-1
    return Decision::Reject(Code::kTrackNotHeld,
                            "You hold no certification of the track " +
                                std::string(ToString(c.track)) +
                                "; choose the track of a certification you hold.");
  }
  if (c.track == Track::kIw && (state.tracks_held.contains(Track::kItPro) ||  // AUD-2
                                state.tracks_held.contains(Track::kDeveloper) ||
                                state.tracks_held.contains(Track::kDynamics))) {
    return Decision::Reject(Code::kIwNotSelectable,
                            "IW is not offered to trainers who also hold IT Pro, Developer or "
                            "Dynamics; renew on one of those tracks.");
  }
  return One(ProfileChosen{c.employer_type, detail, c.track});
}

Decision DecideFileException(const Ctx& ctx, const FileException& c) {
  const Application* app = nullptr;
  if (auto refused = CheckStep(ctx, Step::kRequirements, &app)) return *refused;
  // REQ-4 with PROF-1; REIN-3: reinstatements file none.
  if (app->kind == RenewalKind::kReinstatement ||
      !RulesFor(app->profile->employer_type).exception_required) {
    return Decision::Reject(Code::kExceptionNotAvailable,
                            app->kind == RenewalKind::kReinstatement
                                ? "Reinstatement applicants file no online exception."
                                : "The online exception form is not available to the employer "
                                  "type " +
                                      std::string(ToString(app->profile->employer_type)) +
                                      "; record an MTM survey or upload a report instead.");
  }
  if (c.course_date < app->CycleStart() || c.course_date > ctx.today) {
    return Decision::Reject(Code::kClassOutsidePeriod,
                            "The class must have been delivered between " + D(app->CycleStart()) +
                                " and " + D(ctx.today) + "; give a class from that period.");
  }
  return One(ExceptionFiled{c.classes, c.course_name, c.course_date, c.students, c.organization,
                            c.manager_name, c.manager_email});
}

Decision DecideUploadMtmReport(const Ctx& ctx, const UploadMtmReport& c) {
  const Application* app = nullptr;
  if (auto refused = CheckStep(ctx, Step::kRequirements, &app)) return *refused;
  if (app->report_uploaded) {  // REQ-5: once uploaded it cannot be replaced
    return Decision::Reject(Code::kReportAlreadyUploaded,
                            "A report was already uploaded for this application and cannot be "
                            "replaced; contact support if it was wrong.");
  }
  // Media types are compared without regard to case (RFC 9110, 8.3.1), and kept in lower case.
  const std::string named = NormalisedName(c.media_type);
  const std::string media_type = named == "IMAGE/JPEG"        ? "image/jpeg"
                                 : named == "APPLICATION/PDF" ? "application/pdf"
                                                              : "";
  if (media_type.empty()) {
    return Decision::Reject(Code::kUnsupportedMediaType,
                            "Reports must be JPEG or PDF, not '" + c.media_type +
                                "'; upload the report as a JPEG image or a PDF.");
  }
  if (Trim(c.mct_full_name).empty() || Trim(c.course_name).empty() || !c.course_date) {
    return Decision::Reject(Code::kReportIncomplete,
                            "The report must name the MCT's full name, the course name and the "
                            "course date; upload a report that shows all three.");
  }
  return One(MtmReportUploaded{media_type, c.size, c.sha256, c.mct_full_name, c.course_name,
                               *c.course_date});
}

bool HasSurveyInCycle(const TrainerState& state, const Application& app, const Date& today) {
  return std::any_of(state.survey_course_dates.begin(), state.survey_course_dates.end(),
                     [&](const Date& course) {
                       return course >= app.CycleStart() && course <= today;
                     });
}

Decision DecideConfirmRequirements(const Ctx& ctx) {
  const Application* app = nullptr;
  if (auto refused = CheckStep(ctx, Step::kRequirements, &app)) return *refused;
  if (app->kind == RenewalKind::kRenewal) {  // REIN-3: reinstatements are exempt
    const EmployerRules rules = RulesFor(app->profile->employer_type);
    if (rules.exception_required && !app->exception) {  // REQ-4
      return Decision::Reject(Code::kExceptionRequired,
                              "File the online exception form (one class delivered since " +
                                  D(app->CycleStart()) + ") before confirming the requirements.");
    }
    if (rules.survey_required && !HasSurveyInCycle(ctx.state, *app, ctx.today)) {  // REQ-2
      return Decision::Reject(Code::kMtmSurveyRequired,
                              "No MTM survey of a class delivered between " + D(app->CycleStart()) +
                                  " and " + D(ctx.today) +
                                  " was found; run one, or upload a survey report.");
    }
  }
  return One(RequirementsConfirmed{});
}

Decision DecideAcceptTerms(const Ctx& ctx, const AcceptTerms& c) {
  const Application* app = nullptr;
  if (auto refused = CheckStep(ctx, Step::kTerms, &app)) return *refused;
  if (!c.accept_terms || !c.accept_payment_redirect) {  // TERMS-1
    return Decision::Reject(Code::kTermsNotAccepted,
                            "Tick both boxes: the terms, and the move to the payment provider.");
  }
  return One(TermsAccepted{});
}

Decision RefuseRedeemedVoucher(const std::string& code) {
  return Decision::Reject(Code::kVoucherAlreadyRedeemed,
                          "The voucher " + code +
                              " has already been redeemed; use another voucher or pay by card "
                              "or PayPal.");
}

Decision DecideApplyVoucher(const Ctx& ctx, const ApplyVoucher& c) {
  const Application* app = nullptr;
  if (auto refused = CheckStep(ctx, Step::kPayment, &app)) return *refused;
  const std::string code(Trim(c.voucher_code));
  if (ctx.facts.redeemed_vouchers.contains(code)) return RefuseRedeemedVoucher(code);  // PAY-2
  return One(VoucherApplied{code});
}

Decision DecideEnterBillingAddress(const Ctx& ctx, const EnterBillingAddress& c) {
  const Application* app = nullptr;
  if (auto refused = CheckStep(ctx, Step::kPayment, &app)) return *refused;
  if (Trim(c.email) != Trim(c.email_confirmation)) {  // PAY-3
    return Decision::Reject(Code::kEmailMismatch,
                            "The e-mail and its confirmation differ; type the same address twice.");
  }
  return One(BillingAddressEntered{c.first_name, c.last_name, std::string(Trim(c.email)), c.phone,
                                   c.address1, c.address2, c.city, c.state, c.postal_code,
                                   c.country});
}

// PAY-1, PAY-5: the card's own checks. On success fills brand and last four digits.
std::optional<Decision> CheckCard(const Ctx& ctx, const CardDetails& card, CardBrand* brand,
                                  std::string* last4) {
  const auto digits = CardDigits(card.number);
  const DetectedBrand detected = digits ? DetectBrand(*digits) : DetectedBrand::kOther;
  if (digits && detected != DetectedBrand::kVisa && detected != DetectedBrand::kMastercard &&
      detected != DetectedBrand::kAmex) {
    return Decision::Reject(Code::kCardBrandNotAccepted,
                            std::string(ToString(detected)) +
                                " cards are not accepted; pay by Visa, Mastercard, American "
                                "Express, or through PayPal.");
  }
  if (!digits || !LuhnValid(*digits)) {
    return Decision::Reject(Code::kCardInvalid, "The card number is not valid; check it.");
  }
  if (ExpiredOn(*ParseExpiry(card.expiry), ctx.today)) {
    return Decision::Reject(Code::kCardInvalid,
                            "The card expired in " + card.expiry + "; use a card still valid.");
  }
  if (!SecurityCodeValid(Trim(card.security_code), detected)) {
    return Decision::Reject(Code::kCardInvalid,
                            detected == DetectedBrand::kAmex
                                ? "The security code of an American Express card is the 4 digits "
                                  "on its front."
                                : "The security code is the 3 digits on the back of the card.");
  }
  *brand = detected == DetectedBrand::kVisa         ? CardBrand::kVisa
           : detected == DetectedBrand::kMastercard ? CardBrand::kMastercard
                                                    : CardBrand::kAmex;
  *last4 = digits->substr(digits->size() - 4);
  return std::nullopt;
}

Decision DecidePlaceOrder(const Ctx& ctx, const PlaceOrder& c) {
  const auto method = ParsePaymentMethod(c.method);
  const Application* app = nullptr;
  if (auto refused = CheckStep(ctx, Step::kPayment, &app)) return *refused;
  if (!app->billing) {
    return Decision::Reject(Code::kStepOutOfOrder,
                            "Enter the billing address before placing the order.");
  }
  if (!method) {  // PAY-1
    return Decision::Reject(Code::kPaymentMethodNotAccepted,
                            "The payment method '" + c.method +
                                "' is not accepted (bank transfer ended in 2016); pay by credit "
                                "or debit card, PayPal or an MCT voucher.");
  }
  PaymentPlaced payment;
  payment.method = *method;
  payment.payer_name = c.payer_name;
  if (IsCard(*method)) {
    if (auto refused = CheckCard(ctx, *c.card, &payment.card_brand, &payment.card_last4)) {
      return *refused;
    }
    if (NormalisedName(c.card->holder) != NormalisedName(c.payer_name)) {  // PAY-4
      return Decision::Reject(Code::kCardholderMustMatchPayer,
                              "The cardholder name must be the payer's name; enter the payer's "
                              "name as it is written on the card.");
    }
  }
  if (*method == PaymentMethod::kVoucher) {  // PAY-2; the cart holds a voucher (checked above)
    if (ctx.facts.redeemed_vouchers.contains(*app->voucher_code)) {
      return RefuseRedeemedVoucher(*app->voucher_code);
    }
    payment.voucher_code = *app->voucher_code;
  }
  if (!c.confirmed) {  // PAY-6
    return Decision::Reject(Code::kOrderNotConfirmed,
                            "Review the amount and tick the confirmation box to place the order.");
  }
  payment.order_id = FormatOrderId(ctx.facts.next_order_number);  // PAY-7
  payment.amount_minor = ctx.policy.fee_minor;  // PAY-6: a voucher records the full fee too
  payment.currency = ctx.policy.currency;
  payment.tax_minor = 0;
  payment.idempotency_key = c.idempotency_key;
  // TIME-2 keeps the anniversary day; REIN-4 sets it afresh from the completion date.
  const Date new_anniversary = app->kind == RenewalKind::kRenewal ? app->anniversary.AddYears(1)
                                                                   : ctx.today.AddYears(1);
  RenewalCompleted completed{app->kind, payment.order_id, app->anniversary, new_anniversary};
  return Decision::Accept({std::move(payment), std::move(completed)});
}

Decision DecideOrderWelcomeKit(const Ctx& ctx) {
  const Order* order = ctx.state.LatestOrder();
  if (order == nullptr) {
    return Decision::Reject(Code::kWelcomeKitNotYetAvailable,
                            "There is no completed order to order a welcome kit for; complete a "
                            "renewal first.");
  }
  if (order->welcome_kit_ordered) {  // KIT-1: one per completed order, refunded or not
    return Decision::Reject(
        Code::kWelcomeKitAlreadyOrdered,
        "The welcome kit of order " + order->order_id + " has already been ordered.");
  }
  if (order->refund_issued_on) {
    return Decision::Reject(Code::kWelcomeKitNotYetAvailable,
                            "Order " + order->order_id +
                                " was refunded, so it has no welcome kit; complete a new renewal "
                                "to order one.");
  }
  const Date available = order->completed_on.AddDays(7);
  if (ctx.today < available) {
    return Decision::Reject(Code::kWelcomeKitNotYetAvailable,
                            "The welcome kit can be ordered from " + D(available) + ".");
  }
  return One(WelcomeKitOrdered{order->order_id});
}

Decision DecideIssueRefund(const Ctx& ctx, const IssueRefund& c) {
  const TrainerState& state = ctx.state;
  const Order* latest = state.LatestOrder();
  const Order* order = c.order_id.empty() ? latest : state.FindOrder(c.order_id);
  if (order == nullptr) {
    return Decision::Reject(Code::kRefundNotAllowed,
                            c.order_id.empty() ? "This trainer has no order to refund."
                                               : "This trainer has no order " + c.order_id + ".");
  }
  if (order->refund_issued_on) {  // REF-1: one refund per order
    return Decision::Reject(Code::kAlreadyRefunded,
                            "Order " + order->order_id + " was already refunded on " +
                                D(*order->refund_issued_on) + ".");
  }
  if (order != latest) {
    return Decision::Reject(Code::kRefundNotAllowed,
                            "Only the latest order (" + latest->order_id +
                                ") can be refunded, not " + order->order_id + ".");
  }
  if (!IsCard(order->method)) {
    return Decision::Reject(Code::kRefundNotAllowed,
                            std::string(ToString(order->method)) +
                                " payments cannot be refunded; only card payments can.");
  }
  return One(RefundIssued{order->order_id, order->amount_minor, c.reason});
}

Decision DecideSettleRefund(const Ctx& ctx, const SettleRefund& c) {
  const TrainerState& state = ctx.state;
  auto pending = [](const Order& order) { return order.refund_issued_on && !order.refund_settled; };
  const Order* order = nullptr;
  if (c.order_id.empty()) {
    // The scenario format: no order_id means the latest refunded order, settled or not.
    const auto refunded = [](const Order& candidate) {
      return candidate.refund_issued_on.has_value();
    };
    const auto found = std::find_if(state.orders.rbegin(), state.orders.rend(), refunded);
    if (found != state.orders.rend() && pending(*found)) order = &*found;
  } else if (const Order* named = state.FindOrder(c.order_id); named && pending(*named)) {
    order = named;
  }
  if (order == nullptr) {
    return Decision::Reject(Code::kNoRefundPending,
                            "No refund is waiting to settle" +
                                (c.order_id.empty() ? std::string(".")
                                                    : " for order " + c.order_id + ".") +
                                " Issue the refund first.");
  }
  return One(RefundSettled{order->order_id});
}

Decision DecideForKnownTrainer(const Ctx& ctx) {
  const TrainerState& state = ctx.state;
  const Command& command = ctx.command;
  return std::visit(
      Overloaded{
          [&](const EnrollTrainer&) -> Decision {
            return Decision::Reject(Code::kAlreadyEnrolled, "");  // handled before; unreachable
          },
          [&](const RecordCertification& c) -> Decision {
            // The same certification of the same track: nothing new (an id seen with another
            // track, or a track held through another id, is new).
            if (state.certifications.contains({c.certification_id, c.track})) {
              return Decision::Accept({});  // already known: nothing new to record
            }
            return One(CertificationRecorded{c.certification_id, c.track});
          },
          [&](const StartRenewal&) { return DecideStartRenewal(ctx); },
          [&](const IssueFteCode& c) -> Decision {
            // PROF-2: keep only the hash; valid for 48 hours, exclusive.
            return One(FteCodeIssued{std::string(Trim(c.alias)), Sha256Hex(Trim(c.code)),
                                     command.at.AddHours(48)});
          },
          [&](const ChooseProfile& c) { return DecideChooseProfile(ctx, c); },
          [&](const FileException& c) { return DecideFileException(ctx, c); },
          [&](const RecordMtmSurvey& c) -> Decision {
            // REQ-2a: accepted at any time; REQ-2 alone decides whether it counts.
            return One(MtmSurveyRecorded{c.course_name, c.course_date, c.average_score});
          },
          [&](const UploadMtmReport& c) { return DecideUploadMtmReport(ctx, c); },
          [&](const ConfirmRequirements&) { return DecideConfirmRequirements(ctx); },
          [&](const AcceptTerms& c) { return DecideAcceptTerms(ctx, c); },
          [&](const ApplyVoucher& c) { return DecideApplyVoucher(ctx, c); },
          [&](const EnterBillingAddress& c) { return DecideEnterBillingAddress(ctx, c); },
          [&](const PlaceOrder& c) { return DecidePlaceOrder(ctx, c); },
          [&](const OrderWelcomeKit&) { return DecideOrderWelcomeKit(ctx); },
          [&](const IssueRefund& c) { return DecideIssueRefund(ctx, c); },
          [&](const SettleRefund& c) { return DecideSettleRefund(ctx, c); },
          [&](const ApplyAlumni&) -> Decision {
            if (state.alumni) {
              return Decision::Reject(Code::kAlreadyAlumni,
                                      "You already applied to the Alumni Program.");
            }
            return One(AlumniApplied{});  // ALUM-1
          },
          [&](const SwitchBackFromAlumni&) -> Decision {
            if (!state.alumni) {
              return Decision::Reject(Code::kNotAlumni,
                                      "You have not applied to the Alumni Program; there is "
                                      "nothing to switch back.");
            }
            return One(AlumniSwitchedBack{});  // ALUM-2
          },
      },
      command.body);
}

}  // namespace

// Eight digits give 100 million order numbers, more than the program will ever issue; the modulo
// only keeps the format (PAY-7): no log passes it a number past kLastOrderNumber (the scenario
// runner's finds a free one, the store refuses the order).
std::string FormatOrderId(uint64_t number) {
  std::string digits = std::to_string(number % (kLastOrderNumber + 1));
  return "CT" + std::string(8 - digits.size(), '0') + digits;
}

uint64_t OrderNumber(std::string_view order_id) {
  if (!order_id.starts_with("CT") || order_id.size() == 2) return 0;
  const std::string_view digits = order_id.substr(2);
  uint64_t number = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (error != std::errc() || end != digits.data() + digits.size()) return 0;
  return number;
}

uint64_t OrderNumberOf(const Event& event) {
  return std::visit(
      [](const auto& payload) -> uint64_t {
        if constexpr (requires { payload.order_id; }) {
          return OrderNumber(payload.order_id);
        } else {
          return 0;
        }
      },
      event);
}

std::string CommandIdTakenOnThisTrainerMessage(std::string_view other) {
  return "command_id: already used by this trainer's " + std::string(other) +
         "; send this command with a new id";
}

Decision Decide(const Policy& policy, const TrainerState& state, const SharedFacts& facts,
                const Command& command) {
  if (auto invalid = CheckInput(command)) {
    return Decision::Reject(invalid->code, std::move(invalid->message));
  }
  if (auto invalid = CheckVoucherInCart(state, command)) return *std::move(invalid);
  const std::string_view name = CommandName(command.body);
  // ROLE-1..4: the role table, and a trainer acts only on their own MCID.
  if (!RoleMaySend(command.actor.role, name)) {
    return Decision::Reject(Code::kForbidden, "The " + std::string(ToString(command.actor.role)) +
                                                  " role may not send " + std::string(name) + ".");
  }
  if (command.actor.role == Role::kTrainer && command.actor.id != command.mcid.str()) {
    return Decision::Reject(Code::kForbidden, "A trainer may act only on their own MCID.");
  }
  const bool enrolling = std::holds_alternative<EnrollTrainer>(command.body);
  if (!state.enrolled && !enrolling) {
    return Decision::Reject(Code::kUnknownTrainer,
                            "No trainer is enrolled with the MCID " + command.mcid.str() +
                                "; check the MCID, or enroll the trainer first.");
  }
  if (state.enrolled && enrolling) {
    return Decision::Reject(Code::kAlreadyEnrolled,
                            "The MCID " + command.mcid.str() + " is already enrolled.");
  }
  // Invariant 5 retries a command, not an id: another command under an id this trainer's
  // accepted one holds is refused, as one under another trainer's id is (consumers'
  // CommandService), rather than told it succeeded while nothing was done.
  if (const auto taken = state.command_ids.find(command.command_id);
      taken != state.command_ids.end() && taken->second != name) {
    return Decision::Reject(Code::kInvalidInput, CommandIdTakenOnThisTrainerMessage(taken->second));
  }
  if (IsRetried(state, command)) return Decision::Retried();
  if (enrolling) {
    const auto& enroll = std::get<EnrollTrainer>(command.body);
    return One(TrainerEnrolled{enroll.name, enroll.email, enroll.anniversary});
  }
  const Ctx ctx{policy, state, facts, command, command.at.date()};
  return DecideForKnownTrainer(ctx);
}

}  // namespace mct::domain
