// /metrics after real commands: the families the dashboards read are there, commands are counted
// by command, outcome and rejection code, and no card number reaches the page (architecture
// invariant 8), whether the order was accepted or refused.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "tests/server/server_fixture.h"

namespace mct::admin::server::testing {
namespace {

Json CardOrder(const std::string& number, const std::string& key) {
  return {{"command", "PlaceOrder"},
          {"method", "credit_card"},
          {"card",
           {{"holder", "HANAKO SATO"},
            {"number", number},
            {"expiry", "2039-12"},
            {"security_code", "737"}}},
          {"payer_name", "HANAKO SATO"},
          {"confirmed", true},
          {"idempotency_key", key}};
}

TEST(Metrics, ScrapeAfterCommandsHasEveryFamilyAndNoCardNumber) {
  TestServer server;
  server.ToPayment(kOwn);
  // A refused card (Luhn), a malformed one, then the accepted order.
  const Answer refused =
      server.Command(kOwn, CardOrder("4111111111111112", "m-1"), server.OwnTrainer());
  EXPECT_EQ(refused.status, 422) << refused.Describe();
  EXPECT_EQ(refused.code(), "card_invalid");
  EXPECT_EQ(refused.body.find("4111111111111112"), std::string::npos) << refused.Describe();
  const Answer accepted =
      server.Command(kOwn, CardOrder("4111111111111111", "m-2"), server.OwnTrainer());
  ASSERT_EQ(accepted.status, 200) << accepted.Describe();
  EXPECT_EQ(accepted.body.find("4111111111111111"), std::string::npos)
      << "the answer echoes the number";
  // A card number where a field should not be (unknown field): refused, and not echoed.
  Json stray = CardOrder("5555555555554444", "m-3");
  stray["pan"] = "5555555555554444";
  const Answer unknown = server.Command(kOwn, stray, server.OwnTrainer());
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.body.find("5555555555554444"), std::string::npos) << unknown.Describe();
  // Well-formed JSON the rules find malformed (an order without its key): 400, counted invalid.
  Json keyless = CardOrder("4111111111111111", "m-4");
  keyless.erase("idempotency_key");
  EXPECT_EQ(server.Command(kOwn, keyless, server.OwnTrainer()).status, 400);
  server.CaughtUpChecksum();

