// Key encodings of the RocksDB layout. Big-endian numbers, so RocksDB's bytewise order is numeric
// order: the log reads back in global order, a stream in version order, the anniversary index in
// date order.
//
//   log        position(8)                       → encoded envelope (codec.h)
//   streams    mcid '\0' version(8)              → position(8)
//   meta       "head/" mcid                      → version(8) hash(hex)
//              "cmd/" command_id                 → mcid '\0' first position(8) count(8)
//              "voucher/" code                   → mcid '\0' order id
//              "order/next"                      → next order number(8)
//   read models (one set per generation, see read_models.h)
//
// Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mct::consumers::keys {

inline void PutBigEndian64(std::string* out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(value >> shift));
}

inline uint64_t ReadBigEndian64(std::string_view bytes) {
  uint64_t value = 0;
  for (size_t index = 0; index < 8 && index < bytes.size(); ++index) {
    value = (value << 8) | static_cast<unsigned char>(bytes[index]);
  }
  return value;
}

inline std::string Position(uint64_t position) {
  std::string out;
  PutBigEndian64(&out, position);
  return out;
}

// All keys of one stream share this prefix.
inline std::string StreamPrefix(std::string_view mcid) {
  std::string out(mcid);
  out.push_back('\0');
  return out;
}

inline std::string StreamEntry(std::string_view mcid, uint64_t version) {
  std::string out = StreamPrefix(mcid);
  PutBigEndian64(&out, version);
  return out;
}

inline std::string Head(std::string_view mcid) { return "head/" + std::string(mcid); }
inline std::string Command(std::string_view command_id) { return "cmd/" + std::string(command_id); }
// "head/" values: version(8) hash(hex). Written by the store and by a restore alike.
inline std::string HeadValue(uint64_t version, std::string_view hash) {
  std::string out;
  PutBigEndian64(&out, version);
  out += hash;
  return out;
}

// "cmd/" values: mcid '\0' first position(8) count(8).
inline std::string CommandValue(std::string_view mcid, uint64_t first, uint64_t count) {
  std::string out = StreamPrefix(mcid);
  PutBigEndian64(&out, first);
  PutBigEndian64(&out, count);
  return out;
}

inline std::string Voucher(std::string_view code) { return "voucher/" + std::string(code); }
// "voucher/" values: the redeeming order's mcid '\0' order id.
inline std::string VoucherValue(std::string_view mcid, std::string_view order_id) {
  std::string out = StreamPrefix(mcid);
  out += order_id;
  return out;
}
inline constexpr std::string_view kNextOrder = "order/next";
inline constexpr std::string_view kHeadPrefix = "head/";
inline constexpr std::string_view kVoucherPrefix = "voucher/";

}  // namespace mct::consumers::keys
