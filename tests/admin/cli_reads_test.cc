// mctctl's reading commands open the store read-only when its read models are current, so they
// take no lock and leave nothing behind: each writable open started a WAL file that stayed.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "admin/store.h"
#include "tests/command_output.h"
#include "tests/consumers/audit_fixture.h"

namespace mct::admin {
namespace {

size_t WalFiles(const std::filesystem::path& dir) {
  size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    count += entry.path().extension() == ".log" ? 1 : 0;
  }
  return count;
}

TEST(CliReads, LeaveNoFilesBehindAndTakeNoLock) {
  consumers::audit::TempDir tmp;
  const std::filesystem::path dir = tmp.path() / "data";
  consumers::audit::MakeStore(dir, 3);
  const std::string mctctl =
      std::string(MCT_BINARY_DIR) + "/admin/mctctl --data '" + dir.string() + "' ";
  ASSERT_EQ(testing::RunCapturing(mctctl + "status 1000001 2>&1").exit_code, 0);
  const size_t before = WalFiles(dir);
  for (const std::string command : {"status 1000001", "history 1000001", "report", "verify",
                                    "export > /dev/null", "checksum"}) {
    SCOPED_TRACE(command);
    for (int time = 0; time < 3; ++time) {
      const auto run = testing::RunCapturing(mctctl + command + " 2>&1");
      EXPECT_EQ(run.exit_code, 0) << run.out;
      EXPECT_EQ(run.out.find("note:"), std::string::npos) << run.out;  // nobody else holds it
    }
  }
  EXPECT_EQ(WalFiles(dir), before);
}

// Beside a writer that keeps replacing its files (each rebuild writes a generation of read models
// and drops the last one), every read opens and answers: an open that met files changing under
// it reads the new manifest again rather than failing with RocksDB's "Corruption".
TEST(CliReads, OpenBesideAWriterThatKeepsChangingItsFiles) {
  consumers::audit::TempDir tmp;
  const std::filesystem::path dir = tmp.path() / "data";
  consumers::audit::MakeStore(dir, 1000);
  auto writer = Store::Open(dir);
  ASSERT_TRUE(writer.ok()) << writer.error().message;
  std::atomic<bool> stop{false};
  std::atomic<int> rebuilds{0};
  std::thread rebuilding([&] {
    while (!stop) {
      if (writer.value()->runner->Rebuild().ok()) ++rebuilds;
      // A rebuild after another, with hardly a pause: mctd runs one when asked.
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  const std::string mctctl =
      std::string(MCT_BINARY_DIR) + "/admin/mctctl --data '" + dir.string() + "' ";
  int failed = 0;
  std::string first_failure;
  for (int read = 0; read < 40; ++read) {
    const auto run = testing::RunCapturing(mctctl + "status 1000001 2>&1");
    if (run.exit_code != 0 && failed++ == 0) first_failure = run.out;
  }
  stop = true;
  rebuilding.join();
  EXPECT_GT(rebuilds.load(), 1);
  EXPECT_EQ(failed, 0) << first_failure;
}

}  // namespace
}  // namespace mct::admin
