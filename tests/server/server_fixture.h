// Support for the tests of mctd's HTTP API: a real HttpApi served in-process on 127.0.0.1 (port 0)
// over a Store in a fresh data directory, a bearer token for each role, small HTTP helpers, and one
// well-formed body per command (valid JSON that passes the input checks, so what the server answers
// is decided by the role table and the rules, not by the input).
//
// The server stamps `at` with the real clock, so dates here are counted from today.
//
// Test-only. A TestServer is driven from the test's thread; its HTTP helpers open a client of
// their own per call and may be called from any thread.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <rocksdb/db.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "admin/cli.h"
#include "admin/server/http_api.h"
#include "admin/server/metrics.h"
#include "admin/server/tokens.h"
#include "admin/store.h"
#include "consumers/keys.h"
#include "domain/roles.h"
#include "tests/consumers/store_support.h"

namespace mct::admin::server::testing {

using Json = nlohmann::json;

inline constexpr const char* kOwn = "1000001";    // the trainer whose own token is "trainer (own)"
inline constexpr const char* kOther = "1000002";  // the trainer whose token is "trainer (other)"

// Today (UTC) moved by `days`, as YYYY-MM-DD.
inline std::string Day(int days) { return Now().date().AddDays(days).ToString(); }

// Who calls: a role with an actor id and its token, or no role (no token, or a bad one).
struct Caller {
  std::string name;
  std::optional<domain::Role> role;
  std::string id;
  std::string token;
};

// One HTTP answer; `status` is 0 when no answer came (connection refused or reset, time-out).
struct Answer {
  int status = 0;
  std::string body;
  std::string content_type;
  httplib::Headers headers;
  std::string transport_error;
  Json json;  // the body parsed, or discarded when it is not JSON

