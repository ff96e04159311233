// RecordChunk: the unit that flows through the pipeline's graph.
//
// A chunk is a run of consecutive records of one input file, the arena their strings live in, and
// a sequence number that restores file order wherever output must be deterministic. A chunk is
// owned by one graph node at a time (moved along edges as a unique_ptr), so it needs no locking.
#ifndef SCIMFLOW_ENGINE_CHUNK_H_
#define SCIMFLOW_ENGINE_CHUNK_H_

#include <cstdint>
#include <vector>

#include "engine/arena.h"
#include "engine/model.h"

namespace scimflow {

// A record that was refused, with the message `file:line: reason` and a short excerpt.
struct Reject {
  RecordOrigin origin;
  std::string_view reason;   // Without the location; lives in the chunk's arena.
  std::string_view excerpt;  // At most config::kRejectExcerptBytes of the record's text.
};

namespace config {
// How much of a refused record is kept in the rejects file: enough to find it, not a whole
// megabyte line.
inline constexpr size_t kRejectExcerptBytes = 120;
}  // namespace config

struct RecordChunk {
  uint64_t sequence = 0;  // 0, 1, 2 … in file order.
  Arena arena;
  std::vector<User> users;
  std::vector<Group> groups;
  std::vector<Assignment> assignments;
  std::vector<Reject> rejects;
};

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_CHUNK_H_
