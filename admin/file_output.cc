#include "admin/file_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ext/stdio_filebuf.h>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

namespace mct::admin {

namespace fs = std::filesystem;

namespace {

// Writes to `path` as it is, never removing it: a terminal, a pipe, /dev/stdout (which names
// whatever stdout is). Appending, as writing to stdout does: opening /dev/stdout anew to write
// would otherwise empty the file a shell's `>>` sent it to.
Status WriteInPlace(const fs::path& path, const std::function<Status(std::ostream&)>& write) {
  std::ofstream stream(path, std::ios::binary | std::ios::app);
  if (!stream) return Error{"cannot write " + path.string() + ": " + std::strerror(errno)};
  const Status written = write(stream);
  stream.close();
  if (!written.ok()) return written;
  if (!stream) return Error{"writing " + path.string() + " failed"};
  return Ok();
}

// The permissions a new file gets: 0666 less the umask, as a shell's redirection gives it.
mode_t NewFileMode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

// Writes `write` into a new file beside `target` (created exclusively, never through a link
// planted there), synced; answers its path, or removes it and answers why.
Result<fs::path> WritePartial(const fs::path& target, mode_t mode,
                              const std::function<Status(std::ostream&)>& write) {
  std::random_device random;
  const fs::path partial = target.parent_path() / (".mct-export-" + std::to_string(::getpid()) +
                                                   "-" + std::to_string(random()) + ".partial");
  const int fd =
      ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error{"cannot write in " + target.parent_path().string() + ": " + std::strerror(errno)};
  }
  Status written = Ok();
  {
    // The descriptor is the stream's from here: it closes it.
    __gnu_cxx::stdio_filebuf<char> buffer(fd, std::ios::out | std::ios::binary);
    std::ostream stream(&buffer);
    written = write(stream);
    stream.flush();
    if (written.ok() && !stream) written = Error{"writing " + target.string() + " failed"};
    if (written.ok() && (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0)) {
      written = Error{"cannot sync " + partial.string() + ": " + std::strerror(errno)};
    }
  }
  if (written.ok()) return partial;
  std::error_code ignored;
  fs::remove(partial, ignored);  // the file this made, never the one it was to replace
  return written.error();
}

}  // namespace

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
  if (fs::is_directory(path, error)) return Error{path.string() + " is a folder, not a file"};
  if (IsWrittenInPlace(path)) return WriteInPlace(path, write);
  const fs::path absolute = fs::absolute(path, error);
  // A regular file (or none yet): the file a link names is the one replaced, and keeps its mode.
  const fs::path target = fs::weakly_canonical(absolute, error);
  if (error) return Error{"cannot resolve " + path.string() + ": " + error.message()};
  struct stat old {};
  const bool existed = ::stat(target.c_str(), &old) == 0;
  auto partial = WritePartial(target, existed ? (old.st_mode & 07777) : NewFileMode(), write);
  if (!partial.ok()) return partial.error();
  if (existed && ::geteuid() == 0) {
    (void)::chown(partial.value().c_str(), old.st_uid, old.st_gid);  // root replacing a user's file
  }
  fs::rename(partial.value(), target, error);
  if (error) {
    std::error_code ignored;
    fs::remove(partial.value(), ignored);
    return Error{"cannot rename into " + path.string() + ": " + error.message()};
  }
  return SyncPath(target.parent_path());  // the new name on disk too
}

bool IsWrittenInPlace(const fs::path& path) {
  std::error_code error;
  // What the path names now, links followed (/dev/stdout to a pipe is a pipe).
  const fs::file_status named = fs::status(path, error);
  const std::string normal = fs::absolute(path, error).lexically_normal().string();
  return (fs::exists(named) && !fs::is_regular_file(named)) || normal.starts_with("/dev/") ||
         normal.starts_with("/proc/");
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
