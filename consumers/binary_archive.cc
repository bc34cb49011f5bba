#include "consumers/binary_archive.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace mct::consumers {
namespace {

using LittleEndianOut = cereal::PortableBinaryOutputArchive::Options;
using LittleEndianIn = cereal::PortableBinaryInputArchive::Options;

// cereal writes this first: 1 when the data that follows is little-endian.
constexpr uint8_t kLittleEndianFlag = 1;

}  // namespace

std::string FieldRef::ToString() const {
  if (scope.empty()) return std::string(field);
  std::string text(scope);
  text += '.';
  text += field;
  return text;
}

// What a record usually needs, reserved at once instead of grown by doubling.
constexpr size_t kTypicalRecordBytes = 256;

BinaryWriter::BinaryWriter() : stream_(&sink_), archive_(stream_, LittleEndianOut::LittleEndian()) {
  sink_.bytes.reserve(kTypicalRecordBytes);
}

BinaryWriter& BinaryWriter::ForThisThread() {
  thread_local BinaryWriter writer;
  writer.Reset();
  return writer;
}

std::string BinaryWriter::Take() {
  std::string record = std::move(sink_.bytes);
  Reset();
  return record;
}

void BinaryWriter::Reset() {
  sink_.bytes.clear();
  sink_.bytes.reserve(kTypicalRecordBytes);
  stream_.clear();
  U8(kLittleEndianFlag);  // what the archive wrote when it was made, for each later record
}

std::streamsize BinaryWriter::StringSink::xsputn(const char* from, std::streamsize count) {
  bytes.append(from, static_cast<size_t>(count));
  return count;
}

BinaryWriter::StringSink::int_type BinaryWriter::StringSink::overflow(int_type byte) {
  if (!traits_type::eq_int_type(byte, traits_type::eof()))
    bytes.push_back(traits_type::to_char_type(byte));
  return traits_type::not_eof(byte);
}

void BinaryWriter::U8(uint8_t value) { archive_(value); }
void BinaryWriter::U16(uint16_t value) { archive_(value); }
void BinaryWriter::U64(uint64_t value) { archive_(value); }
void BinaryWriter::I32(int32_t value) { archive_(value); }
void BinaryWriter::I64(int64_t value) { archive_(value); }
void BinaryWriter::F64(double value) { archive_(value); }

void BinaryWriter::String(std::string_view value) {
  U64(value.size());
  archive_(cereal::binary_data(value.data(), value.size()));
}

void BinaryReader::ViewBuffer::Point(std::string_view bytes) {
  // std::streambuf wants mutable pointers; this buffer only ever reads through them.
  char* begin = const_cast<char*>(bytes.data());
  setg(begin, begin, begin + bytes.size());
}

BinaryReader::BinaryReader(std::string_view bytes) : buffer_(bytes), stream_(&buffer_) {
  Begin(bytes);
}

void BinaryReader::Reset(std::string_view bytes) {
  buffer_.Point(bytes);
  stream_.clear();
  error_.clear();
  Begin(bytes);
}

void BinaryReader::Begin(std::string_view bytes) {
  if (bytes.empty()) {
    Fail("empty input: no event to decode");
    return;
  }
  const auto flag = static_cast<uint8_t>(bytes.front());
  if (flag != kLittleEndianFlag) {
    Fail("byte 0 is " + std::to_string(flag) +
         ", not 1: not a little-endian portable binary event");
    return;
  }
  if (archive_) {
    buffer_.Skip(1);  // an archive reads the flag once, when made, and reads little-endian since
  } else {
    archive_.emplace(stream_, LittleEndianIn::LittleEndian());  // consumes the flag
  }
}

std::string BinaryReader::String(FieldRef where) { return std::string(StringView(where)); }

std::string_view BinaryReader::StringView(FieldRef where) {
  const uint64_t size = U64(where);
  if (!ok()) return {};
  if (size > remaining()) {
    Fail("truncated at byte " + std::to_string(offset()) + ": " + where.ToString() + " declares " +
         std::to_string(size) + " bytes, " + std::to_string(remaining()) + " left");
    return {};
  }
  // The bytes that cereal's binary_data would copy out, taken where they lie: one copy, not a
  // zero fill and a trip through the stream (decoding spends most of its time on strings).
  const std::string_view value(buffer_.next(), size);
  buffer_.Skip(size);
  return value;
}

void BinaryReader::Fail(std::string message) {
  if (ok()) error_ = std::move(message);
}

std::streamsize BinaryReader::ViewBuffer::xsgetn(char* into, std::streamsize count) {
  const auto taken = std::min(count, static_cast<std::streamsize>(remaining()));
  std::memcpy(into, gptr(), static_cast<size_t>(taken));
  Skip(static_cast<size_t>(taken));
  return taken;
}

bool BinaryReader::Missing(size_t size, FieldRef where) {
  if (!ok()) return false;
  if (remaining() < size) {
    Fail("truncated at byte " + std::to_string(offset()) + ": " + where.ToString() + " needs " +
         std::to_string(size) + " bytes, " + std::to_string(remaining()) + " left");
    return false;
  }
  return true;
}

}  // namespace mct::consumers
