// Replays fuzz inputs without libFuzzer: every regular file below each directory given on the
// command line is fed once through LLVMFuzzerTestOneInput. Built with the sanitizers of the test
// build, so a crash reproducer kept under datasets/broken/ fails `ctest` until it is fixed.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  size_t replayed = 0;
  for (int arg = 1; arg < argc; ++arg) {
    std::error_code error;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(argv[arg], error)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      ++replayed;
    }
  }
  std::printf("replayed %zu inputs\n", replayed);
  return 0;
}
