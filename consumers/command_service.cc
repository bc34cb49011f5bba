#include "consumers/command_service.h"

#include <algorithm>

#include "consumers/text_checks.h"

namespace mct::consumers {
namespace {

CommandAnswer Rejected(domain::RejectionCode code, std::string message) {
  CommandAnswer answer;
  answer.kind = CommandAnswer::Kind::kRejected;
  answer.rejection = {code, std::move(message)};
  return answer;
}

std::string CommandIdTakenMessage() {
  return "command_id: already used by another command; send this command with a new id";
}

}  // namespace

CommandService::~CommandService() {
  std::unique_lock lock(in_flight_mutex_);
  in_flight_done_.wait(lock, [this] { return in_flight_ == 0; });
}

bool CommandService::TakeCachedState(const std::string& mcid, uint64_t version,
                                     domain::TrainerState* out) {
  std::lock_guard lock(cache_mutex_);
  const auto found = cache_.find(mcid);
  if (found == cache_.end()) return false;
  domain::TrainerState& cached = found->second.first;
  if (static_cast<uint64_t>(cached.version) != version) return false;
  lru_.splice(lru_.begin(), lru_, found->second.second);
  *out = std::move(cached);
  cached.version = -1;  // taken: no stream has this version, so nobody uses the moved-from state
  return true;
}

void CommandService::CacheState(const std::string& mcid, domain::TrainerState state) {
  std::lock_guard lock(cache_mutex_);
  if (const auto found = cache_.find(mcid); found != cache_.end()) {
    // A command that lost a race ends after the one that won: its older state must not replace
    // the newer one (a taken entry, version -1, is always replaced).
    if (found->second.first.version > state.version) return;
    found->second.first = std::move(state);
    lru_.splice(lru_.begin(), lru_, found->second.second);
    return;
  }
  lru_.push_front(mcid);
  cache_.emplace(mcid, std::make_pair(std::move(state), lru_.begin()));
  if (cache_.size() > kCacheCapacity) {
    cache_.erase(lru_.back());
    lru_.pop_back();
  }
}

Result<domain::TrainerState> CommandService::TakeState(const domain::Mcid& mcid) {
  domain::TrainerState state;
  const uint64_t version = store_.StreamVersion(mcid);
  // No events yet (an enrolment): nothing to read. The store knows every stream's head, and
  // opening an iterator on an empty range costs more than the rest of the command's fold.
  if (version == 0) return state;
  if (TakeCachedState(mcid.str(), version, &state)) return state;
  auto stream = store_.ReadStream(mcid);
  if (!stream.ok()) return stream.error();
  for (const auto& envelope : stream.value()) domain::EvolveInPlace(state, envelope.event);
  return state;
}

Result<CommandAnswer> CommandService::FirstAnswer(const domain::Command& command,
                                                  const domain::TrainerState& state) const {
  CommandAnswer answer;
  answer.kind = CommandAnswer::Kind::kRetried;
  // Invariant 5: the command's own first answer; PAY-8: a PlaceOrder retried under another
  // command id answers with the order its idempotency key placed.
  std::string first = command.command_id;
  if (const auto* order = std::get_if<domain::PlaceOrder>(&command.body);
      order != nullptr && !state.command_ids.contains(first)) {
    if (const auto placed = state.idempotency_keys.find(order->idempotency_key);
        placed != state.idempotency_keys.end()) {
      first = placed->second;
    }
  }
  if (first.empty()) return answer;
  auto earlier = store_.FindCommand(first);
  if (!earlier.ok()) return earlier.error();
  if (earlier.value()) answer.events = std::move(*earlier.value());
  return answer;
}

Result<CommandAnswer> CommandService::NothingNew(const domain::Command& command,
                                                 CommandIdOrigin id_origin) const {
  if (id_origin == CommandIdOrigin::kClient) {
    auto earlier = store_.FindCommand(command.command_id);
    if (!earlier.ok()) return earlier.error();
    // This trainer's own would have been found by Decide, as a retry.
    const auto& written = earlier.value();
    if (written && !written->empty() && written->front().event.meta.mcid != command.mcid) {
      return Rejected(domain::RejectionCode::kInvalidInput, CommandIdTakenMessage());
    }
  }
  return CommandAnswer{};
}

CommandService::Prepared CommandService::Prepare(const domain::Command& command,
                                                 CommandIdOrigin id_origin) {
  Prepared prepared;
  auto answered = [&prepared](Result<CommandAnswer> answer) {
    prepared.answer = std::move(answer);
    return std::move(prepared);
  };
  domain::TrainerState state;
  if (!command.mcid.str().empty()) {
    auto loaded = TakeState(command.mcid);
    if (!loaded.ok()) return answered(loaded.error());
    state = std::move(loaded).value();
  }
  // When the command ends here, its state goes back to the cache unchanged; when it appends,
  // Complete puts it back moved on (a stale one is never used: its version tells).
  ReturnToCache returned(*this, command.mcid.str(), state);

  domain::SharedFacts facts;
  if (const auto* voucher = std::get_if<domain::ApplyVoucher>(&command.body)) {
    if (store_.VoucherRedeemed(voucher->voucher_code))
      facts.redeemed_vouchers.insert(voucher->voucher_code);
  }
  if (std::holds_alternative<domain::PlaceOrder>(command.body)) {
    if (state.application && state.application->voucher_code &&
        store_.VoucherRedeemed(*state.application->voucher_code)) {
      facts.redeemed_vouchers.insert(*state.application->voucher_code);
    }
    facts.next_order_number = store_.ReserveOrderNumber();
  }

  // CommandServiceOptions::place_in_time_order.
  domain::Command in_order;
  const domain::Command* placed = &command;
  if (options_.place_in_time_order && state.version > 0 && command.at < state.last_at) {
    in_order = command;
    in_order.at = state.last_at;
    placed = &in_order;
  }
  domain::Decision decision = domain::Decide(policy_, state, facts, *placed);
  if (!decision.accepted()) {
    // A client's command id that another trainer's command took is invalid_input, found where
    // domain.md's order puts a retried command: after invalid_input, forbidden and
    // unknown_trainer / already_enrolled (so that it tells nobody the role table refuses that
    // the id exists), before every later rule's code. Only the log can tell; looked up here, on
    // the refused path, so that an accepted command pays no extra read for it.
    using domain::RejectionCode;
    const RejectionCode code = decision.rejection->code;
    if (code != RejectionCode::kInvalidInput && code != RejectionCode::kForbidden &&
        code != RejectionCode::kUnknownTrainer && code != RejectionCode::kAlreadyEnrolled &&
        !state.command_ids.contains(command.command_id)) {
      auto taken = NothingNew(command, id_origin);
      if (!taken.ok() || taken.value().kind == CommandAnswer::Kind::kRejected) {
        return answered(std::move(taken));
      }
    }
    return answered(Rejected(decision.rejection->code, std::move(decision.rejection->message)));
  }
  if (decision.retried) return answered(FirstAnswer(command, state));
  if (decision.events.empty()) return answered(NothingNew(command, id_origin));
  if (facts.next_order_number > domain::kLastOrderNumber &&
      std::ranges::any_of(decision.events, [](const domain::Event& event) {
        return std::holds_alternative<domain::PaymentPlaced>(event);
      })) {
    // Only a restored log holding the last number gets here (100 million order attempts
    // otherwise): a number again from the start could be one an order holds, and PAY-7's must be
    // unique. Decided first, so that a retry still gets its first answer and a refusal its code.
    return answered(Error{"order numbers are used up: the log holds " +
                          domain::FormatOrderId(domain::kLastOrderNumber) +
                          ", the last of PAY-7's eight digits; nothing was written"});
  }
  AppendRequest& request = prepared.append;
  request.meta = domain::EventMeta{
      command.mcid,
      placed->at,
      command.actor,
      command.command_id,
      command.correlation_id.empty() ? command.command_id : command.correlation_id,
      command.command_id};
  if (const auto field = FirstTextNotUtf8(request.meta, decision.events)) {
    return answered(Rejected(domain::RejectionCode::kInvalidInput, NotUtf8Message(*field)));
  }
  request.expected_version = static_cast<uint64_t>(state.version);
  request.events = std::move(decision.events);
  request.fresh_command_id = id_origin == CommandIdOrigin::kMintedNow;
  returned.Release();
  prepared.state = std::move(state);
  return prepared;
}

Result<CommandAnswer> CommandService::Complete(const domain::Mcid& mcid, std::string_view command,
                                               domain::TrainerState state,
                                               Result<AppendOutcome> appended) {
  const ReturnToCache returned(*this, mcid.str(), state);
  if (!appended.ok()) return appended.error();
  AppendOutcome& outcome = appended.value();
  switch (outcome.refusal) {
    case AppendRefusal::kVersionConflict:
      return Rejected(domain::RejectionCode::kVersionConflict,
                      "Another change to trainer " + mcid.str() +
                          " was saved at the same moment; reload and send the command again.");
    case AppendRefusal::kVoucherRedeemed:
      return Rejected(domain::RejectionCode::kVoucherAlreadyRedeemed,
                      "The voucher was redeemed by another order a moment ago; use another "
                      "voucher or pay by card or PayPal.");
    case AppendRefusal::kDuplicateCommand: {
      // The id was taken meanwhile: by a copy of this command (its first answer), or by a command
      // on another trainer, whose events are not this client's to see, or by another command on
      // this one (not a retry of this one: Decide's rule, met in a race).
      if (!outcome.written.empty() && outcome.written.front().event.meta.mcid != mcid) {
        return Rejected(domain::RejectionCode::kInvalidInput, CommandIdTakenMessage());
      }
      if (!outcome.written.empty() &&
          domain::CommandWriting(outcome.written.front().event.payload) != command) {
        return Rejected(domain::RejectionCode::kInvalidInput,
                        domain::CommandIdTakenOnThisTrainerMessage(
                            domain::CommandWriting(outcome.written.front().event.payload)));
      }
      CommandAnswer answer;
      answer.kind = CommandAnswer::Kind::kRetried;
      answer.events = std::move(outcome.written);
      return answer;
    }
    case AppendRefusal::kNone:
      break;
  }
  // The next command on this trainer starts from here instead of re-reading the stream.
  for (const auto& envelope : outcome.written) domain::EvolveInPlace(state, envelope.event);
  CommandAnswer answer;
  answer.events = std::move(outcome.written);
  return answer;
}

Result<CommandAnswer> CommandService::Handle(const domain::Command& command,
                                             CommandIdOrigin id_origin) {
  Prepared prepared = Prepare(command, id_origin);
  if (prepared.answer) return std::move(*prepared.answer);
  auto appended = store_.Append(std::move(prepared.append));
  return Complete(command.mcid, domain::CommandName(command.body), std::move(prepared.state),
                  std::move(appended));
}

void CommandService::HandleAsync(const domain::Command& command, CommandIdOrigin id_origin,
                                 CommandCallback done) {
  Prepared prepared = Prepare(command, id_origin);
  if (prepared.answer) return done(std::move(*prepared.answer));
  {
    std::lock_guard lock(in_flight_mutex_);
    ++in_flight_;
  }
  store_.AppendAsync(std::move(prepared.append),
                     [this, mcid = command.mcid, name = domain::CommandName(command.body),
                      state = std::move(prepared.state),
                      done = std::move(done)](Result<AppendOutcome> appended) mutable {
                       done(Complete(mcid, name, std::move(state), std::move(appended)));
                       // Last: once the count is down, the destructor may free this service.
                       // Notified under the lock, so that it cannot free the condition first.
                       std::lock_guard lock(in_flight_mutex_);
                       if (--in_flight_ == 0) in_flight_done_.notify_all();
                     });
}

}  // namespace mct::consumers
