// OneWriteServer: cpp-httplib's Server with a connection loop of its own that answers each request
// with one send().
//
// Why: cpp-httplib 0.11 (Debian's) sends an answer's head and its body with two send() calls, each
// after two poll() calls, and polls twice before it reads a request: ten system calls and two TCP
// segments for every command, and the client wakes for each segment. Here a connection collects
// what the library writes for a request and sends it when the request is done, and waits for the
// next request with one poll() before one recv(): three system calls and one segment. Measured: 5
// to 13% less CPU per command (bench/README.md, "One write per answer").
//
// Only the socket loop is replaced (the library's extension point, as its TLS server uses):
// parsing, routing, handlers, limits and the answer's bytes are still cpp-httplib's
// `process_request`. Output is also sent before the connection waits for input (so a
// `100 Continue` reaches a client that waits for it) and whenever more than kFlushBytes are
// waiting (large exports stream as before).
//
// What the loop settles before the library sees a request:
// - A request's head must be whole within the read time-out of its first byte, and its body
//   within the read time-out plus a second for every 64 KiB it declares (a chunked one: the
//   library's body limit): a client that sends a byte now and then no longer keeps a worker thread
//   for ever (slowloris).
// - A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112, 6.3).
//   cpp-httplib 0.11 would read such a POST's body until the client closes, and answer 400 when
//   its read times out; the loop gives it `Content-Length: 0`.
// - A request answered before its declared body was read (a handler refused it by its length)
//   ends the connection: the body's bytes are still coming and would be taken for the next
//   request. So does a request whose handler asks for it (EndConnectionAfterAnswer): a chunked
//   body refused unread, whose length nobody knows. What the client still sends is read and dropped
//   for a moment before the close, so that it sees the answer rather than a reset.
// - A request whose body's length cannot be known for sure (two Content-Length headers, one beside
//   Transfer-Encoding, or one that is not a number) ends the connection after its answer, which
//   a handler makes 400 (RefusalOfThisRequestsHead): else the library would take part of its
//   body for the next request (request smuggling). So does a head the library could not read,
//   an HTTP/1.1 request without Host, and a GET or HEAD with a body (the library leaves it unread).
// - A multipart/form-data Content-Type is rewritten in the one form cpp-httplib 0.11 reads
//   (media_type.h): the library reads the media type case-sensitively and the boundary up to the
//   header's end. One without a boundary, with a body, is refused (RefusalOfThisRequestsHead).
// - A Range header is ignored: every answer is whole, 200 (RFC 9110, 14.2). cpp-httplib 0.11
//   would answer a range of a streamed answer 206 with the whole body and no Content-Range.
// - A kept-alive connection holds its worker thread while it waits for its next request. When
//   connections are waiting for a thread (SetWorkerThreads), an idle one gives its thread up
//   after kIdleWhileOthersWaitMs instead of the whole keep-alive time-out: else a client that
//   opens as many connections as there are threads, and sends nothing, keeps every other client
//   waiting.
//
// Thread-safety: as httplib::Server; each connection's stream is used by one worker thread.
#pragma once

#include <httplib.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace mct::admin::server {

// A connected socket as an httplib::Stream that holds its output until Flush.
class BufferedSocketStream final : public httplib::Stream {
 public:
  static constexpr size_t kFlushBytes = 64 * 1024;

  using Clock = std::chrono::steady_clock;

  // `sock` is blocking, with the read and write time-outs set on it (SO_RCVTIMEO, SO_SNDTIMEO);
  // `write_timeout_ms` is the latter, which bounds each Flush as a whole.
  BufferedSocketStream(socket_t sock, int read_timeout_ms, int write_timeout_ms);

  // From now on reads fail once `deadline` has passed, however steadily bytes trickle in (each
  // byte would restart the read time-out); nullopt: only the read time-out.
  void SetDeadline(std::optional<Clock::time_point> deadline) { deadline_ = deadline; }

  // True when a request's bytes are here or arrive within `timeout_ms` (or the peer closed, which
  // the next read reports). Sends what is waiting first.
  bool WaitForInput(int timeout_ms);
  // Sends everything written so far; false once the peer is gone, or has not taken it all within
  // the write time-out (every later call fails too).
  bool Flush();
  // The answer held (not yet sent) says that the connection closes after it: the library's
  // `Keep-Alive` line becomes `Connection: close`, or goes where that is said already.
  void SayTheConnectionCloses();
  // The bytes of input handed to the library so far.
  uint64_t consumed() const { return consumed_; }
  // Reads fail once `consumed()` would pass `limit` (a chunked body, which no Content-Length
  // bounds, read into memory by the library); nullopt: no limit. went_over_limit() says it did.
  void LimitReadsTo(std::optional<uint64_t> limit) {
    limit_ = limit;
    over_limit_ = false;
  }
  bool went_over_limit() const { return over_limit_; }
  // While set, a read answers as many bytes as asked, waiting for more, unless the peer ends or
  // fails first. For a multipart body: cpp-httplib 0.11's parser refuses a form whose first piece
  // is shorter than its boundary line (a body that arrives in small first segments).
  void ReadWhole(bool whole) { whole_reads_ = whole; }

