#include "api/page_token.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/crypto.hpp"

namespace tenantd::api {
namespace {

constexpr std::string_view kScope = "tenants|status=ACTIVE|env=|name=|user-123";

store::Cursor sample_cursor() {
  return store::Cursor{"GSI1#TENANTS", "2026-01-25T10:30:00.000Z#tenant-1", "TENANT#tenant-1",
                       "METADATA"};
}

void expect_invalid(const Result<store::Cursor>& r) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::InvalidPaginationToken);
  EXPECT_FALSE(r.error().message.empty());
}

TEST(PageTokens, RoundTripsTheCursor) {
  const PageTokens tokens(DerivedKey("key-1"));
  const auto cursor = tokens.open(kScope, tokens.issue(kScope, sample_cursor()));
  ASSERT_TRUE(cursor.ok()) << cursor.error().message;
  EXPECT_EQ(cursor->index_pk, "GSI1#TENANTS");
  EXPECT_EQ(cursor->index_sk, "2026-01-25T10:30:00.000Z#tenant-1");
  EXPECT_EQ(cursor->pk, "TENANT#tenant-1");
  EXPECT_EQ(cursor->sk, "METADATA");
}

TEST(PageTokens, RoundTripsEmptyAndBinaryAndLongFields) {
  const PageTokens tokens(DerivedKey("key-1"));
  const store::Cursor odd{"", std::string("a\0b|c", 5), std::string(300, 'x'), "\xff\x80"};
  const auto back = tokens.open("s", tokens.issue("s", odd));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->index_pk, odd.index_pk);
  EXPECT_EQ(back->index_sk, odd.index_sk);
  EXPECT_EQ(back->pk, odd.pk);
  EXPECT_EQ(back->sk, odd.sk);
}

TEST(PageTokens, TokenIsUrlSafeAndOpaque) {
  const PageTokens tokens(DerivedKey("key-1"));
  const std::string token = tokens.issue(kScope, sample_cursor());
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  EXPECT_EQ(token.find("TENANT"), std::string::npos);
  EXPECT_LE(token.size(), kMaxPageTokenLength);
}

TEST(PageTokens, RejectsEveryAlteredCharacter) {
  const PageTokens tokens(DerivedKey("key-1"));
  const std::string token = tokens.issue(kScope, sample_cursor());
  for (std::size_t i = 0; i < token.size(); ++i) {
    for (const char replacement : {'A', 'B', '-', '9'}) {
      if (token[i] == replacement) {
        continue;
      }
      std::string bad = token;
      bad[i] = replacement;
      const auto r = tokens.open(kScope, bad);
      EXPECT_FALSE(r.ok()) << "position " << i << " -> " << replacement;
    }
  }
}

TEST(PageTokens, RejectsEveryAlteredByteOfTheDecodedToken) {
  const PageTokens tokens(DerivedKey("key-1"));
  const auto raw = base64url_decode(tokens.issue(kScope, sample_cursor()));
  ASSERT_TRUE(raw.has_value());
  for (std::size_t i = 0; i < raw->size(); ++i) {
    std::string bad = *raw;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    expect_invalid(tokens.open(kScope, base64url_encode(bad)));
  }
}

TEST(PageTokens, RejectsTruncatedOrExtendedTokens) {
  const PageTokens tokens(DerivedKey("key-1"));
  const std::string token = tokens.issue(kScope, sample_cursor());
  for (std::size_t n = 0; n < token.size(); ++n) {
    EXPECT_FALSE(tokens.open(kScope, token.substr(0, n)).ok()) << n;
  }
  expect_invalid(tokens.open(kScope, token + "A"));
  expect_invalid(tokens.open(kScope, token + "AAAA"));
}

TEST(PageTokens, RejectsTokenOfAnotherScope) {
  const PageTokens tokens(DerivedKey("key-1"));
  const std::string token = tokens.issue(kScope, sample_cursor());
  expect_invalid(tokens.open("tenants|status=PARKED|env=|name=|user-123", token));
  expect_invalid(tokens.open("tenants|status=ACTIVE|env=|name=|user-999", token));
  expect_invalid(tokens.open("", token));
}

TEST(PageTokens, RejectsTokenSignedWithAnotherKey) {
  const PageTokens mine(DerivedKey("key-1"));
  const PageTokens theirs(DerivedKey("key-2"));
  expect_invalid(mine.open(kScope, theirs.issue(kScope, sample_cursor())));
}

TEST(PageTokens, RejectsGarbage) {
  const PageTokens tokens(DerivedKey("key-1"));
  for (const char* text : {"", "A", "AAAA", "not a token", "eyJhbGciOiJIUzI1NiJ9", "====", "%2F%2F",
                           "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
    expect_invalid(tokens.open(kScope, text));
  }
  expect_invalid(tokens.open(kScope, std::string(kMaxPageTokenLength + 1, 'A')));
}

// Tags a payload exactly as PageTokens does (domain, length-prefixed scope, payload), so that
// the parser itself, not only the MAC, is shown to refuse what it cannot read.
std::string forge(std::string_view key, std::string_view scope, const std::string& payload) {
  std::string input = "tenantd.page-token.v1";
  input.push_back(static_cast<char>(scope.size()));
  input.append(scope);
  input.append(payload);
  return base64url_encode(payload + hmac_sha256(key, input).substr(0, 16));
}

TEST(PageTokens, LayoutIsVersionThenLengthPrefixedFieldsThenTag) {
  const PageTokens tokens(DerivedKey("key-1"));
  const std::string payload = std::string("\x01") +
                              "\x01"
                              "a"
                              "\x01"
                              "b"
                              "\x01"
                              "c"
                              "\x01"
                              "d";
  const std::string issued = tokens.issue("s", store::Cursor{"a", "b", "c", "d"});
  EXPECT_EQ(issued, forge("key-1", "s", payload));
  EXPECT_TRUE(tokens.open("s", forge("key-1", "s", payload)).ok());
}

TEST(PageTokens, RejectsAuthenticPayloadOfUnknownVersionOrShape) {
  const PageTokens tokens(DerivedKey("key-1"));
  const std::string fields = std::string("\x01") +
                             "a"
                             "\x01"
                             "b"
                             "\x01"
                             "c"
                             "\x01"
                             "d";
  expect_invalid(tokens.open("s", forge("key-1", "s", "\x02" + fields)));
  expect_invalid(tokens.open("s", forge("key-1", "s", "\x01" + fields + "x")));
  expect_invalid(tokens.open("s", forge("key-1", "s", "\x01" + fields.substr(0, 6))));
  expect_invalid(tokens.open("s", forge("key-1", "s",
                                        std::string("\x01\x05"
                                                    "ab"))));
  expect_invalid(tokens.open("s", forge("key-1", "s", std::string("\x01\xff\xff\xff\xff\x01"))));
}

}  // namespace
}  // namespace tenantd::api
