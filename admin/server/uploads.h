// Survey report uploads (REQ-5): the media type is decided by the file's magic bytes, never by
// what the client claims, and files are kept content-addressed under the data directory
// (`uploads/ab/abcdef…`, named by their SHA-256), written only once the command was accepted.
//
// Free functions; safe from any thread (a file is written to a unique temporary name first).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "domain/result.h"

namespace mct::admin::server {

// "image/jpeg", "application/pdf", or "application/octet-stream" for anything else.
std::string SniffMediaType(std::string_view bytes);

// Writes `bytes` to a temporary file under `data_dir`/uploads and answers its path.
Result<std::filesystem::path> StageUpload(const std::filesystem::path& data_dir, std::string_view bytes);
// Moves a staged file to its content address; answers the final path.
Result<std::filesystem::path> KeepUpload(const std::filesystem::path& data_dir,
                                         const std::filesystem::path& staged,
                                         const std::string& sha256);

}  // namespace mct::admin::server
