#include "admin/server/one_write_server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <tuple>

#include "admin/server/media_type.h"

namespace mct::admin::server {
namespace {

// poll() for input, retried when a signal interrupts it.
int PollInput(socket_t sock, int timeout_ms) {
  pollfd watched{sock, POLLIN, 0};
  int ready;
  do {
    ready = ::poll(&watched, 1, timeout_ms);
  } while (ready < 0 && errno == EINTR);
  return ready;
}

// A pool of worker threads that counts the connections queued for one (each task serves one
// connection until it closes).
class CountingWorkerPool final : public httplib::TaskQueue {
 public:
  CountingWorkerPool(int threads, std::atomic<int>& waiting)
      : pool_(static_cast<size_t>(threads)), waiting_(waiting) {}

  void enqueue(std::function<void()> serve) override {
    waiting_.fetch_add(1, std::memory_order_relaxed);
    pool_.enqueue([this, serve = std::move(serve)] {
      waiting_.fetch_sub(1, std::memory_order_relaxed);
      serve();
    });
  }
  void shutdown() override { pool_.shutdown(); }  // serves what is queued first

 private:
  httplib::ThreadPool pool_;
  std::atomic<int>& waiting_;
};

// How a request's head frames its body: a length, or nullopt for a chunked body; and a problem
// when the length cannot be known for sure (RFC 9112, 6.3): Content-Length twice, beside
// Transfer-Encoding, or not a number. cpp-httplib 0.11 would take the first of two lengths, and
// the rest of the body for the next request (request smuggling); such a request is refused and its
// connection ended. The library takes a head with neither Content-Length nor Transfer-Encoding to
// mean "read until the client closes"; for a request it means no body at all, so such a head is
// given `Content-Length: 0`.
struct DeclaredBody {
  std::optional<uint64_t> length;
  std::string problem;
};

DeclaredBody ReadDeclaredBody(httplib::Request& request) {
  DeclaredBody declared;
  const auto [first, end] = request.headers.equal_range("Content-Length");
  const bool chunked = request.headers.find("Transfer-Encoding") != request.headers.end();
  if (chunked) {
    declared.length = std::nullopt;
    if (first != end)
      declared.problem = "send either Transfer-Encoding or Content-Length, not both";
    return declared;
  }
  declared.length = 0;
  if (first == end) {
    request.set_header("Content-Length", "0");
    return declared;
  }
  if (std::next(first) != end) {
    declared.problem = "Content-Length: sent more than once";
    return declared;
  }
  const std::string& text = first->second;
  uint64_t value = 0;
  const auto [last, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || last != text.data() + text.size()) {
    constexpr size_t kShown = 40;
    declared.problem = "Content-Length: '" + text.substr(0, kShown) +
                       (text.size() > kShown ? "…" : "") + "' is not a length in bytes";
    return declared;
  }
  declared.length = value;
  return declared;
}

// Why a head that frames its body well is still refused, or "": an HTTP/1.1 request must name
// its Host, once (RFC 9112, 3.2: two are a 400, as a proxy before this server may have routed by
// the other), and a GET or HEAD has no body (cpp-httplib 0.11 would leave it unread and take its
// bytes for the next request).
std::string ProblemBesideTheBody(const httplib::Request& request, const DeclaredBody& declared) {
  if (request.version == "HTTP/1.1" && !request.has_header("Host")) {
    return "send a Host header (HTTP/1.1)";
  }
  if (request.get_header_value_count("Host") > 1) return "Host: sent more than once; send one";
  const bool has_body = !declared.length || *declared.length > 0;
  if (has_body && (request.method == "GET" || request.method == "HEAD")) {
    return "a " + request.method + " request has no body";
  }
  return "";
}

// A multipart/form-data body's Content-Type is handed to the library in the one form it reads
// (media_type.h); why such a body cannot be read at all, or "".
std::string PutMultipartInTheLibrarysForm(httplib::Request& request, const DeclaredBody& declared) {
  const auto type = request.headers.find("Content-Type");
  if (type == request.headers.end() || MediaTypeOf(type->second) != "multipart/form-data") {
    return "";
  }
  if (auto canonical = CanonicalMultipartFormData(type->second)) {
    type->second = *std::move(canonical);
    return "";
  }
  const bool has_body = !declared.length || *declared.length > 0;
  return has_body ? "Content-Type: multipart/form-data needs its boundary parameter (boundary=...)"
                  : "";
}

// Reads and drops what the peer still sends, for a moment, after our side is shut: a close with
// unread input would send a reset, which can reach the client before it reads the answer.
void DropWhatFollows(socket_t sock) {
  constexpr auto kLinger = std::chrono::seconds(1);
  ::shutdown(sock, SHUT_WR);
  const auto deadline = std::chrono::steady_clock::now() + kLinger;
  std::array<char, 16 * 1024> dropped{};
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || PollInput(sock, static_cast<int>(left.count())) <= 0) return;
    const ssize_t n = ::recv(sock, dropped.data(), dropped.size(), 0);
    if (n == 0 || (n < 0 && errno != EINTR)) return;
  }
}

