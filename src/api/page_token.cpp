#include "api/page_token.hpp"

#include <array>
#include <cstdint>
#include <optional>

#include "core/crypto.hpp"

namespace tenantd::api {

namespace {

constexpr unsigned char kVersion = 1;
// A 128-bit tag is plenty against forgery online and keeps tokens short.
constexpr std::size_t kTagSize = 16;
// Separates this use of the key from any other HMAC computed with it.
constexpr std::string_view kDomain = "tenantd.page-token.v1";

void put_varint(std::string& out, std::size_t n) {
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
}

void put_field(std::string& out, std::string_view field) {
  put_varint(out, field.size());
  out.append(field);
}

// Reads length-prefixed fields from the front of `in`; nullopt on any inconsistency.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  std::optional<std::string> field() {
    std::size_t n = 0;
    for (int shift = 0;; shift += 7) {
      if (in_.empty() || shift > 14) {
        return std::nullopt;  // lengths above 2^21 cannot occur within kMaxPageTokenLength
      }
      const auto byte = static_cast<unsigned char>(in_.front());
      in_.remove_prefix(1);
      n |= static_cast<std::size_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) {
        break;
      }
    }
    if (n > in_.size()) {
      return std::nullopt;
    }
    std::string out(in_.substr(0, n));
    in_.remove_prefix(n);
    return out;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

Sha256Digest tag_of(std::string_view key, std::string_view scope, std::string_view payload) {
  std::string input;
  input.reserve(kDomain.size() + scope.size() + payload.size() + 8);
  input.append(kDomain);
  put_field(input, scope);
  input.append(payload);
  return hmac_sha256_digest(key, input);
}

Error invalid_token(std::string message) {
  return Error::make(ErrorCode::InvalidPaginationToken, std::move(message));
}

}  // namespace

PageTokens::PageTokens(DerivedKey key) : key_(std::move(key)) {}

std::string PageTokens::issue(std::string_view scope, const store::Cursor& cursor) const {
  std::string raw;
  raw.reserve(1 + cursor.index_pk.size() + cursor.index_sk.size() + cursor.pk.size() +
              cursor.sk.size() + 8 + kTagSize);
  raw.push_back(static_cast<char>(kVersion));
  put_field(raw, cursor.index_pk);
  put_field(raw, cursor.index_sk);
  put_field(raw, cursor.pk);
  put_field(raw, cursor.sk);
  const Sha256Digest tag = tag_of(key_.get(), scope, raw);
  raw.append(reinterpret_cast<const char*>(tag.data()), kTagSize);
  return base64url_encode(raw);
}

Result<store::Cursor> PageTokens::open(std::string_view scope, std::string_view token) const {
  if (token.size() > kMaxPageTokenLength) {
    return invalid_token("nextToken is too long to be a pagination token of this API");
  }
  const auto raw = base64url_decode(token);
  if (!raw || raw->size() < 1 + kTagSize) {
    return invalid_token("nextToken is not a pagination token of this API");
  }
  const std::string_view payload = std::string_view(*raw).substr(0, raw->size() - kTagSize);
  const std::string_view tag = std::string_view(*raw).substr(raw->size() - kTagSize);
  const Sha256Digest expected = tag_of(key_.get(), scope, payload);
  if (!constant_time_equals(
          tag, std::string_view(reinterpret_cast<const char*>(expected.data()), kTagSize))) {
    return invalid_token(
        "nextToken was altered or was issued for a different list or filters; start again "
        "without it");
  }
  // Authentic from here on: a mismatch means a token of another format version.
  if (static_cast<unsigned char>(payload.front()) != kVersion) {
    return invalid_token("nextToken has an unsupported version; start again without it");
  }
  Reader reader(payload.substr(1));
  auto index_pk = reader.field();
  auto index_sk = reader.field();
  auto pk = reader.field();
  auto sk = reader.field();
  if (!index_pk || !index_sk || !pk || !sk || !reader.done()) {
    return invalid_token("nextToken is not a pagination token of this API");
  }
  return store::Cursor{std::move(*index_pk), std::move(*index_sk), std::move(*pk), std::move(*sk)};
}

}  // namespace tenantd::api
