#pragma once
// One write loop for every file descriptor tenantd writes whole buffers to (the log stream, the
// event file, the local key file).
#include <string_view>

namespace tenantd {

// Writes all of `data` to `fd`, resuming after short writes and signals; 0, or the errno of the
// write that failed.
int write_all(int fd, std::string_view data);

}  // namespace tenantd
