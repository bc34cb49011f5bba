#include "admin/cli.h"

#include <chrono>
#include <iostream>

namespace mct::admin {

std::unique_ptr<Store> CliContext::OpenStore() {
  auto store = Store::Open(data_dir, policy);
  if (!store.ok()) {
    Fail(store.error().message);
    return nullptr;
  }
  return std::move(store).value();
}

int CliContext::Fail(const std::string& message, int code) {
  std::cerr << "error: " << message << "\n";
  exit_code = code;
  return code;
}

std::string OneLineFailure(const CLI::App* /*app*/, const CLI::Error& error) {
  return "error: " + std::string(error.what()) + " (see --help)\n";
}

void PrintJson(const nlohmann::json& value) {
  std::cout << value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

std::optional<domain::Instant> ParseInstantArgument(const std::string& text) {
  if (auto instant = domain::Instant::Parse(text)) return instant;
  if (auto date = domain::Date::Parse(text)) {
    const auto end_of_day = date->days() + std::chrono::days(1) - std::chrono::milliseconds(1);
    return domain::Instant(std::chrono::time_point_cast<std::chrono::milliseconds>(end_of_day));
  }
  return std::nullopt;
}

domain::Instant Now() {
  return domain::Instant(
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()));
}

}  // namespace mct::admin
