// FreshTestDirectory: an empty scratch directory for the test that is running.
//
// ctest runs every test as a process of its own, several at once, so the directory is named
// after the test and the process (TempDir()/PREFIX_TEST_PID); whatever an earlier run left there
// is removed first. The caller removes it when done (TearDown).
#ifndef SCIMFLOW_TESTS_TEST_DIRECTORY_H_
#define SCIMFLOW_TESTS_TEST_DIRECTORY_H_

#include <filesystem>
#include <string_view>

namespace scimflow::testing {

std::filesystem::path FreshTestDirectory(std::string_view prefix);

}  // namespace scimflow::testing

#endif  // SCIMFLOW_TESTS_TEST_DIRECTORY_H_
