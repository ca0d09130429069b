// Request-path costs of authentication and its helpers: HMAC-SHA256 (the cached-context
// implementation against OpenSSL's one-shot HMAC(), EVP_Q_mac and a fresh EVP_MAC_CTX per call),
// HS256 JWT verification of a typical token, page tokens and the rate limiter.
// Run e.g.: micro_bench --benchmark_filter='Hmac|Jwt|PageToken|RateLimiter'
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include <chrono>
#include <string>

#include "api/page_token.hpp"
#include "api/rate_limiter.hpp"
#include "auth/jwt.hpp"
#include "core/clock.hpp"
#include "core/crypto.hpp"

namespace {

constexpr std::string_view kSecret = "bench-secret-0123456789abcdefghijklmnopqrstuvwxyz";

// About the size of the signing input of a Cognito-like id token.
const std::string& message() {
  static const std::string m(300, 'm');
  return m;
}

void BM_HmacSha256_CachedContext(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(tenantd::hmac_sha256_digest(kSecret, message()));
  }
}
BENCHMARK(BM_HmacSha256_CachedContext);

void BM_HmacSha256_CachedContextAlternatingKeys(benchmark::State& state) {
  bool flip = false;
  for (auto _ : state) {
    flip = !flip;
    benchmark::DoNotOptimize(tenantd::hmac_sha256_digest(flip ? kSecret : "other-key", message()));
  }
}
BENCHMARK(BM_HmacSha256_CachedContextAlternatingKeys);

void BM_HmacSha256_OneShotHMAC(benchmark::State& state) {
  unsigned char out[32];
  unsigned int size = 0;
  for (auto _ : state) {
    HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
         reinterpret_cast<const unsigned char*>(message().data()), message().size(), out, &size);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_HmacSha256_OneShotHMAC);

void BM_HmacSha256_EvpQMac(benchmark::State& state) {
  unsigned char out[32];
  std::size_t size = 0;
  char digest[] = "SHA256";
  for (auto _ : state) {
    EVP_Q_mac(nullptr, "HMAC", nullptr, digest, nullptr, kSecret.data(), kSecret.size(),
              reinterpret_cast<const unsigned char*>(message().data()), message().size(), out,
              sizeof out, &size);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_HmacSha256_EvpQMac);

void BM_HmacSha256_FreshMacContext(benchmark::State& state) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  unsigned char out[32];
  std::size_t size = 0;
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  for (auto _ : state) {
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(kSecret.data()), kSecret.size(),
                 params);
    EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(message().data()), message().size());
    EVP_MAC_final(ctx, out, &size, sizeof out);
    EVP_MAC_CTX_free(ctx);
    benchmark::DoNotOptimize(out);
  }
  EVP_MAC_free(mac);
}
BENCHMARK(BM_HmacSha256_FreshMacContext);

void BM_Sha256(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(tenantd::sha256(message()));
  }
}
BENCHMARK(BM_Sha256);

tenantd::auth::JwtClaims typical_claims() {
  tenantd::auth::JwtClaims c;
  c.sub = "user-3f2b8c1e-7d4a-4e59-9a61-0c8d2f5b7e14";
  c.email = "ann.operator@example.com";
  c.groups = {"platform-operators"};
  c.iat = 1'770'000'000;
  c.exp = c.iat + 3600;
  return c;
}

void BM_JwtMint(benchmark::State& state) {
  const auto claims = typical_claims();
  for (auto _ : state) {
    benchmark::DoNotOptimize(tenantd::auth::mint_hs256(kSecret, claims));
  }
}
BENCHMARK(BM_JwtMint);

void BM_JwtVerify(benchmark::State& state) {
  const std::string token = tenantd::auth::mint_hs256(kSecret, typical_claims()).value();
  const tenantd::auth::Hs256Verifier verifier{std::string(kSecret)};
  const auto now = tenantd::TimePoint(std::chrono::seconds(1'770'000'100));
  for (auto _ : state) {
    auto p = verifier.verify(token, now);
    if (!p.ok()) {
      state.SkipWithError("verification failed");
      break;
    }
    benchmark::DoNotOptimize(p);
  }
  state.counters["token_bytes"] = static_cast<double>(token.size());
}
BENCHMARK(BM_JwtVerify);

void BM_JwtVerifyRejectsBadSignature(benchmark::State& state) {
  std::string token = tenantd::auth::mint_hs256(kSecret, typical_claims()).value();
  token[token.size() - 5] = token[token.size() - 5] == 'A' ? 'B' : 'A';
  const tenantd::auth::Hs256Verifier verifier{std::string(kSecret)};
  const auto now = tenantd::TimePoint(std::chrono::seconds(1'770'000'100));
  for (auto _ : state) {
    benchmark::DoNotOptimize(verifier.verify(token, now));
  }
}
BENCHMARK(BM_JwtVerifyRejectsBadSignature);

const tenantd::store::Cursor& cursor() {
  static const tenantd::store::Cursor c{
      "TENANTS", "2026-01-25T10:30:00.000Z#tenant-3f2b8c1e-7d4a-4e59-9a61-0c8d2f5b7e14",
      "TENANT#tenant-3f2b8c1e-7d4a-4e59-9a61-0c8d2f5b7e14", "METADATA"};
  return c;
}
constexpr std::string_view kScope = "tenants|status=ACTIVE|env=|name=|user-123";

void BM_PageTokenIssue(benchmark::State& state) {
  const tenantd::api::PageTokens tokens(tenantd::DerivedKey("page-key"));
  for (auto _ : state) {
    benchmark::DoNotOptimize(tokens.issue(kScope, cursor()));
  }
}
BENCHMARK(BM_PageTokenIssue);

void BM_PageTokenOpen(benchmark::State& state) {
  const tenantd::api::PageTokens tokens(tenantd::DerivedKey("page-key"));
  const std::string token = tokens.issue(kScope, cursor());
  for (auto _ : state) {
    benchmark::DoNotOptimize(tokens.open(kScope, token));
  }
}
BENCHMARK(BM_PageTokenOpen);

// One limiter shared by all benchmark threads; each thread is its own principal.
void BM_RateLimiterAcquire(benchmark::State& state) {
  static tenantd::SystemClock clock;
  static tenantd::api::RateLimiter limiter(1e9, 1e9, clock);
  const std::string key = "user-" + std::to_string(state.thread_index());
  for (auto _ : state) {
    benchmark::DoNotOptimize(limiter.acquire(key));
  }
}
BENCHMARK(BM_RateLimiterAcquire)->Threads(1)->Threads(2)->Threads(8);

}  // namespace
