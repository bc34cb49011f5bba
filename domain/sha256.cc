#include "domain/sha256.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace mct::domain {

std::string Sha256Hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int index = 0; index < length; ++index) {
    out.push_back(kHex[digest[index] >> 4]);
    out.push_back(kHex[digest[index] & 0xF]);
  }
  return out;
}

bool IsSha256Hex(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](unsigned char c) {
           return std::isxdigit(c) != 0;
         });
}

}  // namespace mct::domain