  std::string code() const {
    return json.is_object() && json.contains("code") && json["code"].is_string()
               ? json["code"].get<std::string>()
               : "";
  }
  std::string message() const {
    return json.is_object() && json.contains("message") && json["message"].is_string()
               ? json["message"].get<std::string>()
               : "";
  }
  // What a failed assertion prints.
  std::string Describe() const {
    if (status == 0) return "no answer (" + transport_error + ")";
    return std::to_string(status) + " " + body.substr(0, 400);
  }
};

struct ServerConfig {
  double rate_per_second = 0;  // no limit unless a test asks for one
  double rate_burst = 0;
  size_t max_body_bytes = 64 * 1024;
  size_t max_upload_bytes = 10 * 1024 * 1024;
  int worker_threads = 64;
  std::chrono::milliseconds read_wait = kDefaultReadWait;
  std::chrono::milliseconds export_stop_grace = std::chrono::seconds(10);
  std::chrono::milliseconds stalled_send_timeout = std::chrono::seconds(10);
  std::filesystem::path web_root;  // the web pages; empty: none served
  // Run on the empty data directory before the server opens it (a store left by another build).
  std::function<void(const std::filesystem::path& data_dir)> prepare;
  // Opens as mctd does, leaving read models of another layout for HttpApi::RebuildOtherLayout.
  bool leave_other_layout = false;
};

// Makes `store`'s read models read as a build of layout 1 wrote them (the record of
// read_models.h: the generation, then its layout): the next writable open finds them to rebuild.
inline void RecordAnOlderLayout(Store& store) {
  std::string record;
  consumers::keys::PutBigEndian64(&record, store.models->Current()->number);
  consumers::keys::PutBigEndian64(&record, 1);
  const auto put =
      store.db->db()->Put(rocksdb::WriteOptions(), store.db->meta(), "readmodels/layout", record);
  if (!put.ok()) throw std::runtime_error(put.ToString());
}

class TestServer {
 public:
  explicit TestServer(ServerConfig config = {}) : dir_("server") {
    spdlog::set_level(spdlog::level::warn);  // one line per request is noise in a test log
    if (config.prepare) config.prepare(dir_.path());
    auto opened = config.leave_other_layout ? Store::OpenLeavingOtherLayout(dir_.path())
                                            : Store::Open(dir_.path());
    if (!opened.ok()) throw std::runtime_error(opened.error().message);
    store_ = std::move(opened).value();
    for (const auto& [name, role, id] :
         std::vector<std::tuple<std::string, domain::Role, std::string>>{
             {"trainer (own)", domain::Role::kTrainer, kOwn},
             {"trainer (other)", domain::Role::kTrainer, kOther},
             {"support", domain::Role::kSupport, "support-1"},
             {"system", domain::Role::kSystem, "member-site"},
             {"auditor", domain::Role::kAuditor, "auditor-1"}}) {
      auto token = TokenStore::Add(dir_.path(), role, id);
      if (!token.ok()) throw std::runtime_error(token.error().message);
      callers_.push_back({name, role, id, token.value()});
    }
    tokens_ = std::make_unique<TokenStore>(dir_.path());
    ApiOptions options;
    options.data_dir = dir_.path();
    options.max_body_bytes = config.max_body_bytes;
    options.max_upload_bytes = config.max_upload_bytes;
    options.rate_per_second = config.rate_per_second;
    options.rate_burst = config.rate_burst;
    options.worker_threads = config.worker_threads;
    options.read_wait = config.read_wait;
    options.export_stop_grace = config.export_stop_grace;
    options.stalled_send_timeout = config.stalled_send_timeout;
    options.web_root = config.web_root;
    api_ = std::make_unique<HttpApi>(*store_, *tokens_, metrics_, options, [] {});
    auto bound = api_->Bind("127.0.0.1", 0);
    if (!bound.ok()) throw std::runtime_error(bound.error().message);
    port_ = bound.value();
    serving_ = std::thread([this] { api_->Serve(); });
    // Stop before the server runs would be lost: wait until it answers.
    for (int attempt = 0; attempt < 500; ++attempt) {
      if (Get("/healthz").status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    api_->set_ready(true);
  }
  ~TestServer() { Stop(); }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  // Stops accepting, lets in-flight requests finish, and waits for Serve to return.
  void Stop() {
    if (!serving_.joinable()) return;
    api_->Stop();
    serving_.join();
  }
  // Stop from another thread while the caller goes on; Join waits for Serve to return.
  void StopAsync() { api_->Stop(); }
  void Join() {
    if (serving_.joinable()) serving_.join();
  }

  int port() const { return port_; }
  // What /readyz answers: ready (the default once started), or 503 not_ready.
  void SetReady(bool ready) { api_->set_ready(ready); }
  const std::filesystem::path& data_dir() const { return dir_.path(); }
  Store& store() { return *store_; }
  HttpApi& api() { return *api_; }
  Metrics& metrics() { return metrics_; }

  // Every role's caller, then "no token" and "bad token".
  std::vector<Caller> Callers() const {
    std::vector<Caller> out = callers_;
    out.push_back({"no token", std::nullopt, "", ""});
    out.push_back({"bad token", std::nullopt, "",
                   "mct_00000000000000000000000000000000000000000000000000000000deadbeef"});
    return out;
  }
  const std::string& Token(std::string_view name) const {
    for (const auto& caller : callers_) {
      if (caller.name == name) return caller.token;
    }
    throw std::invalid_argument("no caller " + std::string(name));
  }
  const std::string& Support() const { return Token("support"); }
  const std::string& System() const { return Token("system"); }
  const std::string& Auditor() const { return Token("auditor"); }
  const std::string& OwnTrainer() const { return Token("trainer (own)"); }

  // --- HTTP ---------------------------------------------------------------------------------

  std::unique_ptr<httplib::Client> Client() const {
    auto client = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client->set_connection_timeout(std::chrono::seconds(5));
    client->set_read_timeout(std::chrono::seconds(60));
    client->set_write_timeout(std::chrono::seconds(60));
    return client;
  }
  static httplib::Headers Auth(const std::string& token, httplib::Headers headers = {}) {
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return headers;
  }
  static Answer Read(const httplib::Result& result) {
    Answer answer;
    if (!result) {
      answer.transport_error = httplib::to_string(result.error());
      return answer;
    }
    answer.status = result->status;
    answer.body = result->body;
    answer.content_type = result->get_header_value("Content-Type");
    answer.headers = result->headers;
    answer.json = Json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
    return answer;
  }

  Answer Get(const std::string& path, const std::string& token = "") const {
    return Read(Client()->Get(path, Auth(token)));
  }
  Answer Post(const std::string& path, const std::string& body, const std::string& content_type,
              const std::string& token, httplib::Headers headers = {}) const {
    return Read(Client()->Post(path, Auth(token, std::move(headers)), body, content_type));
  }
  // `body` sent with Transfer-Encoding: chunked, no length ahead.
  Answer PostChunked(const std::string& path, const std::string& body,
                     const std::string& content_type, const std::string& token) const {
    return Read(Client()->Post(
        path, Auth(token),
        [body](size_t, httplib::DataSink& sink) {
          sink.write(body.data(), body.size());
          sink.done();
          return true;
        },
        content_type));
  }
  Answer PostMultipart(const std::string& path, const httplib::MultipartFormDataItems& items,
                       const std::string& token) const {
    return Read(Client()->Post(path, Auth(token), items));
  }
  // One command as JSON to /v1/trainers/{mcid}/commands.
  Answer Command(const std::string& mcid, const Json& body, const std::string& token,
                 httplib::Headers headers = {}) const {
    return Post(CommandPath(mcid), body.dump(), "application/json", token, std::move(headers));
  }
  static std::string CommandPath(const std::string& mcid) { return "/v1/trainers/" + mcid + "/commands"; }
  static std::string UploadPath(const std::string& mcid) { return "/v1/trainers/" + mcid + "/mtm-report"; }

  // --- Trainers -------------------------------------------------------------------------------

  // The EnrollTrainer command Enroll sends for `mcid`.
  static Json EnrollBody(const std::string& mcid, int anniversary_in_days = 30) {
    return {{"command", "EnrollTrainer"},
            {"name", "Trainer " + mcid},
            {"email", "trainer" + mcid + "@example.jp"},
            {"anniversary", Day(anniversary_in_days)}};
  }
  // Enrolls `mcid` (support) with an anniversary 30 days ahead (TIME-1: the window is open) and an
  // IT Pro certification (system).
  void Enroll(const std::string& mcid, int anniversary_in_days = 30) const {
    Expect200(Command(mcid, EnrollBody(mcid, anniversary_in_days), Support()),
              "EnrollTrainer " + mcid);
    Expect200(Command(mcid,
                      {{"command", "RecordCertification"},
                       {"certification_id", "CERT-" + mcid},
                       {"track", "it_pro"}},
                      System()),
              "RecordCertification " + mcid);
  }
  // Enrolls `mcid` and brings it to the requirements step: a survey in the cycle (REQ-2), then
  // StartRenewal and a freelance profile (PROF-1) sent by support (ROLE-2).
  void ToRequirements(const std::string& mcid) const {
    Enroll(mcid);
    Expect200(Command(mcid,
                      {{"command", "RecordMtmSurvey"},
                       {"course_name", "20410D"},
                       {"course_date", Day(-10)},
                       {"average_score", 8.5}},
                      System()),
              "RecordMtmSurvey " + mcid);
    Expect200(Command(mcid, {{"command", "StartRenewal"}}, Support()), "StartRenewal " + mcid);
    Expect200(Command(mcid,
                      {{"command", "ChooseProfile"}, {"employer_type", "freelance"}, {"track", "it_pro"}},
                      Support()),
              "ChooseProfile " + mcid);
  }
  // ToRequirements, then requirements, terms and billing: ready to place an order.
  void ToPayment(const std::string& mcid) const {
    ToRequirements(mcid);
    Expect200(Command(mcid, {{"command", "ConfirmRequirements"}}, Support()), "ConfirmRequirements");
    Expect200(Command(mcid,
                      {{"command", "AcceptTerms"}, {"accept_terms", true}, {"accept_payment_redirect", true}},
                      Support()),
              "AcceptTerms");
    Json billing = BillingFields();
    billing["command"] = "EnterBillingAddress";
    Expect200(Command(mcid, billing, Support()), "EnterBillingAddress");
  }

  static Json BillingFields() {
    return {{"first_name", "Hanako"},       {"last_name", "Sato"},
            {"email", "hanako@example.jp"}, {"email_confirmation", "hanako@example.jp"},
            {"phone", "+81-3-1234-5678"},   {"address1", "1-2-3 Shinjuku"},
            {"address2", "Room 405"},       {"city", "Shinjuku-ku"},
            {"state", "Tokyo"},             {"postal_code", "160-0022"},
            {"country", "JP"}};
  }

  // The read models brought up to the log, and their checksum.
  std::string CaughtUpChecksum() {
    auto caught_up = store_->runner->CatchUp();
    if (!caught_up.ok()) throw std::runtime_error(caught_up.error().message);
    auto checksum = store_->models->Checksum();
    if (!checksum.ok()) throw std::runtime_error(checksum.error().message);
    return checksum.value();
  }
  // Waits until no rebuild runs (POST /v1/rebuild runs one in the background); answers its state.
  std::string WaitForRebuild() const {
    for (;;) {
      const Answer status = Get("/v1/rebuild", Support());
      if (status.status != 200) throw std::runtime_error("GET /v1/rebuild: " + status.Describe());
      if (status.json.at("state") != "running") return status.json.at("state").get<std::string>();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  // Every event of one trainer.
  std::vector<consumers::EventEnvelope> Stream(const std::string& mcid) const {
    auto stream = store_->log->ReadStream(*domain::Mcid::Parse(mcid));
    if (!stream.ok()) throw std::runtime_error(stream.error().message);
    return stream.value();
  }

  static void Expect200(const Answer& answer, const std::string& what) {
    EXPECT_EQ(answer.status, 200) << what << ": " << answer.Describe();
  }

 private:
  consumers::testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::vector<Caller> callers_;
  std::unique_ptr<TokenStore> tokens_;
  Metrics metrics_;
  std::unique_ptr<HttpApi> api_;
  int port_ = 0;
  std::thread serving_;
};

// One well-formed body per command name (domain::AllCommandNames), valid for the JSON decoder and
// the input checks. UploadMtmReport's fields are what the upload route fills in.
inline Json SampleCommand(std::string_view name) {
  static const std::map<std::string, Json, std::less<>> samples = [] {
    std::map<std::string, Json, std::less<>> out;
    out["EnrollTrainer"] = {{"name", "Walk Trainer"}, {"email", "walk@example.jp"}, {"anniversary", Day(30)}};
    out["RecordCertification"] = {{"certification_id", "CERT-walk"}, {"track", "developer"}};
    out["StartRenewal"] = Json::object();
    out["IssueFteCode"] = {{"alias", "corp\\hanako"}, {"code", "483920"}};
    out["ChooseProfile"] = {{"employer_type", "freelance"}, {"track", "it_pro"}};
    out["FileException"] = {{"classes", 2},
                            {"course_name", "20411D"},
                            {"course_date", Day(-20)},
                            {"students", 12},
                            {"organization", "Shinjuku Academy"},
                            {"manager_name", "Taro Yamada"},
                            {"manager_email", "taro@example.jp"}};
    out["RecordMtmSurvey"] = {{"course_name", "20410D"}, {"course_date", Day(-10)}, {"average_score", 8.5}};
    out["UploadMtmReport"] = {{"media_type", "application/pdf"},
                              {"size", 1234},
                              {"sha256", std::string(64, 'a')},
                              {"mct_full_name", "Hanako Sato"},
                              {"course_name", "20410D"},
                              {"course_date", Day(-10)}};
    out["ConfirmRequirements"] = Json::object();
    out["AcceptTerms"] = {{"accept_terms", true}, {"accept_payment_redirect", true}};
    out["ApplyVoucher"] = {{"voucher_code", "MCT-WALK-0001"}};
    out["EnterBillingAddress"] = TestServer::BillingFields();
    out["PlaceOrder"] = {{"method", "paypal"},
                         {"payer_name", "HANAKO SATO"},
                         {"confirmed", true},
                         {"idempotency_key", "walk-order"}};
    out["OrderWelcomeKit"] = Json::object();
    out["IssueRefund"] = {{"reason", "customer request"}};
    out["SettleRefund"] = Json::object();
    out["ApplyAlumni"] = Json::object();
    out["SwitchBackFromAlumni"] = Json::object();
    for (auto& [command, body] : out) body["command"] = command;
    return out;
  }();
  const auto found = samples.find(name);
  if (found == samples.end()) throw std::invalid_argument("no sample for " + std::string(name));
  return found->second;
}

// A small real JPEG header (SOI, APP0 JFIF) and a PDF header, padded to `size` bytes.
inline std::string JpegBytes(size_t size = 2048) {
  std::string bytes("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20);
  while (bytes.size() < size - 2) bytes.push_back(static_cast<char>(bytes.size() * 31 % 251));
  bytes += std::string("\xFF\xD9", 2);
  return bytes;
}
inline std::string PdfBytes(size_t size = 2048) {
  std::string bytes = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj << /Type /Catalog >> endobj\n";
  while (bytes.size() < size - 6) bytes.push_back(' ');
  bytes += "%%EOF\n";
  return bytes;
}

// The multipart form of an upload: the file and the three facts REQ-5 asks the report to name.
inline httplib::MultipartFormDataItems UploadForm(const std::string& bytes, const std::string& filename,
                                                  const std::string& content_type) {
  return {{"file", bytes, filename, content_type},
          {"mct_full_name", "Hanako Sato", "", ""},
          {"course_name", "20410D", "", ""},
          {"course_date", Day(-10), "", ""}};
}

}  // namespace mct::admin::server::testing
