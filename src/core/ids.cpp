#include "core/ids.hpp"

#include "core/crypto.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace tenantd {

namespace {
// The version nibble and the RFC 4122 / 9562 variant bits.
void set_version(std::array<unsigned char, 16>& b, unsigned version) {
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | (version << 4));
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
}

// splitmix64's finaliser: a bijection on 64 bits, so distinct inputs give distinct outputs.
std::uint64_t mix(std::uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string format_uuid(const std::array<unsigned char, 16>& b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      out += '-';
    }
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0xF];
  }
  return out;
}
}  // namespace

std::string TimeOrderedIds::uuid() {
  std::array<unsigned char, 16> b{};
  const auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<Millis>(clock_.now().time_since_epoch()).count());
  for (std::size_t i = 0; i < 6; ++i) {
    b[i] = static_cast<unsigned char>(ms >> (8 * (5 - i)));  // big-endian, so ids sort by time
  }
  fill_random(b.data() + 6, b.size() - 6);
  set_version(b, 7);
  return format_uuid(b);
}

std::string correlation_uuid() {
  struct Stream {
    std::array<std::uint64_t, 2> key{};
    std::uint64_t count = 0;
  };
  thread_local Stream stream = [] {
    Stream s;
    fill_random(reinterpret_cast<unsigned char*>(s.key.data()), sizeof s.key);
    return s;
  }();
  const std::uint64_t n = ++stream.count;
  const std::array<std::uint64_t, 2> words{mix(stream.key[0] ^ n), mix(stream.key[1] + n)};
  std::array<unsigned char, 16> b{};
  std::memcpy(b.data(), words.data(), b.size());
  set_version(b, 4);
  return format_uuid(b);
}

std::string SequentialIds::uuid() {
  const std::uint64_t n = next_++;
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(n));
  return buf;
}

bool is_id(std::string_view id, std::string_view prefix) {
  if (id.size() != prefix.size() + 1 + 36 || id.substr(0, prefix.size()) != prefix ||
      id[prefix.size()] != '-') {
    return false;
  }
  const std::string_view u = id.substr(prefix.size() + 1);
  for (std::size_t i = 0; i < u.size(); ++i) {
    const char c = u[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') {
        return false;
      }
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace tenantd
