// SHA-256 as lowercase hex, for the FTE code hash (PROF-2) and the log's hash chain.
// Pure computation on OpenSSL's libcrypto; safe from any thread.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace mct::domain {

std::string Sha256Hex(std::string_view bytes);
// The SHA-256 of `parts` one after the other, without joining them first.
std::string Sha256Hex(std::initializer_list<std::string_view> parts);

// SHA-256 fed in pieces, for input too long to hold at once (the log's checkpoint digest).
// One per use; not shared between threads.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void Add(std::string_view bytes);
  // The digest of everything added, as lowercase hex; the stream is spent.
  std::string FinishHex();

 private:
  void* context_;  // EVP_MD_CTX, kept out of this header
};

// True when `text` is 64 lowercase or uppercase hex digits.
bool IsSha256Hex(std::string_view text);

}  // namespace mct::domain
