#pragma once
// Small, fast crypto helpers over OpenSSL 3 (no deprecated APIs): digests, HMAC, encodings,
// randomness and constant-time comparison. Raw digests are returned as byte strings.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tenantd {

inline constexpr std::size_t kSha256Size = 32;
using Sha256Digest = std::array<unsigned char, kSha256Size>;

// SHA-256 of `data`: the raw 32 bytes, or lower-case hex.
std::string sha256(std::string_view data);
std::string sha256_hex(std::string_view data);

// HMAC-SHA256 (RFC 2104): the raw 32 bytes.
std::string hmac_sha256(std::string_view key, std::string_view data);
// The same without a heap allocation, for hot paths (JWT and page-token checks).
Sha256Digest hmac_sha256_digest(std::string_view key, std::string_view data);

// Lower-case hex of arbitrary bytes.
std::string hex(std::string_view bytes);

// RFC 4648 section 5 alphabet, no padding. Decoding rejects characters outside the alphabet,
// any '=', impossible lengths and non-canonical trailing bits (so that every text has one
// meaning: altering a character always alters the bytes).
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

// RFC 4648 section 4 alphabet, padded to a multiple of 4. Decoding is equally strict.
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

// `n` bytes from the kernel CSPRNG (getrandom); throws std::runtime_error when it fails. Not
// OpenSSL's RAND_bytes, whose generators are set up on first use (a cost in every cold start)
// and which checks for a fork on every call.
void fill_random(unsigned char* out, std::size_t n);
std::string random_bytes(std::size_t n);

// Authenticated encryption (AES-256-GCM) for secrets that must be stored but not readable in the
// store, such as an invitation's accept URL waiting in the outbox. `key` must be 32 bytes. The
// sealed text is base64url(nonce || ciphertext || tag) with a fresh random 12-byte nonce.
std::string seal(std::string_view key, std::string_view plaintext);
// The plaintext, or nullopt when the text was not sealed with `key` or was altered.
std::optional<std::string> unseal(std::string_view key, std::string_view sealed);

// True when a and b are equal; the time taken depends only on the lengths.
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace tenantd
