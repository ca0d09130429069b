#pragma once
// Appends one envelope JSON line per event to a local file (the `serve` default,
// <data_dir>/events.ndjson). A batch is one write() on an O_APPEND descriptor followed by
// fdatasync(), so "delivered" means on disk and lines from concurrent writers never mix. A batch
// is all or nothing: its space is reserved before writing and a failed write is cut back, so a
// full disk never leaves a torn line for a reader or for the retry to be glued to.
#include <memory>
#include <mutex>
#include <string>

#include "core/result.hpp"
#include "events/event_sink.hpp"

namespace tenantd::events {

class FileSink final : public EventSink {
 public:
  // Opens `path` for appending, creating it (and its directory) when missing.
  static Result<std::unique_ptr<FileSink>> open(const std::string& path, std::string region);

  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  std::string_view name() const override { return "file"; }
  std::vector<Status> deliver(const std::vector<OutboxEvent>& batch) override;

  const std::string& path() const { return path_; }

 private:
  FileSink(int fd, std::string path, std::string region);

  // Serialises writers of this sink so that each batch is written and synced as a whole.
  std::mutex mutex_;
  int fd_;
  std::string path_;
  std::string region_;
};

}  // namespace tenantd::events
