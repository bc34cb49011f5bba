// PayloadWriter and PayloadReader: visitors for event_fields.h that write and read fields in the
// log's binary primitives. The event codec uses them for payloads, and the read models for the
// event structs they keep inside a trainer's view, so both store a field the same way.
//
// Not thread-safe: one per record, used by one thread.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>

#include "consumers/binary_archive.h"
#include "consumers/codec_enums.h"
#include "consumers/event_fields.h"
#include "domain/values.h"

namespace mct::consumers {

// Writes payload fields in event_fields.h order.
class PayloadWriter {
 public:
  explicit PayloadWriter(BinaryWriter& out) : out_(out) {}

  void operator()(std::string_view /*name*/, const std::string& value,
                  Nullable /*nullable*/ = Nullable::kNo) {
    out_.String(value);
  }
  void operator()(std::string_view /*name*/, int64_t value) { out_.I64(value); }
  void operator()(std::string_view /*name*/, double value) { out_.F64(value); }
  void operator()(std::string_view /*name*/, const domain::Date& value) {
    out_.I32(static_cast<int32_t>(value.days().time_since_epoch().count()));
  }
  void operator()(std::string_view /*name*/, const domain::Instant& value) {
    out_.I64(value.millis());
  }
  template <typename E>
  requires std::is_enum_v<E>
  void operator()(std::string_view /*name*/, E value, Nullable /*nullable*/ = Nullable::kNo) {
    out_.U8(WireEnum<E>::ToWire(value));
  }

 private:
  BinaryWriter& out_;
};

// Reads payload fields in event_fields.h order; `scope` is the event name, for error messages.
class PayloadReader {
 public:
  PayloadReader(BinaryReader& in, std::string_view scope) : in_(in), scope_(scope) {}

  void operator()(std::string_view name, std::string& value,
                  Nullable /*nullable*/ = Nullable::kNo) {
    value = in_.String(Where(name));
  }
  void operator()(std::string_view name, int64_t& value) { value = in_.I64(Where(name)); }
  void operator()(std::string_view name, double& value) { value = in_.F64(Where(name)); }
  void operator()(std::string_view name, domain::Date& value) {
    value = domain::Date(std::chrono::sys_days(std::chrono::days(in_.I32(Where(name)))));
  }
  void operator()(std::string_view name, domain::Instant& value) {
    value = domain::Instant::FromMillis(in_.I64(Where(name)));
  }
  template <typename E>
  requires std::is_enum_v<E>
  void operator()(std::string_view name, E& value, Nullable /*nullable*/ = Nullable::kNo) {
    value = ReadEnum<E>(in_, Where(name));
  }

  template <typename E>
  static E ReadEnum(BinaryReader& in, FieldRef where) {
    const uint8_t byte = in.U8(where);
    if (!in.ok()) return E{};
    const std::optional<E> value = WireEnum<E>::FromWire(byte);
    if (!value) {
      in.Fail(where.ToString() + ": byte " + std::to_string(byte) + " at offset " +
              std::to_string(in.offset() - 1) + " is not a " + std::string(WireEnum<E>::kWhat));
      return E{};
    }
    return *value;
  }

 private:
  FieldRef Where(std::string_view name) const { return {scope_, name}; }

  BinaryReader& in_;
  std::string_view scope_;
};

}  // namespace mct::consumers
