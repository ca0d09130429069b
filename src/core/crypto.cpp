#include "core/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <limits>
#include <stdexcept>

namespace tenantd {

namespace {

constexpr std::size_t kSealKeySize = 32;
constexpr std::size_t kSealNonceSize = 12;
constexpr std::size_t kSealTagSize = 16;

const EVP_CIPHER* aes_gcm() {
  static EVP_CIPHER* const kFetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return kFetched != nullptr ? kFetched : EVP_aes_256_gcm();
}

struct CipherContext {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  CipherContext() = default;
  CipherContext(const CipherContext&) = delete;
  CipherContext& operator=(const CipherContext&) = delete;
  ~CipherContext() { EVP_CIPHER_CTX_free(ctx); }
};

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

int checked_int(std::size_t n) {
  if (n > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw std::length_error("crypto: input too large");
  }
  return static_cast<int>(n);
}

// Fetched once: implicit fetches (EVP_sha256() by name lookup) cost on every init.
const EVP_MD* sha256_md() {
  static EVP_MD* const kFetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return kFetched != nullptr ? kFetched : EVP_sha256();
}

EVP_MAC* hmac_algorithm() {
  static EVP_MAC* const kFetched = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (kFetched == nullptr) {
    throw std::runtime_error("OpenSSL: HMAC is not available");
  }
  return kFetched;
}

// One reusable digest context per thread: no allocation per hash.
struct DigestContext {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  DigestContext() = default;
  DigestContext(const DigestContext&) = delete;
  DigestContext& operator=(const DigestContext&) = delete;
  ~DigestContext() { EVP_MD_CTX_free(ctx); }
};

Sha256Digest sha256_digest(std::string_view data) {
  thread_local DigestContext local;
  Sha256Digest out{};
  unsigned int size = 0;
  if (local.ctx == nullptr || EVP_DigestInit_ex2(local.ctx, sha256_md(), nullptr) != 1 ||
      EVP_DigestUpdate(local.ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(local.ctx, out.data(), &size) != 1 || size != kSha256Size) {
    throw std::runtime_error("OpenSSL: SHA-256 failed");
  }
  return out;
}

// HMAC contexts keyed once and re-initialised with a NULL key, which restarts from the saved
// inner/outer pad state instead of hashing the key again. A handful of keys per thread (JWT
// secret, page-token key, webhook secret) covers the process; others rotate through the slots.
class MacCache {
 public:
  MacCache() = default;
  MacCache(const MacCache&) = delete;
  MacCache& operator=(const MacCache&) = delete;
  ~MacCache() {
    for (auto& slot : slots_) {
      EVP_MAC_CTX_free(slot.ctx);
    }
  }

  EVP_MAC_CTX* keyed(std::string_view key) {
    for (auto& slot : slots_) {
      if (slot.ctx != nullptr && slot.key == key) {
        if (EVP_MAC_init(slot.ctx, nullptr, 0, nullptr) != 1) {
          throw std::runtime_error("OpenSSL: HMAC re-init failed");
        }
        return slot.ctx;
      }
    }
    Slot& slot = slots_[next_];
    next_ = (next_ + 1) % slots_.size();
    if (slot.ctx == nullptr) {
      slot.ctx = EVP_MAC_CTX_new(hmac_algorithm());
      if (slot.ctx == nullptr) {
        throw std::runtime_error("OpenSSL: cannot allocate an HMAC context");
      }
    }
    char digest_name[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
        OSSL_PARAM_construct_end()};
    // A non-null pointer even for an empty key: NULL would mean "keep the previous key".
    static const unsigned char kEmpty = 0;
    const auto* key_bytes =
        key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
    slot.key.clear();
    if (EVP_MAC_init(slot.ctx, key_bytes, key.size(), params) != 1) {
      EVP_MAC_CTX_free(slot.ctx);
      slot.ctx = nullptr;
      throw std::runtime_error("OpenSSL: HMAC init failed");
    }
    slot.key.assign(key);
    return slot.ctx;
  }

 private:
  struct Slot {
    EVP_MAC_CTX* ctx = nullptr;
    std::string key;
  };
  std::array<Slot, 4> slots_{};
  std::size_t next_ = 0;
};

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kBase64Std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> decode_table(const char* alphabet) {
  std::array<std::uint8_t, 256> table{};
  for (auto& v : table) {
    v = kInvalid;
  }
  for (std::uint8_t i = 0; i < 64; ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = i;
  }
  return table;
}

constexpr auto kUrlTable = decode_table(kBase64Url);
constexpr auto kStdTable = decode_table(kBase64Std);

// Writes into a pre-sized string: per-character push_back dominated the JWT verify profile.
std::string encode(std::string_view bytes, const char* alphabet, bool pad) {
  const std::size_t full = bytes.size() / 3;
  const std::size_t rest = bytes.size() % 3;
  const std::size_t tail = rest == 0 ? 0 : (pad ? 4 : rest + 1);
  std::string out(full * 4 + tail, '\0');
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  char* o = out.data();
  for (std::size_t g = 0; g < full; ++g, in += 3, o += 4) {
    const std::uint32_t n = (std::uint32_t{in[0]} << 16) | (std::uint32_t{in[1]} << 8) | in[2];
    o[0] = alphabet[(n >> 18) & 63];
    o[1] = alphabet[(n >> 12) & 63];
    o[2] = alphabet[(n >> 6) & 63];
    o[3] = alphabet[n & 63];
  }
  if (rest != 0) {
    const std::uint32_t n =
        (std::uint32_t{in[0]} << 16) | (rest == 2 ? std::uint32_t{in[1]} << 8 : 0u);
    o[0] = alphabet[(n >> 18) & 63];
    o[1] = alphabet[(n >> 12) & 63];
    if (rest == 2) {
      o[2] = alphabet[(n >> 6) & 63];
    }
    if (pad) {
      o[3] = '=';
      if (rest == 1) {
        o[2] = '=';
      }
    }
  }
  return out;
}

// Decodes unpadded text; rejects bad characters, a length of 4k+1 and non-zero unused bits.
std::optional<std::string> decode_unpadded(std::string_view text,
                                           const std::array<std::uint8_t, 256>& table) {
  const std::size_t full = text.size() / 4;
  const std::size_t rest = text.size() % 4;
  if (rest == 1) {
    return std::nullopt;
  }
  std::string out(full * 3 + (rest == 0 ? 0 : rest - 1), '\0');
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  char* o = out.data();
  // kInvalid is the only table value with the top bit set, so one test covers a whole group.
  for (std::size_t g = 0; g < full; ++g, in += 4, o += 3) {
    const std::uint8_t a = table[in[0]];
    const std::uint8_t b = table[in[1]];
    const std::uint8_t c = table[in[2]];
    const std::uint8_t d = table[in[3]];
    if (((a | b | c | d) & 0x80) != 0) {
      return std::nullopt;
    }
    const std::uint32_t n =
        (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12) | (std::uint32_t{c} << 6) | d;
    o[0] = static_cast<char>(n >> 16);
    o[1] = static_cast<char>((n >> 8) & 0xff);
    o[2] = static_cast<char>(n & 0xff);
  }
  if (rest != 0) {
    const std::uint8_t a = table[in[0]];
    const std::uint8_t b = table[in[1]];
    const std::uint8_t c = rest == 3 ? table[in[2]] : 0;
    if (((a | b | c) & 0x80) != 0) {
      return std::nullopt;
    }
    // Unused low bits must be zero, otherwise two texts would decode to the same bytes.
    if ((rest == 2 && (b & 0x0f) != 0) || (rest == 3 && (c & 0x03) != 0)) {
      return std::nullopt;
    }
    o[0] = static_cast<char>((a << 2) | (b >> 4));
    if (rest == 3) {
      o[1] = static_cast<char>(((b & 0x0f) << 4) | (c >> 2));
    }
  }
  return out;
}

}  // namespace

std::string sha256(std::string_view data) {
  const Sha256Digest d = sha256_digest(data);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

std::string sha256_hex(std::string_view data) {
  const Sha256Digest d = sha256_digest(data);
  return hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

Sha256Digest hmac_sha256_digest(std::string_view key, std::string_view data) {
  thread_local MacCache cache;
  EVP_MAC_CTX* ctx = cache.keyed(key);
  Sha256Digest out{};
  std::size_t size = 0;
  if (EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx, out.data(), &size, out.size()) != 1 || size != kSha256Size) {
    throw std::runtime_error("OpenSSL: HMAC failed");
  }
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  const Sha256Digest d = hmac_sha256_digest(key, data);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

std::string hex(std::string_view bytes) {
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kHexDigits[b >> 4];
    out[2 * i + 1] = kHexDigits[b & 0x0f];
  }
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  return encode(bytes, kBase64Url, false);
}

std::optional<std::string> base64url_decode(std::string_view text) {
  return decode_unpadded(text, kUrlTable);
}

std::string base64_encode(std::string_view bytes) {
  return encode(bytes, kBase64Std, true);
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return std::nullopt;
  }
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') {
    ++pad;
  }
  // Any '=' left (a third one, or one in the middle) is rejected by the table lookup.
  return decode_unpadded(text.substr(0, text.size() - pad), kStdTable);
}

void fill_random(unsigned char* out, std::size_t n) {
  // Straight from the kernel's CSPRNG (getrandom blocks only until it is seeded at boot).
  std::size_t filled = 0;
  while (filled < n) {
    const ssize_t got = ::getrandom(out + filled, n - filled, 0);
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw std::runtime_error("getrandom failed");
    }
    filled += static_cast<std::size_t>(got);
  }
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  fill_random(reinterpret_cast<unsigned char*>(out.data()), n);
  return out;
}

