// Content-Type values read as RFC 9110 reads them (media_type.h): the media type and parameter
// names in any case, parameters in any order, values quoted or not.
#include "admin/server/media_type.h"

#include <gtest/gtest.h>

namespace mct::admin::server {
namespace {

TEST(MediaType, TheTypeIsLowerCaseWithoutItsParameters) {
  EXPECT_EQ(MediaTypeOf("Multipart/Form-Data; boundary=x"), "multipart/form-data");
  EXPECT_EQ(MediaTypeOf("  application/json  "), "application/json");
  EXPECT_EQ(MediaTypeOf(""), "");
}

TEST(MediaType, AParameterIsFoundInAnyCaseAndPlaceQuotedOrNot) {
  EXPECT_EQ(MediaTypeParameter("text/plain; charset=utf-8", "charset"), "utf-8");
  EXPECT_EQ(MediaTypeParameter("text/plain;CHARSET=UTF-8", "charset"), "UTF-8");
  EXPECT_EQ(MediaTypeParameter("a/b; x=1 ; y=\"two; 2\"", "y"), "two; 2");
  EXPECT_EQ(MediaTypeParameter("a/b; y=\"a \\\"quoted\\\" word\"", "y"), "a \"quoted\" word");
  EXPECT_EQ(MediaTypeParameter("a/b; x=1; x=2", "x"), "1");
  EXPECT_EQ(MediaTypeParameter("a/b;; x=1;", "x"), "1");
  EXPECT_EQ(MediaTypeParameter("a/b; x=1", "y"), std::nullopt);
  // Parameters that cannot be read are not guessed at.
  EXPECT_EQ(MediaTypeParameter("a/b; x=\"open", "x"), std::nullopt);
  EXPECT_EQ(MediaTypeParameter("a/b; novalue; x=1", "x"), std::nullopt);
  EXPECT_EQ(MediaTypeParameter("a/b; novalue; x=1", "novalue; x"), std::nullopt);
  EXPECT_EQ(MediaTypeParameter("a/b; novalue", "novalue"), std::nullopt);
  EXPECT_EQ(MediaTypeParameter("a/b; x=1 2", "x"), std::nullopt);
}

TEST(MediaType, JsonIsApplicationJsonInUtf8) {
  for (const char* json :
       {"application/json", "Application/JSON", "application/json;charset=UTF-8",
        "application/json; foo=bar; charset=\"utf-8\"", "application/json; charset=utf8"}) {
    EXPECT_TRUE(IsJson(json)) << json;
  }
  for (const char* other : {"application/jsonfoo", "text/json", "application/json; charset=latin1",
                            "application/x-www-form-urlencoded", ""}) {
    EXPECT_FALSE(IsJson(other)) << other;
  }
}

TEST(MediaType, MultipartFormDataIsRewrittenInOneForm) {
  EXPECT_EQ(CanonicalMultipartFormData("Multipart/Form-Data; BOUNDARY=abc"),
            "multipart/form-data; boundary=abc");
  EXPECT_EQ(CanonicalMultipartFormData("multipart/form-data; boundary=abc; charset=utf-8"),
            "multipart/form-data; boundary=abc");
  EXPECT_EQ(CanonicalMultipartFormData("multipart/form-data; charset=utf-8; boundary=\"abc\""),
            "multipart/form-data; boundary=abc");
  // RFC 2046 allows a space inside a boundary, which then has to stay quoted.
  EXPECT_EQ(CanonicalMultipartFormData("multipart/form-data; boundary=\"a b:c\""),
            "multipart/form-data; boundary=\"a b:c\"");
  // Sent unquoted by mail and HTTP clients although '=' is no token character.
  EXPECT_EQ(CanonicalMultipartFormData("multipart/form-data; boundary=----=_Part_0_1"),
            "multipart/form-data; boundary=\"----=_Part_0_1\"");
  EXPECT_EQ(CanonicalMultipartFormData("multipart/form-data"), std::nullopt);
  EXPECT_EQ(CanonicalMultipartFormData("multipart/form-data; boundary=\"\""), std::nullopt);
  EXPECT_EQ(CanonicalMultipartFormData("multipart/mixed; boundary=abc"), std::nullopt);
}

}  // namespace
}  // namespace mct::admin::server
