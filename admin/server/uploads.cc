#include "admin/server/uploads.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

#include "admin/file_output.h"

namespace mct::admin::server {

std::string SniffMediaType(std::string_view bytes) {
  if (bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
      static_cast<unsigned char>(bytes[1]) == 0xD8 && static_cast<unsigned char>(bytes[2]) == 0xFF) {
    return "image/jpeg";
  }
  if (bytes.substr(0, 5) == "%PDF-") return "application/pdf";
  // Refused, but named, so that the refusal can say what the file was.
  if (bytes.substr(0, 6) == "GIF87a" || bytes.substr(0, 6) == "GIF89a") return "image/gif";
  if (bytes.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return "image/png";
  return "application/octet-stream";
}

size_t ClearStagedUploads(const std::filesystem::path& data_dir) {
  size_t removed = 0;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator(data_dir / "uploads" / "staging", error)) {
    std::error_code ignored;
    if (entry.is_regular_file(ignored) && std::filesystem::remove(entry.path(), ignored)) {
      ++removed;
    }
  }
  return removed;
}

Result<std::filesystem::path> StageUpload(const std::filesystem::path& data_dir, std::string_view bytes) {
  static std::atomic<uint64_t> counter{0};
  const std::filesystem::path dir = data_dir / "uploads" / "staging";
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return Error{"cannot create " + dir.string() + ": " + error.message()};
  std::random_device random;
  const std::filesystem::path path =
      dir / (std::to_string(random()) + "-" + std::to_string(counter.fetch_add(1)));
  std::ofstream file(path, std::ios::binary);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  file.close();
  if (!file) return Error{"cannot write the upload"};
  if (Status synced = SyncPath(path); !synced.ok()) return synced.error();
  return path;
}

Result<KeptUpload> KeepUpload(const std::filesystem::path& data_dir,
                              const std::filesystem::path& staged, const std::string& sha256) {
  const std::filesystem::path dir = data_dir / "uploads" / sha256.substr(0, 2);
  std::error_code error;
  const bool made_folder = std::filesystem::create_directories(dir, error);
  if (error) return Error{"cannot create " + dir.string() + ": " + error.message()};
  KeptUpload kept{dir / sha256, std::filesystem::exists(dir / sha256, error), made_folder};
  std::filesystem::rename(staged, kept.path, error);  // same content, same name: replacing is harmless
  if (error) return Error{"cannot keep the upload: " + error.message()};
  if (Status synced = SyncPath(dir); !synced.ok()) return synced.error();
  return kept;
}

void TakeBackUpload(const KeptUpload& kept) {
  if (kept.already_kept) return;  // an accepted command of earlier names these bytes
  std::error_code ignored;
  std::filesystem::remove(kept.path, ignored);
  if (kept.made_folder) std::filesystem::remove(kept.path.parent_path(), ignored);  // when empty
}

}  // namespace mct::admin::server
