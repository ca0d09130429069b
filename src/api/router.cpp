#include "api/router.hpp"

#include <algorithm>

namespace tenantd::api {

namespace {
std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 1;  // skip the leading '/'
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}
}  // namespace

std::string_view canonical_path(std::string_view path) {
  constexpr std::string_view kVersion = "/v1.0";
  if (path.substr(0, kVersion.size()) == kVersion &&
      (path.size() == kVersion.size() || path[kVersion.size()] == '/')) {
    path.remove_prefix(kVersion.size());
  }
  if (path.size() > 1 && path.back() == '/') {
    path.remove_suffix(1);
  }
  if (path.empty()) {
    path = "/";
  }
  return path;
}

Router::Router(const std::vector<Route>& routes) {
  routes_.reserve(routes.size());
  for (const auto& r : routes) {
    routes_.push_back(Compiled{r, split(r.pattern)});
  }
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  path = canonical_path(path);
  if (path.empty() || path.front() != '/') {
    return result;
  }
  const auto segments = split(path);
  for (const auto& candidate : routes_) {
    if (candidate.segments.size() != segments.size()) {
      continue;
    }
    std::vector<std::string_view> params;
    bool same = true;
    for (std::size_t i = 0; i < segments.size() && same; ++i) {
      const std::string_view pattern = candidate.segments[i];
      if (!pattern.empty() && pattern.front() == '{') {
        same = !segments[i].empty();
        params.push_back(segments[i]);
      } else {
        same = pattern == segments[i];
      }
    }
    if (!same) {
      continue;
    }
    // HEAD is answered wherever GET is (RFC 9110 section 9.3.2); the transport drops the body.
    if (candidate.route.method == method || (method == "HEAD" && candidate.route.method == "GET")) {
      result.route = &candidate.route;
      result.params = std::move(params);
      result.allowed.clear();
      return result;
    }
    if (std::find(result.allowed.begin(), result.allowed.end(), candidate.route.method) ==
        result.allowed.end()) {
      result.allowed.push_back(candidate.route.method);
      if (candidate.route.method == "GET") {
        result.allowed.emplace_back("HEAD");
      }
    }
  }
  return result;
}

}  // namespace tenantd::api