// Set by a handler on this worker thread through EndConnectionAfterAnswer: the request's body
// was refused unread, of a length the connection loop cannot know (a chunked one).
thread_local bool end_after_answer = false;
// The request being served on this worker thread: its body's framing (ReadDeclaredBody), for
// handlers that judge a request by its head (DeclaredBodyLengthOfThisRequest,
// RefusalOfThisRequestsHead).
thread_local std::optional<uint64_t> declared_body_length;
thread_local std::string head_refusal;
// The connection being served on this worker thread, for BodyWentOverItsLimit.
thread_local const BufferedSocketStream* serving = nullptr;

enum class End : uint8_t { kPeer, kLocal };

// One end of a connected socket as numeric host and port; an empty host and port 0 when the
// kernel cannot tell.
std::pair<std::string, int> EndOf(socket_t sock, End which) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  auto* raw = reinterpret_cast<sockaddr*>(&address);
  std::pair<std::string, int> end{"", 0};
  const int asked =
      which == End::kPeer ? ::getpeername(sock, raw, &length) : ::getsockname(sock, raw, &length);
  if (asked != 0) return end;
  auto& [ip, port] = end;
  if (address.ss_family == AF_INET) {
    port = ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  } else if (address.ss_family == AF_INET6) {
    port = ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  } else {
    return end;
  }
  char host[NI_MAXHOST] = {};
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&address), length, host, sizeof(host),
                    nullptr, 0, NI_NUMERICHOST) == 0) {
    ip = host;
  }
  return end;
}

}  // namespace

BufferedSocketStream::BufferedSocketStream(socket_t sock, int read_timeout_ms, int write_timeout_ms)
    : sock_(sock), read_timeout_ms_(read_timeout_ms), write_timeout_ms_(write_timeout_ms) {}

bool BufferedSocketStream::WaitForInput(int timeout_ms) {
  if (in_begin_ < in_end_) return true;  // a pipelined request is here already
  if (!Flush()) return false;
  return PollInput(sock_, timeout_ms) > 0;
}

bool BufferedSocketStream::Flush() {
  // SO_SNDTIMEO bounds one send, and a send that moved some bytes before it stalled returns them
  // only when the time-out has passed: a peer that stopped reading held the thread a time-out per
  // such send (30 s where 10 were meant). So each send offers at most kFlushBytes, and one that
  // took the whole time-out to move part of that ends the connection: a peer that takes 10 s for
  // 64 KiB has stopped reading, while a slow one still reading gets its answer, however long.
  const auto write_timeout = std::chrono::milliseconds(write_timeout_ms_);
  size_t sent = 0;
  while (!failed_ && sent < out_.size()) {
    const size_t offered = std::min(out_.size() - sent, kFlushBytes);
    const Clock::time_point started = Clock::now();
    const ssize_t n = ::send(sock_, out_.data() + sent, offered, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      if (static_cast<size_t>(n) < offered && Clock::now() - started >= write_timeout) {
        failed_ = true;
      }
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      failed_ = true;  // the peer is gone, or the write time-out passed
    }
  }
  out_.clear();
  return !failed_;
}

