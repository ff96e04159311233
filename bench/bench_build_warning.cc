// The build-mode warning of every micro-benchmark binary, given once at start-up before any
// benchmark runs (bench/bench_common.h): figures from a debug or sanitizer build are meaningless,
// and a pasted result carries the build mode in its context.
#include "bench/bench_common.h"

namespace scimflow::bench {
namespace {

[[maybe_unused]] const bool kWarned = [] {
  WarnAboutBuildOnce();
  return true;
}();

}  // namespace
}  // namespace scimflow::bench
