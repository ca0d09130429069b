#pragma once
// Path matching for the route table (api/routes.cpp). Every route is served at the root and
// under /v1.0; "{name}" segments capture path parameters.
#include <string>
#include <string_view>
#include <vector>

#include "core/http_message.hpp"

namespace tenantd::api {

struct Call;
class Api;
using HandlerFn = Response (*)(Api& api, Call& call);

struct Route {
  std::string_view method;
  std::string_view pattern;  // "/tenants/{id}/park"
  HandlerFn handler;
  bool authenticated = true;
};

struct RouteMatch {
  const Route* route = nullptr;           // set when method and path match
  std::vector<std::string_view> params;   // captured segments, in order
  std::vector<std::string_view> allowed;  // methods of the path when only the method is wrong
};

class Router {
 public:
  explicit Router(const std::vector<Route>& routes);
  // `path` may carry the /v1.0 prefix; the views point into `path` and the route table.
  RouteMatch match(std::string_view method, std::string_view path) const;

 private:
  struct Compiled {
    Route route;
    std::vector<std::string_view> segments;
  };
  std::vector<Compiled> routes_;
};

// Strips the optional "/v1.0" prefix and one trailing slash.
std::string_view canonical_path(std::string_view path);

}  // namespace tenantd::api
