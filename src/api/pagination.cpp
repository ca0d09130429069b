#include "api/pagination.hpp"

#include <charconv>

#include "api/page_token.hpp"

namespace tenantd::api {

namespace {
constexpr int kDefaultLimit = 20;
constexpr int kMaxLimit = 100;

std::optional<std::string_view> first_of(const Call& call, std::string_view a, std::string_view b) {
  if (auto v = call.query.get(a)) {
    return v;
  }
  return call.query.get(b);
}
}  // namespace

std::string self_path(const Call& call) {
  std::string path = "/v1.0";
  const std::string_view canonical = canonical_path(call.request.path);
  if (canonical != "/") {
    path += canonical;
  }
  return path;
}

Result<service::PageRequest> read_page(const Call& call, const PageTokens& tokens,
                                       std::string_view scope) {
  service::PageRequest page;
  page.limit = kDefaultLimit;
  if (const auto text = first_of(call, "limit", "pageSize")) {
    int limit = 0;
    const auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
    if (ec != std::errc() || p != text->data() + text->size() || limit < 1 || limit > kMaxLimit) {
      return Error::validation(
          {{"limit", "INVALID_VALUE", "limit must be an integer from 1 to 100"}});
    }
    page.limit = limit;
  }
  if (const auto token = first_of(call, "nextToken", "startAt"); token && !token->empty()) {
    auto cursor = tokens.open(scope, *token);
    if (!cursor) {
      return std::move(cursor).error();
    }
    page.after = std::move(*cursor);
  }
  return page;
}

void finish_page(JsonWriter& out, const Call& call, const PageTokens& tokens,
                 std::string_view scope, std::size_t count,
                 const std::optional<store::Cursor>& next) {
  const std::string path = self_path(call);
  std::string self = path;
  std::string next_href = path;
  bool first_self = true;
  bool first_next = true;
  for (const auto& [name, value] : call.query.all()) {
    const std::string pair = percent_encode(name) + "=" + percent_encode(value);
    self += first_self ? "?" : "&";
    self += pair;
    first_self = false;
    if (name == "nextToken" || name == "startAt") {
      continue;
    }
    next_href += first_next ? "?" : "&";
    next_href += pair;
    first_next = false;
  }
  out.field("count", static_cast<std::int64_t>(count));
  std::optional<std::string> token;
  if (next) {
    token = tokens.issue(scope, *next);
    out.field("nextToken", *token);
  } else {
    out.key("nextToken").null();
  }
  out.field("moreAvailable", next.has_value());
  out.key("_links").begin_object();
  out.key("self").begin_object().field("href", self).end_object();
  if (token) {
    next_href += first_next ? "?" : "&";
    next_href += "nextToken=" + percent_encode(*token);
    out.key("next").begin_object().field("href", next_href).end_object();
  }
  out.end_object().end_object();
}

}  // namespace tenantd::api