  bool is_readable() const override;
  bool is_writable() const override { return !failed_; }  // sends block, bounded by SO_SNDTIMEO
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return sock_; }

 private:
  // recv(), bounded by the deadline when there is one.
  ssize_t Receive(char* into, size_t size);
  // What is buffered, else one receive: `read` without ReadWhole.
  ssize_t ReadSome(char* ptr, size_t size);
  // The read time-out, shortened to what is left before the deadline (0 once it has passed).
  int WaitMs() const;

  socket_t sock_;
  int read_timeout_ms_;
  int write_timeout_ms_;
  std::optional<Clock::time_point> deadline_;
  std::optional<uint64_t> limit_;
  bool over_limit_ = false;
  bool whole_reads_ = false;
  bool failed_ = false;
  std::string out_;
  std::array<char, 4096> in_{};
  size_t in_begin_ = 0;
  size_t in_end_ = 0;
  uint64_t consumed_ = 0;
  // The connection's two ends, asked of the kernel once (the library asks for every request).
  mutable std::optional<std::pair<std::string, int>> remote_, local_;
};

class OneWriteServer : public httplib::Server {
 public:
  // The slowest body a request may send (see above): 64 KiB a second.
  static constexpr uint64_t kMinBodyBytesPerSecond = 64 * 1024;
  // What a chunked body may take beyond the payload limit in its framing (chunk sizes, CRLFs):
  // 16 bytes a chunk for 4,096 chunks.
  static constexpr uint64_t kChunkFramingAllowance = 64 * 1024;
  // How long an idle kept-alive connection keeps its thread while other connections wait for one.
  static constexpr int kIdleWhileOthersWaitMs = 50;
  // Once the server stops: how long a connection accepted before it may take to send its first
  // request, and how long after the stop connections still begin requests at all (the stop
  // cannot be held by many slow clients queued for a thread).
  static constexpr int kFirstRequestWhenStoppingMs = 1000;
  static constexpr int kFirstRequestYieldMs = 1000;
  static constexpr std::chrono::seconds kStopGrace{10};

  // The stop's instant, recorded by whoever stops the server (before stop()), and what follows
  // from it: whether it has come, and whether `grace` has passed since. The connection loop and
  // the export both measure their grace from this one instant.
  void MarkStopping();
  bool Stopping() const;
  bool StopGraceOver(std::chrono::milliseconds grace) const;

  // Serves connections on `threads` worker threads, one connection per thread at a time, and
  // counts the connections waiting for one (see above). Before listening.
  void SetWorkerThreads(int threads);

  // From a handler (or the pre-routing or expect-100 handler) of the request being served on this
  // thread: its connection ends after the answer, and what the client still sends is read and
  // dropped for a moment first. For a body refused before it was read.
  static void EndConnectionAfterAnswer();
  // From a handler (or the pre-routing or expect-100 handler): the length of body the request
  // being served on this thread declares, as the connection loop read its head; 0 when it
  // declares none, nullopt for a chunked body.
  static std::optional<uint64_t> DeclaredBodyLengthOfThisRequest();
  // From a handler (or the pre-routing or expect-100 handler): why the head of the request being
  // served on this thread cannot be served (its body's length is not sure: Content-Length twice,
  // beside Transfer-Encoding, or not a number; no Host; a body on a GET or HEAD), or empty. Such a
  // request is to be answered 400; its connection ends after the answer.
  static const std::string& RefusalOfThisRequestsHead();
  // From the error handler: whether the request being served on this thread sent a chunked body
  // longer than the payload limit, which was cut off there (to be answered 413; its connection
  // ends after the answer).
  static bool BodyWentOverItsLimit();

 private:
  // Called by the library on a worker thread for each accepted connection.
  bool process_and_close_socket(socket_t sock) override;
  // True when the next request's bytes are here or arrive within `wait_ms`, or, while
  // connections wait for a thread, within kIdleWhileOthersWaitMs for a kept-alive connection and
  // kFirstRequestYieldMs for a new one (`first`).
  // A stop ends the wait, but a first request still gets kFirstRequestWhenStoppingMs.
  bool WaitForNextRequest(BufferedSocketStream& stream, int wait_ms, bool first) const;

  std::atomic<int> connections_waiting_{0};
  std::atomic<int64_t> stop_marked_at_ns_{0};  // steady clock; 0 while serving
};

}  // namespace mct::admin::server
