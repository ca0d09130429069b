#pragma once
// One-time console sign-in codes of AUTH_MODE=local (docs/decisions/0022-console-sign-in.md):
// `tenantd console-link` stores a code's grant (whom to sign in, for how long) and prints a
// link carrying the code; the console exchanges the code once for a token. The store keeps only
// the code's SHA-256, so reading the store does not give a usable code.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/item_store.hpp"

namespace tenantd::console {

struct SignInGrant {
  std::string sub;
  std::string email;
  std::vector<std::string> groups;
  std::int64_t token_ttl_seconds = 3600;  // lifetime of the token the code is exchanged for
};

// How long a printed link stays usable.
inline constexpr std::chrono::minutes kCodeLifetime{15};

class SignInCodes {
 public:
  SignInCodes(store::ItemStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Stores `grant` under a fresh random code and returns the code (base64url, 256 bits).
  Result<std::string> issue(const SignInGrant& grant);

  // The grant of `code`, deleted in the same step so that a code works once.
  // UNAUTHORIZED for an unknown, used or expired code.
  Result<SignInGrant> redeem(std::string_view code);

 private:
  store::ItemStore& store_;
  const Clock& clock_;
};

}  // namespace tenantd::console
