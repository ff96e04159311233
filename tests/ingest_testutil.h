// Helpers for the ingest tests: temporary files, and chunk texts with simdjson padding.
#ifndef SCIMFLOW_TESTS_INGEST_TESTUTIL_H_
#define SCIMFLOW_TESTS_INGEST_TESTUTIL_H_

#include <simdjson.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "io/chunk_text.h"

namespace scimflow::testing {

// A file in a fresh temporary directory, removed with the object.
class TempFile {
 public:
  explicit TempFile(std::string_view contents, std::string_view name = "users.ndjson") {
    char pattern[] = "/tmp/scimflow-ingest-XXXXXX";
    const char* dir = ::mkdtemp(pattern);
    dir_ = dir == nullptr ? "/tmp" : dir;
    path_ = dir_ + "/" + std::string(name);
    std::ofstream out(path_, std::ios::binary);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  }
  ~TempFile() {
    std::remove(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
};

// Owns a padded copy of `text` and a ChunkText over it, as the reader would hand it on.
class PaddedChunk {
 public:
  explicit PaddedChunk(std::string_view text, bool first = true, bool last = true,
                       uint64_t byte_offset = 0)
      : padded_(text) {
    chunk_.text = std::string_view(padded_.data(), padded_.size());
    chunk_.capacity = padded_.size() + simdjson::SIMDJSON_PADDING;
    chunk_.first = first;
    chunk_.last = last;
    chunk_.byte_offset = byte_offset;
  }
  const ChunkText& chunk() const { return chunk_; }

 private:
  simdjson::padded_string padded_;
  ChunkText chunk_;
};

}  // namespace scimflow::testing

#endif  // SCIMFLOW_TESTS_INGEST_TESTUTIL_H_
