// Text the command line reads whole (a command to submit, a scenario file): read with a limit,
// and every failure of the reading (a folder, a device that fails, a file too large) an error
// that names the file, never an exception.
//
// Free functions; safe from any thread.
#pragma once

#include <cstddef>
#include <filesystem>
#include <istream>
#include <string>

#include "domain/result.h"

namespace mct::admin {

// All of `in`, which `what` names in errors; refused once it holds more than `limit` bytes.
Result<std::string> ReadWholeStream(std::istream& in, const std::string& what, size_t limit);

// All of the file at `path` (or what it links to); a folder is refused as one.
Result<std::string> ReadWholeFile(const std::filesystem::path& path, size_t limit);

}  // namespace mct::admin
