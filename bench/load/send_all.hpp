#pragma once
// Writes all of `data` to the socket `fd`; false when the peer went away. Shared by the Lambda
// benchmark's Runtime API double and its floor client.
#include <unistd.h>

#include <string_view>

inline bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t sent = ::write(fd, data.data(), data.size());
    if (sent <= 0) {
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}
