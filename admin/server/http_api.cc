#include "admin/server/http_api.h"

#include <fmt/format.h>
#include <netdb.h>
#include <spdlog/spdlog.h>
#include <strings.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>
#include <string_view>
#include <thread>
#include <utility>

#include "admin/server/api_reads.h"
#include "admin/server/command_request.h"
#include "admin/server/route_table.h"
#include "consumers/text_checks.h"

namespace mct::admin::server {
namespace {

// What a request's Authorization headers carry, read with one look-up.
struct Credentials {
  std::string token;     // empty: none, or not a bearer token
  bool several = false;  // more than one Authorization header: none of them is taken
};

// The web pages send the token as a bearer token too (admin/web/app.js).
// The token of `Authorization: Bearer <token>`: the scheme in any case, one or more spaces after
// it (RFC 9110, 11.4), surrounding spaces ignored.
Credentials BearerCredentials(const httplib::Request& request) {
  const auto [first, end] = request.headers.equal_range("Authorization");
  if (first == end) return {};
  if (std::next(first) != end) return {.token = "", .several = true};
  const std::string& header = first->second;
  constexpr std::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size() ||
      ::strncasecmp(header.c_str(), kScheme.data(), kScheme.size()) != 0 ||
      header[kScheme.size()] != ' ') {
    return {};
  }
  const size_t start = header.find_first_not_of(' ', kScheme.size());
  if (start == std::string::npos) return {};
  return {.token = header.substr(start, header.find_last_not_of(' ') + 1 - start)};
}

// The files of the web folder that are pages, and the type each is sent as; nothing else there
// is served (IsPageFile).
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kPageTypes = {{
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
}};

// The pages' content security policy: scripts, styles and calls of the server's own only, the
// empty icon (`data:,`) as the one image, no plug-ins, no framing, forms posting only here.
constexpr std::string_view kPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' "
    "data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

constexpr const char* kCommandsRoute = R"(/v1/trainers/([^/]+)/commands)";

// Whether the path of a request target, as sent (before its query), holds %2F.
bool EncodesASlash(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  for (size_t at = path.find('%'); at != std::string_view::npos; at = path.find('%', at + 1)) {
    if (path.substr(at + 1, 2) == "2F" || path.substr(at + 1, 2) == "2f") return true;
  }
  return false;
}

// False for a path that names a file of another kind than the pages' (.html, .js, .css): the web
// folder also holds its README, which is not a page. Paths without a dot in their last segment
// (routes, folders) pass; the API's own paths are not asked.
bool IsPageFile(std::string_view path) {
  // A NUL (sent as %00) would end the file's name where it is opened, after its type was taken
  // from what follows: README.md%00.html would be served, as HTML.
  if (path.find('\0') != std::string_view::npos) return false;
  const std::string_view name = path.substr(path.rfind('/') + 1);
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return true;
  const std::string_view extension = name.substr(dot + 1);
  return std::any_of(kPageTypes.begin(), kPageTypes.end(),
                     [extension](const auto& page) { return page.first == extension; });
}

}  // namespace

void SendError(httplib::Response& response, int status, const std::string& code,
               const std::string& message) {
  response.status = status;
  response.set_content(ErrorBody(code, message), "application/json");
}

bool RefusedForItsQuery(const httplib::Request& request, httplib::Response& response) {
  // The query as sent: the library also puts a form-encoded body's fields in `params`.
  const size_t question = request.target.find('?');
  if (question == std::string::npos) return false;
  httplib::Params query;
  httplib::detail::parse_query_text(request.target.substr(question + 1), query);
  std::vector<std::string> names;
  for (const auto& [name, value] : query) names.push_back(name);
  const auto unknown = UnknownQueryParameter(request.method, request.path, names);
  if (!unknown) return false;
  SendError(response, 400, "invalid_input",
            consumers::IsUtf8(*unknown)
                ? unknown->substr(0, 64) + ": not a query parameter of this route"
                : "a query parameter's name: is not valid UTF-8 text");
  return true;
}

