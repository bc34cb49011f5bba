// MemoryLog: the whole event log in memory, with the same command path as the durable store:
// fold the trainer's stream, gather the shared facts, Decide, and append what was decided with
// stream versions, positions and the hash chain. It backs the scenario runner ("what would the
// system decide for this history?"), where nothing must touch a disk.
//
// Not thread-safe: one runner, one log.
#pragma once

#include <map>
#include <vector>

#include "consumers/codec.h"
#include "domain/decide.h"

namespace mct::admin {

class MemoryLog {
 public:
  // Decides `command` and, when accepted, appends its events. Answers the decision.
  domain::Decision Handle(const domain::Policy& policy, const domain::Command& command);

  // Appends events as they are (a history given as events, not as commands).
  void Append(const domain::EventMeta& meta, const std::vector<domain::Event>& payloads);

  // One trainer's events in stream order (empty when unknown).
  std::vector<domain::RecordedEvent> Stream(const domain::Mcid& mcid) const;
  const std::vector<consumers::EventEnvelope>& Envelopes() const { return log_; }
  domain::TrainerState State(const domain::Mcid& mcid) const;

 private:
  domain::SharedFacts Facts() const;

  std::vector<consumers::EventEnvelope> log_;                // in global order
  std::map<domain::Mcid, std::vector<size_t>> streams_;      // indices into log_
};

}  // namespace mct::admin
