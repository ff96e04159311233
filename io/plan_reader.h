// PlanReader: reads a plan file (docs/plan-format.md) back into operations the emitter can send:
// op id, kind, externalId, dependencies, method, path template, the subject's target id or the
// create it refers to, and the body kept as a template whose `{"$ref":"OP"}` places are filled in
// at send time with the target id the referenced create returned.
//
// Reading is strict: a plan is the contract of what a run will change, so a broken one is refused
// as a whole, never half-applied. Every error names the file and line in the ninja style:
// `plan.ndjson:3: unknown kind "user.frobnicate"`, `plan.ndjson:7: unknown $ref "u:e-9:create"`,
// `plan.ndjson:2: malformed JSON`, `plan.ndjson: truncated: the header announces 5 operations,
// the file holds 4`.
//
// Ownership: a ReadPlan owns the text of its plan file (io/padded_text.h: read once into a buffer
// of its own, so later changes to the file change nothing) and every string of its operations is
// a view into that text, or, for a JSON string that holds escapes (an op id `a\"b`), into the
// unescaped copies the ReadPlan keeps beside it. The views live as long as the ReadPlan, and
// moving it moves the storage without moving the bytes, so they stay valid; they are never valid
// after the ReadPlan is destroyed.
// Thread-safety: pure functions; a ReadPlan is read-only once built.
#ifndef SCIMFLOW_IO_PLAN_READER_H_
#define SCIMFLOW_IO_PLAN_READER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/arena.h"
#include "engine/reconcile.h"
#include "engine/status.h"
#include "io/padded_text.h"

namespace scimflow {

// A request body with holes: the body's JSON as the plan holds it, where each hole is a
// `{"$ref":"OP"}` object to be replaced by the JSON string of the target id that the answer to
// create `ref` (an index into ReadPlan::operations) supplies. A body without references has no
// holes, so it needs no allocation of its own. An absent body (DELETE) is empty.
struct BodyTemplate {
  struct Hole {
    size_t begin = 0;  // Offsets into `json`, [begin, end) being the `{"$ref":…}` object.
    size_t end = 0;
    uint32_t ref = 0;
    bool operator==(const Hole&) const = default;
  };
  std::string_view json;
  std::vector<Hole> holes;  // In the order they appear.

  bool empty() const { return json.empty(); }
};

// One operation of a plan. Its strings are views into the ReadPlan that holds it (see Ownership).
struct PlanOperation {
  std::string_view op_id;
  OperationKind kind = OperationKind::kUserCreate;
  std::string_view external_id;
  std::vector<uint32_t> deps;  // Indices into ReadPlan::operations.
  uint32_t members = 0;        // Member chunks: users added or removed.
  std::string_view method;     // "POST", "PATCH", "PUT" or "DELETE".
  std::string_view path;       // Relative to the base URL; may hold "{id}".
  std::string_view target_id;  // The subject's id when the plan knows it.
  // The create whose answer carries the subject's id (a new group's member chunk), or kNoRef.
  uint32_t id_ref = kNoRef;
  BodyTemplate body;
  uint64_t line = 0;  // In the plan file, for messages.

  static constexpr uint32_t kNoRef = UINT32_MAX;
  bool IsCreate() const {
    return kind == OperationKind::kUserCreate || kind == OperationKind::kGroupCreate;
  }
};

struct PlanFileInfo {
  std::string profile;
  uint32_t max_members_per_patch = 0;
  uint64_t total = 0;
  uint64_t rejects = 0;
  uint64_t conflicts = 0;  // Sum of the header's `conflicts` counts.
};

// Movable, not copyable: it owns the bytes its operations view.
struct ReadPlan {
  PlanFileInfo info;
  std::vector<PlanOperation> operations;  // In file order.
  // XXH3-64 of the file's bytes, 16 hex digits: the journal keys a plan's rows by it, so
  // `--resume` of the same file finds its rows and a different plan never does.
  std::string digest;
  // The plan file's text, which the operations' strings view.
  PaddedText text;
  // The unescaped copies of the JSON strings that hold escapes, which those strings view.
  Arena unescaped{kUnescapedArenaBytes};

  // Plans rarely hold an escaped id: a small block, and none until one is needed.
  static constexpr size_t kUnescapedArenaBytes = 4096;
};

// Parses a copy of the text of a plan file named `file` (for messages).
// Errors (kInvalidArgument, `FILE:LINE: reason`): an empty file; a header that is not
// `scimflow-plan` version 1; malformed JSON; a member of the wrong type; a missing op, kind,
// externalId, method or path; an unknown kind; a duplicate op id; a dep or $ref naming no
// operation of the plan; a `{id}` path without an id; fewer or more operations than the header's
// `total` (`truncated`).
Result<ReadPlan> ParsePlan(std::string_view text, std::string_view file);

// Reads the plan file at `path` (a regular file or a pipe) whole and parses it. Errors: kNotFound /
// kIoError when it cannot be read, else those of ParsePlan.
Result<ReadPlan> ReadPlanFile(const std::string& path);

// Renders `body` with each reference replaced by the JSON string of `target_id(ref)`.
// REQUIRES: target_id returns a non-empty id for every ref (the scheduler releases an operation
// only after the creates it refers to are done).
std::string RenderBody(const BodyTemplate& body,
                       const std::function<std::string_view(uint32_t)>& target_id);

// The OperationKind of a kind name ("user.create", …), or false.
bool ParseOperationKind(std::string_view name, OperationKind* kind);

}  // namespace scimflow

#endif  // SCIMFLOW_IO_PLAN_READER_H_
