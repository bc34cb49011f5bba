// Raw loopback connections for the server's tests: a plain connect, and a request sent as raw
// bytes on a connection of its own, for what httplib's client never sends (a POST with no
// Content-Length, a head whose body does not follow), and what came back.
//
// Test-only; each call opens its own connection, so calls may come from any thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace mct::admin::server::testing {

// A TCP connection to 127.0.0.1:`port`, or -1.
inline int ConnectLoopback(int port) {
  const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  if (sock < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (::connect(sock, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(sock);
    return -1;
  }
  return sock;
}

// Sends `bytes` to 127.0.0.1:`port`, without closing our side, and answers what the server sends
// until it closes the connection or `wait` has passed in all; empty when nothing came.
inline std::string RawExchange(int port, const std::string& bytes,
                               std::chrono::milliseconds wait = std::chrono::seconds(5)) {
  const int sock = ConnectLoopback(port);
  if (sock < 0) return "";
  std::string answer;
  if (::send(sock, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size())) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd watched{sock, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&watched, 1, static_cast<int>(left.count())) <= 0) break;
      char chunk[4096];
      const ssize_t got = ::recv(sock, chunk, sizeof(chunk), 0);
      if (got <= 0) break;
      answer.append(chunk, static_cast<size_t>(got));
    }
  }
  ::close(sock);
  return answer;
}

// The status code of a raw answer ("HTTP/1.1 413 ..." gives 413), or 0.
inline int RawStatus(const std::string& answer) {
  if (answer.rfind("HTTP/1.", 0) != 0 || answer.size() < 12) return 0;
  return std::stoi(answer.substr(9, 3));
}

// The body of a raw answer: what follows the head.
inline std::string RawBody(const std::string& answer) {
  const auto end_of_head = answer.find("\r\n\r\n");
  return end_of_head == std::string::npos ? "" : answer.substr(end_of_head + 4);
}

}  // namespace mct::admin::server::testing
