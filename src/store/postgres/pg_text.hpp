#pragma once
// Text helpers of the PostgreSQL store: range bounds that stay valid UTF-8, array literals.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tenantd::store::postgres {

// The smallest valid UTF-8 string greater than every string that starts with `prefix`, in
// bytewise (= code point) order; nullopt when there is none. PostgreSQL rejects invalid UTF-8
// in a text parameter, so the bytewise successor SQLite uses ("…\xBF" -> "…\xC0") cannot be sent.
// `prefix` must be valid UTF-8.
std::optional<std::string> utf8_prefix_successor(std::string_view prefix);

// A text[] literal of `values`: {"a","b\"c"}.
std::string text_array_literal(const std::vector<std::string_view>& values);

}  // namespace tenantd::store::postgres