HttpApi::HttpApi(Store& store, TokenStore& tokens, Metrics& metrics, ApiOptions options,
                 std::function<void()> appended)
    : store_(store),
      tokens_(tokens),
      metrics_(metrics),
      options_(std::move(options)),
      appended_(std::move(appended)),
      rebuild_(store, [&metrics](double fraction) { metrics.RebuildProgress(fraction); }),
      limiter_(options_.rate_per_second, options_.rate_burst) {
  // More worker threads than cores: requests spend their time waiting for the group commit's
  // fsync, and the more of them wait together, the more one fsync carries.
  server_.SetWorkerThreads(options_.worker_threads);
  // The library's limit is on the whole body: an upload's form carries its file and, around it,
  // the part heads and three text fields. The file itself is held to max_upload_bytes and the
  // text to max_body_bytes (HandleUpload), and a command to max_body_bytes from its head
  // (RefuseByItsHead).
  server_.set_payload_max_length(UploadFormLimit());
  server_.set_read_timeout(std::chrono::seconds(10));
  // A client that stops reading (an export left half-read) holds its worker thread, and a
  // graceful stop, until a send has waited this long.
  server_.set_write_timeout(options_.stalled_send_timeout);
  server_.set_keep_alive_max_count(10000);
  // Answers go out in more than one write; with Nagle's algorithm the last one waits for the
  // client's delayed ACK, adding 40 ms to every request on a kept-alive connection.
  server_.set_tcp_nodelay(true);
  // cpp-httplib listens with a backlog of 5: a burst of clients overflows it and their requests
  // stall for seconds or time out. The options hook sees the listening socket before it is
  // bound, so Bind can raise the backlog on it. Its default options set SO_REUSEPORT, which lets
  // a second server bind the same port and take half the connections; SO_REUSEADDR alone lets a
  // restarted server bind at once and a second one fail.
  server_.set_socket_options([this](socket_t socket) {
    const int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listen_socket_ = socket;
  });
  server_.set_keep_alive_timeout(1);  // idle connections must not hold up a shutdown
  server_.set_exception_handler(
      [](const httplib::Request&, httplib::Response& response, std::exception_ptr error) {
        std::string what = "unexpected error";
        try {
          if (error) std::rethrow_exception(error);
        } catch (const std::exception& caught) {
          what = caught.what();
        } catch (...) {
        }
        spdlog::error(nlohmann::json{{"msg", "handler failed"}, {"error", what}}.dump(
            -1, ' ', false, nlohmann::json::error_handler_t::replace));
        SendError(response, 500, "internal", "the server failed; nothing was written");
      });
  // A command is refused from its head, before its body is read, when the head declares a body
  // over its limit (413) or declares no length at all (411: a chunked body): the library would
  // otherwise read up to the upload limit into memory first. The connection then closes
  // (one_write_server.h).
  server_.set_pre_routing_handler(
      [this](const httplib::Request& request, httplib::Response& response) {
        // No answer is served in ranges (one_write_server.h); the library would say so of HEAD's.
        if (request.method == "HEAD") response.set_header("Accept-Ranges", "none");
        // The API's answers name trainers: no cache along the way or in the browser keeps one.
        if (request.path.starts_with("/v1/")) response.set_header("Cache-Control", "no-store");
        // The library decodes the path before routing, so /v1/trainers/1000001%2Fhistory would be
        // served as the history: a proxy or a log that reads paths as sent would see another
        // route than the one answered. A slash is a separator only when it is one.
        if (EncodesASlash(request.target)) {
          SendError(response, 400, "invalid_input",
                    "the path holds an encoded slash (%2F); its parts are separated by '/' only");
          return httplib::Server::HandlerResponse::Handled;
        }
        // Of the web folder, only the pages' own files are served.
        if (!request.path.starts_with("/v1/") && !IsPageFile(request.path)) {
          SendError(response, 404, "not_found", "no such route");
          return httplib::Server::HandlerResponse::Handled;
        }
        const int refused = RefuseByItsHead(request, response);
        return refused == 0 ? httplib::Server::HandlerResponse::Unhandled
                            : httplib::Server::HandlerResponse::Handled;
      });
  // A client that waits for `100 Continue` before sending the body is refused at once.
  server_.set_expect_100_continue_handler(
      [this](const httplib::Request& request, httplib::Response& response) {
        const int refused = RefuseByItsHead(request, response);
        return refused == 0 ? 100 : refused;
      });
  server_.set_error_handler([this](const httplib::Request& request, httplib::Response& response) {
    if (!response.body.empty()) return;
    if (OneWriteServer::BodyWentOverItsLimit()) {
      response.set_header("Connection", "close");
      return SendError(response, 413, "invalid_input",
                       "the body is larger than " + std::to_string(UploadFormLimit()) +
                           " bytes; it was not read further");
    }
    if (response.status == 413) {
      SendError(response, 413, "invalid_input", "the body is too large");
    } else if (response.status == 404) {
      // A route that is there, asked with another method: 405 with the methods it takes; so is
      // a page of the web folder.
      auto methods = MethodsAt(request.path);
      if (methods.empty() && IsServedPage(request.path)) methods = {"GET", "HEAD"};
      if (!methods.empty()) {
        std::string allowed;
        for (const std::string_view method : methods) {
          allowed += (allowed.empty() ? "" : ", ") + std::string(method);
        }
        response.set_header("Allow", allowed);
        return SendError(response, 405, "method_not_allowed",
                         request.method + " is not served here; use " + allowed);
      }
      SendError(response, 404, "not_found", "no such route");
    } else if (response.status >= 400) {
      SendError(response, response.status, "invalid_input", "the request could not be read");
    }
  });
  server_.set_logger([this](const httplib::Request& request, const httplib::Response& response) {
    metrics_.HttpAnswered(response.status);
    // The line is built only when it will be written: at the default level it is not, and
    // building it cost about as much as parsing the command.
    if (!spdlog::should_log(spdlog::level::info)) return;
    spdlog::info(nlohmann::json{{"msg", "request"},
                                {"method", request.method},
                                {"path", request.path},
                                {"status", response.status},
                                {"remote", request.remote_addr}}
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  });
  RegisterRoutes();
}

bool HttpApi::IsServedPage(const std::string& path) const {
  if (options_.web_root.empty() || path.starts_with("/v1/") || !IsPageFile(path)) return false;
  const std::filesystem::path relative = std::filesystem::path(path).relative_path();
  if (std::any_of(relative.begin(), relative.end(),
                  [](const auto& part) { return part == ".."; })) {
    return false;
  }
  std::error_code error;
  const std::filesystem::path file = options_.web_root / relative;
  return std::filesystem::is_regular_file(path.ends_with("/") ? file / "index.html" : file, error);
}

int HttpApi::RefuseByItsHead(const httplib::Request& request, httplib::Response& response) {
  if (const std::string& problem = OneWriteServer::RefusalOfThisRequestsHead(); !problem.empty()) {
    SendError(response, 400, "invalid_input", problem);
    response.set_header("Connection", "close");  // the connection loop ends it after the answer
    return response.status;
  }
  if (request.method != "POST") return 0;
  static const std::regex commands_route(kCommandsRoute);
  // As the connection loop read the head already: no header looked up again on every command.
  const std::optional<uint64_t> length = OneWriteServer::DeclaredBodyLengthOfThisRequest();
  const bool chunked = !length.has_value();
  const bool upload =
      request.path.starts_with("/v1/trainers/") && request.path.ends_with("/mtm-report");
  const bool too_long = !chunked && *length > options_.max_body_bytes;
  const bool command_refused =
      (chunked || too_long) && !upload && std::regex_match(request.path, commands_route);
  // The other POST routes take no body: one declared too long is not read, nor skipped by
  // reading it (the library's way, for as long as the client sends).
  const bool other_too_long = too_long && !upload && !command_refused;
  if (!upload && !command_refused && !other_too_long) return 0;
  // A body that is large (an upload's) or refused anyway is not read for a client without a valid
  // token: 401 (or 429) from the head, before 411 or 413, and the connection ends.
  // Answered from the head: the connection ends, since its unread body must not be taken for
  // the next request.
  auto body_left_unread = [&response] {
    response.set_header("Connection", "close");
    OneWriteServer::EndConnectionAfterAnswer();
    return response.status;
  };
  if (!tokens_.Authenticate(BearerCredentials(request).token)) {
    Authorize(request, response);
    return body_left_unread();
  }
  if (upload) {
    // Its file is held to its own limit once read (HandleUpload); a form declared larger than
    // the library would read is refused now rather than after its body has been waited for.
    if (chunked || *length <= UploadFormLimit()) return 0;
    metrics_.CommandRefused("UploadMtmReport", "invalid_input");
    SendError(response, 413, "invalid_input",
              "the form is larger than " + std::to_string(UploadFormLimit()) +
                  " bytes (the report may be " + std::to_string(options_.max_upload_bytes) + ")");
    return body_left_unread();
  }
  if (other_too_long) {
    SendError(response, 413, "invalid_input",
              "the body is larger than " + std::to_string(options_.max_body_bytes) + " bytes");
    return body_left_unread();
  }
  // Counted like every command refused before it is decided; its body, unread, names none.
  metrics_.CommandRefused("unknown", "invalid_input");
  if (chunked) {
    SendError(response, 411, "invalid_input",
              "send the command with a Content-Length header; a chunked command body is not "
              "accepted");
  } else {
    SendError(response, 413, "invalid_input", CommandTooLargeMessage(options_.max_body_bytes));
  }
  return body_left_unread();
}

std::optional<domain::Actor> HttpApi::Authorize(const httplib::Request& request,
                                                httplib::Response& response) {
  // Two Authorization headers: which one is meant is not ours to guess; neither is taken.
  const auto [token, several] = BearerCredentials(request);
  // Authenticated before it is counted, so that the bucket is the actor's: a client that sends a
  // fresh junk token each time must not get a fresh bucket each time. Without a valid token, the
  // remote address is the client.
  auto actor = tokens_.Authenticate(token);
  if (limiter_.limits()) {
    const std::string client =
        actor ? "actor:" + std::string(domain::ToString(actor->role)) + ":" + actor->id
              : "address:" + request.remote_addr;
    if (const auto verdict = limiter_.Admit(client); !verdict.allowed) {
      response.set_header("Retry-After", std::to_string(verdict.retry_after.count()));
      SendError(response, 429, "rate_limited", "too many requests; slow down and retry");
      return std::nullopt;
    }
  }
  // RFC 6750, 3: a 401 names the scheme it wants, and says when a token was sent but is no good.
  if (several) {
    response.set_header("WWW-Authenticate", R"(Bearer realm="mctd")");
    SendError(response, 401, "unauthorized", "send one Authorization header, not several");
  } else if (token.empty()) {
    response.set_header("WWW-Authenticate", R"(Bearer realm="mctd")");
    SendError(response, 401, "unauthorized", "send a bearer token (Authorization: Bearer ...)");
  } else if (!actor) {
    response.set_header("WWW-Authenticate", R"(Bearer realm="mctd", error="invalid_token")");
    SendError(response, 401, "unauthorized", "the token is not valid");
  }
  return actor;
}

void HttpApi::RegisterRoutes() {
  server_.Post(kCommandsRoute,
               [this](const httplib::Request& request, httplib::Response& response) {
                 HandleCommand(request, response);
               });
  server_.Post(R"(/v1/trainers/([^/]+)/mtm-report)",
               [this](const httplib::Request& request, httplib::Response& response) {
                 HandleUpload(request, response);
               });
  // These take no query parameter either: one is refused as on every route (README).
  server_.Get("/healthz", [](const httplib::Request& request, httplib::Response& response) {
    if (RefusedForItsQuery(request, response)) return;
    response.set_content(R"({"status":"ok"})", "application/json");
  });
  server_.Get("/readyz", [this](const httplib::Request& request, httplib::Response& response) {
    if (RefusedForItsQuery(request, response)) return;
    if (!ready_) return SendError(response, 503, "not_ready", NotReadyMessage());
    response.set_content(R"({"status":"ready"})", "application/json");
  });
  server_.Get("/metrics", [this](const httplib::Request& request, httplib::Response& response) {
    if (RefusedForItsQuery(request, response)) return;
    response.set_content(metrics_.Render(store_), "text/plain; version=0.0.4");
  });
  RegisterReadRoutes(
      server_, ReadContext{store_,
                           [this](const httplib::Request& request, httplib::Response& response) {
                             return Authorize(request, response);
                           },
                           options_.read_wait, rebuild_, [this] { return ExportStopGraceOver(); }});
  if (!options_.web_root.empty()) {
    // The pages are small and change with a release: a browser asks again each time (an
    // unchanged file costs little), and takes a file only as the type it is sent as.
    // The policy lets a page run and load only the server's own files and talk only to it, and
    // no other site frame it (clickjacking a refund's confirmation).
    server_.set_mount_point("/", options_.web_root.string(),
                            {{"Cache-Control", "no-cache"},
                             {"X-Content-Type-Options", "nosniff"},
                             {"Content-Security-Policy", std::string(kPagePolicy)},
                             {"X-Frame-Options", "DENY"},
                             {"Referrer-Policy", "no-referrer"}});
    for (const auto& [extension, type] : kPageTypes) {
      server_.set_file_extension_and_mimetype_mapping(std::string(extension), std::string(type));
    }
  }
}

Result<int> HttpApi::Bind(const std::string& host, int port) {
  int bound = port;
  const std::string where = host + (port == 0 ? "" : ":" + std::to_string(port));
  // The library says only that it failed: a host that does not resolve is found here, and the
  // system's reason for any other failure is left in errno by bind() or listen().
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* resolved = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &resolved) != 0) {
    return Error{"cannot listen on " + where +
                 ": the host is not a name or address of this machine"};
  }
  ::freeaddrinfo(resolved);
  errno = 0;
  const bool listening =
      port == 0 ? (bound = server_.bind_to_any_port(host)) > 0 : server_.bind_to_port(host, port);
  if (!listening) {
    return Error{"cannot listen on " + where +
                 (errno != 0 ? ": " + std::string(std::strerror(errno)) : std::string())};
  }
  // Listening again on a listening socket only changes its backlog.
  if (listen_socket_ >= 0 && ::listen(listen_socket_, SOMAXCONN) != 0) {
    return Error{"cannot listen on " + host + ":" + std::to_string(bound) + " with a full backlog"};
  }
  return bound;
}

