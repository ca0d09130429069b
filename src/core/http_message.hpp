#pragma once
// The one request/response model shared by every door (HTTP server, Lambda, invoke).
#include <string>
#include <string_view>
#include <vector>

namespace tenantd {

struct Header {
  std::string name;
  std::string value;
};

bool iequals(std::string_view a, std::string_view b);

// A caller's X-Request-Id is kept when it is 1..128 characters of [A-Za-z0-9._:-].
bool is_sane_request_id(std::string_view id);

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string, not percent-decoded
  std::string query;   // raw query string without '?'
  std::vector<Header> headers;
  std::string body;
  std::string remote_address;
  std::string request_id;  // preset by a door that has its own (Lambda); else chosen by the API
  std::string trace_id;
  bool cold_start = false;  // the first request a Lambda process handles (for its log line)
  // The claims API Gateway's authoriser verified (a JSON object), for AUTH_MODE=apigw. Set only
  // by the Lambda door from the event's requestContext, never from anything a client sends:
  // `serve` leaves it empty and headers cannot reach it.
  std::string authorizer_claims;

  // Case-insensitive header lookup; nullptr when absent.
  const std::string* header(std::string_view name) const {
    for (const auto& h : headers) {
      if (iequals(h.name, name)) {
        return &h.value;
      }
    }
    return nullptr;
  }
};

struct Response {
  int status = 200;
  std::vector<Header> headers;  // Content-Type is among them when there is a body
  std::string body;

  void set_header(std::string name, std::string value) {
    for (auto& h : headers) {
      if (iequals(h.name, name)) {
        h.value = std::move(value);
        return;
      }
    }
    headers.push_back(Header{std::move(name), std::move(value)});
  }
  const std::string* header(std::string_view name) const {
    for (const auto& h : headers) {
      if (iequals(h.name, name)) {
        return &h.value;
      }
    }
    return nullptr;
  }
};

// What every door calls: the API application.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual Response handle(Request& request) = 0;
};

}  // namespace tenantd
