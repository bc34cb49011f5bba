#include "admin/file_output.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

namespace mct::admin {

namespace fs = std::filesystem;

Status SyncPath(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{"cannot open " + path.string() + ": " + std::strerror(errno)};
  const int synced = ::fsync(fd);
  const int failure = errno;
  ::close(fd);
  if (synced != 0) return Error{"cannot sync " + path.string() + ": " + std::strerror(failure)};
  return Ok();
}

Status WriteWholeFile(const fs::path& path, const std::function<Status(std::ostream&)>& write) {
  std::error_code error;
  const fs::path target = fs::weakly_canonical(fs::absolute(path, error), error);
  if (error) return Error{"cannot resolve " + path.string() + ": " + error.message()};
  const fs::file_status existing = fs::status(target, error);
  if (fs::exists(existing) && !fs::is_regular_file(existing)) {
    if (fs::is_directory(existing)) return Error{path.string() + " is a folder, not a file"};
    // A device or a pipe: there is nothing to lose and nothing to rename over.
    std::ofstream stream(target, std::ios::binary);
    if (!stream) return Error{"cannot write " + path.string() + ": " + std::strerror(errno)};
    const Status written = write(stream);
    stream.close();
    if (!written.ok()) return written;
    if (!stream) return Error{"writing " + path.string() + " failed"};
    return Ok();
  }
  const fs::path partial = target.parent_path() / ("." + target.filename().string() + ".partial-" +
                                                   std::to_string(::getpid()));
  Status written = Ok();
  {
    std::ofstream stream(partial, std::ios::binary | std::ios::trunc);
    if (!stream) {
      return Error{"cannot write in " + target.parent_path().string() + ": " +
                   std::strerror(errno)};
    }
    written = write(stream);
    stream.close();
    if (written.ok() && !stream) written = Error{"writing " + path.string() + " failed"};
  }
  if (written.ok()) written = SyncPath(partial);
  if (written.ok()) {
    fs::rename(partial, target, error);
    if (error) written = Error{"cannot rename into " + path.string() + ": " + error.message()};
  }
  if (!written.ok()) {
    fs::remove(partial, error);  // the file the command made, never the one it was to replace
    return written;
  }
  return SyncPath(target.parent_path());  // the new name on disk too
}

bool IsInside(const fs::path& path, const fs::path& folder) {
  std::error_code error;
  const fs::path inner = fs::weakly_canonical(fs::absolute(path, error), error);
  if (error) return false;
  const fs::path outer = fs::weakly_canonical(fs::absolute(folder, error), error);
  if (error) return false;
  auto [outer_end, inner_at] =
      std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return outer_end == outer.end() || (std::next(outer_end) == outer.end() && outer_end->empty());
}

}  // namespace mct::admin
