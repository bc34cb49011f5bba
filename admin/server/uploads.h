// Survey report uploads (REQ-5): the media type is decided by the file's magic bytes, never by
// what the client claims, and files are kept content-addressed under the data directory
// (`uploads/ab/abcdef…`, named by their SHA-256). A file is kept, on disk for good, before its
// command is appended, so the log never names a file that a crash lost; a refused command takes
// away the file it brought, unless an earlier upload had kept the same bytes.
//
// Free functions; safe from any thread (a file is written to a unique temporary name first).
// Keeping and taking back a file are serialised by the caller (one upload at a time).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "domain/result.h"

namespace mct::admin::server {

// The media type of `bytes` by their magic numbers: "image/jpeg" and "application/pdf" (the two
// REQ-5 takes), "image/gif" and "image/png" (named in the refusal), else
// "application/octet-stream".
std::string SniffMediaType(std::string_view bytes);

// Removes the files staged and never kept (a process killed while it received an upload), and
// answers how many. For start-up, while no upload runs: a staged file is nobody's only copy.
size_t ClearStagedUploads(const std::filesystem::path& data_dir);

// Writes `bytes` to a temporary file under `data_dir`/uploads, synced, and answers its path.
Result<std::filesystem::path> StageUpload(const std::filesystem::path& data_dir, std::string_view bytes);

struct KeptUpload {
  std::filesystem::path path;
  bool already_kept = false;  // an earlier upload had kept the same bytes
  bool made_folder = false;   // its folder (the first two hex digits) was made for it
};
// Moves a staged file to its content address and syncs the folder, so the name survives a crash.
Result<KeptUpload> KeepUpload(const std::filesystem::path& data_dir,
                              const std::filesystem::path& staged, const std::string& sha256);
// Takes back a file kept for a command that was then refused, unless it was kept before, and the
// folder made for it: a refused upload leaves nothing behind.
void TakeBackUpload(const KeptUpload& kept);

}  // namespace mct::admin::server