bool BufferedSocketStream::is_readable() const {
  return in_begin_ < in_end_ || PollInput(sock_, WaitMs()) > 0;
}

int BufferedSocketStream::WaitMs() const {
  if (!deadline_) return read_timeout_ms_;
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - Clock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, read_timeout_ms_));
}

ssize_t BufferedSocketStream::Receive(char* into, size_t size) {
  ssize_t n;
  if (!deadline_) {
    do {
      n = ::recv(sock_, into, size, 0);  // SO_RCVTIMEO
    } while (n < 0 && errno == EINTR);
    return n;
  }
  // Bytes already here are taken without waiting (a request's usual case: no extra system call);
  // else the wait is the read time-out, cut short by the deadline.
  for (;;) {
    n = ::recv(sock_, into, size, MSG_DONTWAIT);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    const bool nothing_here_yet = errno == EAGAIN || errno == EWOULDBLOCK;
    if (!nothing_here_yet) return n;  // the peer is gone, or the socket failed
    const int wait_ms = WaitMs();
    if (wait_ms == 0 || PollInput(sock_, wait_ms) <= 0) {
      errno = ETIMEDOUT;
      return -1;
    }
  }
}

ssize_t BufferedSocketStream::read(char* ptr, size_t size) {
  ssize_t got = ReadSome(ptr, size);
  while (whole_reads_ && got > 0 && static_cast<size_t>(got) < size) {
    const ssize_t more = ReadSome(ptr + got, size - static_cast<size_t>(got));
    if (more <= 0) break;
    got += more;
  }
  return got;
}

ssize_t BufferedSocketStream::ReadSome(char* ptr, size_t size) {
  if (limit_ && consumed_ + size > *limit_) {
    if (consumed_ >= *limit_) {
      over_limit_ = true;
      return -1;
    }
    size = static_cast<size_t>(*limit_ - consumed_);
  }
  // The library reads a request's head one byte at a time.
  if (size == 1 && in_begin_ < in_end_) {
    *ptr = in_[in_begin_++];
    ++consumed_;
    return 1;
  }
  if (in_begin_ == in_end_) {
    // The client may be waiting for what was written (a `100 Continue`) before it sends more.
    if (!Flush()) return -1;
    // A large read (an upload's body) goes straight to the caller; a small one fills the buffer.
    const bool direct = size >= in_.size();
    const ssize_t n = Receive(direct ? ptr : in_.data(), direct ? size : in_.size());
    if (n > 0 && direct) consumed_ += static_cast<uint64_t>(n);
    if (n <= 0 || direct) return n;
    in_begin_ = 0;
    in_end_ = static_cast<size_t>(n);
  }
  const size_t copied = std::min(size, in_end_ - in_begin_);
  std::memcpy(ptr, in_.data() + in_begin_, copied);
  in_begin_ += copied;
  consumed_ += copied;
  return static_cast<ssize_t>(copied);
}

void BufferedSocketStream::SayTheConnectionCloses() {
  const size_t head_end = out_.find("\r\n\r\n");
  if (!out_.starts_with("HTTP/") || head_end == std::string::npos) return;
  const size_t keep_alive = out_.find("\r\nKeep-Alive:");
  if (keep_alive == std::string::npos || keep_alive >= head_end) return;
  const size_t line_end = out_.find("\r\n", keep_alive + 2);
  const size_t close = out_.find("\r\nConnection: close\r\n");
  const bool said = close != std::string::npos && close < head_end;
  out_.replace(keep_alive, line_end - keep_alive, said ? "" : "\r\nConnection: close");
}

