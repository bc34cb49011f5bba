// The shape of an e-mail address (EnrollTrainer, the billing address, the exception's manager):
// one word with one '@' and a domain of non-empty labels. Regression: an address with a NUL, a
// line separator or an empty domain label was taken, and `mctctl lookup` then kept it apart from
// the address it hid.
#include "domain/input_checks.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace mct::domain {
namespace {

TEST(LooksLikeEmail, TakesOrdinaryAddresses) {
  for (const std::string address :
       {"hanako@example.jp", "hanako.sato+mct@mail.example.co.jp", "a@b.co", "花子@例え.jp"}) {
    EXPECT_TRUE(LooksLikeEmail(address)) << address;
  }
}

TEST(LooksLikeEmail, RefusesWhatIsNotOneAddress) {
  using namespace std::string_literals;  // NOLINT(google-build-using-namespace)
  for (const std::string& address : std::initializer_list<std::string>{
           "", "hanako", "@example.jp", "hanako@", "hanako@example", "a@b@example.jp",
           "hanako@example..jp", "hanako@.example.jp", "hanako@example.jp.", "hanako @example.jp",
           "hanako@example.jp\n", "hanako@example.jp\t", "x@y.com\0evil"s, "x@y.com\x7f",
           "x@y.com\xc2\x85", "x@y.com\xe2\x80\xa8", "x@y.com\xe2\x80\xa9"}) {
    EXPECT_FALSE(LooksLikeEmail(address)) << address;
  }
}

}  // namespace
}  // namespace mct::domain
