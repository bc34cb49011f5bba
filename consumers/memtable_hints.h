// Memtable insert hints for the event store's families (RocksDB's
// memtable_insert_with_hint_prefix_extractor): the memtable remembers where it last inserted a key
// of each prefix and starts the next insert of that prefix there, instead of descending the whole
// skip list. Inserting a group commit's keys into the memtables is most of the committer's time,
// and most of that is cache misses on the way down (bench/README.md). A stream's next index entry
// goes right after its previous one, a stream head's new value right beside its old one, and a
// command id the front door minted (command_ids.h, ordered by time) after the last one minted. A
// command id its client chose lands anywhere, so it gets no hint. Each hinted prefix costs about
// 250 bytes of the memtable's own budget. Hints are used by a write group of one writer, which the
// committer is.
#pragma once

#include <rocksdb/slice_transform.h>

#include <memory>

namespace mct::consumers {

// log: one prefix for every key; positions are written in ascending order.
std::shared_ptr<const rocksdb::SliceTransform> LogInsertHint();
// streams: a key's prefix is its stream, `mcid '\0'` (keys.h).
std::shared_ptr<const rocksdb::SliceTransform> StreamInsertHint();
// meta: a stream head's prefix is the whole key; every minted command id shares one prefix; other
// meta keys are not hinted.
std::shared_ptr<const rocksdb::SliceTransform> MetaInsertHint();

}  // namespace mct::consumers
