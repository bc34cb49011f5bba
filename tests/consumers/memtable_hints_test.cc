// The memtable insert hints map the event store's real keys (keys.h) to the prefixes whose
// inserts land side by side: one prefix per stream for its index entries, one per stream head,
// and none for the keys that land anywhere.
#include "consumers/memtable_hints.h"

#include <gtest/gtest.h>

#include <string>

#include "consumers/keys.h"

namespace mct::consumers {
namespace {

std::string PrefixOf(const rocksdb::SliceTransform& hint, const std::string& key) {
  return hint.Transform(key).ToString();
}

TEST(MemtableHints, EveryIndexEntryOfAStreamSharesItsStreamsPrefix) {
  const auto hint = StreamInsertHint();
  // Versions whose big-endian bytes hold zeros: only the separator after the MCID counts.
  const std::string first = keys::StreamEntry("1000001", 1);
  const std::string later = keys::StreamEntry("1000001", 256);
  ASSERT_TRUE(hint->InDomain(first));
  ASSERT_TRUE(hint->InDomain(later));
  EXPECT_EQ(PrefixOf(*hint, first), keys::StreamPrefix("1000001"));
  EXPECT_EQ(PrefixOf(*hint, later), keys::StreamPrefix("1000001"));
  EXPECT_NE(PrefixOf(*hint, keys::StreamEntry("10000010", 1)), keys::StreamPrefix("1000001"))
      << "an MCID that extends another is another stream";
}

TEST(MemtableHints, OnlyStreamHeadsAreHintedInMeta) {
  const auto hint = HeadInsertHint();
  const std::string head = keys::Head("1000001");
  ASSERT_TRUE(hint->InDomain(head));
  EXPECT_EQ(PrefixOf(*hint, head), head);
  EXPECT_FALSE(hint->InDomain(keys::Command("5f0c9a62-1d2b-4c4e-9f0a-3b7d2e8c1a44")));
  EXPECT_FALSE(hint->InDomain(keys::Voucher("MCT-2017-ABCD")));
  EXPECT_FALSE(hint->InDomain(std::string(keys::kNextOrder)));
}

}  // namespace
}  // namespace mct::consumers
