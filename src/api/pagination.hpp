#pragma once
// List conventions (docs/http-api.md): limit/pageSize 1..100 (default 20), nextToken/startAt
// signed and bound to the list's scope, and the page envelope.
#include <optional>
#include <string>
#include <string_view>

#include "api/api.hpp"
#include "core/json.hpp"
#include "service/context.hpp"

namespace tenantd::api {

// Reads the page parameters of `call`; tokens must have been issued for `scope`.
Result<service::PageRequest> read_page(const Call& call, const PageTokens& tokens,
                                       std::string_view scope);

// Writes count, nextToken, moreAvailable and _links{self,next}, then closes the page object.
// `out` must be inside the page object with the "items" array already written.
void finish_page(JsonWriter& out, const Call& call, const PageTokens& tokens,
                 std::string_view scope, std::size_t count,
                 const std::optional<store::Cursor>& next);

// "/v1.0" + the canonical path of the request.
std::string self_path(const Call& call);

}  // namespace tenantd::api
