#include "consumers/text_checks.h"

#include <utf8.h>

#include <string_view>
#include <type_traits>

#include "consumers/event_fields.h"

namespace mct::consumers {

bool IsUtf8(std::string_view text) { return utf8::is_valid(text.begin(), text.end()); }

std::string NotUtf8Message(std::string_view field) {
  return std::string(field) + ": is not valid UTF-8 text; nothing was written";
}

namespace {

// A VisitFields visitor that remembers the first text field that is not UTF-8.
class Utf8Finder {
 public:
  template <typename Field>
  void operator()(std::string_view name, const Field& field, Nullable /*unused*/ = Nullable::kNo) {
    if constexpr (std::is_same_v<Field, std::string>) {
      if (!found_ && !IsUtf8(field)) found_ = std::string(name);
    }
  }
  const std::optional<std::string>& found() const { return found_; }

 private:
  std::optional<std::string> found_;
};

}  // namespace

std::optional<std::string> FirstTextNotUtf8(const domain::EventMeta& meta,
                                            const std::vector<domain::Event>& events) {
  for (const auto& [name, text] :
       {std::pair<std::string_view, const std::string*>{"actor.id", &meta.actor.id},
        {"command_id", &meta.command_id},
        {"correlation_id", &meta.correlation_id},
        {"causation_id", &meta.causation_id}}) {
    if (!IsUtf8(*text)) return std::string(name);
  }
  for (const domain::Event& event : events) {
    Utf8Finder finder;
    std::visit([&finder](const auto& payload) { VisitFields(payload, finder); }, event);
    if (finder.found()) return finder.found();
  }
  return std::nullopt;
}

}  // namespace mct::consumers
