#pragma once
// The query-string allow-lists of the handlers: the page parameters every list accepts, and the
// one error for any other parameter.
#include <initializer_list>
#include <string>
#include <string_view>

#include "api/api.hpp"
#include "core/error.hpp"

namespace tenantd::api {

// limit, pageSize, nextToken and startAt.
bool is_page_param(std::string_view name);
// UNKNOWN_FIELD "Unknown query parameter '<name>'".
FieldError unknown_query_param(const std::string& name);
// Only the page parameters and `allowed` may appear; every other parameter is one field error.
// (Routes that allow nothing more pass {""}: they have always let a nameless `?=x` through.)
Status only_page_params(const Call& call, std::initializer_list<std::string_view> allowed = {});
// No parameter at all may appear; the first one present is the error.
Status no_query_params(const Call& call);

}  // namespace tenantd::api
