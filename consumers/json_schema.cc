#include "consumers/json_schema.h"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "consumers/codec_enums.h"
#include "consumers/event_fields.h"

namespace mct::consumers {
namespace {

using Json = nlohmann::ordered_json;

// Writes the schema of each payload field it is shown, typed as PayloadJsonWriter (codec_json.cc)
// renders that C++ type.
class FieldSchemaWriter {
 public:
  explicit FieldSchemaWriter(std::string_view event_name) {
    properties_["event"] = Json{{"type", "string"}, {"enum", {std::string(event_name)}}};
  }

  template <typename Field>
  void operator()(std::string_view name, const Field& /*field*/,
                  Nullable nullable = Nullable::kNo) {
    Json schema = SchemaOf<Field>();
    if (nullable == Nullable::kWhenEmpty) schema["nullable"] = true;
    required_.push_back(std::string(name));
    properties_[std::string(name)] = std::move(schema);
  }

  Json Finish() && {
    return Json{{"type", "object"},
                {"required", std::move(required_)},
                {"properties", std::move(properties_)}};
  }

 private:
  template <typename Field>
  static Json SchemaOf() {
    if constexpr (std::is_same_v<Field, std::string>) {
      return Json{{"type", "string"}};
    } else if constexpr (std::is_same_v<Field, int64_t>) {
      return Json{{"type", "integer"}, {"format", "int64"}};
    } else if constexpr (std::is_same_v<Field, double>) {
      return Json{{"type", "number"}};
    } else if constexpr (std::is_same_v<Field, domain::Date>) {
      return Json{{"type", "string"}, {"format", "date"}};
    } else if constexpr (std::is_same_v<Field, domain::Instant>) {
      return Json{{"type", "string"}, {"format", "date-time"}};
    } else {
      static_assert(std::is_enum_v<Field>, "event_fields.h lists a type the codec does not write");
      return Json{{"type", "string"}, {"enum", JsonNamesOf<Field>()}};
    }
  }

  Json properties_ = Json::object();
  std::vector<std::string> required_ = {"event"};
};

template <size_t... Index>
std::vector<std::pair<std::string, Json>> SchemasOf(std::index_sequence<Index...> /*unused*/) {
  std::vector<std::pair<std::string, Json>> out;
  auto add = [&out](const auto& payload) {
    using Payload = std::remove_cvref_t<decltype(payload)>;
    FieldSchemaWriter writer(Payload::kName);
    VisitFields(payload, writer);
    out.emplace_back(std::string(Payload::kName), std::move(writer).Finish());
  };
  (add(std::variant_alternative_t<Index, domain::Event>{}), ...);
  return out;
}

}  // namespace

template <typename E>
std::vector<std::string> JsonNamesOf() {
  std::vector<std::string> names;
  for (int byte = 0; byte <= UINT8_MAX; ++byte) {
    const std::optional<E> value = WireEnum<E>::FromWire(static_cast<uint8_t>(byte));
    if (!value || domain::ToString(*value).empty()) continue;
    names.emplace_back(domain::ToString(*value));
  }
  return names;
}

template std::vector<std::string> JsonNamesOf<domain::Track>();
template std::vector<std::string> JsonNamesOf<domain::EmployerType>();
template std::vector<std::string> JsonNamesOf<domain::PaymentMethod>();
template std::vector<std::string> JsonNamesOf<domain::CardBrand>();
template std::vector<std::string> JsonNamesOf<domain::RenewalKind>();
template std::vector<std::string> JsonNamesOf<domain::Role>();

Json EnvelopeJsonSchema() {
  const Json text{{"type", "string"}};
  const Json position{{"type", "integer"}, {"format", "int64"}, {"minimum", 1}};
  const Json hash{{"type", "string"},
                  {"pattern", "^([0-9a-f]{64})?$"},
                  {"description", "hex SHA-256; a stream's first prev_hash is empty"}};
  Json properties{
      {"event", {{"type", "string"}, {"description", "the event type (domain.md, Events)"}}},
      {"mcid", text},
      {"at", {{"type", "string"}, {"format", "date-time"}}},
      {"actor",
       {{"type", "object"},
        {"required", {"role", "id"}},
        {"properties",
         {{"role", {{"type", "string"}, {"enum", JsonNamesOf<domain::Role>()}}}, {"id", text}}}}},
      {"command_id", text},
      {"correlation_id", text},
      {"causation_id", text},
      {"stream_version", position},
      {"global_position", position},
      {"prev_hash", hash},
      {"hash", hash}};
  Json required = Json::array();
  for (const auto& [name, unused] : properties.items()) required.push_back(name);
  return Json{{"type", "object"}, {"required", required}, {"properties", properties}};
}

std::vector<std::pair<std::string, Json>> PayloadJsonSchemas() {
  return SchemasOf(std::make_index_sequence<std::variant_size_v<domain::Event>>());
}

}  // namespace mct::consumers
