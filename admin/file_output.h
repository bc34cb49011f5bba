// Files the command line writes for people to keep (an export): written whole or not at all.
//
// Free functions; not thread-safe for one path (a command writes one file at a time).
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>

#include "domain/result.h"

namespace mct::admin {

// fsync(2) of a file or a folder by its path: a file's bytes, or a folder's names, on disk.
Status SyncPath(const std::filesystem::path& path);

// Writes `path` with `write`, so that a failure never costs what was there before: a regular file
// (or a new one) is written beside its target into a new file of its own (created exclusively,
// with the old file's permissions), synced and renamed over it, and that file is removed on
// failure; a symbolic link is followed, and the file it names replaced; anything else (a
// terminal, a pipe, /dev/null, any path under /dev or /proc, as /dev/stdout) is written in place
// and never removed. `write` answers an error or nothing; a failed stream write is an error too.
Status WriteWholeFile(const std::filesystem::path& path,
                      const std::function<Status(std::ostream&)>& write);

// Whether WriteWholeFile writes `path` in place: it names no regular file, or lies under /dev or
// /proc (/dev/stdout may be a pipe, or the file a shell's redirection opened).
bool IsWrittenInPlace(const std::filesystem::path& path);

// Whether `path` is inside `folder` (or is it), after both are made absolute and their symbolic
// links followed as far as they exist: the data directory's own files are no place for output.
bool IsInside(const std::filesystem::path& path, const std::filesystem::path& folder);

}  // namespace mct::admin
