// Ingest: turns one input file (users, groups or assignments) into an ordered stream of
// RecordChunks — records plus rejects, each with file, line and byte offset.
//
// The stages run as a oneTBB flow graph (STYLE §10):
//   input_node (serial: io_uring/pread reads, chunks cut at record boundaries by ChunkReader)
//   → limiter_node (at most chunks_in_flight_per_thread × threads chunks alive, so memory is set
//     by that working set, not by the file size)
//   → function_node, unlimited (parse: simdjson NDJSON / JSON array, one parser per thread)
//   → sequencer_node (file order restored by chunk sequence)
//   → function_node, serial (absolute line numbers, stats, then the caller's consumer; its
//     completion releases a limiter slot).
// Every body catches exceptions itself, so one bad chunk never cancels the graph.
//
// Contract for the caller's consumer: it is called from one thread at a time, in file order,
// once per chunk; it owns each chunk it receives. Records' string_views point into their chunk's
// arena and live as long as the chunk — or, with ChunkLifetime::kDuringCall, some point into the
// reader's buffer and live only until the consumer's call returns. Every record of the file appears
// as a record or a Reject; nothing is dropped silently. A file without any record gets one `empty
// file` reject at line 1.
//
// Thread-safety: IngestFile may be called from several threads for distinct files. It runs its
// graph in its own task_arena of options.threads threads.
#ifndef SCIMFLOW_ENGINE_INGEST_H_
#define SCIMFLOW_ENGINE_INGEST_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "engine/chunk.h"
#include "engine/model.h"
#include "engine/options.h"
#include "engine/status.h"
#include "io/file_source.h"
#include "io/format_detect.h"

namespace scimflow {

// What an ingest run did.
struct IngestStats {
  uint64_t bytes = 0;                       // Size of the file.
  uint64_t lines = 0;                       // Newlines read.
  uint64_t chunks = 0;                      // Chunks handed to the consumer.
  uint64_t fast_path_chunks = 0;            // Chunks parsed by iterate_many without falling back.
  uint64_t records = 0;                     // Users + groups + assignments accepted.
  uint64_t rejects = 0;                     // Rejects, `empty file` included.
  InputFormat format = InputFormat::kAuto;  // The format used (detected or given).
  std::string_view source_kind;             // "io_uring" or "pread".
};

// The whole file in memory: chunks in file order. For tests, tools and small inputs; the
// pipeline uses IngestFileStreaming so that memory stays bounded.
struct IngestResult {
  std::vector<std::unique_ptr<RecordChunk>> chunks;
  IngestStats stats;
};

// Called serially, in file order, with each chunk. A non-ok Status stops the ingest (reading
// stops soon after; chunks already in flight are discarded) and is returned by IngestFile*.
using ChunkConsumer = std::function<Status(std::unique_ptr<RecordChunk> chunk)>;

// How long the consumer uses each chunk it receives.
enum class ChunkLifetime : uint8_t {
  kOwned,  // As long as it likes: every string is in the chunk's arena.
  // Only until its call returns (it copies whatever it keeps). The reader's buffer is then
  // returned after the call rather than after parsing, and records' plain strings point into it
  // instead of being copied (io/scim_json.h StringStorage::kDocument).
  kDuringCall,
};

// How to read: which reader (io_uring unless refused), where to report the fallback, and how
// long the consumer keeps chunks.
struct IngestIo {
  SourceChoice source = SourceChoice::kAuto;
  SourceReporter* reporter = nullptr;
  ChunkLifetime lifetime = ChunkLifetime::kOwned;
};

// Reads `path` as input `kind` in `format` (kAuto: detected from the first 64 KiB) and streams
// its chunks to `consume`. Record origins name the file as `path`.
// REQUIRES: `path` outlives every chunk (records view it); `consume` is callable.
// Errors: kNotFound / kIoError if the file cannot be opened or read (`path: reason`);
// kInvalidArgument for a CSV header row that cannot be used (`FILE:1: missing required column
// "userName"`, see io/csv_parser.h) or none in the first 64 KiB; whatever
// `consume` returns. Rejected records are not errors: they are in the chunks and the stats.
Status IngestFileStreaming(std::string_view path, InputKind kind, InputFormat format,
                           const EngineOptions& options, const ChunkConsumer& consume,
                           IngestStats* stats, const IngestIo& io = {});

// IngestFileStreaming collecting every chunk (io.lifetime is taken as kOwned).
Result<IngestResult> IngestFile(std::string_view path, InputKind kind, InputFormat format,
                                const EngineOptions& options, const IngestIo& io = {});

// `file:line: reason` for a reject, as printed and written to the rejects file.
std::string RejectMessage(const Reject& reject);

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_INGEST_H_
