// Query strings and page tokens: the input up to the first '\n' is a query string (parsed,
// percent-decoded, its limit / nextToken read as the list routes read them), the rest a page
// token opened under a fixed scope. A token issued for a fuzzed cursor must open to the same
// cursor under its scope and fail under any other.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/page_token.hpp"
#include "api/query_params.hpp"

namespace {

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "FUZZ FINDING: %s\n", what);
  std::abort();
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the entry point libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using tenantd::api::PageTokens;
  using tenantd::api::QueryParams;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string_view query = input.substr(0, newline);
  const std::string_view token =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  const auto params = QueryParams::parse(query);
  for (const auto& [name, value] : params.all()) {
    // Encoding is the inverse of decoding for every byte string.
    if (tenantd::percent_decode(tenantd::percent_encode(value), false) != value) {
      finding("percent_decode(percent_encode(x)) != x");
    }
    (void)name;
  }
  (void)params.get("limit");
  (void)params.get("nextToken");

  static const PageTokens kTokens(tenantd::DerivedKey("fuzz-page-token-key-0123456789abcdef"));
  (void)kTokens.open("GET /tenants", token);

  // Round trip of a cursor made of the query's decoded values.
  tenantd::store::Cursor cursor;
  const auto& all = params.all();
  if (!all.empty()) {
    cursor.pk = all[0].first;
    cursor.sk = all[0].second;
  }
  if (all.size() > 1) {
    cursor.index_pk = all[1].first;
    cursor.index_sk = all[1].second;
  }
  const std::string issued = kTokens.issue("GET /tenants", cursor);
  const auto opened = kTokens.open("GET /tenants", issued);
  if (issued.size() <= tenantd::api::kMaxPageTokenLength) {
    if (!opened || opened->pk != cursor.pk || opened->sk != cursor.sk ||
        opened->index_pk != cursor.index_pk || opened->index_sk != cursor.index_sk) {
      finding("an issued page token does not open to its cursor");
    }
  }
  if (kTokens.open("GET /tenants/other", issued)) {
    finding("a page token opened under another scope");
  }
  return 0;
}
