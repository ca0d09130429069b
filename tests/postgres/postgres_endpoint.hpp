#pragma once
// The PostgreSQL server of this test run: the URL the ctest fixture wrote
// (TENANTD_POSTGRES_URL_FILE), TENANTD_POSTGRES_URL, or else a server this process starts with
// tests/postgres/postgres_server.py and stops at exit.
#include <string>

namespace tenantd::testing_support {

// "postgresql://postgres@127.0.0.1:PORT/postgres"; fails the test (and returns "") when no
// server can be had.
std::string postgres_url();

// A private server for tests that stop and start it (see PrivatePostgres::restart).
class PrivatePostgres {
 public:
  PrivatePostgres();
  ~PrivatePostgres();
  PrivatePostgres(const PrivatePostgres&) = delete;
  PrivatePostgres& operator=(const PrivatePostgres&) = delete;

  const std::string& url() const { return url_; }  // empty when it could not start
  bool stop();                                     // fast shutdown, keeps the data
  bool start();                                    // the same data on the same port

 private:
  std::string state_dir_;
  std::string url_;
};

}  // namespace tenantd::testing_support
