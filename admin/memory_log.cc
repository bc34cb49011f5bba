#include "admin/memory_log.h"

#include <algorithm>
#include <set>
#include <string>

namespace mct::admin {

domain::Decision MemoryLog::Handle(const domain::Policy& policy, const domain::Command& command) {
  domain::Decision decision = domain::Decide(policy, State(command.mcid), Facts(), command);
  if (decision.accepted() && !decision.events.empty()) {
    domain::EventMeta meta{command.mcid,      command.at,     command.actor,
                           command.command_id, command.correlation_id, command.command_id};
    Append(meta, decision.events);
  }
  return decision;
}

void MemoryLog::Append(const domain::EventMeta& meta, const std::vector<domain::Event>& payloads) {
  auto& stream = streams_[meta.mcid];
  for (const auto& payload : payloads) {
    consumers::EventEnvelope envelope;
    envelope.event = domain::RecordedEvent{meta, payload};
    envelope.stream_version = stream.size() + 1;
    envelope.global_position = log_.size() + 1;
    envelope.prev_hash = stream.empty() ? "" : log_[stream.back()].hash;
    envelope.hash = consumers::ComputeEventHash(envelope);
    stream.push_back(log_.size());
    log_.push_back(std::move(envelope));
  }
}

std::vector<domain::RecordedEvent> MemoryLog::Stream(const domain::Mcid& mcid) const {
  std::vector<domain::RecordedEvent> out;
  if (const auto found = streams_.find(mcid); found != streams_.end()) {
    for (const size_t index : found->second) out.push_back(log_[index].event);
  }
  return out;
}

domain::TrainerState MemoryLog::State(const domain::Mcid& mcid) const {
  domain::TrainerState state;
  for (const auto& event : Stream(mcid)) domain::EvolveInPlace(state, event);
  return state;
}

domain::SharedFacts MemoryLog::Facts() const {
  domain::SharedFacts facts;
  uint64_t orders = 0;
  uint64_t highest_order_number = 0;
  std::set<uint64_t> order_numbers;
  // Each trainer's state as the log goes: a PaymentPlaced given as an event need not repeat its
  // voucher code (domain.md lists no such field), yet it redeems the voucher in the cart (PAY-2).
  std::map<domain::Mcid, domain::TrainerState> states;
  for (const auto& envelope : log_) {
    const domain::Event& payload = envelope.event.payload;
    domain::TrainerState& state = states[envelope.event.meta.mcid];
    const uint64_t order_number = domain::OrderNumberOf(payload);
    highest_order_number = std::max(highest_order_number, order_number);
    if (order_number != 0) order_numbers.insert(order_number);
    if (const auto* paid = std::get_if<domain::PaymentPlaced>(&payload)) {
      orders += 1;
      std::string code = paid->voucher_code;
      if (code.empty() && paid->method == domain::PaymentMethod::kVoucher && state.application &&
          state.application->voucher_code) {
        code = *state.application->voucher_code;
      }
      if (!code.empty()) facts.redeemed_vouchers.insert(code);
    }
    domain::EvolveInPlace(state, envelope.event);
  }
  // PAY-7: past every order number in the log, also those of orders given as events; once an
  // order given as an event holds the last of eight digits, the lowest number no order holds.
  facts.next_order_number = std::max(orders, highest_order_number) + 1;
  if (facts.next_order_number > domain::kLastOrderNumber) {
    facts.next_order_number = 1;
    for (const uint64_t taken : order_numbers) {
      if (taken != facts.next_order_number) break;
      facts.next_order_number += 1;
    }
  }
  return facts;
}

}  // namespace mct::admin
