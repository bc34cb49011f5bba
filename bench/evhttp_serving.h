// What the benchmark servers on libevent's evhttp share (http_floor_bench.cc,
// event_loop_server.cc): listening on loopback, and serving until
// SIGTERM or SIGINT after printing "listening on PORT" (what bench/floor_server.sh waits for).
//
// Thread-safety: ListenOnLoopback and ServeUntilStopped use the loop they are given, from the
// thread that runs it.
#pragma once

#include <event2/event.h>
#include <event2/http.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <csignal>
#include <iostream>
#include <optional>

namespace mct::bench {

// Binds `http` to 127.0.0.1:`port` (0: any free port); the port bound, or nullopt. `socket`, when
// given, gets the listening socket (another loop may accept on a dup() of it).
inline std::optional<int> ListenOnLoopback(evhttp* http, int port,
                                           evutil_socket_t* socket = nullptr) {
  evhttp_bound_socket* listener =
      evhttp_bind_socket_with_handle(http, "127.0.0.1", static_cast<uint16_t>(port));
  if (listener == nullptr) return std::nullopt;
  if (socket != nullptr) *socket = evhttp_bound_socket_get_fd(listener);
  sockaddr_in address{};
  socklen_t length = sizeof(address);
  if (::getsockname(evhttp_bound_socket_get_fd(listener), reinterpret_cast<sockaddr*>(&address),
                    &length) != 0) {
    return std::nullopt;
  }
  return ntohs(address.sin_port);
}

// Prints "listening on PORT" and runs `base` until SIGTERM or SIGINT, which libevent turns into
// events of the loop.
inline void ServeUntilStopped(event_base* base, int port) {
  const auto stop = [](evutil_socket_t, short, void* loop) {
    event_base_loopbreak(static_cast<event_base*>(loop));
  };
  event* on_term = evsignal_new(base, SIGTERM, stop, base);
  event* on_int = evsignal_new(base, SIGINT, stop, base);
  evsignal_add(on_term, nullptr);
  evsignal_add(on_int, nullptr);
  std::cout << "listening on " << port << std::endl;
  event_base_dispatch(base);
  event_free(on_term);
  event_free(on_int);
}

}  // namespace mct::bench
