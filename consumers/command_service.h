// CommandService: the command path of the durable store. For one command it folds the trainer's
// stream, gathers the shared facts (redeemed vouchers, an order number), runs Decide, and appends
// what was decided with the version it was decided on, so a concurrent command on the same trainer
// gets `version_conflict` (invariant 3). A command Decide finds retried (its id, or for PlaceOrder
// its idempotency key, is in the trainer's stream) answers its first answer (invariant 5, PAY-8):
// after the input, role and trainer checks, as domain.md orders them. A command id that another
// trainer's command took is refused `invalid_input`; that command's events are not shown.
//
// Handle blocks its thread until the WAL sync that carries the command; HandleAsync does the same
// work without blocking, for a front door that answers from a callback.
//
// Thread-safety: Handle and HandleAsync may be called from any number of threads at once.
#pragma once

#include <condition_variable>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
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

// Where a command's id came from. A client's id may have been taken and is looked up when its
// events are written; an id the front door minted for this command (command_ids.h) cannot be, and
// skips the look-up.
enum class CommandIdOrigin : uint8_t { kClient, kMintedNow };

// Called once with the answer of a HandleAsync.
using CommandCallback = std::function<void(Result<CommandAnswer>)>;

struct CommandServiceOptions {
  // A command stamped before its trainer's latest event (the clock stepped back, or a concurrent
  // command on the same trainer was stamped later and appended first) is decided and recorded at
  // that event's instant, so that every stream stays in time order (AUDIT-2: as-of reads rely on
  // it; an import refuses any other). For front doors whose clock stamps the commands; off, a
  // command is decided at the instant it carries (histories replayed with given instants).
  bool place_in_time_order = false;
};

class CommandService {
 public:
  CommandService(EventStore& store, domain::Policy policy, CommandServiceOptions options = {})
      : store_(store), policy_(std::move(policy)), options_(options) {}
  // Waits for the HandleAsync commands still in the group commit: their callbacks come back into
  // this service (its state cache), so it must outlive them. The store must still be running.
  ~CommandService();
  CommandService(const CommandService&) = delete;
  CommandService& operator=(const CommandService&) = delete;

  // Decides and appends; an I/O failure is an Error and nothing was written, unless its code is
  // EventStore::kOutcomeUnknown (written, but the sync failed: it may be there after a restart).
  Result<CommandAnswer> Handle(const domain::Command& command,
                               CommandIdOrigin id_origin = CommandIdOrigin::kClient);

  // Handle without blocking: `done` gets the answer Handle would give. When something is to be
  // written, that is after its WAL sync, on one of the store's threads, under the rules of
  // EventStore::AppendAsync (`done` must neither throw nor block on the store); otherwise (a
  // rejection, a retry, an I/O failure before the append) it is before HandleAsync returns.
  void HandleAsync(const domain::Command& command, CommandIdOrigin id_origin, CommandCallback done);

  const domain::Policy& policy() const { return policy_; }

 private:
  // A command up to its append: its answer already (nothing to write; its state is back in the
  // cache), or what to append and the state it was decided on.
  struct Prepared {
    std::optional<Result<CommandAnswer>> answer;
    AppendRequest append;
    domain::TrainerState state;
  };
  Prepared Prepare(const domain::Command& command, CommandIdOrigin id_origin);
  // The first answer of a command Decide found retried: the events its first copy wrote (none
  // when they cannot be found, as for a command that wrote none).
  Result<CommandAnswer> FirstAnswer(const domain::Command& command,
                                    const domain::TrainerState& state) const;
  // The answer to a command accepted with nothing to write: nothing is recorded, its id
  // included; an id another trainer's command took is refused, as it is when a command writes
  // and when the rules refuse it (Prepare asks this then too).
  Result<CommandAnswer> NothingNew(const domain::Command& command, CommandIdOrigin id_origin) const;
  // The answer to a prepared command named `command` (domain::CommandName) once its append is
  // answered; puts back in the cache the state the command leaves.
  Result<CommandAnswer> Complete(const domain::Mcid& mcid, std::string_view command,
                                 domain::TrainerState state, Result<AppendOutcome> appended);

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
      if (released_ || state_.version <= 0) return;
      try {
        service_.CacheState(mcid_, std::move(state_));
      } catch (...) {  // out of memory: the cache is only a shortcut, the next command folds
      }
    }
    ReturnToCache(const ReturnToCache&) = delete;
    ReturnToCache& operator=(const ReturnToCache&) = delete;
    // The state goes on with the command instead (to its append), and back from Complete.
    void Release() { released_ = true; }

   private:
    bool released_ = false;
    CommandService& service_;
    const std::string& mcid_;
    domain::TrainerState& state_;
  };

  EventStore& store_;
  domain::Policy policy_;
  CommandServiceOptions options_;
  // HandleAsync commands appended but not yet answered, for the destructor to wait for.
  std::mutex in_flight_mutex_;
  std::condition_variable in_flight_done_;
  size_t in_flight_ = 0;
  std::mutex cache_mutex_;
  std::list<std::string> lru_;
  std::unordered_map<std::string, std::pair<domain::TrainerState, std::list<std::string>::iterator>>
      cache_;
};

}  // namespace mct::consumers