ssize_t BufferedSocketStream::write(const char* ptr, size_t size) {
  if (failed_) return -1;
  out_.append(ptr, size);
  if (out_.size() >= kFlushBytes && !Flush()) return -1;
  return static_cast<ssize_t>(size);
}

void BufferedSocketStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  if (!remote_) remote_ = EndOf(sock_, End::kPeer);
  std::tie(ip, port) = *remote_;
}

void BufferedSocketStream::get_local_ip_and_port(std::string& ip, int& port) const {
  if (!local_) local_ = EndOf(sock_, End::kLocal);
  std::tie(ip, port) = *local_;
}

void OneWriteServer::EndConnectionAfterAnswer() { end_after_answer = true; }

std::optional<uint64_t> OneWriteServer::DeclaredBodyLengthOfThisRequest() {
  return declared_body_length;
}

const std::string& OneWriteServer::RefusalOfThisRequestsHead() { return head_refusal; }

bool OneWriteServer::BodyWentOverItsLimit() {
  return serving != nullptr && serving->went_over_limit();
}

void OneWriteServer::SetWorkerThreads(int threads) {
  new_task_queue = [this, threads] {
    return new CountingWorkerPool(threads, connections_waiting_);
  };
}

bool OneWriteServer::WaitForNextRequest(BufferedSocketStream& stream, int wait_ms,
                                        bool first) const {
  // In slices, so that an idle connection notices a stop, and the connections that came to wait
  // meanwhile.
  for (int waited = 0;; waited += kIdleWhileOthersWaitMs) {
    const int slice = std::min(kIdleWhileOthersWaitMs, wait_ms - waited);
    if (stream.WaitForInput(slice)) return true;
    if (svr_sock_ == INVALID_SOCKET) {
      return first && stream.WaitForInput(kFirstRequestWhenStoppingMs);
    }
    // A new connection yields to waiting ones only after kFirstRequestYieldMs: its client may
    // still be sending (a new connection closed unanswered after 50 ms was a reset to it), but
    // one that sends nothing must not hold a thread for the whole read time-out.
    const int yield_after_ms = first ? kFirstRequestYieldMs : 0;
    if (waited + slice >= wait_ms || (waited + slice >= yield_after_ms &&
                                      connections_waiting_.load(std::memory_order_relaxed) > 0)) {
      return false;
    }
  }
}

void OneWriteServer::MarkStopping() {
  int64_t unmarked = 0;  // the first stop's instant is kept
  stop_marked_at_ns_.compare_exchange_strong(
      unmarked, std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count());
}

bool OneWriteServer::Stopping() const { return stop_marked_at_ns_.load() != 0; }

bool OneWriteServer::StopGraceOver(std::chrono::milliseconds grace) const {
  const int64_t since = stop_marked_at_ns_.load(std::memory_order_relaxed);
  if (since == 0) return false;
  return std::chrono::steady_clock::now().time_since_epoch() - std::chrono::nanoseconds(since) >
         grace;
}

