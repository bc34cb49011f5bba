// Bytes as text: the hex of hashes and tokens, and bytes quoted safely in messages.
#include "domain/hex.h"

#include <gtest/gtest.h>

#include <string>

namespace mct::domain {
namespace {

TEST(HexOf, WritesTwoLowercaseDigitsPerByteInOrder) {
  EXPECT_EQ(HexOf(""), "");
  EXPECT_EQ(HexOf(std::string("\x00\x01\x7f\x80\xab\xff", 6)), "00017f80abff");
  EXPECT_EQ(HexOf("MCT"), "4d4354");
}

TEST(HexOf, EveryByteValueRoundTrips) {
  std::string every;
  for (int value = 0; value < 256; ++value) every.push_back(static_cast<char>(value));
  const std::string hex = HexOf(every);
  ASSERT_EQ(hex.size(), 512u);
  for (int value = 0; value < 256; ++value) {
    EXPECT_EQ(std::stoi(hex.substr(static_cast<size_t>(value) * 2, 2), nullptr, 16), value);
  }
  EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(Printable, KeepsPrintableAsciiAndEscapesEveryOtherByte) {
  EXPECT_EQ(Printable("MCT 1234-x"), "MCT 1234-x");
  EXPECT_EQ(Printable(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(Printable("tab\there\n"), "tab\\x09here\\x0a");
  EXPECT_EQ(Printable("\x7f\xc3\xa9"), "\\x7f\\xc3\\xa9") << "DEL and UTF-8 bytes are escaped too";
}

// A-Z only: other bytes, UTF-8 included, are left as they are (e-mail keys, digests, fingerprints).
TEST(AsciiLowercase, LowersAToZAndNothingElse) {
  EXPECT_EQ(AsciiLowercase("AbC-XYZ@Example.JP 09"), "abc-xyz@example.jp 09");
  EXPECT_EQ(AsciiLowercase("\xC3\x89T\xC3\x89"), "\xC3\x89t\xC3\x89");
  EXPECT_EQ(AsciiLowercase(""), "");
}

}  // namespace
}  // namespace mct::domain
