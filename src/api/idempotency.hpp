#pragma once
// Idempotency-Key on POST (docs/http-api.md): the first completed response is kept for 24 h per
// (principal, key) and replayed for a retry with the same request; the same key with another
// request is 409 IDEMPOTENCY_KEY_REUSED; a retry while the first still runs is 409
// OPERATION_IN_PROGRESS. A create or operation whose answer was lost is not applied again: its
// transaction marked the key APPLIED (service/request_effect.hpp), and a retry answers from what it
// made.
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

  // What `begin` found: a response to replay as it is, or the resource an earlier run made whose
  // answer was lost; neither means the route runs (then call finish).
  struct Claim {
    std::optional<Response> kept;
    std::optional<std::string> applied;
  };

  // Claims the key, or finds what an earlier run left; an Error (409) when the key is taken.
  Result<Claim> begin(std::string_view principal, std::string_view key,
                      const std::string& fingerprint);
  // The APPLIED marker a service puts into the transaction that applies the request's effect.
  store::Item applied_marker(std::string_view principal, std::string_view key,
                             const std::string& fingerprint, std::string_view resource_id) const;
  // Keeps the completed response. A server error releases the key so a retry runs again,
  // unless the effect was applied (the marker stays, and the retry answers from it).
  void finish(std::string_view principal, std::string_view key, const std::string& fingerprint,
              const Response& response);

 private:
  store::ItemStore& store_;
  const Clock& clock_;
};

}  // namespace tenantd::api