  const Answer scraped = server.Get("/metrics");
  ASSERT_EQ(scraped.status, 200);
  EXPECT_EQ(scraped.content_type.rfind("text/plain", 0), 0u) << scraped.content_type;
  const std::string& page = scraped.body;
  for (const char* family :
       {"mct_commands_total", "mct_command_duration_seconds", "mct_append_batches_total",
        "mct_append_fsync_seconds_total", "mct_append_batch_size",
        "mct_append_fsync_duration_seconds", "mct_projection_lag_events",
        "mct_projection_lag_seconds", "mct_log_events", "mct_log_bytes",
        "mct_rebuild_progress_ratio", "mct_http_responses_total"}) {
    EXPECT_NE(page.find(std::string("# TYPE ") + family + " "), std::string::npos) << family << "\n"
                                                                                   << page;
  }
  // Commands by command, outcome and code.
  auto has_sample = [&page](const std::string& command, const std::string& outcome,
                            const std::string& code) {
    const std::regex line("(^|\n)mct_commands_total\\{[^}]*\\} [0-9.e+]+");
    for (auto it = std::sregex_iterator(page.begin(), page.end(), line);
         it != std::sregex_iterator(); ++it) {
      const std::string sample = it->str();
      if (sample.find("command=\"" + command + "\"") != std::string::npos &&
          sample.find("outcome=\"" + outcome + "\"") != std::string::npos &&
          sample.find("code=\"" + code + "\"") != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(has_sample("PlaceOrder", "accepted", "")) << page;
  EXPECT_TRUE(has_sample("PlaceOrder", "rejected", "card_invalid")) << page;
  EXPECT_TRUE(has_sample("PlaceOrder", "invalid", "invalid_input")) << page;
  EXPECT_FALSE(has_sample("PlaceOrder", "rejected", "invalid_input")) << page;
  EXPECT_TRUE(has_sample("EnrollTrainer", "accepted", "")) << page;
  EXPECT_NE(page.find("mct_command_duration_seconds_bucket{command=\"PlaceOrder\""),
            std::string::npos)
      << page;
  // Appends were synced and counted.
  const std::regex batches("\nmct_append_batches_total ([0-9.e+]+)");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(page, match, batches)) << page;
  EXPECT_GT(std::stod(match[1].str()), 0);
  EXPECT_NE(page.find("\nmct_projection_lag_events 0"), std::string::npos) << page;

  // Invariant 8: no card number, not even in part of a label, anywhere on the page.
  for (const std::string number : {"4111111111111111", "4111111111111112", "5555555555554444"}) {
    EXPECT_EQ(page.find(number), std::string::npos) << number << "\n" << page;
  }
}

// The value of the one sample of `family` whose labels are exactly `labels`, or -1.
double SampleValue(const std::string& page, const std::string& family, const std::string& labels) {
  const std::string prefix = "\n" + family + "{" + labels + "} ";
  const auto found = page.find(prefix);
  if (found == std::string::npos) return -1;
  return std::stod(page.substr(found + prefix.size()));
}

// Each label set keeps its own series however many commands share it: counts add up exactly.
TEST(Metrics, CountsEveryCommandInTheSeriesOfItsLabels) {
  TestServer server;
  server.Enroll("7000001");
  server.Enroll("7000002");
  server.Enroll("7000003");
  // EnrollTrainer again for an enrolled trainer: refused with its code, three times.
  std::string code;
  for (int round = 0; round < 3; ++round) {
    const Answer again =
        server.Command("7000001", TestServer::EnrollBody("7000001"), server.Support());
    ASSERT_EQ(again.status, 422) << again.Describe();
    code = again.code();
  }
  const Answer missing = server.Get("/v1/trainers/7000009", server.Support());
  ASSERT_EQ(missing.status, 404) << missing.Describe();
  const std::string page = server.Get("/metrics").body;
  EXPECT_EQ(SampleValue(page, "mct_commands_total",
                        "code=\"\",command=\"EnrollTrainer\",outcome=\"accepted\""),
            3)
      << page;
  EXPECT_EQ(SampleValue(page, "mct_commands_total",
                        "code=\"\",command=\"RecordCertification\",outcome=\"accepted\""),
            3)
      << page;
  EXPECT_EQ(SampleValue(page, "mct_commands_total",
                        "code=\"" + code + "\",command=\"EnrollTrainer\",outcome=\"rejected\""),
            3)
      << code << "\n"
      << page;
  EXPECT_EQ(SampleValue(page, "mct_command_duration_seconds_count", "command=\"EnrollTrainer\""), 6)
      << page;
  EXPECT_EQ(SampleValue(page, "mct_http_responses_total", "class=\"4xx\""), 4) << page;
  EXPECT_GE(SampleValue(page, "mct_http_responses_total", "class=\"2xx\""), 6) << page;
}

TEST(Metrics, TheLogHasNoCardNumberEither) {
  TestServer server;
  server.ToPayment(kOwn);
  ASSERT_EQ(server.Command(kOwn, CardOrder("4111111111111111", "n-1"), server.OwnTrainer()).status,
            200);
  const Answer exported = server.Get("/v1/export", server.Auditor());
  ASSERT_EQ(exported.status, 200) << exported.Describe();
  EXPECT_NE(exported.body.find("PaymentPlaced"), std::string::npos);
  EXPECT_NE(exported.body.find("\"card_last4\":\"1111\""), std::string::npos) << exported.body;
  EXPECT_EQ(exported.body.find("4111111111111111"), std::string::npos);
}

// Commands refused before they are decided are counted too, under the command the body names (or
// "unknown"), with the outcome "invalid"; they have no latency series.
TEST(Metrics, CountsCommandsRefusedAtTheDoor) {
  TestServer server;
  server.Enroll(kOwn);
  const std::string path = TestServer::CommandPath(kOwn);
  for (const std::string& body : {std::string(R"({"command":"StartRenewal","x":1})"),
                                  std::string(R"({"command":"StartRenewal","command":"StartRenewal"})"),
                                  std::string(R"({"command":"NoSuchCommand"})"), std::string("{")}) {
    ASSERT_EQ(server.Post(path, body, "application/json", server.Support()).status, 400) << body;
  }
  // Refused from the head, the body unread: over the limit, and chunked.
  ASSERT_EQ(server.Post(path, std::string(64 * 1024 + 1, ' '), "application/json", server.Support())
                .status,
            413);
  ASSERT_EQ(
      server
          .PostChunked(path, R"({"command":"StartRenewal"})", "application/json", server.Support())
          .status,
      411);
  const std::string page = server.Get("/metrics").body;
  EXPECT_EQ(SampleValue(page, "mct_commands_total",
                        "code=\"invalid_input\",command=\"StartRenewal\",outcome=\"invalid\""),
            1)
      << page;  // the key given twice names no command for sure: unknown
  EXPECT_EQ(SampleValue(page, "mct_commands_total",
                        "code=\"invalid_input\",command=\"unknown\",outcome=\"invalid\""),
            5)
      << page;
  EXPECT_EQ(page.find("mct_command_duration_seconds_count{command=\"unknown\"}"), std::string::npos);
}

// The group commits' histograms count every batch the counters count.
TEST(Metrics, BatchSizesAndSyncTimesAreHistogramsOfEveryGroupCommit) {
  TestServer server;
  for (const char* mcid : {"7000011", "7000012", "7000013", "7000014"}) server.Enroll(mcid);
  const std::string page = server.Get("/metrics").body;
  const std::regex batches("\nmct_append_batches_total ([0-9.e+]+)");
  const std::regex requests("\nmct_append_requests_total ([0-9.e+]+)");
  std::smatch batches_match;
  std::smatch requests_match;
  ASSERT_TRUE(std::regex_search(page, batches_match, batches)) << page;
  ASSERT_TRUE(std::regex_search(page, requests_match, requests)) << page;
  const double batch_count = std::stod(batches_match[1].str());
  EXPECT_GE(batch_count, 1);
  EXPECT_EQ(SampleValue(page, "mct_append_batch_size_count", ""), -1);  // no label set at all
  const auto value_of = [&page](const std::string& name) {
    const auto found = page.find("\n" + name + " ");
    return found == std::string::npos ? -1.0 : std::stod(page.substr(found + name.size() + 2));
  };
  EXPECT_EQ(value_of("mct_append_batch_size_count"), batch_count) << page;
  EXPECT_EQ(value_of("mct_append_batch_size_sum"), std::stod(requests_match[1].str())) << page;
  EXPECT_EQ(value_of("mct_append_fsync_duration_seconds_count"), batch_count) << page;
  EXPECT_NE(page.find("mct_append_batch_size_bucket{le=\"1\"}"), std::string::npos) << page;
}

}  // namespace
}  // namespace mct::admin::server::testing
