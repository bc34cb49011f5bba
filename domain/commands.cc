#include "domain/commands.h"

namespace mct::domain {

std::string_view CommandName(const CommandBody& body) {
  return std::visit([](const auto& typed) { return std::decay_t<decltype(typed)>::kName; }, body);
}

}  // namespace mct::domain
