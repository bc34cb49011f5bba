#include "admin/server/uploads.h"

#include <atomic>
#include <fstream>
#include <random>

namespace mct::admin::server {

std::string SniffMediaType(std::string_view bytes) {
  if (bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
      static_cast<unsigned char>(bytes[1]) == 0xD8 && static_cast<unsigned char>(bytes[2]) == 0xFF) {
    return "image/jpeg";
  }
  if (bytes.substr(0, 5) == "%PDF-") return "application/pdf";
  return "application/octet-stream";
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
  return path;
}

Result<std::filesystem::path> KeepUpload(const std::filesystem::path& data_dir,
                                         const std::filesystem::path& staged,
                                         const std::string& sha256) {
  const std::filesystem::path dir = data_dir / "uploads" / sha256.substr(0, 2);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return Error{"cannot create " + dir.string() + ": " + error.message()};
  const std::filesystem::path target = dir / sha256;
  std::filesystem::rename(staged, target, error);  // same content, same name: replacing is harmless
  if (error) return Error{"cannot keep the upload: " + error.message()};
  return target;
}

}  // namespace mct::admin::server
