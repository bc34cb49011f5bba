// Sha256Hex over parts: the log's hash chain hashes a predecessor's hash and an encoding without
// joining them, and must give exactly the digest of the joined bytes.
#include "domain/sha256.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace mct::domain {
namespace {

TEST(Sha256Parts, EqualsTheDigestOfThePartsJoined) {
  EXPECT_EQ(Sha256Hex({"a", "b", "c"}),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string first(1000, 'x');
  const std::string second = "\x00\x01\xff tail";
  EXPECT_EQ(Sha256Hex({first, second}), Sha256Hex(first + second));
  EXPECT_EQ(Sha256Hex({"", first, ""}), Sha256Hex(first));
}

TEST(Sha256Parts, NoPartsIsTheDigestOfNothing) {
  EXPECT_EQ(Sha256Hex(std::initializer_list<std::string_view>{}),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex(""), Sha256Hex(std::initializer_list<std::string_view>{}));
}

// Each thread reuses one digest context: a digest never carries bytes over from the one before,
// on this thread or on others hashing at the same time.
TEST(Sha256Parts, ReusedContextsStartAfreshOnEveryThread) {
  const std::string expected = Sha256Hex("abc");
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (size_t thread = 0; thread < mismatches.size(); ++thread) {
    threads.emplace_back([&, thread] {
      for (int round = 0; round < 2000; ++round) {
        (void)Sha256Hex({std::string(static_cast<size_t>(round % 97), 'y'), "z"});
        if (Sha256Hex({"ab", "c"}) != expected) ++mismatches[thread];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const int count : mismatches) EXPECT_EQ(count, 0);
}

// The stream fed in pieces gives the digest of the pieces joined, and of nothing when fed none.
TEST(Sha256Stream, EqualsTheDigestOfWhatWasAdded) {
  Sha256Stream stream;
  stream.Add("a");
  stream.Add("");
  stream.Add("bc");
  EXPECT_EQ(stream.FinishHex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Stream().FinishHex(), Sha256Hex(""));
  Sha256Stream large;
  std::string joined;
  for (int piece = 0; piece < 100; ++piece) {
    const std::string bytes(static_cast<size_t>(piece * 7), static_cast<char>('a' + piece % 26));
    large.Add(bytes);
    joined += bytes;
  }
  EXPECT_EQ(large.FinishHex(), Sha256Hex(joined));
}

}  // namespace
}  // namespace mct::domain
