// WriteFileAtomically: replaces a whole file so that a reader sees either the old bytes or the new
// ones, never a half-written file, and so that a crash or power loss right after the call keeps
// the new bytes.
//
// Used for the files other programs pick up while scimflow runs: the --report JSON a script
// reads after a nightly run and the --metrics file node_exporter's textfile collector scrapes at
// any moment (a torn file there is a scrape error or, worse, a wrong figure on a dashboard).
//
// How: the bytes go to a temporary file in the same directory (`.NAME.tmp.XXXXXX`, so the rename
// stays within one file system and the collector, which reads only `*.prom`, ignores it), which
// is fsynced, then renamed over `path`; the directory is fsynced so the rename itself is durable.
// The new file keeps the mode of the file it replaces, so an operator's chmod survives; a new file
// gets mode 0644 (node_exporter runs as another user and must be able to read it).
//
// Thread-safety: two calls for different paths are independent; two calls for the same path at
// once leave one of the two contents, whole.
#ifndef SCIMFLOW_IO_ATOMIC_FILE_H_
#define SCIMFLOW_IO_ATOMIC_FILE_H_

#include <string>
#include <string_view>

#include "engine/status.h"

namespace scimflow {

// Writes `bytes` to `path` atomically and durably (see the file comment).
// Errors (kIoError), each naming the path and the system's reason, with nothing left behind:
//   `PATH: cannot create a temporary file in DIR: REASON` (missing or read-only directory),
//   `PATH: cannot write: REASON`, `PATH: cannot sync: REASON`, `PATH: cannot rename: REASON`
//   (e.g. PATH is a directory).
// On any error `path` keeps its old contents and the temporary file is removed.
Status WriteFileAtomically(const std::string& path, std::string_view bytes);

}  // namespace scimflow

#endif  // SCIMFLOW_IO_ATOMIC_FILE_H_
