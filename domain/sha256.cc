#include "domain/sha256.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "domain/hex.h"

namespace mct::domain {

namespace {

// The digest fetched once: EVP_sha256() in an init looks the algorithm up in the providers again
// each time, which costs more than hashing an event.
const EVP_MD* Sha256Algorithm() {
  static EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return algorithm;
}

// One digest context per thread, reused: contexts are allocated, and a log append hashes every
// event.
class ThreadDigest {
 public:
  ThreadDigest() : context_(EVP_MD_CTX_new()) {}
  ~ThreadDigest() { EVP_MD_CTX_free(context_); }
  ThreadDigest(const ThreadDigest&) = delete;
  ThreadDigest& operator=(const ThreadDigest&) = delete;
  EVP_MD_CTX* get() const { return context_; }

 private:
  EVP_MD_CTX* context_;
};

}  // namespace

std::string Sha256Hex(std::initializer_list<std::string_view> parts) {
  thread_local ThreadDigest digest;
  std::array<unsigned char, EVP_MAX_MD_SIZE> bytes{};
  unsigned int length = 0;
  // Only a failed allocation inside OpenSSL makes these fail; a hash then never matches.
  EVP_DigestInit_ex(digest.get(), Sha256Algorithm(), nullptr);
  for (const std::string_view part : parts)
    EVP_DigestUpdate(digest.get(), part.data(), part.size());
  EVP_DigestFinal_ex(digest.get(), bytes.data(), &length);
  return HexOf(std::string_view(reinterpret_cast<const char*>(bytes.data()), length));
}

std::string Sha256Hex(std::string_view bytes) { return Sha256Hex({bytes}); }

Sha256Stream::Sha256Stream() : context_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(context_), Sha256Algorithm(), nullptr);
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_)); }

void Sha256Stream::Add(std::string_view bytes) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(context_), bytes.data(), bytes.size());
}

std::string Sha256Stream::FinishHex() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> bytes{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(context_), bytes.data(), &length);
  return HexOf(std::string_view(reinterpret_cast<const char*>(bytes.data()), length));
}

bool IsSha256Hex(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(),
                                          [](unsigned char c) { return std::isxdigit(c) != 0; });
}

}  // namespace mct::domain
