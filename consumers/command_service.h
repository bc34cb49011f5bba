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

  const domain::Policy& policy() const { return policy_; }

 private:
  // The trainer's folded state, taken out of the cache when it is current there (Handle puts it
  // back, moved on by what the command wrote), else folded from its stream.
  Result<domain::TrainerState> TakeState(const domain::Mcid& mcid);
  // A small LRU of folded states; an entry is used only if its version is the stream's. A state
  // is moved out for the command being decided, not copied (a copy was dozens of allocations:
  // its sets of command ids, its orders and addresses); a command on the same trainer meanwhile
  // finds none and folds the stream.
  static constexpr size_t kCacheCapacity = 65536;
  bool TakeCachedState(const std::string& mcid, uint64_t version, domain::TrainerState* out);
  void CacheState(const std::string& mcid, domain::TrainerState state);
  // Puts a taken state back into the cache when it goes out of scope.
  class ReturnToCache {
   public:
    ReturnToCache(CommandService& service, const std::string& mcid, domain::TrainerState& state)
        : service_(service), mcid_(mcid), state_(state) {}
    ~ReturnToCache() {
      if (state_.version <= 0) return;
      try {
        service_.CacheState(mcid_, std::move(state_));
      } catch (...) {  // out of memory: the cache is only a shortcut, the next command folds
      }
    }
    ReturnToCache(const ReturnToCache&) = delete;
    ReturnToCache& operator=(const ReturnToCache&) = delete;

   private:
    CommandService& service_;
    const std::string& mcid_;
    domain::TrainerState& state_;
  };

  EventStore& store_;
  domain::Policy policy_;
  std::mutex cache_mutex_;
  std::list<std::string> lru_;
  std::unordered_map<std::string, std::pair<domain::TrainerState, std::list<std::string>::iterator>>
      cache_;
};

}  // namespace mct::consumers
