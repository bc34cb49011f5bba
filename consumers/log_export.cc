// ExportLog: the log as NDJSON. The restore side is in log_import.cc.
#include "consumers/log_export.h"

#include <rocksdb/db.h>

#include <memory>

#include "consumers/codec.h"
#include "consumers/keys.h"

namespace mct::consumers {

std::string EndOfExportLine(uint64_t events) {
  return "{\"" + std::string(kEndOfExport) + "\":{\"events\":" + std::to_string(events) + "}}\n";
}

Result<uint64_t> ExportLog(const RocksDb& db, std::ostream& out, std::optional<uint64_t> up_to) {
  if (db.log() == nullptr) return Error{"the store has no log column family"};
  rocksdb::ReadOptions read;
  read.readahead_size = 2 << 20;  // the log is read front to back once
  // An iterator reads one implicit snapshot: appends made meanwhile are not half exported.
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(read, db.log()));
  uint64_t exported = 0;
  std::string line;
  for (it->SeekToFirst(); it->Valid() && (!up_to || exported < *up_to); it->Next()) {
    Result<EventEnvelope> decoded =
        DecodeLogEntry(it->key().ToStringView(), it->value().ToStringView());
    if (!decoded.ok()) {
      return Error{decoded.error().message + "; the export stops there"};
    }
    // A hole would make a file no import takes: said now, not when the backup is needed.
    if (decoded->global_position != exported + 1) {
      return Error{"log position " + std::to_string(exported + 1) +
                   " is missing (the log goes on at " + std::to_string(decoded->global_position) +
                   "): the log is damaged; the export stops there (run `mctctl verify`)"};
    }
    // `replace`: a tampered string that is no longer UTF-8 must still export (its hash will then
    // not verify on import, which is the point), not abort the dump with an exception.
    line = ToJson(decoded.value()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line.push_back('\n');
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
    if (!out)
      return Error{"writing the export failed after " + std::to_string(exported) + " events"};
    exported += 1;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the log").error();
  line = EndOfExportLine(exported);
  out.write(line.data(), static_cast<std::streamsize>(line.size()));
  out.flush();
  if (!out) return Error{"writing the export failed after " + std::to_string(exported) + " events"};
  return exported;
}

}  // namespace mct::consumers
