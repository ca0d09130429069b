#include "events/file_sink.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace tenantd::events {

namespace {

std::string errno_text(std::string_view what, int error = errno) {
  std::string text(what);
  text += ": ";
  text += std::strerror(error);
  return text;
}

// A new file's directory entry is durable only once the directory itself is synced.
void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    static_cast<void>(::fsync(fd));
    ::close(fd);
  }
}

// Writes all of `data`, resuming after short writes and signals.
Status write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return Error::make(ErrorCode::InternalError, errno_text("write to event file failed"));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<FileSink>> FileSink::open(const std::string& path, std::string region) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return Error::make(ErrorCode::InternalError,
                         "cannot create directory " + parent.string() + ": " + ec.message());
    }
  }
  std::error_code exists_error;
  const bool existed = std::filesystem::exists(path, exists_error);
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int error = errno;
    return Error::make(ErrorCode::InternalError, errno_text("cannot open " + path, error));
  }
  if (!existed) {
    sync_directory(parent);
  }
  return std::unique_ptr<FileSink>(new FileSink(fd, path, std::move(region)));
}

FileSink::FileSink(int fd, std::string path, std::string region)
    : fd_(fd), path_(std::move(path)), region_(std::move(region)) {}

FileSink::~FileSink() {
  ::close(fd_);
}

std::vector<Status> FileSink::deliver(const std::vector<OutboxEvent>& batch) {
  std::string lines;
  for (const auto& event : batch) {
    lines += envelope_json(event, region_);
    lines += '\n';
  }
  Status result;
  {
    const std::lock_guard lock(mutex_);
    result = write_all(fd_, lines);
    if (result.ok() && ::fdatasync(fd_) != 0) {
      result = Error::make(ErrorCode::InternalError, errno_text("fdatasync of event file failed"));
    }
  }
  // The batch went out as one write: it succeeded or failed as a whole.
  return std::vector<Status>(batch.size(), result);
}

}  // namespace tenantd::events
