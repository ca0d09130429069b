#pragma once
// The admin console's files (console/), embedded at build time by scripts/embed_console.py.
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace tenantd::console {

struct Asset {
  std::string path;  // relative to console/: "index.html", "js/app.js", ...
  std::string content_type;
  std::string etag;  // a quoted digest of the body
  std::string body;
};

// Every file of console/ (index.html already names the build's asset folder).
const std::vector<Asset>& assets();

// A digest of all assets but index.html: the folder /console/assets/<build>/ they are served
// from, so that a new build never meets a stale cached asset.
std::string_view build_id();

}  // namespace tenantd::console
