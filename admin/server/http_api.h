// HttpApi: mctd's HTTP JSON API (cpp-httplib) over one Store: commands, uploads, queries, audit,
// health and metrics, with bearer tokens, the role table (route_table.h), body size and request
// rate limits, JSON errors `{"code", "message"}`, and one structured log line per request.
//
// Status codes: 400 malformed JSON, wrong type, unknown field (`invalid_input`); 401 no or bad
// token; 403 `forbidden`; 404 `unknown_trainer`; 409 `version_conflict`; 411 a command with
// Transfer-Encoding (chunked) instead of Content-Length; 413 body too large;
// 415 wrong content type; 422 every other rejection with its code; 429 over the rate limit, with
// Retry-After; 500 `internal`; 503 `unavailable` (a command not saved) or `read_models_behind`
// (api_reads.h). route_errors.h lists each route's. Nothing is written on any error.
//
// Thread-safety: handlers run on the server's worker threads; Stop may be called from any thread.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "admin/server/api_reads.h"
#include "admin/server/metrics.h"
#include "admin/server/one_write_server.h"
#include "admin/server/rate_limiter.h"
#include "admin/server/tokens.h"
#include "admin/store.h"

namespace mct::admin::server {

// What an upload's form may add to its file and its text fields: part heads and boundaries.
inline constexpr size_t kUploadFormHeads = 16 * 1024;

struct ApiOptions {
  std::filesystem::path data_dir;
  size_t max_body_bytes = 64 * 1024;          // commands
  size_t max_upload_bytes = 10 * 1024 * 1024;  // survey reports (REQ-5)
  double rate_per_second = 2000;               // per client; 0 disables
  double rate_burst = 4000;
  int worker_threads = 64;  // concurrent requests: more in flight, bigger group commits
  std::filesystem::path web_root;  // the web pages; empty: none served
  std::chrono::milliseconds read_wait = kDefaultReadWait;  // ?after= (api_reads.h)
  // How long a graceful stop lets an export go on streaming before it is cut: a client reading
  // slowly would otherwise hold the stop for as long as it likes.
  std::chrono::milliseconds export_stop_grace = std::chrono::seconds(10);
  // How long a send waits for a client that stopped reading before the connection is dropped.
  std::chrono::milliseconds stalled_send_timeout = std::chrono::seconds(10);
};

class HttpApi {
 public:
  // `appended` is called after every accepted command (wakes the projection runner).
  HttpApi(Store& store, TokenStore& tokens, Metrics& metrics, ApiOptions options,
          std::function<void()> appended);

  // Binds `host:port` (port 0: any free port); answers the bound port.
  Result<int> Bind(const std::string& host, int port);
  // Serves until Stop; in-flight requests finish first, and a running rebuild.
  void Serve();
  // Stops Serve, also when called before Serve has begun to listen (Serve then returns at once).
  void Stop();
  // Starts the rebuild of read models left in another build's layout
  // (Store::OpenLeavingOtherLayout), as POST /v1/rebuild would, asked by mctd itself; `finished`
  // gets its final status (RebuildJob).
  void RebuildOtherLayout(RebuildJob::FinishedFn finished);
  bool ready() const { return ready_.load(); }
  void set_ready(bool ready) { ready_ = ready; }

 private:
  void RegisterRoutes();
  void HandleCommand(const httplib::Request& request, httplib::Response& response);
  void HandleUpload(const httplib::Request& request, httplib::Response& response);
  // Answers 400 a request whose body's length cannot be known for sure (two Content-Length
  // headers, one beside Transfer-Encoding, or one that is not a number); 401 (or 429) an upload,
  // or a command about to be refused, without a valid token; and a command whose head declares a
  // body over max_body_bytes 413, or no length (a chunked body) 411. Each closes the connection,
  // the body unread. The status sent, or 0 when the head is fine (uploads have their own limit).
  int RefuseByItsHead(const httplib::Request& request, httplib::Response& response);
  // Whether `path` names a page of the web folder that GET would serve.
  bool IsServedPage(const std::string& path) const;
  // What /readyz says while not ready.
  std::string NotReadyMessage() const;
  // True once a stop was asked for longer ago than the export's grace.
  bool ExportStopGraceOver() const;
  // The largest upload form read: the report's limit, its text fields' (a command body's), and
  // room for the part heads.
  size_t UploadFormLimit() const {
    return options_.max_upload_bytes + options_.max_body_bytes + kUploadFormHeads;
  }
  // The token's actor, or answers 401/429 and nullopt. The request counts against the rate limit
  // of its actor, or of its remote address when it has no valid token.
  std::optional<domain::Actor> Authorize(const httplib::Request& request, httplib::Response& response);

  Store& store_;
  TokenStore& tokens_;
  Metrics& metrics_;
  ApiOptions options_;
  std::function<void()> appended_;
  RebuildJob rebuild_;
  RateLimiter limiter_;
  OneWriteServer server_;                    // cpp-httplib, answering each request with one send()
  socket_t listen_socket_ = INVALID_SOCKET;  // recorded by the socket options hook, for Bind
  std::atomic<bool> ready_{false};
  std::atomic<bool> serve_entered_{false};
  std::atomic<bool> serve_returned_{false};
};

// {"code", "message"} with `status`.
void SendError(httplib::Response& response, int status, const std::string& code,
               const std::string& message);

// For a query parameter the request's route does not take (QueryParameters, route_table.h):
// answers 400 invalid_input naming it, and says true. Called once the token is known.
bool RefusedForItsQuery(const httplib::Request& request, httplib::Response& response);

}  // namespace mct::admin::server
