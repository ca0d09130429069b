#include "core/derived_key.hpp"

#include <mutex>
#include <utility>

#include "core/crypto.hpp"

namespace tenantd {

struct DerivedKey::State {
  std::string secret;
  std::string label;
  std::once_flag once;
  std::string key;
};

DerivedKey::DerivedKey(std::string key) : state_(std::make_shared<State>()) {
  state_->key = std::move(key);
  std::call_once(state_->once, [] {});  // nothing left to derive: get() returns the key as given
}

DerivedKey DerivedKey::derive(std::string secret, std::string label) {
  DerivedKey derived;
  derived.state_ = std::make_shared<State>();
  derived.state_->secret = std::move(secret);
  derived.state_->label = std::move(label);
  return derived;
}

const std::string& DerivedKey::get() const {
  static const std::string kNone;
  if (!state_) {
    return kNone;
  }
  State& state = *state_;
  std::call_once(state.once, [&state] { state.key = hmac_sha256(state.secret, state.label); });
  return state.key;
}

}  // namespace tenantd
