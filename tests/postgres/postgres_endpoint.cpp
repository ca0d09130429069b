#include "postgres/postgres_endpoint.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

namespace tenantd::testing_support {

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string out = text.str();
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) {
    out.pop_back();
  }
  return out;
}

bool script(const std::string& action, const std::string& state_dir) {
  const std::string command = "python3 " TENANTD_SOURCE_DIR "/tests/postgres/postgres_server.py " +
                              action + " '" + state_dir + "' >/dev/null";
  return std::system(command.c_str()) == 0;  // NOLINT(concurrency-mt-unsafe): test setup only
}

std::string fresh_state_dir() {
  static std::atomic<int> counter{0};
  return (std::filesystem::temp_directory_path() /
          ("tenantd-pgstate-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
      .string();
}

std::string own_state_dir;

void stop_own_server() {
  (void)script("stop", own_state_dir);
}

}  // namespace

std::string postgres_url() {
  static std::once_flag once;
  static std::string url;
  std::call_once(once, [] {
    if (const char* file = std::getenv("TENANTD_POSTGRES_URL_FILE")) {  // NOLINT
      url = read_file(file);
      return;
    }
    if (const char* given = std::getenv("TENANTD_POSTGRES_URL")) {  // NOLINT
      url = given;
      return;
    }
    own_state_dir = fresh_state_dir();
    if (script("start", own_state_dir)) {
      url = read_file(own_state_dir + "/url");
      std::atexit(stop_own_server);
    }
  });
  if (url.empty()) {
    ADD_FAILURE() << "no PostgreSQL server: set TENANTD_POSTGRES_URL_FILE or install postgresql-15";
  }
  return url;
}

PrivatePostgres::PrivatePostgres() : state_dir_(fresh_state_dir()) {
  if (script("start", state_dir_)) {
    url_ = read_file(state_dir_ + "/url");
  }
}

PrivatePostgres::~PrivatePostgres() {
  (void)script("stop", state_dir_);
  std::error_code ec;
  std::filesystem::remove_all(state_dir_, ec);
}

bool PrivatePostgres::stop() {
  const std::string cluster = read_file(state_dir_ + "/cluster");
  const std::string command = "python3 -c \"import sys; sys.path.insert(0, '" TENANTD_SOURCE_DIR
                              "/tests/postgres'); import postgres_server as p; "
                              "p.pg_ctl_stop('" +
                              cluster + "', p.run_as())\"";
  return std::system(command.c_str()) == 0;  // NOLINT(concurrency-mt-unsafe)
}

bool PrivatePostgres::start() {
  const std::string cluster = read_file(state_dir_ + "/cluster");
  const std::string port = read_file(state_dir_ + "/port");
  const std::string command = "python3 -c \"import sys; sys.path.insert(0, '" TENANTD_SOURCE_DIR
                              "/tests/postgres'); import postgres_server as p; "
                              "p.pg_ctl_start('" +
                              cluster + "', " + port + ", p.run_as())\"";
  return std::system(command.c_str()) == 0;  // NOLINT(concurrency-mt-unsafe)
}

}  // namespace tenantd::testing_support
