// The survey report upload (REQ-5) over HTTP: JPEG and PDF decided by their magic bytes, never by
// the client's claim; the accepted file kept content-addressed under DATA/uploads/<ab>/<sha256>
// with the event's SHA-256 and size matching it; a refused upload leaves no file; the commands
// route refuses UploadMtmReport; a file over the limit is 413.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "admin/server/uploads.h"
#include "domain/sha256.h"
#include "tests/server/raw_http.h"
#include "tests/server/server_fixture.h"

namespace mct::admin::server::testing {
namespace {

namespace fs = std::filesystem;

// Every regular file under DATA/uploads (staging included).
std::vector<fs::path> UploadedFiles(const fs::path& data_dir) {
  std::vector<fs::path> files;
  std::error_code error;
  if (!fs::exists(data_dir / "uploads", error)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(data_dir / "uploads")) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  return files;
}

// The content-address folders under DATA/uploads (DATA/uploads/<ab>): what accepted uploads made.
std::vector<fs::path> UploadFolders(const fs::path& data_dir) {
  std::vector<fs::path> folders;
  std::error_code error;
  if (!fs::exists(data_dir / "uploads", error)) return folders;
  for (const auto& entry : fs::directory_iterator(data_dir / "uploads")) {
    if (entry.is_directory() && entry.path().filename() != "staging")
      folders.push_back(entry.path());
  }
  return folders;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The MtmReportUploaded events of a trainer's stream.
std::vector<domain::MtmReportUploaded> Uploads(const TestServer& server, const std::string& mcid) {
  std::vector<domain::MtmReportUploaded> out;
  for (const auto& envelope : server.Stream(mcid)) {
    if (const auto* uploaded = std::get_if<domain::MtmReportUploaded>(&envelope.event.payload)) {
      out.push_back(*uploaded);
    }
  }
  return out;
}

class Upload : public ::testing::Test {
 protected:
  // Uploads `bytes` for `mcid` as its own trainer.
  Answer Send(const std::string& mcid, const std::string& bytes, const std::string& filename,
              const std::string& claimed_type) {
    const std::string token = mcid == kOwn ? server_.OwnTrainer() : server_.Support();
    return server_.PostMultipart(TestServer::UploadPath(mcid), UploadForm(bytes, filename, claimed_type),
                                 token);
  }

  void ExpectKept(const std::string& mcid, const std::string& bytes, const std::string& media_type) {
    const std::string sha = domain::Sha256Hex(bytes);
    const fs::path kept = server_.data_dir() / "uploads" / sha.substr(0, 2) / sha;
    ASSERT_TRUE(fs::is_regular_file(kept)) << kept;
    EXPECT_EQ(ReadFile(kept), bytes);
    const auto uploads = Uploads(server_, mcid);
    ASSERT_EQ(uploads.size(), 1u);
    EXPECT_EQ(uploads[0].sha256, sha);
    EXPECT_EQ(uploads[0].size, static_cast<int64_t>(bytes.size()));
    EXPECT_EQ(uploads[0].media_type, media_type);
    EXPECT_EQ(uploads[0].mct_full_name, "Hanako Sato");
    EXPECT_EQ(uploads[0].course_name, "20410D");
    EXPECT_EQ(uploads[0].course_date.ToString(), Day(-10));
  }

  TestServer server_;
};

TEST_F(Upload, AJpegIsAcceptedAtTheRequirementsStepAndKeptByItsSha256) {
  server_.ToRequirements(kOwn);
  const std::string jpeg = JpegBytes(5000);
  const Answer answer = Send(kOwn, jpeg, "report.jpg", "image/jpeg");
  ASSERT_EQ(answer.status, 200) << answer.Describe();
  EXPECT_EQ(answer.json.value("outcome", ""), "accepted");
  ExpectKept(kOwn, jpeg, "image/jpeg");
  EXPECT_EQ(UploadedFiles(server_.data_dir()).size(), 1u) << "nothing left in staging";
  // The event in the answer says the same.
  ASSERT_EQ(answer.json["events"].size(), 1u);
  EXPECT_EQ(answer.json["events"][0].value("sha256", ""), domain::Sha256Hex(jpeg));
  EXPECT_EQ(answer.json["events"][0].value("size", 0), 5000);
  // REQ-5: once uploaded it cannot be replaced.
  const Answer again = Send(kOwn, PdfBytes(), "other.pdf", "application/pdf");
  EXPECT_EQ(again.status, 422) << again.Describe();
  EXPECT_EQ(again.code(), "report_already_uploaded");
  EXPECT_EQ(UploadedFiles(server_.data_dir()).size(), 1u);
}

// Regression: a form whose first bytes came in a piece shorter than its boundary line (a pause
// after the head and a few bytes) was refused "file: required"; the same bytes in one piece were
// accepted. How the network cuts a body must not decide.
TEST_F(Upload, AFormIsReadTheSameHoweverItsBytesArrive) {
  server_.ToRequirements(kOwn);
  const std::string jpeg = JpegBytes(3000);
  std::string body;
  auto part = [&](const std::string& name, const std::string& value, const std::string& file) {
    body += "--b0undary\r\nContent-Disposition: form-data; name=\"" + name + "\"" +
            (file.empty() ? "" : "; filename=\"" + file + "\"\r\nContent-Type: image/jpeg") +
            "\r\n\r\n" + value + "\r\n";
  };
  part("file", jpeg, "report.jpg");
  part("mct_full_name", "Hanako Sato", "");
  part("course_name", "20410D", "");
  part("course_date", Day(-10), "");
  body += "--b0undary--\r\n";
  const std::string head = "POST " + TestServer::UploadPath(kOwn) +
                           " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer " +
                           server_.OwnTrainer() +
                           "\r\nContent-Type: multipart/form-data; boundary=b0undary\r\n"
                           "Content-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n";
  const int fd = ConnectLoopback(server_.port());
  ASSERT_GE(fd, 0);
  const std::string first = head + body.substr(0, 7);
  ASSERT_EQ(::send(fd, first.data(), first.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(first.size()));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const std::string rest = body.substr(7);
  ASSERT_EQ(::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL), static_cast<ssize_t>(rest.size()));
  std::string answer;
  char chunk[4096];
  for (ssize_t n; (n = ::recv(fd, chunk, sizeof(chunk), 0)) > 0;) answer.append(chunk, n);
  ::close(fd);
  EXPECT_EQ(RawStatus(answer), 200) << answer;
  ExpectKept(kOwn, jpeg, "image/jpeg");
}

// Regression: an upload could not be retried after a lost answer (every one got a fresh id, so
// the retry was report_already_uploaded). A command_id, in the form or as the Idempotency-Key
// header, makes the retry answered, not done again.
TEST_F(Upload, ARetryUnderTheSameCommandIdIsAnsweredNotDoneAgain) {
  server_.ToRequirements(kOwn);
  const std::string jpeg = JpegBytes(4000);
  auto form = UploadForm(jpeg, "report.jpg", "image/jpeg");
  form.push_back({"command_id", "upload-1", "", ""});
  const std::string path = TestServer::UploadPath(kOwn);
  const Answer first = server_.PostMultipart(path, form, server_.OwnTrainer());
  ASSERT_EQ(first.status, 200) << first.Describe();
  EXPECT_EQ(first.json["outcome"], "accepted");
  const Answer again = server_.PostMultipart(path, form, server_.OwnTrainer());
  ASSERT_EQ(again.status, 200) << again.Describe();
  EXPECT_EQ(again.json["outcome"], "retried");
  EXPECT_EQ(again.json["events"], first.json["events"]);
  const httplib::Headers keyed = {{"Authorization", "Bearer " + server_.OwnTrainer()},
                                  {"Idempotency-Key", "upload-1"}};
  const Answer by_header = TestServer::Read(
      server_.Client()->Post(path, keyed, UploadForm(jpeg, "report.jpg", "image/jpeg")));
  ASSERT_EQ(by_header.status, 200) << by_header.Describe();
  EXPECT_EQ(by_header.json["outcome"], "retried");
  ExpectKept(kOwn, jpeg, "image/jpeg");
  // The form and the header must agree; an empty id is no id.
  const httplib::Headers other = {{"Authorization", "Bearer " + server_.OwnTrainer()},
                                  {"Idempotency-Key", "upload-2"}};
  const Answer differ = TestServer::Read(server_.Client()->Post(path, other, form));
  EXPECT_EQ(differ.status, 400) << differ.Describe();
  EXPECT_NE(differ.message().find("differ"), std::string::npos) << differ.Describe();
  auto empty = UploadForm(jpeg, "report.jpg", "image/jpeg");
  empty.push_back({"command_id", "", "", ""});
  EXPECT_EQ(server_.PostMultipart(path, empty, server_.OwnTrainer()).status, 400);
}

// A retry that brings other bytes is answered by its first copy, which names the first file: the
// retry's file is not kept (regression: it stayed under uploads/, named by no event).
TEST_F(Upload, ARetryWithOtherBytesLeavesOnlyTheFirstFile) {
  server_.ToRequirements(kOwn);
  const std::string first_jpeg = JpegBytes(4000);
  const std::string path = TestServer::UploadPath(kOwn);
  auto first_form = UploadForm(first_jpeg, "report.jpg", "image/jpeg");
  first_form.push_back({"command_id", "upload-1", "", ""});
  ASSERT_EQ(server_.PostMultipart(path, first_form, server_.OwnTrainer()).status, 200);
  auto other_form = UploadForm(JpegBytes(4100), "report.jpg", "image/jpeg");
  other_form.push_back({"command_id", "upload-1", "", ""});
  const Answer again = server_.PostMultipart(path, other_form, server_.OwnTrainer());
  ASSERT_EQ(again.status, 200) << again.Describe();
  EXPECT_EQ(again.json["outcome"], "retried");
  ExpectKept(kOwn, first_jpeg, "image/jpeg");
  EXPECT_EQ(UploadedFiles(server_.data_dir()).size(), 1u);
  EXPECT_EQ(UploadFolders(server_.data_dir()).size(), 1u);
}

TEST_F(Upload, APdfIsAcceptedWhateverTheClientCallsIt) {
  server_.ToRequirements("5550010");
  const std::string pdf = PdfBytes(3000);
  const Answer answer = Send("5550010", pdf, "scan.bin", "application/octet-stream");
  ASSERT_EQ(answer.status, 200) << answer.Describe();
  ExpectKept("5550010", pdf, "application/pdf");
}

TEST_F(Upload, AGifOrAFakeJpegIsUnsupportedAndLeavesNoFile) {
  server_.ToRequirements(kOwn);
  const uint64_t head = server_.store().log->Head();
  for (const auto& [what, bytes, filename, claimed] :
       std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
           {"a GIF", std::string("GIF89a\x01\x00\x01\x00\x80\x00\x00", 13) + std::string(200, '\x01'),
            "report.gif", "image/gif"},
           {"text claimed as JPEG", "this is not a picture of a survey, only text", "report.jpg", "image/jpeg"},
           {"PNG claimed as JPEG", std::string("\x89PNG\r\n\x1a\n", 8) + std::string(100, 'x'), "report.jpg",
            "image/jpeg"},
           {"two JPEG bytes only", std::string("\xFF\xD8", 2), "report.jpg", "image/jpeg"},
           {"a PDF without its dash", "%PDF1.4 nearly", "report.pdf", "application/pdf"}}) {
    SCOPED_TRACE(what);
    const Answer answer = Send(kOwn, bytes, filename, claimed);
    EXPECT_EQ(answer.status, 422) << answer.Describe();
    EXPECT_EQ(answer.code(), "unsupported_media_type") << answer.Describe();
    // The refusal names what the bytes are, never what the client claimed.
    const std::string named = what == "a GIF"                 ? "image/gif"
                              : what == "PNG claimed as JPEG" ? "image/png"
                                                              : "application/octet-stream";
    EXPECT_NE(answer.message().find("'" + named + "'"), std::string::npos) << answer.Describe();
    EXPECT_TRUE(UploadedFiles(server_.data_dir()).empty()) << UploadedFiles(server_.data_dir()).front();
    EXPECT_TRUE(UploadFolders(server_.data_dir()).empty())
        << UploadFolders(server_.data_dir()).front();
  }
  EXPECT_EQ(server_.store().log->Head(), head);
  // A JPEG is still welcome afterwards.
  const std::string jpeg = JpegBytes();
  ASSERT_EQ(Send(kOwn, jpeg, "report.jpg", "image/jpeg").status, 200);
  ExpectKept(kOwn, jpeg, "image/jpeg");
}

TEST_F(Upload, ARefusedUploadOfAGoodFileLeavesNoFile) {
  server_.Enroll(kOwn);  // no renewal started: step refused
  const Answer answer = Send(kOwn, JpegBytes(), "report.jpg", "image/jpeg");
  EXPECT_EQ(answer.status, 422) << answer.Describe();
  EXPECT_TRUE(UploadedFiles(server_.data_dir()).empty());
  // Another trainer's token is forbidden, and leaves nothing either.
  server_.ToRequirements("5550011");
  const Answer forbidden = server_.PostMultipart(TestServer::UploadPath("5550011"),
                                                 UploadForm(JpegBytes(), "report.jpg", "image/jpeg"),
                                                 server_.OwnTrainer());
  EXPECT_EQ(forbidden.status, 403) << forbidden.Describe();
  EXPECT_TRUE(UploadedFiles(server_.data_dir()).empty());
  // Nor the folder its content address would have gone in (regression: an empty one was left).
  EXPECT_TRUE(UploadFolders(server_.data_dir()).empty())
      << UploadFolders(server_.data_dir()).front();
}

// The same bytes kept for an accepted upload stay when another trainer's upload of them is refused.
TEST_F(Upload, ARefusedUploadLeavesTheSameFileAnEarlierUploadKept) {
  server_.ToRequirements(kOwn);
  const std::string jpeg = JpegBytes();
  ASSERT_EQ(Send(kOwn, jpeg, "report.jpg", "image/jpeg").status, 200);
  server_.Enroll("5550012");  // no renewal started: its upload is refused
  const Answer refused = Send("5550012", jpeg, "report.jpg", "image/jpeg");
  EXPECT_EQ(refused.status, 422) << refused.Describe();
  ExpectKept(kOwn, jpeg, "image/jpeg");
  EXPECT_EQ(UploadedFiles(server_.data_dir()).size(), 1u);
}

// The file is kept before its event is written: when it cannot be kept, nothing is written.
TEST_F(Upload, AnUploadWhoseFileCannotBeKeptWritesNoEvent) {
  server_.ToRequirements(kOwn);
  const std::string jpeg = JpegBytes();
  const std::string sha = domain::Sha256Hex(jpeg);
  fs::create_directories(server_.data_dir() / "uploads");
  std::ofstream(server_.data_dir() / "uploads" / sha.substr(0, 2)) << "a file where a folder goes\n";
  const uint64_t head = server_.store().log->Head();
  const Answer answer = Send(kOwn, jpeg, "report.jpg", "image/jpeg");
  EXPECT_EQ(answer.status, 500) << answer.Describe();
  EXPECT_NE(answer.message().find("nothing was written"), std::string::npos) << answer.Describe();
  EXPECT_EQ(server_.store().log->Head(), head);
  EXPECT_TRUE(Uploads(server_, kOwn).empty());
}

TEST_F(Upload, MalformedUploadsAre4xx) {
  server_.ToRequirements(kOwn);
  const std::string path = TestServer::UploadPath(kOwn);
  // Not multipart.
  EXPECT_EQ(server_.Post(path, JpegBytes(), "image/jpeg", server_.OwnTrainer()).status, 415);
  // No file part.
  const Answer no_file = server_.PostMultipart(path, {{"course_name", "20410D", "", ""}}, server_.OwnTrainer());
  EXPECT_EQ(no_file.status, 400) << no_file.Describe();
  // An unknown part, named in the message.
  auto form = UploadForm(JpegBytes(), "report.jpg", "image/jpeg");
  form.push_back({"sha256", std::string(64, 'a'), "", ""});
  const Answer unknown = server_.PostMultipart(path, form, server_.OwnTrainer());
  EXPECT_EQ(unknown.status, 400) << unknown.Describe();
  EXPECT_NE(unknown.message().find("sha256"), std::string::npos) << unknown.Describe();
  // A malformed date.
  form = UploadForm(JpegBytes(), "report.jpg", "image/jpeg");
  form[3].content = "yesterday";
  const Answer bad_date = server_.PostMultipart(path, form, server_.OwnTrainer());
  EXPECT_EQ(bad_date.status, 400) << bad_date.Describe();
  EXPECT_NE(bad_date.message().find("course_date"), std::string::npos) << bad_date.Describe();
  // A field sent twice: which one is meant is not guessed.
  form = UploadForm(JpegBytes(), "report.jpg", "image/jpeg");
  form.push_back({"mct_full_name", "Someone Else", "", ""});
  const Answer twice = server_.PostMultipart(path, form, server_.OwnTrainer());
  EXPECT_EQ(twice.status, 400) << twice.Describe();
  EXPECT_NE(twice.message().find("mct_full_name"), std::string::npos) << twice.Describe();
  // A name that is not UTF-8 text (a form field is not read by the JSON parser).
  form = UploadForm(JpegBytes(), "report.jpg", "image/jpeg");
  form[1].content = "Hanako \xff\xfe Sato";
  const Answer bytes = server_.PostMultipart(path, form, server_.OwnTrainer());
  EXPECT_EQ(bytes.status, 400) << bytes.Describe();
  EXPECT_EQ(bytes.code(), "invalid_input") << bytes.Describe();
  EXPECT_NE(bytes.message().find("mct_full_name"), std::string::npos) << bytes.Describe();
  // invalid_input before every other code (domain.md): here before unknown_trainer.
  EXPECT_EQ(
      server_.PostMultipart(TestServer::UploadPath("5559999"), form, server_.Support()).status,
      400);
  // A text longer than a command's may be (field_reader.h): its event must export.
  for (const size_t part : {size_t{1}, size_t{2}}) {  // mct_full_name, course_name
    form = UploadForm(JpegBytes(), "report.jpg", "image/jpeg");
    form[part].content = std::string(4097, 'a');
    const Answer long_text = server_.PostMultipart(path, form, server_.OwnTrainer());
    EXPECT_EQ(long_text.status, 400) << long_text.Describe();
    EXPECT_EQ(long_text.message(), form[part].name + ": is longer than 4096 bytes")
        << long_text.Describe();
  }
  form = UploadForm(JpegBytes(), "report.jpg", "image/jpeg");
  form.push_back({"command_id", std::string(4097, 'c'), "", ""});
  const Answer long_id = server_.PostMultipart(path, form, server_.OwnTrainer());
  EXPECT_EQ(long_id.status, 400) << long_id.Describe();
  EXPECT_EQ(long_id.message(), "command_id: is longer than 4096 bytes") << long_id.Describe();
  // Without a token.
  EXPECT_EQ(server_.PostMultipart(path, UploadForm(JpegBytes(), "r.jpg", "image/jpeg"), "").status, 401);
  EXPECT_TRUE(UploadedFiles(server_.data_dir()).empty());
  EXPECT_TRUE(Uploads(server_, kOwn).empty());
}

// The form as raw bytes, parts separated by `boundary`, sent with `content_type` as it is.
std::string RawUpload(int port, const std::string& mcid, const std::string& token,
                      const std::string& content_type, const std::string& boundary) {
  std::string body;
  auto part = [&](const std::string& head, const std::string& content) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; " + head + "\r\n\r\n" + content +
            "\r\n";
  };
  part(R"(name="file"; filename="r.jpg")", JpegBytes());
  part(R"(name="mct_full_name")", "Hanako Sato");
  part(R"(name="course_name")", "20410D");
  part(R"(name="course_date")", Day(-10));
  body += "--" + boundary + "--\r\n";
  return RawExchange(port, "POST " + TestServer::UploadPath(mcid) +
                               " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
                               "\r\nContent-Type: " + content_type +
                               "\r\nContent-Length: " + std::to_string(body.size()) +
                               "\r\nConnection: close\r\n\r\n" + body);
}

// Regression: the library read the media type case-sensitively (415) and the boundary up to the
// header's end (400), so valid forms were refused.
TEST_F(Upload, AMultipartContentTypeIsReadInAnyValidForm) {
  int next = 5550100;
  for (const auto& [content_type, boundary] : std::vector<std::pair<std::string, std::string>>{
           {"Multipart/Form-Data; boundary=BBB", "BBB"},
           {"multipart/form-data; boundary=BBB; charset=utf-8", "BBB"},
           {"multipart/form-data; boundary=\"BBB\"; charset=utf-8", "BBB"},
           {"multipart/form-data; BOUNDARY=BBB", "BBB"},
           {"multipart/form-data; charset=utf-8; boundary=\"a b\"", "a b"},
           {"multipart/form-data; boundary=----=_Part_0_1", "----=_Part_0_1"}}) {
    SCOPED_TRACE(content_type);
    const std::string mcid = std::to_string(next++);
    server_.ToRequirements(mcid);
    const std::string answer =
        RawUpload(server_.port(), mcid, server_.Support(), content_type, boundary);
    EXPECT_EQ(RawStatus(answer), 200) << answer;
    EXPECT_EQ(Uploads(server_, mcid).size(), 1u);
  }
  // Without a boundary the form cannot be read: said so, and nothing written.
  server_.ToRequirements(kOwn);
  const uint64_t head = server_.store().log->Head();
  const std::string unbounded =
      RawUpload(server_.port(), kOwn, server_.Support(), "multipart/form-data", "BBB");
  EXPECT_EQ(RawStatus(unbounded), 400) << unbounded;
  EXPECT_NE(RawBody(unbounded).find("boundary"), std::string::npos) << unbounded;
  EXPECT_EQ(server_.store().log->Head(), head);
}

// An upload refused before it is decided is counted like such a command (README, Metrics).
TEST_F(Upload, ARefusedUploadIsCountedAsInvalid) {
  server_.ToRequirements(kOwn);
  const std::string series =
      R"(mct_commands_total{code="invalid_input",command="UploadMtmReport",outcome="invalid"} )";
  auto counted = [&] {
    const std::string page = server_.Get("/metrics").body;
    const auto at = page.find(series);
    return at == std::string::npos ? 0.0 : std::stod(page.substr(at + series.size()));
  };
  const double before = counted();
  EXPECT_EQ(server_
                .PostMultipart(TestServer::UploadPath(kOwn), {{"course_name", "20410D", "", ""}},
                               server_.OwnTrainer())
                .status,
            400);
  EXPECT_EQ(
      server_.Post(TestServer::UploadPath(kOwn), JpegBytes(), "image/jpeg", server_.OwnTrainer())
          .status,
      415);
  EXPECT_EQ(counted(), before + 2);
}

TEST_F(Upload, UploadMtmReportOnTheCommandsRouteIs400) {
  server_.ToRequirements(kOwn);
  const Answer answer = server_.Command(kOwn, SampleCommand("UploadMtmReport"), server_.OwnTrainer());
  EXPECT_EQ(answer.status, 400) << answer.Describe();
  EXPECT_EQ(answer.code(), "invalid_input");
  EXPECT_TRUE(Uploads(server_, kOwn).empty());
}

TEST(UploadLimit, AFileOverTheLimitIs413AndLeavesNoFile) {
  ServerConfig config;
  config.max_upload_bytes = 4096;
  TestServer server(config);  // the server reads up to 64 KiB (the command limit) per request
  server.ToRequirements(kOwn);
  const Answer answer = server.PostMultipart(TestServer::UploadPath(kOwn),
                                             UploadForm(JpegBytes(8192), "big.jpg", "image/jpeg"),
                                             server.OwnTrainer());
  EXPECT_EQ(answer.status, 413) << answer.Describe();
  EXPECT_EQ(answer.code(), "invalid_input");
  EXPECT_TRUE(UploadedFiles(server.data_dir()).empty());
  // Larger than anything the server reads at all.
  const Answer huge = server.PostMultipart(TestServer::UploadPath(kOwn),
                                           UploadForm(JpegBytes(256 * 1024), "huge.jpg", "image/jpeg"),
                                           server.OwnTrainer());
  EXPECT_EQ(huge.status, 413) << huge.Describe();
  EXPECT_TRUE(UploadedFiles(server.data_dir()).empty());
  // One byte over is refused; a file of exactly the limit goes through, although the form around
  // it makes the body larger (regression: the limit held the whole body, so it was 413).
  const Answer over = server.PostMultipart(TestServer::UploadPath(kOwn),
                                           UploadForm(JpegBytes(4097), "over.jpg", "image/jpeg"),
                                           server.OwnTrainer());
  EXPECT_EQ(over.status, 413) << over.Describe();
  const Answer fits = server.PostMultipart(TestServer::UploadPath(kOwn),
                                           UploadForm(JpegBytes(4096), "fits.jpg", "image/jpeg"),
                                           server.OwnTrainer());
  EXPECT_EQ(fits.status, 200) << fits.Describe();
}

// The form's text fields are what a command's body would carry, held to the same limit; a form
// declared larger than the server reads is refused from its head, before its body is waited for.
TEST(UploadLimit, TheFormsTextIsHeldToTheCommandLimitAndAHugeFormIsRefusedFromItsHead) {
  ServerConfig config;
  config.max_body_bytes = 1024;
  config.max_upload_bytes = 4096;
  TestServer server(config);
  server.ToRequirements(kOwn);
  const uint64_t head = server.store().log->Head();
  auto form = UploadForm(JpegBytes(), "report.jpg", "image/jpeg");
  form[1].content = std::string(2000, 'H');
  const Answer wordy =
      server.PostMultipart(TestServer::UploadPath(kOwn), form, server.OwnTrainer());
  EXPECT_EQ(wordy.status, 413) << wordy.Describe();
  EXPECT_NE(wordy.message().find("text fields"), std::string::npos) << wordy.Describe();

  // Its body never sent: the answer cannot come from reading it.
  const std::string huge = RawExchange(
      server.port(), "POST " + TestServer::UploadPath(kOwn) +
                         " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + server.OwnTrainer() +
                         "\r\nContent-Type: multipart/form-data; boundary=BBB\r\n"
                         "Content-Length: 50000000\r\n\r\n");
  EXPECT_EQ(RawStatus(huge), 413) << huge;
  EXPECT_NE(RawBody(huge).find("the form is larger than"), std::string::npos) << huge;
  EXPECT_EQ(server.store().log->Head(), head);
  EXPECT_TRUE(UploadedFiles(server.data_dir()).empty());
}

// The limit is the file's, whatever the size of the form: a file of exactly the default limit,
// 10 MiB, is taken.
TEST(UploadLimit, AFileOfExactlyTheDefaultLimitIsTaken) {
  TestServer server;
  server.ToRequirements(kOwn);
  const Answer answer = server.PostMultipart(
      TestServer::UploadPath(kOwn),
      UploadForm(JpegBytes(10 * 1024 * 1024), "exact.jpg", "image/jpeg"), server.OwnTrainer());
  EXPECT_EQ(answer.status, 200) << answer.Describe();
}

// A process killed while it received uploads leaves staged files; the next start removes them,
// and nothing kept.
TEST(StagedUploads, AreClearedAtStartAndKeptOnesStay) {
  consumers::testing::TempDir dir("staged");
  for (const char* bytes : {"half a report", "another"}) {
    ASSERT_TRUE(StageUpload(dir.path(), bytes).ok());
  }
  auto staged = StageUpload(dir.path(), "kept");
  ASSERT_TRUE(staged.ok());
  const std::string sha = domain::Sha256Hex("kept");
  auto kept = KeepUpload(dir.path(), staged.value(), sha);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(ClearStagedUploads(dir.path()), 2u);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path() / "uploads" / "staging"));
  EXPECT_TRUE(std::filesystem::exists(kept->path));
  EXPECT_EQ(ClearStagedUploads(dir.path()), 0u);
  EXPECT_EQ(ClearStagedUploads(dir.path() / "none-here"), 0u);
}

}  // namespace
}  // namespace mct::admin::server::testing
