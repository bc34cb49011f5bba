// CommandService: the command path of the durable store. For one command it answers a retried
// command id with its first answer (invariant 5), folds the trainer's stream, gathers the shared
// facts (redeemed vouchers, an order number), runs Decide, and appends what was decided with the
// version it was decided on, so a concurrent command on the same trainer gets `version_conflict`
// (invariant 3).
//
// Thread-safety: Handle may be called from any number of threads at once.
#pragma once

#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "consumers/event_store.h"
#include "domain/decide.h"

namespace mct::consumers {

struct CommandAnswer {
  enum class Kind : uint8_t { kAccepted, kRetried, kRejected };
  Kind kind = Kind::kAccepted;
  domain::Rejection rejection;        // when rejected
  std::vector<EventEnvelope> events;  // written now (accepted) or the first time (retried)
};

// Where a command's id came from. A client's id may be a retry and is looked up first; an id the
// front door minted for this command (command_ids.h) cannot be, and skips both look-ups.
enum class CommandIdOrigin : uint8_t { kClient, kMintedNow };

class CommandService {
 public:
  CommandService(EventStore& store, domain::Policy policy)
      : store_(store), policy_(std::move(policy)) {}

  // Decides and appends; an I/O failure is an Error and nothing was written.
  Result<CommandAnswer> Handle(const domain::Command& command,
                               CommandIdOrigin id_origin = CommandIdOrigin::kClient);

  // The trainer's folded state, from the cache when it is current.
  Result<domain::TrainerState> LoadState(const domain::Mcid& mcid);
  const domain::Policy& policy() const { return policy_; }

 private:
  // A small LRU of folded states; an entry is used only if its version is the stream's.
  static constexpr size_t kCacheCapacity = 65536;
  bool CachedState(const std::string& mcid, uint64_t version, domain::TrainerState* out);
  void CacheState(const std::string& mcid, domain::TrainerState state);

  EventStore& store_;
  domain::Policy policy_;
  std::mutex cache_mutex_;
  std::list<std::string> lru_;
  std::unordered_map<std::string, std::pair<domain::TrainerState, std::list<std::string>::iterator>>
      cache_;
};

}  // namespace mct::consumers