void HttpApi::RebuildOtherLayout(RebuildJob::FinishedFn finished) {
  rebuild_.Start(domain::Actor{.role = domain::Role::kSystem, .id = "mctd"}, std::move(finished));
}

std::string HttpApi::NotReadyMessage() const {
  if (!store_.models->NeedsRebuild()) return "the read models are catching up";
  const nlohmann::json status = rebuild_.Status();
  return fmt::format(
      "the read models are being rebuilt for this build's layout: {:.0f}% done (GET /v1/rebuild)",
      100 * status.value("progress", 0.0));
}

void HttpApi::Serve() {
  serve_entered_ = true;
  if (!server_.Stopping()) server_.listen_after_bind();
  rebuild_.Wait();  // a graceful stop lets a rebuild finish and switch
  serve_returned_ = true;
}

bool HttpApi::ExportStopGraceOver() const {
  return server_.StopGraceOver(options_.export_stop_grace);
}

void HttpApi::Stop() {
  // A second stop (a failed start-up rebuild while a signal's stop waits for it in Serve) has
  // nothing to wait for: the first one's stop of the accept loop is made or under way.
  const bool already_stopping = server_.Stopping();
  server_.MarkStopping();
  // cpp-httplib ignores a stop before its accept loop runs: wait until Serve either listens or
  // has seen the request and returned. (If Serve was never called, there is nothing to stop.)
  while (!already_stopping && serve_entered_ && !serve_returned_ && !server_.is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  server_.stop();
}

}  // namespace mct::admin::server
