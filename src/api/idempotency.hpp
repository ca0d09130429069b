#pragma once
// Idempotency-Key on POST (docs/http-api.md): the first completed response is kept for 24 h per
// (principal, key) and replayed for a retry with the same request; the same key with another
// request is 409 IDEMPOTENCY_KEY_REUSED; a retry while the first still runs is 409
// OPERATION_IN_PROGRESS.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/http_message.hpp"
#include "core/result.hpp"
#include "store/item_store.hpp"

namespace tenantd::api {

class Idempotency {
 public:
  Idempotency(store::ItemStore& store, const Clock& clock);

  // 1..255 printable ASCII characters.
  static bool valid_key(std::string_view key);
  // What identifies "the same request": method, path and body.
  static std::string fingerprint(const Request& request);

  // Claims the key. A stored response to replay, nullopt to go ahead (then call finish),
  // or an Error (409).
  Result<std::optional<Response>> begin(std::string_view principal, std::string_view key,
                                        const std::string& fingerprint);
  // Keeps the completed response; server errors release the key so a retry runs again.
  void finish(std::string_view principal, std::string_view key, const std::string& fingerprint,
              const Response& response);

 private:
  store::ItemStore& store_;
  const Clock& clock_;
};

}  // namespace tenantd::api
