#include "tests/test_directory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace scimflow::testing {

std::filesystem::path FreshTestDirectory(std::string_view prefix) {
  const std::filesystem::path directory =
      std::filesystem::path(::testing::TempDir()) /
      (std::string(prefix) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name() +
       "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  return directory;
}

}  // namespace scimflow::testing
