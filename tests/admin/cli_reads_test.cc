// mctctl's reading commands open the store read-only when its read models are current, so they
// take no lock and leave nothing behind: each writable open started a WAL file that stayed.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

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

}  // namespace
}  // namespace mct::admin
