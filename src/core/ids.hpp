#pragma once
// Identifier generation is injected (time-ordered in production, sequential in tests).
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace tenantd {

class Ids {
 public:
  virtual ~Ids() = default;
  // A lower-case UUID.
  virtual std::string uuid() = 0;
  // "<prefix>-<uuid>", e.g. make("tenant") -> "tenant-3f1c...".
  std::string make(std::string_view prefix) {
    std::string id(prefix);
    id += '-';
    id += uuid();
    return id;
  }
};

// Version-7 UUIDs (RFC 9562): 48 bits of Unix time in milliseconds, then 74 random bits. Ids made
// later sort later, so the keys built from them (TENANT#<id>, its audit entries, instances) are
// appended to the store's B-trees instead of dirtying a random page each (docs/decisions/0032).
class TimeOrderedIds final : public Ids {
 public:
  explicit TimeOrderedIds(const Clock& clock) : clock_(clock) {}
  std::string uuid() override;

 private:
  const Clock& clock_;
};

// Deterministic ids for tests: 00000000-0000-4000-8000-000000000001, ...
class SequentialIds final : public Ids {
 public:
  std::string uuid() override;

 private:
  std::atomic<std::uint64_t> next_{1};
};

// A version-4 UUID for correlation (Lambda invocation ids, the HTTP server's own error answers;
// the API makes request ids with its Ids): random per thread, then a counter through a bijective
// mix, so it costs no system call (TimeOrderedIds makes a getrandom call per id). Unique, not
// unguessable: stored ids use TimeOrderedIds.
std::string correlation_uuid();

// True when `id` is "<prefix>-" followed by a lower-case UUID.
bool is_id(std::string_view id, std::string_view prefix);

}  // namespace tenantd
