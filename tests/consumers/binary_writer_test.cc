// BinaryWriter reused record after record (as each thread's writer is): every record starts with
// the endianness flag and holds only its own bytes.
#include <gtest/gtest.h>

#include <string>

#include "consumers/binary_archive.h"

namespace mct::consumers {
namespace {

std::string Record(BinaryWriter& out, uint64_t number, std::string_view text) {
  out.U64(number);
  out.String(text);
  out.F64(1.5);
  return out.Take();
}

TEST(BinaryWriter, EachTakenRecordStartsWithTheFlagAndHoldsOnlyItsOwnBytes) {
  BinaryWriter reused;
  const std::string first = Record(reused, 7, "first");
  const std::string second = Record(reused, 8, "second record");
  BinaryWriter fresh;
  EXPECT_EQ(second, Record(fresh, 8, "second record"));
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first.front(), '\x01');
  EXPECT_EQ(second.front(), '\x01');
  // flag, 8-byte number, 8-byte length, the text, 8-byte double
  EXPECT_EQ(first.size(), 1u + 8 + 8 + 5 + 8);
}

TEST(BinaryWriter, ReadsBackThroughTheReader) {
  BinaryWriter& out = BinaryWriter::ForThisThread();
  const std::string long_text(10'000, 'q');  // past what a record reserves up front
  const std::string bytes = Record(out, 42, long_text);
  BinaryReader in(bytes);
  EXPECT_EQ(in.U64({"", "number"}), 42u);
  EXPECT_EQ(in.String({"", "text"}), long_text);
  EXPECT_EQ(in.F64({"", "double"}), 1.5);
  EXPECT_TRUE(in.ok()) << in.error();
  EXPECT_EQ(in.remaining(), 0u);
}

TEST(BinaryWriter, ThisThreadsWriterDropsARecordLeftHalfWritten) {
  BinaryWriter::ForThisThread().String("abandoned halfway");
  BinaryWriter& out = BinaryWriter::ForThisThread();
  BinaryWriter fresh;
  EXPECT_EQ(Record(out, 1, "whole"), Record(fresh, 1, "whole"));
}

}  // namespace
}  // namespace mct::consumers
