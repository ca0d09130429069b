#pragma once
// Identifier generation is injected (random in production, sequential in tests).
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace tenantd {

class Ids {
 public:
  virtual ~Ids() = default;
  // A lower-case RFC 4122 version-4 UUID.
  virtual std::string uuid() = 0;
  // "<prefix>-<uuid>", e.g. make("tenant") -> "tenant-3f1c...".
  std::string make(std::string_view prefix) {
    std::string id(prefix);
    id += '-';
    id += uuid();
    return id;
  }
};

class RandomIds final : public Ids {
 public:
  std::string uuid() override;
};

// Deterministic ids for tests: 00000000-0000-4000-8000-000000000001, ...
class SequentialIds final : public Ids {
 public:
  std::string uuid() override;

 private:
  std::atomic<std::uint64_t> next_{1};
};

// A version-4 UUID for correlation (request and invocation ids): random per thread, then a
// counter through a bijective mix, so it costs no system call (RandomIds makes one getrandom call
// per id). Unique, not unguessable: stored ids use RandomIds.
std::string correlation_uuid();

// True when `id` is "<prefix>-" followed by a lower-case UUID.
bool is_id(std::string_view id, std::string_view prefix);

}  // namespace tenantd
