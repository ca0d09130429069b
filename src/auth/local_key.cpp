#include "auth/local_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>
#include <thread>

#include "core/crypto.hpp"
#include "core/write_all.hpp"

namespace tenantd::auth {

namespace {

constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kMaxKeyFileBytes = 4096;

Error failure(const std::string& what, const std::string& path, int err) {
  return Error::make(ErrorCode::InternalError,
                     what + " " + path + ": " + std::string(std::strerror(err)));
}

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string trimmed(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_blank(text.back())) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

// The file's content; nullopt when it does not exist.
Result<std::optional<std::string>> read_key_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return std::optional<std::string>();
    }
    return failure("cannot open key file", path, errno);
  }
  std::string content;
  char buffer[512];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int err = errno;
      ::close(fd);
      return failure("cannot read key file", path, err);
    }
    if (n == 0) {
      break;
    }
    content.append(buffer, static_cast<std::size_t>(n));
    if (content.size() > kMaxKeyFileBytes) {
      ::close(fd);
      return Error::make(ErrorCode::InternalError, "key file " + path + " is too large");
    }
  }
  ::close(fd);
  return std::optional<std::string>(trimmed(content));
}

// Reads an existing key; an empty file may be one being written by the O_EXCL fallback of
// another process, so it is re-read briefly before being reported.
Result<std::optional<std::string>> read_settled(const std::string& path) {
  for (int attempt = 0;; ++attempt) {
    auto content = read_key_file(path);
    if (!content || !content->has_value() || !(*content)->empty()) {
      return content;
    }
    if (attempt == 20) {
      return Error::make(ErrorCode::InternalError, "key file " + path + " is empty");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

// Creates `path` exclusively, mode 0600, holding `content`; 0 or the errno of the failure.
int create_exclusive(const std::string& path, std::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return errno;
  }
  // The umask can only narrow 0600, but an explicit chmod states the intent.
  int err = ::fchmod(fd, 0600) == 0 ? write_all(fd, content) : errno;
  if (err == 0 && ::fsync(fd) != 0) {
    err = errno;
  }
  ::close(fd);
  if (err != 0) {
    ::unlink(path.c_str());  // ours, half-written: never leave it for a reader
  }
  return err;
}

void sync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

Result<std::string> load_or_create_secret(const std::string& data_dir) {
  if (data_dir.empty()) {
    return Error::make(ErrorCode::InternalError, "no data directory configured for the key file");
  }
  const std::string path = data_dir + "/jwt.key";
  {
    TENANTD_TRY_ASSIGN(auto existing, read_settled(path));
    if (existing.has_value()) {
      if (existing->size() < kMinSecretBytes) {
        return Error::make(ErrorCode::InternalError,
                           "key file " + path + " holds " + std::to_string(existing->size()) +
                               " bytes; an HS256 secret needs at least " +
                               std::to_string(kMinSecretBytes) +
                               " (remove the file to have a new one made, or set JWT_SECRET)");
      }
      return std::move(*existing);
    }
  }

  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return Error::make(ErrorCode::InternalError,
                       "cannot create data directory " + data_dir + ": " + ec.message());
  }

  const std::string secret = base64url_encode(random_bytes(kSecretBytes));
  const std::string content = secret + "\n";
  const std::string temp = path + ".tmp." + std::to_string(::getpid()) + "." + hex(random_bytes(6));
  if (const int err = create_exclusive(temp, content); err != 0) {
    return failure("cannot write key file", temp, err);
  }

  // link() never replaces an existing file: exactly one racer installs its key.
  const int linked = ::link(temp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(temp.c_str());
  if (linked == 0) {
    sync_directory(data_dir);
    return secret;
  }
  if (link_errno != EEXIST) {
    // Filesystems without hard links: create the final file exclusively instead.
    const int err = create_exclusive(path, content);
    if (err == 0) {
      sync_directory(data_dir);
      return secret;
    }
    if (err != EEXIST) {
      return failure("cannot write key file", path, err);
    }
  }
  // Someone else won the race: use their key.
  TENANTD_TRY_ASSIGN(auto winner, read_settled(path));
  if (!winner.has_value()) {
    return Error::make(ErrorCode::InternalError, "key file " + path + " vanished while created");
  }
  return std::move(*winner);
}

}  // namespace tenantd::auth
