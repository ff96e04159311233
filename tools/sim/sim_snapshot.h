// Snapshot files for `scimflow sim --load` / `--dump` and `POST /_dump`, in the format of
// docs/snapshot-format.md: NDJSON, users first, then groups, each line a SCIM resource with its id.
//
// A dump followed by a load restores the same resources with the same ids (suspended members
// included), so /_stats reports the same state. Traffic counters are not part of a snapshot.
//
// Thread-safety: Dump holds the store's read lock while writing, so it sees one consistent state;
// Load is meant for start-up, before the server answers.
#ifndef SCIMFLOW_TOOLS_SIM_SIM_SNAPSHOT_H_
#define SCIMFLOW_TOOLS_SIM_SIM_SNAPSHOT_H_

#include <string>
#include <vector>

#include "engine/status.h"
#include "tools/sim/sim_store.h"

namespace scimflow {

// Reads `path` into `*store`. Errors name the line: `snap.ndjson:3: malformed JSON`,
// `snap.ndjson:4: missing required attribute "id"`, `snap.ndjson:5: externalId "e1" is already
// taken`, `snap.ndjson:6: unknown resource type (schemas has neither User nor Group)`. Blank lines
// are skipped. A group member that is no user of the snapshot is dropped with a warning
// `snap.ndjson:7: member "ID" is no user of the snapshot; ignored` appended to `*warnings`.
// The store may hold part of the file after an error; the caller stops.
Status LoadSnapshotFile(const std::string& path, SimStore* store,
                        std::vector<std::string>* warnings);

// Writes `*store` to `path` via `path.tmp` and a rename, so a reader never sees half a file.
Status DumpSnapshotFile(const std::string& path, SimStore* store);

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_SIM_SIM_SNAPSHOT_H_
