// The JSON side of the codec: rendering events for people and exports, and reading them back
// strictly (exports, and the given events of scenario files). The binary side is in codec.cc.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "consumers/codec.h"
#include "consumers/codec_enums.h"
#include "consumers/event_fields.h"
#include "consumers/json_field_reader.h"
#include "domain/sha256.h"

namespace mct::consumers {
namespace {

using domain::Event;

// Renders payload fields, in event_fields.h order, into a JSON object.
class PayloadJsonWriter {
 public:
  explicit PayloadJsonWriter(nlohmann::ordered_json& out) : out_(out) {}

  void operator()(std::string_view name, const std::string& value,
                  Nullable nullable = Nullable::kNo) {
    PutText(name, value, nullable);
  }
  void operator()(std::string_view name, int64_t value) { out_[std::string(name)] = value; }
  void operator()(std::string_view name, double value) { out_[std::string(name)] = value; }
  void operator()(std::string_view name, const domain::Date& value) {
    out_[std::string(name)] = value.ToString();
  }
  void operator()(std::string_view name, const domain::Instant& value) {
    out_[std::string(name)] = value.ToString();
  }
  template <typename E>
  requires std::is_enum_v<E>
  void operator()(std::string_view name, E value, Nullable nullable = Nullable::kNo) {
    PutText(name, domain::ToString(value), nullable);
  }

 private:
  void PutText(std::string_view name, std::string_view text, Nullable nullable) {
    if (nullable == Nullable::kWhenEmpty && text.empty()) {
      out_[std::string(name)] = nullptr;
    } else {
      out_[std::string(name)] = std::string(text);
    }
  }

  nlohmann::ordered_json& out_;
};

void AppendPayload(const Event& event, nlohmann::ordered_json& out) {
  PayloadJsonWriter writer(out);
  std::visit([&writer](const auto& payload) { VisitFields(payload, writer); }, event);
}

// A default-valued event of the type domain.md calls `name`, or nullopt for no such type.
template <size_t... Index>
std::optional<Event> EventNamed(std::string_view name, std::index_sequence<Index...> /*unused*/) {
  std::optional<Event> found;
  (void)((std::variant_alternative_t<Index, Event>::kName == name
              ? (found.emplace(std::in_place_index<Index>), true)
              : false) ||
         ...);
  return found;
}
std::optional<Event> EventNamed(std::string_view name) {
  return EventNamed(name, std::make_index_sequence<std::variant_size_v<Event>>());
}

// Collects a payload's field names, to know which keys an event may carry.
class FieldNames {
 public:
  template <typename Field>
  void operator()(std::string_view name, Field& /*field*/, Nullable /*nullable*/ = Nullable::kNo) {
    names_.push_back(name);
  }
  bool Contains(std::string_view key) const {
    for (std::string_view name : names_) {
      if (name == key) return true;
    }
    return false;
  }

