#pragma once
// The oracle every API-level fuzz target applies to a response, beyond "no crash": a status in
// range, never a 500 (a bad input deserves a 4xx naming the problem), JSON bodies that parse,
// and every error in the API's format ({"error":{"code","message",...}}, src/api/responses.*).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/http_message.hpp"
#include "core/json.hpp"

namespace tenantd::fuzz {

[[noreturn]] inline void finding(const std::string& what, const Response& response) {
  std::fprintf(stderr, "FUZZ FINDING: %s\nstatus %d\nbody: %.2000s\n", what.c_str(),
               response.status, response.body.c_str());
  std::abort();
}

inline void check_response(const Response& response) {
  if (response.status < 100 || response.status > 599) {
    finding("status out of range", response);
  }
  if (response.status == 500) {
    finding("500 for a client's input", response);
  }
  const std::string* type = response.header("Content-Type");
  const bool json = type != nullptr && type->find("json") != std::string::npos;
  if (!json || response.body.empty()) {
    return;
  }
  auto doc = parse_json(response.body);
  if (!doc) {
    finding("JSON response that does not parse", response);
  }
  if (response.status >= 400) {
    const bool shaped = doc->IsObject() && doc->HasMember("error") && (*doc)["error"].IsObject() &&
                        (*doc)["error"].HasMember("code") && (*doc)["error"]["code"].IsString() &&
                        (*doc)["error"].HasMember("message") &&
                        (*doc)["error"]["message"].IsString();
    if (!shaped) {
      finding("error response not in the API's error format", response);
    }
  }
}

}  // namespace tenantd::fuzz
