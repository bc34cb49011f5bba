// Where mctd listens: a second server on a port already served is refused with a clear error
// (it must not quietly share the port and take half the connections), and a server restarted on
// the port of one that just stopped binds at once.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <string>

#include "tests/server/server_fixture.h"

namespace mct::admin::server::testing {
namespace {

class SecondServer {
 public:
  SecondServer() {
    auto store = Store::Open(dir_.path());
    if (!store.ok()) throw std::runtime_error(store.error().message);
    store_ = std::move(store).value();
    tokens_ = std::make_unique<TokenStore>(dir_.path());
    ApiOptions options;
    options.data_dir = dir_.path();
    options.worker_threads = 2;
    api_ = std::make_unique<HttpApi>(*store_, *tokens_, metrics_, options, [] {});
  }
  HttpApi& api() { return *api_; }

 private:
  consumers::testing::TempDir dir_{"second-server"};
  std::unique_ptr<Store> store_;
  std::unique_ptr<TokenStore> tokens_;
  Metrics metrics_;
  std::unique_ptr<HttpApi> api_;
};

TEST(Listen, APortAlreadyServedIsRefused) {
  TestServer first;
  SecondServer second;
  auto bound = second.api().Bind("127.0.0.1", first.port());
  ASSERT_FALSE(bound.ok()) << "two servers listen on port " << first.port();
  EXPECT_EQ(bound.error().message, "cannot listen on 127.0.0.1:" + std::to_string(first.port()) +
                                       ": " + std::strerror(EADDRINUSE));
  EXPECT_EQ(first.Get("/healthz").status, 200) << "the first server keeps serving";
}

// Each cause is said as it is, not guessed at.
TEST(Listen, AnAddressItCannotListenOnIsSaidWithItsReason) {
  SecondServer second;
  const auto unresolved = second.api().Bind("no-such-host.invalid", 18299);
  ASSERT_FALSE(unresolved.ok());
  EXPECT_EQ(unresolved.error().message,
            "cannot listen on no-such-host.invalid:18299: the host is not a name or address of "
            "this machine");
  const auto foreign = second.api().Bind("192.0.2.1", 18299);  // TEST-NET-1: never this machine's
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().message,
            std::string("cannot listen on 192.0.2.1:18299: ") + std::strerror(EADDRNOTAVAIL));
}

TEST(Listen, ARestartBindsThePortOfAStoppedServerAtOnce) {
  int port = 0;
  {
    TestServer first;
    port = first.port();
    // A served request leaves a connection in TIME_WAIT on the server's side once it stops.
    ASSERT_EQ(first.Get("/healthz").status, 200);
  }
  SecondServer restarted;
  auto bound = restarted.api().Bind("127.0.0.1", port);
  ASSERT_TRUE(bound.ok()) << bound.error().message;
  EXPECT_EQ(bound.value(), port);
  auto served = std::async(std::launch::async, [&] { restarted.api().Serve(); });
  httplib::Client client("127.0.0.1", port);
  httplib::Result answer = client.Get("/healthz");
  for (int attempt = 0; attempt < 100 && !answer; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    answer = client.Get("/healthz");
  }
  ASSERT_TRUE(answer) << "the restarted server does not answer";
  EXPECT_EQ(answer->status, 200);
  restarted.api().Stop();
  served.wait();
}

}  // namespace
}  // namespace mct::admin::server::testing
