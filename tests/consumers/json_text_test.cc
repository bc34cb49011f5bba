// ParseJsonText (json_text.h): JSON from outside, read strictly.
#include "consumers/json_text.h"

#include <gtest/gtest.h>

#include <string>

namespace mct::consumers {
namespace {

TEST(JsonText, ReadsAValidText) {
  const auto parsed = ParseJsonText(R"({"command":"StartRenewal","card":{"number":"4111"},"a":[{"x":1},{"x":2}]})");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed.value().at("card").at("number"), "4111");
  EXPECT_EQ(parsed.value().at("a").size(), 2u);  // the same key in two objects is no duplicate
}

TEST(JsonText, RefusesAKeyGivenTwiceAndNamesItsPath) {
  struct Case {
    const char* text;
    const char* path;
  };
  for (const Case& c : {Case{R"({"command":"StartRenewal","command":"ApplyAlumni"})", "command"},
                        Case{R"({"a":1,"b":2,"a":1})", "a"},
                        Case{R"({"card":{"number":"1","number":"2"}})", "card.number"},
                        Case{R"({"events":[{"x":1},{"x":1,"x":2}]})", "events[].x"},
                        Case{R"([{"k":1,"k":1}])", "[].k"}}) {
    const auto parsed = ParseJsonText(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.error().message, std::string(c.path) + ": given twice") << c.text;
  }
}

TEST(JsonText, RefusesANulByteAnywhere) {
  for (const std::string& text :
       {std::string("{}\0", 3), std::string("{\"a\":\"x\0y\"}", 11), std::string(1, '\0')}) {
    const auto parsed = ParseJsonText(text);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().message, "it holds a NUL byte");
  }
}

TEST(JsonText, SaysWhereASyntaxErrorIs) {
  const auto parsed = ParseJsonText(R"({"a":1,})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message.rfind("at column 8", 0), 0u) << parsed.error().message;
  const auto huge = ParseJsonText(R"({"a":1e400})");
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().message, "number overflow parsing '1e400'");
  EXPECT_FALSE(ParseJsonText("").ok());
  EXPECT_FALSE(ParseJsonText("{} {}").ok());
}

// Regression: the message quoted the token the parser stopped in ("last read: '...'"), so a
// card number in a string never closed was echoed back in the 400's message.
TEST(JsonText, ASyntaxErrorIsPlacedWithoutQuotingTheBody) {
  for (const std::string text :
       {R"({"card":{"number":"4111111111111111)", R"({"card":{"number":4111111111111111x}})",
        "{\"number\":\"4111111111111111\x01\"}", R"({"n":"x'; 4111111111111111)",
        R"({"n":"x'; expected 4111111111111111)"}) {
    SCOPED_TRACE(text);
    const auto parsed = ParseJsonText(text);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().message.find("4111"), std::string::npos) << parsed.error().message;
    EXPECT_EQ(parsed.error().message.rfind("at column ", 0), 0u) << parsed.error().message;
  }
  // What nlohmann expected is kept: it is one of its own names, not the body's.
  const auto missing_colon = ParseJsonText(R"({"a" 1})");
  ASSERT_FALSE(missing_colon.ok());
  EXPECT_EQ(missing_colon.error().message.substr(missing_colon.error().message.size() - 14),
            "; expected ':'")
      << missing_colon.error().message;
}

}  // namespace
}  // namespace mct::consumers
