#pragma once
// Opaque, signed pagination tokens (docs/http-api.md): a store cursor plus a MAC that binds it to
// the list it was issued for (route, principal and filters, folded by the caller into `scope`).
// A token from another list, an altered token or garbage is 400 INVALID_PAGINATION_TOKEN.
#include <cstddef>
#include <string>
#include <string_view>

#include "core/derived_key.hpp"
#include "core/result.hpp"
#include "store/item_store.hpp"

namespace tenantd::api {

// Longest token accepted by open(); cursors built from item keys stay far below it.
inline constexpr std::size_t kMaxPageTokenLength = 2048;

class PageTokens {
 public:
  // `key` signs the tokens; it must be secret and the same on every process serving the API
  // (tokens outlive a process: derive it from a persistent secret).
  explicit PageTokens(DerivedKey key);

  // base64url(version | cursor fields, each length-prefixed | 16-byte HMAC-SHA256 tag).
  std::string issue(std::string_view scope, const store::Cursor& cursor) const;

  // The cursor of a token issued for the same scope with the same key; otherwise
  // INVALID_PAGINATION_TOKEN. The MAC is checked before any field is read.
  Result<store::Cursor> open(std::string_view scope, std::string_view token) const;

 private:
  DerivedKey key_;
};

}  // namespace tenantd::api
