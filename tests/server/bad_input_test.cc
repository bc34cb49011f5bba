// Architecture invariant 9 on the commands route: bad input is refused with a clear error and
// changes nothing. For every command name, malformed, truncated, oversized and hostile bodies
// (wrong types, huge numbers, deep nesting, invalid UTF-8, NUL bytes, unknown fields, wrong
// content types, an empty body, an array or a string instead of an object) each get a 4xx with a
// JSON {"code", "message"} (a key given twice included); after each command's batch the server still answers /healthz, and the
// log and the read models are as they were.
#include <gtest/gtest.h>

#include <cctype>
#include <iostream>
#include <string>
#include <vector>

#include "domain/roles.h"
#include "tests/server/server_fixture.h"

namespace mct::admin::server::testing {
namespace {

struct BadBody {
  std::string what;
  std::string body;
  std::string content_type = "application/json";
  std::string must_name;  // a word the message must contain, if any
  std::string path;       // another path than the own trainer's commands route
};

// `sample` with `key` set to the raw JSON text `raw` (which need not be valid JSON).
std::string WithRaw(const Json& sample, const std::string& key, const std::string& raw) {
  Json copy = sample;
  copy[key] = "@@RAW@@";
  std::string text = copy.dump();
  const auto at = text.find("\"@@RAW@@\"");
  return text.replace(at, 9, raw);
}

// A value of another type than `like`.
Json WrongTypeFor(const Json& like) {
  if (like.is_string()) return 12345;
  if (like.is_boolean()) return "yes";
  if (like.is_number()) return "12";
  if (like.is_object()) return "an object was expected";
  return Json::array({1, 2});
}

std::vector<BadBody> BadBodiesFor(std::string_view name) {
  const Json sample = SampleCommand(name);
  const std::string valid = sample.dump();
  std::vector<BadBody> out;
  auto add = [&out](std::string what, std::string body, std::string must_name = "") {
    out.push_back({std::move(what), std::move(body), "application/json", std::move(must_name), ""});
  };

  // Not an object, or nothing at all.
  add("empty body", "");
  add("whitespace only", "  \n\t ");
  add("null", "null");
  add("a JSON array", "[" + valid + "]");
  add("a JSON string", "\"" + std::string(name) + "\"");
  add("a number", "42");
  add("true", "true");
  // Malformed and truncated.
  add("truncated in half", valid.substr(0, valid.size() / 2));
  add("last brace missing", valid.substr(0, valid.size() - 1));
  add("trailing garbage", valid + "}");
  add("two objects", valid + valid);
  add("single quotes", "{'command': '" + std::string(name) + "'}");
  add("bare word", "{command: " + std::string(name) + "}");
  add("trailing comma", valid.substr(0, valid.size() - 1) + ",}");
  add("comment", "/* hi */" + valid);
  // The command itself.
  add("no command", R"({"command_id": "x"})", "command");
  add("command of the wrong type", WithRaw(sample, "command", "7"), "command");
  add("unknown command", WithRaw(sample, "command", "\"" + std::string(name) + "X\""), "command");
  std::string lower(name);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  add("command in lower case", WithRaw(sample, "command", "\"" + lower + "\""), "command");
  add("escaped NUL in the command name", WithRaw(sample, "command", "\"" + std::string(name) + "\\u0000\""),
      "command");
  add("command_id of the wrong type", WithRaw(sample, "command_id", "12"), "command_id");
  add("empty command_id", WithRaw(sample, "command_id", "\"\""), "command_id");
  // Unknown fields, and the fields the server sets.
  add("unknown field", WithRaw(sample, "x_unknown_field", "1"), "x_unknown_field");
  add("unknown nested field", WithRaw(sample, "card_number", "\"4111111111111111\""), "card_number");
  add("mcid in the body", WithRaw(sample, "mcid", "\"1000001\""), "mcid");
  add("at in the body", WithRaw(sample, "at", "\"2017-03-01T09:00:00Z\""), "at");
  add("actor in the body", WithRaw(sample, "actor", R"({"role":"support","id":"x"})"), "actor");
  // A key given twice: which one was meant is open (RFC 8259), so neither is taken.
  add("command given twice", "{\"command\":\"" + std::string(name) + "\"," + valid.substr(1),
      "command");
  add("command_id given twice",
      WithRaw(sample, "command_id", "\"a\",\"command_id\":\"b\""), "command_id");
  {
    const std::string first_member = Json{{sample.begin().key(), sample.begin().value()}}.dump();
    add("a field given twice, the same value",
        valid.substr(0, valid.size() - 1) + "," + first_member.substr(1), sample.begin().key());
  }
  // Huge numbers and deep nesting, where they do not belong.
  add("1e400 as command_id", WithRaw(sample, "command_id", "1e400"));
  add("-1e400 in an unknown field", WithRaw(sample, "big", "-1e400"));
  add("99999999999999999999999 as command_id", WithRaw(sample, "command_id", "99999999999999999999999"));
  add("nested 30000 deep, unclosed", std::string(30000, '['));
  add("nested 30000 deep, closed", std::string(30000, '[') + std::string(30000, ']'));
  add("nested 20000 deep as command_id",
      WithRaw(sample, "command_id", std::string(20000, '[') + std::string(20000, ']')));
  add("objects nested 10000 deep", [] {
    std::string text;
    for (int i = 0; i < 10000; ++i) text += "{\"a\":";
    text += "1";
    text += std::string(10000, '}');
    return text;
  }());
  // Invalid UTF-8 and NUL bytes.
  add("invalid UTF-8 in a value", WithRaw(sample, "command_id", "\"\xFF\xFE\xFD\""));
  add("overlong UTF-8 in a value", WithRaw(sample, "command_id", "\"\xC0\xAF\""));
  add("truncated UTF-8 sequence", WithRaw(sample, "command_id", "\"\xE3\x81\""));
  add("lone surrogate escape", WithRaw(sample, "command_id", "\"\\ud800\""));
  add("invalid UTF-8 in a key", valid.substr(0, valid.size() - 1) + ",\"\xFF\":1}");
  add("invalid UTF-8 outside strings", "\xFF" + valid);
  add("NUL byte after the object", valid + std::string(1, '\0'));
  add("NUL byte then garbage", valid + std::string(1, '\0') + "garbage");
  add("NUL byte inside a string", WithRaw(sample, "command_id", std::string("\"a\0b\"", 5)));
  add("NUL byte alone", std::string(1, '\0'));
  add("byte order mark then NUL", "\xEF\xBB\xBF" + std::string(1, '\0'));

  // Every field of the command: of the wrong type, a huge number, nested deep, invalid UTF-8.
  for (const auto& [key, value] : sample.items()) {
    if (key == "command") continue;
    add("wrong type for " + key, WithRaw(sample, key, WrongTypeFor(value).dump()), key);
    add("null for " + key, WithRaw(sample, key, "null"));
    add("1e400 for " + key, WithRaw(sample, key, "1e400"));
    if (!value.is_number_float()) {  // a huge float is a fine survey score (REQ-3: no bound)
      add("99999999999999999999999 for " + key, WithRaw(sample, key, "99999999999999999999999"), key);
      add("-99999999999999999999999 for " + key, WithRaw(sample, key, "-99999999999999999999999"), key);
    }
    add("array 5000 deep for " + key,
        WithRaw(sample, key, std::string(5000, '[') + std::string(5000, ']')), key);
    add("invalid UTF-8 for " + key, WithRaw(sample, key, "\"\xC3\x28\""));
  }

  // Oversized (64 KiB limit): padded with a field, and with one huge string.
  add("oversized with an unknown field", WithRaw(sample, "padding", "\"" + std::string(70 * 1024, 'p') + "\""));
  add("oversized whitespace", valid + std::string(70 * 1024, ' '));
  // Wrong content types for a valid body.
  for (const std::string type : {"text/plain", "application/x-www-form-urlencoded", "text/json",
                                 "multipart/form-data; boundary=xyz", "application/octet-stream",
                                 "application/jsonfoo", "application/json-seq"}) {
    out.push_back({"content type " + type, valid, type, "", ""});
  }
  out.push_back({"no content type", valid, "", "", ""});
  // A malformed MCID in the path with a valid body.
  for (const std::string mcid : {"abc", "12", "12345678901", "0x1000001"}) {
    out.push_back({"path MCID " + mcid, valid, "application/json", "mcid", TestServer::CommandPath(mcid)});
  }
  return out;
}

// Who sends the bad bodies: a role that may send the command, so the role is never the reason.
const std::string& SenderOf(const TestServer& server, std::string_view name) {
  if (domain::RoleMaySend(domain::Role::kSupport, name)) return server.Support();
  if (domain::RoleMaySend(domain::Role::kSystem, name)) return server.System();
  return server.OwnTrainer();
}

TEST(BadInput, EveryCommandRefusesBadBodiesAndNothingChanges) {
  TestServer server;
  server.Enroll(kOwn);
  int sent = 0;
  for (const std::string_view name : domain::AllCommandNames()) {
    SCOPED_TRACE(std::string(name));
    const uint64_t head = server.store().log->Head();
    const std::string checksum = server.CaughtUpChecksum();
    const auto stream = server.Stream(kOwn).size();
    for (const BadBody& bad : BadBodiesFor(name)) {
      SCOPED_TRACE(bad.what);
      const std::string path = bad.path.empty() ? TestServer::CommandPath(kOwn) : bad.path;
      const Answer answer = server.Post(path, bad.body, bad.content_type, SenderOf(server, name));
      ++sent;
      ASSERT_NE(answer.status, 0) << answer.Describe();
      EXPECT_GE(answer.status, 400) << answer.Describe();
      EXPECT_LT(answer.status, 500) << answer.Describe();
      ASSERT_TRUE(answer.json.is_object()) << answer.Describe();
      EXPECT_FALSE(answer.code().empty()) << answer.Describe();
      EXPECT_FALSE(answer.message().empty()) << answer.Describe();
      // UploadMtmReport is refused on this route whatever its fields (its route is the upload).
      if (!bad.must_name.empty() && name != "UploadMtmReport") {
        EXPECT_NE(answer.message().find(bad.must_name), std::string::npos)
            << "the message should name " << bad.must_name << ": " << answer.Describe();
      }
    }
    EXPECT_EQ(server.Get("/healthz").status, 200);
    EXPECT_EQ(server.store().log->Head(), head);
    EXPECT_EQ(server.Stream(kOwn).size(), stream);
    EXPECT_EQ(server.CaughtUpChecksum(), checksum);
  }
  std::cout << sent << " bad bodies refused\n";
}

// The statuses of the main kinds, beyond "some 4xx".
TEST(BadInput, EachKindGetsItsStatus) {
  TestServer server;
  server.Enroll(kOwn);
  const std::string path = TestServer::CommandPath(kOwn);
  const std::string valid = SampleCommand("StartRenewal").dump();
  EXPECT_EQ(server.Post(path, "", "application/json", server.Support()).status, 400);
  EXPECT_EQ(server.Post(path, "[]", "application/json", server.Support()).status, 400);
  EXPECT_EQ(server.Post(path, valid + std::string(1, '\0'), "application/json", server.Support()).status, 400);
  EXPECT_EQ(server.Post(path, valid, "text/plain", server.Support()).status, 415);
  EXPECT_EQ(server.Post(path, WithRaw(SampleCommand("StartRenewal"), "pad", "\"" + std::string(65 * 1024, 'p') + "\""),
                        "application/json", server.Support())
                .status,
            413);
  // The same valid body is accepted: the refusals above were for the input alone.
  EXPECT_EQ(server.Post(path, valid, "application/json", server.Support()).status, 200);
}

}  // namespace
}  // namespace mct::admin::server::testing
