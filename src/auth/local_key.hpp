#pragma once
// The HS256 secret of AUTH_MODE=local when JWT_SECRET is not set: <data_dir>/jwt.key, created on
// first use so that `tenantd serve` and `tenantd token` with the same data dir agree.
#include <cstddef>
#include <string>

#include "core/result.hpp"

namespace tenantd::auth {

// HS256 keys shorter than the hash output are refused (RFC 7518 section 3.2): JWT_SECRET,
// SERVICE_SECRET and the key file alike.
inline constexpr std::size_t kMinSecretBytes = 32;

// Reads <data_dir>/jwt.key (surrounding whitespace ignored). When it is missing, creates
// data_dir if needed and writes 32 random bytes as base64url, mode 0600, atomically: written to
// a temporary file and hard-linked into place, so that of several processes racing, the first
// wins and the others read its secret. INTERNAL_ERROR (naming the path, never the secret) when
// the file cannot be read or written or is empty.
Result<std::string> load_or_create_secret(const std::string& data_dir);

}  // namespace tenantd::auth
