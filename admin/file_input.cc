#include "admin/file_input.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

namespace mct::admin {

Result<std::string> ReadWholeStream(std::istream& in, const std::string& what, size_t limit) {
  std::string text;
  std::array<char, 64 * 1024> chunk{};
  // istream::read, unlike an istreambuf_iterator, turns the buffer's failures (libstdc++ throws
  // from underflow on a read error, as EISDIR or EIO) into badbit.
  while (in.read(chunk.data(), chunk.size()) || in.gcount() > 0) {
    if (text.size() + static_cast<size_t>(in.gcount()) > limit) {
      return Error{"cannot read " + what + ": it holds more than " + std::to_string(limit) +
                   " bytes"};
    }
    text.append(chunk.data(), static_cast<size_t>(in.gcount()));
    if (!in) break;
  }
  if (in.bad()) {
    const int error = errno;
    return Error{"cannot read " + what +
                 (error != 0 ? ": " + std::string(std::strerror(error)) : std::string())};
  }
  return text;
}

Result<std::string> ReadWholeFile(const std::filesystem::path& path, size_t limit) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    return Error{"cannot read " + path.string() + ": it is a folder"};
  }
  errno = 0;
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    const int error = errno;
    return Error{"cannot read " + path.string() +
                 (error != 0 ? ": " + std::string(std::strerror(error)) : std::string())};
  }
  errno = 0;
  return ReadWholeStream(file, path.string(), limit);
}

}  // namespace mct::admin