std::string seal(std::string_view key, std::string_view plaintext) {
  if (key.size() != kSealKeySize) {
    throw std::invalid_argument("seal: the key must be 32 bytes");
  }
  const std::string nonce = random_bytes(kSealNonceSize);
  std::string out(kSealNonceSize + plaintext.size() + kSealTagSize, '\0');
  out.replace(0, kSealNonceSize, nonce);
  auto* cipher_out = reinterpret_cast<unsigned char*>(out.data() + kSealNonceSize);
  CipherContext c;
  int len = 0;
  int tail = 0;
  if (c.ctx == nullptr ||
      EVP_EncryptInit_ex2(c.ctx, aes_gcm(), bytes(key), bytes(nonce), nullptr) != 1 ||
      EVP_EncryptUpdate(c.ctx, cipher_out, &len, bytes(plaintext), checked_int(plaintext.size())) !=
          1 ||
      EVP_EncryptFinal_ex(c.ctx, cipher_out + len, &tail) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kSealTagSize),
                          cipher_out + plaintext.size()) != 1) {
    throw std::runtime_error("OpenSSL: AES-256-GCM encryption failed");
  }
  return base64url_encode(out);
}

std::optional<std::string> unseal(std::string_view key, std::string_view sealed) {
  const auto raw = base64url_decode(sealed);
  if (key.size() != kSealKeySize || !raw || raw->size() < kSealNonceSize + kSealTagSize) {
    return std::nullopt;
  }
  const std::string_view nonce = std::string_view(*raw).substr(0, kSealNonceSize);
  const std::string_view body =
      std::string_view(*raw).substr(kSealNonceSize, raw->size() - kSealNonceSize - kSealTagSize);
  std::string tag(raw->end() - kSealTagSize, raw->end());
  std::string out(body.size(), '\0');
  auto* plain_out = reinterpret_cast<unsigned char*>(out.data());
  CipherContext c;
  int len = 0;
  int tail = 0;
  if (c.ctx == nullptr ||
      EVP_DecryptInit_ex2(c.ctx, aes_gcm(), bytes(key), bytes(nonce), nullptr) != 1 ||
      EVP_DecryptUpdate(c.ctx, plain_out, &len, bytes(body), checked_int(body.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kSealTagSize),
                          tag.data()) != 1 ||
      EVP_DecryptFinal_ex(c.ctx, plain_out + len, &tail) != 1) {
    return std::nullopt;  // wrong key or altered text: the tag does not verify
  }
  return out;
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  if (a.empty()) {
    return true;
  }
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace tenantd
