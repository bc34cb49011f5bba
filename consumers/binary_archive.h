// The primitives of the log's binary format, over cereal's PortableBinary archives: fixed-width
// little-endian integers, IEEE 754 doubles, and strings as a uint64 length then the bytes (the
// layout cereal itself gives a std::string). Private to consumers/; codec.cc arranges them into
// events.
//
// Every stream starts with cereal's endianness flag, always 1: the writer is pinned to
// little-endian so that the bytes do not depend on the machine, and the reader refuses any other
// flag rather than guessing.
//
// The reader never trusts a length it reads: each read first checks that the bytes are there, so
// a truncated or garbled record is an error message, never a huge allocation or an overrun. Reads
// after the first failure do nothing and answer zero; check ok() once at the end.
//
// Not thread-safe: one writer or reader per record, used by one thread.
#pragma once

#include <cereal/archives/portable_binary.hpp>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

namespace mct::consumers {

// Names what is being read, for error messages: "RenewalStarted" and "kind" give
// "RenewalStarted.kind"; an empty scope gives just the field.
struct FieldRef {
  std::string_view scope;
  std::string_view field;
  std::string ToString() const;
};

class BinaryWriter {
 public:
  BinaryWriter();
  BinaryWriter(const BinaryWriter&) = delete;
  BinaryWriter& operator=(const BinaryWriter&) = delete;

  // The writer its thread reuses, emptied for a new record: setting up a stream and an archive
  // costs more than writing an event (the committer encodes every event twice, for its hash and
  // for the log).
  static BinaryWriter& ForThisThread();

  void U8(uint8_t value);
  void U16(uint16_t value);
  void U64(uint64_t value);
  void I32(int32_t value);
  void I64(int64_t value);
  void F64(double value);
  void String(std::string_view value);

  // Everything written so far, endianness flag included; the writer then starts a new record.
  std::string Take();
  // Everything written so far, endianness flag included, valid until the next write or Reset.
  std::string_view View() const { return sink_.bytes; }
  // Drops whatever was written and starts a new record.
  void Reset();

 private:
  // A write-only stream buffer that appends to a string the writer hands over whole.
  class StringSink : public std::streambuf {
   public:
    std::string bytes;

   protected:
    std::streamsize xsputn(const char* from, std::streamsize count) override;
    int_type overflow(int_type byte) override;
  };

  StringSink sink_;
  std::ostream stream_;
  cereal::PortableBinaryOutputArchive archive_;  // writes the endianness flag when made
};

class BinaryReader {
 public:
  // Reads `bytes`, which must outlive the reader. Consumes the endianness flag; an empty input or
  // a flag other than 1 fails the reader at once.
  explicit BinaryReader(std::string_view bytes);
  // Reads other bytes, as a new reader would: a stream per record costs as much as decoding it.
  void Reset(std::string_view bytes);
  BinaryReader(const BinaryReader&) = delete;
  BinaryReader& operator=(const BinaryReader&) = delete;

  uint8_t U8(FieldRef where) { return Read<uint8_t>(where); }
  uint16_t U16(FieldRef where) { return Read<uint16_t>(where); }
  uint64_t U64(FieldRef where) { return Read<uint64_t>(where); }
  int32_t I32(FieldRef where) { return Read<int32_t>(where); }
  int64_t I64(FieldRef where) { return Read<int64_t>(where); }
  double F64(FieldRef where) { return Read<double>(where); }
  std::string String(FieldRef where);
  // Steps over a string without copying it (a field the caller does not need).
  void SkipString(FieldRef where) { (void)StringView(where); }

  bool ok() const { return error_.empty(); }
  // The first failure's message; empty while ok().
  const std::string& error() const { return error_; }
  // Records a failure found by the caller (a byte that names no value); the first one wins.
  void Fail(std::string message);

  // Bytes read so far (the endianness flag included) and bytes left.
  size_t offset() const { return buffer_.consumed(); }
  size_t remaining() const { return buffer_.remaining(); }

 private:
  // A read-only stream buffer over the caller's bytes: no copy, and it knows what is left.
  class ViewBuffer : public std::streambuf {
   public:
    explicit ViewBuffer(std::string_view bytes) { Point(bytes); }
    void Point(std::string_view bytes);
    void Skip(size_t count) { gbump(static_cast<int>(count)); }
    const char* next() const { return gptr(); }
    size_t consumed() const { return static_cast<size_t>(gptr() - eback()); }
    size_t remaining() const { return static_cast<size_t>(egptr() - gptr()); }

   protected:
    // cereal reads every field through sgetn; std::streambuf's generic loop costs more than the
    // copy itself, and the bytes are all here.
    std::streamsize xsgetn(char* into, std::streamsize count) override;
  };

  // Checks the endianness flag that starts `bytes` and steps over it.
  void Begin(std::string_view bytes);
  // A string's bytes where they lie in the record (empty after a failure), and steps over them.
  std::string_view StringView(FieldRef where);
  // False (and the reader failed) unless `size` more bytes are there.
  bool Have(size_t size, FieldRef where) {
    return ok() && remaining() >= size ? true : Missing(size, where);
  }
  // Have's answer when the bytes are not there (or the reader already failed): out of line, since
  // every field of every record asks and almost all are there.
  bool Missing(size_t size, FieldRef where);

  template <typename T>
  T Read(FieldRef where) {
    T value{};
    if (Have(sizeof(T), where)) (*archive_)(value);
    return value;
  }

  ViewBuffer buffer_;
  std::istream stream_;
  std::optional<cereal::PortableBinaryInputArchive> archive_;  // empty once the flag is refused
  std::string error_;
};

}  // namespace mct::consumers
