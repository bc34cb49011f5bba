// The memtable insert hints map the event store's real keys (keys.h) to the prefixes whose
// inserts land side by side: one prefix for the whole log, one per stream for its index entries,
// one per stream head, one for the minted command ids, and none for the keys that land anywhere.
#include "consumers/memtable_hints.h"

#include <gtest/gtest.h>

#include <string>

#include "consumers/command_ids.h"
#include "consumers/keys.h"

namespace mct::consumers {
namespace {

std::string PrefixOf(const rocksdb::SliceTransform& hint, const std::string& key) {
  return hint.Transform(key).ToString();
}

TEST(MemtableHints, EveryLogPositionSharesOnePrefix) {
  const auto hint = LogInsertHint();
  for (const uint64_t position : {uint64_t{1}, uint64_t{255}, uint64_t{256}, uint64_t{1} << 40}) {
    const std::string key = keys::Position(position);
    ASSERT_TRUE(hint->InDomain(key)) << position;
    EXPECT_EQ(PrefixOf(*hint, key), PrefixOf(*hint, keys::Position(1))) << position;
    EXPECT_TRUE(key.starts_with(PrefixOf(*hint, key))) << position;
  }
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

TEST(MemtableHints, StreamHeadsAndMintedCommandIdsAreHintedInMeta) {
  const auto hint = MetaInsertHint();
  const std::string head = keys::Head("1000001");
  ASSERT_TRUE(hint->InDomain(head));
  EXPECT_EQ(PrefixOf(*hint, head), head);
  // Every minted id shares one prefix: they are inserted in time order, each after the last.
  const std::string first = keys::Command(MintCommandId());
  const std::string second = keys::Command(MintCommandId());
  ASSERT_TRUE(hint->InDomain(first));
  ASSERT_TRUE(hint->InDomain(second));
  EXPECT_EQ(PrefixOf(*hint, first), PrefixOf(*hint, second));
  EXPECT_TRUE(first.starts_with(PrefixOf(*hint, first)));
  EXPECT_NE(PrefixOf(*hint, first), PrefixOf(*hint, head));
  // A client's id, a voucher, the order counter: not hinted.
  EXPECT_FALSE(hint->InDomain(keys::Command("5f0c9a62-1d2b-4c4e-9f0a-3b7d2e8c1a44")));
  EXPECT_FALSE(hint->InDomain(keys::Voucher("MCT-2017-ABCD")));
  EXPECT_FALSE(hint->InDomain(std::string(keys::kNextOrder)));
}

}  // namespace
}  // namespace mct::consumers
