#pragma once
// The moto server of this test run: the endpoint the ctest fixture wrote
// (TENANTD_MOTO_ENDPOINT_FILE), TENANTD_MOTO_ENDPOINT, or else a server this process starts
// with tests/moto/moto_server.py and stops at exit.
#include <string>

#include "aws/environment.hpp"

namespace tenantd::testing_support {

// "http://127.0.0.1:PORT"; fails the test (and returns "") when no server can be had.
std::string moto_endpoint();

// An AWS environment pointing every service at moto with fixed test credentials.
aws::EnvLookup moto_environment(const std::string& endpoint);

}  // namespace tenantd::testing_support
