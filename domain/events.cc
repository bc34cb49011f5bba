#include "domain/events.h"

namespace mct::domain {

std::string_view EventName(const Event& event) {
  return std::visit([](const auto& typed) { return std::decay_t<decltype(typed)>::kName; }, event);
}

std::string_view CommandWriting(const Event& event) {
  return std::visit([](const auto& typed) { return std::decay_t<decltype(typed)>::kWrittenBy; },
                    event);
}

uint16_t EventTag(const Event& event) {
  return std::visit([](const auto& typed) { return std::decay_t<decltype(typed)>::kTag; }, event);
}

uint16_t EventSchemaVersion(const Event& event) {
  return std::visit(
      [](const auto& typed) { return std::decay_t<decltype(typed)>::kSchemaVersion; }, event);
}

}  // namespace mct::domain