 private:
  std::vector<std::string_view> names_;
};

constexpr std::string_view kMetaKeys[] = {"event",      "mcid",           "at",          "actor",
                                          "command_id", "correlation_id", "causation_id"};
// Assigned by the store: an export carries them, a scenario's given event may not.
constexpr std::string_view kStoreKeys[] = {"stream_version", "global_position", "prev_hash",
                                           "hash"};

bool IsOneOf(std::string_view key, const auto& keys) {
  for (std::string_view candidate : keys) {
    if (candidate == key) return true;
  }
  return false;
}

// Every key must be an envelope key or one of the payload's fields. (A given event copied from
// an export keeps its position and hashes; the log it is appended to assigns its own, as it does
// to every event, so there they are known keys that say nothing.)
std::optional<Error> RefuseUnknownKeys(const nlohmann::json& json, std::string_view scope,
                                       const Event& payload) {
  FieldNames names;
  std::visit([&names](const auto& typed) { VisitFields(typed, names); }, payload);
  for (const auto& [key, value] : json.items()) {
    if (IsOneOf(key, kMetaKeys) || IsOneOf(key, kStoreKeys) || names.Contains(key)) continue;
    return Error{std::string(scope) + "." + key + ": unknown field"};
  }
  return std::nullopt;
}

void ReadActor(JsonFieldReader& reader, std::string_view scope, domain::Actor& actor) {
  const nlohmann::json* object = reader.Object("actor");
  if (object == nullptr) return;
  JsonFieldReader actor_reader(*object, std::string(scope) + ".actor");
  actor_reader.RefuseUnknownKeys({"role", "id"});
  actor_reader("role", actor.role);
  actor_reader("id", actor.id);
  reader.Absorb(actor_reader);
}

// A hash is hex SHA-256, or empty where there is none yet (a stream's first prev_hash).
void ReadHash(JsonFieldReader& reader, std::string_view name, std::string& hash) {
  reader(name, hash);
  if (reader.ok() && !hash.empty() && !domain::IsSha256Hex(hash)) {
    reader.Fail(name, "'" + hash + "' is not a hex SHA-256");
  }
}

// An empty object with room for `members`. ordered_json keeps an object's members in a vector of
// pairs whose keys are const, so each time the vector grows it copies every member, key and value
// (deeply), instead of moving them: an event's JSON used to be copied about thirty times over.
nlohmann::ordered_json ObjectWithRoomFor(size_t members) {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  json.get_ref<nlohmann::ordered_json::object_t&>().reserve(members);
  return json;
}

// More than the envelope's eleven fields and the largest payload's together.
constexpr size_t kEventJsonMembers = 32;

}  // namespace

nlohmann::ordered_json PayloadToJson(const Event& event) {
  nlohmann::ordered_json json = ObjectWithRoomFor(kEventJsonMembers);
  json["event"] = std::string(domain::EventName(event));
  AppendPayload(event, json);
  return json;
}

nlohmann::ordered_json ToJson(const EventEnvelope& envelope) {
  const domain::EventMeta& meta = envelope.event.meta;
  nlohmann::ordered_json json = ObjectWithRoomFor(kEventJsonMembers);
  json["event"] = std::string(domain::EventName(envelope.event.payload));
  json["mcid"] = meta.mcid.str();
  json["at"] = meta.at.ToString();
  nlohmann::ordered_json& actor = json["actor"] = ObjectWithRoomFor(2);
  actor["role"] = std::string(domain::ToString(meta.actor.role));
  actor["id"] = meta.actor.id;
  json["command_id"] = meta.command_id;
  json["correlation_id"] = meta.correlation_id;
  json["causation_id"] = meta.causation_id;
  json["stream_version"] = envelope.stream_version;
  json["global_position"] = envelope.global_position;
  json["prev_hash"] = envelope.prev_hash;
  json["hash"] = envelope.hash;
  AppendPayload(envelope.event.payload, json);
  return json;
}

Result<EventEnvelope> EventFromJson(const nlohmann::json& json, EnvelopeFields fields) {
  if (!json.is_object()) return Error{"event: expected a JSON object, got " + DescribeJson(json)};
  const auto name_json = json.find("event");
  if (name_json == json.end()) return Error{"event: missing"};
  if (!name_json->is_string()) {
    return Error{"event: expected a string, got " + DescribeJson(*name_json)};
  }
  const std::string name = name_json->get<std::string>();
  std::optional<Event> payload = EventNamed(name);
  if (!payload) return Error{"event: '" + name + "' is not an event type"};
  if (std::optional<Error> unknown = RefuseUnknownKeys(json, name, *payload)) {
    return *std::move(unknown);
  }

  const bool complete = fields == EnvelopeFields::kComplete;
  EventEnvelope envelope;
  domain::EventMeta& meta = envelope.event.meta;
  JsonFieldReader reader(json, name);
  reader("mcid", meta.mcid);
  reader("at", meta.at);
  if (complete || reader.Has("actor")) {
    ReadActor(reader, name, meta.actor);
  } else {
    meta.actor = {.role = domain::Role::kTrainer, .id = meta.mcid.str()};
  }
  for (auto [key, id] : {std::pair{"command_id", &meta.command_id},
                         std::pair{"correlation_id", &meta.correlation_id},
                         std::pair{"causation_id", &meta.causation_id}}) {
    if (complete || reader.Has(key)) reader(key, *id);
  }
  if (complete) {
    reader("stream_version", envelope.stream_version);
    reader("global_position", envelope.global_position);
    ReadHash(reader, "prev_hash", envelope.prev_hash);
    ReadHash(reader, "hash", envelope.hash);
  }
  // domain.md's event table is what scenario authors write from, by hand: a field added beyond
  // it (PaymentPlaced.voucher_code), one with nothing to say (a freelance profile's
  // employer_detail) or a constant (tax_minor) may be left out of a given event.
  if (!complete) reader.AllowLeftOutFields();
  std::visit([&reader](auto& typed) { VisitFields(typed, reader); }, *payload);
  if (!reader.ok()) return Error{reader.error()};
  envelope.event.payload = *std::move(payload);
  return envelope;
}

}  // namespace mct::consumers
