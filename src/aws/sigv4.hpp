#pragma once
// AWS Signature Version 4 for request headers (the Authorization header form). Checked against
// AWS's published test suite and against botocore (tests/unit/aws/sigv4_test.cpp,
// tests/aws/sigv4_botocore_check.py).
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/http_message.hpp"

namespace tenantd::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
};

struct SignInput {
  std::string_view method;
  std::string_view path = "/";                   // the path as sent (percent-encoded)
  std::string_view query;                        // the raw query string without '?', possibly empty
  const std::vector<Header>* headers = nullptr;  // every header to sign; must include Host
  std::string_view payload;
  std::string_view region;
  std::string_view service;
};

struct Signature {
  std::string amz_date;  // the X-Amz-Date header value the signature covers
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // lower-case hex
  std::string authorization;  // the Authorization header value
};

// Signs `in` at `now`. The signed headers are the given ones plus X-Amz-Date and, for temporary
// credentials, X-Amz-Security-Token: the caller must send those two with the values returned.
Signature sign(const SignInput& in, const Credentials& credentials,
               std::chrono::system_clock::time_point now);

// "20150830T123600Z"
std::string amz_date(std::chrono::system_clock::time_point now);

}  // namespace tenantd::aws