bool OneWriteServer::process_and_close_socket(socket_t sock) {
  // The pool's threads, named for `top -H` and profilers on their first connection.
  thread_local const bool named = pthread_setname_np(pthread_self(), "mct-http") == 0;
  (void)named;
  // The library has set the read and write time-outs on `sock` when it accepted it, and
  // TCP_NODELAY (set_tcp_nodelay) comes with it from the listening socket.
  const int read_timeout_ms =
      static_cast<int>(read_timeout_sec_ * 1000 + read_timeout_usec_ / 1000);
  const int keep_alive_ms = static_cast<int>(keep_alive_timeout_sec_ * 1000);
  const int write_timeout_ms =
      static_cast<int>(write_timeout_sec_ * 1000 + write_timeout_usec_ / 1000);
  BufferedSocketStream stream(sock, read_timeout_ms, write_timeout_ms);
  bool served = false;
  bool body_left_unread = false;
  // As the library's own loop: a kept-alive connection serves up to keep_alive_max_count_
  // requests, the last answered with `Connection: close`, and ends when the server stops. But
  // a connection accepted is answered, and so is a request already sent on a kept-alive one,
  // even once the server stops (graceful shutdown: the client sent it, so it gets an answer,
  // with `Connection: close`); the library's loop closed both unanswered.
  const auto read_timeout = std::chrono::milliseconds(read_timeout_ms);
  for (size_t left = keep_alive_max_count_; left > 0; --left) {
    const bool stopping = svr_sock_ == INVALID_SOCKET;
    if (stopping && StopGraceOver(kStopGrace)) break;
    const bool first = left == keep_alive_max_count_;
    // A connection's first request gets the read time-out, yielding to waiting connections only
    // after a second (WaitForNextRequest).
    const bool request_here =
        stopping ? stream.WaitForInput(first ? kFirstRequestWhenStoppingMs : 0)
                 : WaitForNextRequest(stream, first ? read_timeout_ms : keep_alive_ms, first);
    if (!request_here) break;
    stream.SetDeadline(BufferedSocketStream::Clock::now() + read_timeout);  // for the head
    bool closed = false;
    bool head_read = false;
    uint64_t body_end = 0;  // where the request's declared body ends in the stream
    end_after_answer = false;
    declared_body_length = 0;  // until this request's head is read
    head_refusal.clear();
    stream.LimitReadsTo(std::nullopt);
    stream.ReadWhole(false);
    serving = &stream;
    const bool last = left == 1 || svr_sock_ == INVALID_SOCKET;
    served = process_request(stream, last, closed, [&](httplib::Request& request) {
      head_read = true;
      // Answers are whole (RFC 9110, 14.2 lets a server ignore Range): cpp-httplib 0.11 answers a
      // range of a streamed answer (the export) 206 with the whole body and no Content-Range.
      request.ranges.clear();
      request.headers.erase("Range");
      DeclaredBody declared = ReadDeclaredBody(request);
      if (declared.problem.empty()) declared.problem = ProblemBesideTheBody(request, declared);
      if (declared.problem.empty())
        declared.problem = PutMultipartInTheLibrarysForm(request, declared);
      stream.ReadWhole(request.is_multipart_form_data());
      // The body's time: the read time-out, and a second for every kMinBodyBytesPerSecond of
      // what will be read (a declared length past the limit is not read: no overflow either).
      const uint64_t body_bytes =
          std::min<uint64_t>(declared.length.value_or(payload_max_length_), payload_max_length_);
      stream.SetDeadline(BufferedSocketStream::Clock::now() + read_timeout +
                         std::chrono::seconds(body_bytes / kMinBodyBytesPerSecond));
      declared_body_length = declared.length;
      if (declared.length) {
        // A body longer than the limit is refused (413) unread, so the connection ends after it.
        if (*declared.length > payload_max_length_) end_after_answer = true;
        body_end = stream.consumed() + body_bytes;
      } else {
        // The library reads a chunked body into memory with no limit of its own.
        stream.LimitReadsTo(stream.consumed() + payload_max_length_ + kChunkFramingAllowance);
      }
      // Where this body ends is not known, or it is not read: so neither is where the next
      // request begins.
      if (!declared.problem.empty()) end_after_answer = true;
      head_refusal = std::move(declared.problem);
    });
    if (stream.went_over_limit()) end_after_answer = true;
    const bool body_unread = stream.consumed() < body_end || end_after_answer;
    // A head the library could not read (answered 400 or 414 without calling back): what follows
    // it on the connection cannot be told apart from its remains either. The library answers
    // such a head, or one refused by its head, as if the connection went on (`Keep-Alive`): it
    // ends here, and the answer says so.
    const bool ends_here = body_unread || !head_read;
    if (served && ends_here) stream.SayTheConnectionCloses();
    if (!stream.Flush()) served = false;
    body_left_unread = served && body_unread;
    if (!served || closed || ends_here) break;
  }
  serving = nullptr;
  stream.Flush();
  if (body_left_unread) DropWhatFollows(sock);
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return served;
}

}  // namespace mct::admin::server
