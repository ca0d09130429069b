#include "moto/moto_endpoint.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace tenantd::testing_support {

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string own_state_dir;

void stop_own_server() {
  const std::string command = "python3 " TENANTD_SOURCE_DIR "/tests/moto/moto_server.py stop '" +
                              own_state_dir + "' >/dev/null";
  (void)std::system(command.c_str());  // NOLINT(concurrency-mt-unsafe): once, at exit
}

}  // namespace

std::string moto_endpoint() {
  static std::once_flag once;
  static std::string endpoint;
  std::call_once(once, [] {
    if (const char* file = std::getenv("TENANTD_MOTO_ENDPOINT_FILE")) {  // NOLINT
      endpoint = read_file(file);
      return;
    }
    if (const char* given = std::getenv("TENANTD_MOTO_ENDPOINT")) {  // NOLINT
      endpoint = given;
      return;
    }
    own_state_dir =
        (std::filesystem::temp_directory_path() / ("tenantd-moto-" + std::to_string(::getpid())))
            .string();
    const std::string command = "python3 " TENANTD_SOURCE_DIR "/tests/moto/moto_server.py start '" +
                                own_state_dir + "' >/dev/null";
    if (std::system(command.c_str()) == 0) {  // NOLINT(concurrency-mt-unsafe): once
      endpoint = read_file(own_state_dir + "/endpoint");
      std::atexit(stop_own_server);
    }
  });
  if (endpoint.empty()) {
    ADD_FAILURE() << "no moto server: set TENANTD_MOTO_ENDPOINT_FILE or install moto";
  }
  return endpoint;
}

aws::EnvLookup moto_environment(const std::string& endpoint) {
  std::map<std::string, std::string> vars = {
      {"AWS_REGION", "us-east-1"},      {"AWS_ENDPOINT_URL", endpoint},
      {"AWS_ACCESS_KEY_ID", "testing"}, {"AWS_SECRET_ACCESS_KEY", "testing"},
      {"AWS_MAX_ATTEMPTS", "3"},
  };
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

}  // namespace tenantd::testing_support
