// Decide: the renewal rules of shared/domain.md as one pure function. A command and the trainer's
// folded state in, the events it causes or a Rejection out. No clock (time is the command's `at`),
// no I/O, no randomness: the same inputs always give the same decision.
//
// Thread-safety: pure; call it from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "domain/commands.h"
#include "domain/events.h"
#include "domain/state.h"
#include "domain/values.h"

namespace mct::domain {

// The stable codes of domain.md, Rejections. `version_conflict` belongs to the store and is
// never produced by Decide.
enum class RejectionCode : uint8_t {
  kInvalidInput,
  kUnknownTrainer,
  kAlreadyEnrolled,
  kRenewalWindowNotOpen,
  kRenewalWindowClosed,
  kReinstatementNotYetOpen,
  kRenewalInProgress,
  kNoRenewalInProgress,
  kStepOutOfOrder,
  kFteCodeInvalid,
  kFteCodeExpired,
  kEmployerDetailRequired,
  kTrackNotHeld,
  kIwNotSelectable,
  kExceptionNotAvailable,
  kExceptionRequired,
  kClassOutsidePeriod,
  kMtmSurveyRequired,
  kReportAlreadyUploaded,
  kUnsupportedMediaType,
  kReportIncomplete,
  kTermsNotAccepted,
  kEmailMismatch,
  kPaymentMethodNotAccepted,
  kCardBrandNotAccepted,
  kCardInvalid,
  kCardholderMustMatchPayer,
  kOrderNotConfirmed,
  kVoucherAlreadyRedeemed,
  kWelcomeKitNotYetAvailable,
  kWelcomeKitAlreadyOrdered,
  kNoRefundPending,
  kRefundNotAllowed,
  kAlreadyRefunded,
  kReapplicationBlocked,
  kAlreadyAlumni,
  kNotAlumni,
  kForbidden,
  kVersionConflict,
};
std::string_view ToString(RejectionCode code);
std::optional<RejectionCode> ParseRejectionCode(std::string_view text);
// Every code, in declaration order (for tests and documentation).
const std::vector<RejectionCode>& AllRejectionCodes();

// A rule said no. `message` is a sentence telling the user what to do.
struct Rejection {
  RejectionCode code = RejectionCode::kInvalidInput;
  std::string message;
};

// The few facts about other trainers a rule needs, read by the caller before deciding.
struct SharedFacts {
  // Voucher codes already redeemed by a placed order, by anyone (PAY-2). The caller may fill in
  // only the codes the command can touch.
  std::set<std::string> redeemed_vouchers;
  // The number the next order gets if this command places one (PAY-7: `CT` + 8 digits); the
  // caller keeps numbers unique.
  uint64_t next_order_number = 1;
};

// What Decide answers: accepted with its events (possibly none), or rejected.
struct Decision {
  std::vector<Event> events;
  std::optional<Rejection> rejection;
  // Accepted before (same command_id, or PlaceOrder's idempotency key): nothing new is written.
  bool retried = false;

  bool accepted() const { return !rejection.has_value(); }
  static Decision Accept(std::vector<Event> events);
  static Decision Retried();
  static Decision Reject(RejectionCode code, std::string message);
};

// Decides `command` against `state`, the trainer's stream folded with Evolve. When several
// rejections apply, the first of domain.md's order wins: invalid_input, forbidden,
// unknown_trainer / already_enrolled, a retried command, already_alumni, timing (TIME, REIN),
// step_out_of_order / no_renewal_in_progress, then the step's own rule.
[[nodiscard]] Decision Decide(const Policy& policy, const TrainerState& state,
                              const SharedFacts& facts, const Command& command);

// The refusal of a command sent under the id of this trainer's accepted `other` command
// (invariant 5 retries a command, not an id).
std::string CommandIdTakenOnThisTrainerMessage(std::string_view other);

// PAY-7's order numbers are eight digits: CT00000001 to CT99999999.
inline constexpr uint64_t kLastOrderNumber = 99'999'999;
// PAY-7's order number for `number` ("CT00000042").
std::string FormatOrderId(uint64_t number);
// The number of an order id FormatOrderId wrote, or 0 for any other text.
uint64_t OrderNumber(std::string_view order_id);
// The number of the order `event` names (PaymentPlaced, RenewalCompleted, refunds, kits), or 0. A
// log's next order number must pass every one, so that PAY-7's ids stay unique after a restore or
// a history given as events.
uint64_t OrderNumberOf(const Event& event);

}  // namespace mct::domain
