#pragma once
// A key derived from a secret as HMAC-SHA256(secret, label) when it is first used, not when the
// process starts: the first HMAC initialises OpenSSL's providers and configuration (~2 ms), which
// a Lambda cold start that needs no key, such as a health check, should not pay
// (docs/decisions/0034-cold-start-defers-work.md).
#include <memory>
#include <string>

namespace tenantd {

class DerivedKey {
 public:
  DerivedKey() = default;
  // A key that is already known (a fixed test key, a key derived elsewhere).
  explicit DerivedKey(std::string key);
  static DerivedKey derive(std::string secret, std::string label);

  // The key bytes; derived on the first call. Copies share one derivation; thread-safe.
  const std::string& get() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace tenantd
