// EngineOptions: every tunable of the engine in one place, with its default, unit and the reason
// for both.
//
// The CLI fills an EngineOptions from flags (tools/cli_options.*); the engine never reads flags or
// the environment itself.
//
// Thread-safety: a plain struct; it is built once and then only read.
#ifndef SCIMFLOW_ENGINE_OPTIONS_H_
#define SCIMFLOW_ENGINE_OPTIONS_H_

#include <cstddef>
#include <cstdint>

namespace scimflow {

struct EngineOptions {
  // ---- Behaviour -------------------------------------------------------------------------

  // Rejected input records tolerated before the run stops with exit code 2.
  // Default: 0 for apply and sync, so a damaged export is never applied by accident; plan
  // reports any number (it sends nothing). Raise it when a few bad records are known and
  // accepted.
  int64_t max_rejects = 0;

  // Member additions or removals per PATCH /Groups/{id} request. Default: 100, the batch size
  // partner IdPs use against GitHub (GitHub documents no maximum). Lower it if a target answers
  // 413 or times out on large member patches.
  uint32_t max_members_per_patch = 100;

  // Deactivations plus deletions one plan may hold without --allow-deprovision. Default: 0 means
  // "10% of the target's active users, or 100, whichever is larger" (SPEC §6): an empty or
  // nearly empty export is the classic way to suspend a whole enterprise.
  int64_t max_deprovision = 0;

  // ---- Performance -----------------------------------------------------------------------

  // Worker threads of the pipeline. Default: 0 means one per core. The plan is byte-identical
  // whatever the value; 1 is useful to profile or to leave the machine to others.
  uint32_t threads = 0;

  // Bytes per read and per chunk cut at record boundaries. Default: 1 MiB, large enough that
  // per-chunk overhead is negligible and small enough that a few chunks per thread keep all
  // cores busy on a 100 MB file.
  uint32_t chunk_bytes = 1u << 20;

  // Reads kept in flight by the io_uring reader while one thread parses. Default: 4, enough to
  // keep an NVMe queue busy while parsing; more only helps on network storage. With several
  // parse threads ingest reads each chunk when it is needed instead (engine/ingest.cc,
  // ReadOptions).
  uint32_t io_queue_depth = 4;

  // Chunks in flight through the pipeline at once, bounding memory to about
  // chunks_in_flight × chunk_bytes × (1 + parse overhead) whatever the file size.
  // Default: 4 per thread.
  uint32_t chunks_in_flight_per_thread = 4;

  // Longest accepted input line (one record). Default: 1 MiB; a SCIM user is well under 4 KiB,
  // so a longer line is a broken or hostile file, rejected rather than buffered.
  uint32_t max_line_bytes = 1u << 20;

  // ---- Emit: HTTP, retries and journal (io/http_client, engine/retry_policy, engine/journal) -

  // Requests in flight at once (--concurrency). Default: 16; GitHub allows up to 100 concurrent
  // requests, but the rate budgets, not concurrency, bound a paced migration. Raise it for a
  // benchmarking run against a fast target with high latency.
  uint32_t concurrency = 16;

  // Connections per target host. Default: 8; over HTTP/2 requests multiplex on few connections,
  // over HTTP/1.1 this caps parallel requests. Lower it for a fragile target.
  uint32_t max_host_connections = 8;

  // Connect timeout in milliseconds. Default: 10 s, long enough for a slow TLS handshake across
  // the world, short enough that a dead target is noticed.
  uint32_t connect_timeout_ms = 10'000;

  // Whole-request timeout in milliseconds. Default: 60 s; a SCIM call takes well under a second,
  // so this only ends hung transfers. A create that times out is looked up, never re-sent blind.
  uint32_t request_timeout_ms = 60'000;

  // Attempts of one operation against 5xx, timeouts and resets before it fails. Default: 8 (with
  // backoff capped at 5 minutes, about 10 minutes of retrying).
  uint32_t max_attempts = 8;

  // First and largest backoff before a retry, in milliseconds (full jitter below the cap).
  // Defaults: 1 s and 5 min.
  uint32_t initial_backoff_ms = 1'000;
  uint32_t max_backoff_ms = 300'000;
};

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_OPTIONS_H_
