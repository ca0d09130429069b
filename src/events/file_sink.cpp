#include "events/file_sink.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "core/write_all.hpp"

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

// A crash in the middle of a write can leave a last line without its newline; it was never
// acknowledged (fdatasync did not return), so it is cut off rather than glued to the next one.
Status drop_torn_tail(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return Error::make(ErrorCode::InternalError, errno_text("cannot stat " + path));
  }
  off_t end = st.st_size;
  char c = '\n';
  while (end > 0) {
    if (::pread(fd, &c, 1, end - 1) != 1) {
      return Error::make(ErrorCode::InternalError, errno_text("cannot read " + path));
    }
    if (c == '\n') {
      break;
    }
    --end;
  }
  if (end != st.st_size && ::ftruncate(fd, end) != 0) {
    return Error::make(ErrorCode::InternalError, errno_text("cannot repair " + path));
  }
  return {};
}

// All or nothing: the space is reserved first (so that a full disk fails before any byte is
// written, and a reader never sees part of a line), and should a write still fail part way
// (EFBIG, EIO, a filesystem without fallocate), the file is cut back to where it was, so that the
// retry starts on a line of its own.
Status append_whole(int fd, std::string_view data) {
  const off_t start = ::lseek(fd, 0, SEEK_END);
  if (start < 0) {
    return Error::make(ErrorCode::InternalError, errno_text("seek in event file failed"));
  }
  if (::fallocate(fd, FALLOC_FL_KEEP_SIZE, start, static_cast<off_t>(data.size())) != 0 &&
      errno != EOPNOTSUPP && errno != ENOSYS) {
    return Error::make(ErrorCode::InternalError, errno_text("no space for event lines"));
  }
  const int write_error = write_all(fd, data);
  if (write_error == 0) {
    return {};
  }
  std::string message = errno_text("write to event file failed", write_error);
  if (::ftruncate(fd, start) != 0) {
    message += "; " + errno_text("cutting back the partial line failed");
  }
  return Error::make(ErrorCode::InternalError, std::move(message));
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
  // Read access too: a torn last line is found by reading back.
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int error = errno;
    return Error::make(ErrorCode::InternalError, errno_text("cannot open " + path, error));
  }
  if (!existed) {
    sync_directory(parent);
  } else if (auto repaired = drop_torn_tail(fd, path); !repaired.ok()) {
    ::close(fd);
    return std::move(repaired).error();
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
    result = append_whole(fd_, lines);
    if (result.ok() && ::fdatasync(fd_) != 0) {
      result = Error::make(ErrorCode::InternalError, errno_text("fdatasync of event file failed"));
    }
  }
  // The batch went out as one write: it succeeded or failed as a whole.
  return std::vector<Status>(batch.size(), result);
}

}  // namespace tenantd::events
