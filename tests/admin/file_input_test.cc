// ReadWholeStream and ReadWholeFile: all of a text, or an error naming it (a folder, a missing
// file, more than the limit), never an exception.
#include "admin/file_input.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/consumers/store_support.h"

namespace mct::admin {
namespace {

TEST(FileInput, ReadsAStreamUpToItsLimit) {
  std::istringstream exact(std::string(70000, 'x'));
  auto read = ReadWholeStream(exact, "the text", 70000);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read.value(), std::string(70000, 'x'));
  std::istringstream over(std::string(70001, 'x'));
  auto refused = ReadWholeStream(over, "the text", 70000);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "cannot read the text: it holds more than 70000 bytes");
  std::istringstream empty;
  EXPECT_EQ(ReadWholeStream(empty, "nothing", 1).value(), "");
}

TEST(FileInput, ReadsAFileAndNamesWhatItCannotRead) {
  consumers::testing::TempDir dir("file-input");
  const std::filesystem::path file = dir.path() / "command.json";
  std::ofstream(file) << R"({"command":"ApplyAlumni"})";
  auto read = ReadWholeFile(file, 1024);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read.value(), R"({"command":"ApplyAlumni"})");
  auto folder = ReadWholeFile(dir.path(), 1024);
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.error().message, "cannot read " + dir.path().string() + ": it is a folder");
  auto missing = ReadWholeFile(dir.path() / "missing.json", 1024);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "cannot read " + (dir.path() / "missing.json").string() +
                                         ": No such file or directory");
  auto device = ReadWholeFile("/proc/self/mem", 1024);
  ASSERT_FALSE(device.ok());
  EXPECT_EQ(device.error().message, "cannot read /proc/self/mem: Input/output error");
}

}  // namespace
}  // namespace mct::admin
