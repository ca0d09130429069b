#pragma once
// An AWS JSON-protocol endpoint whose every answer is the current fuzz input: a FakeHttpServer
// (tests/unit/aws/fake_http_server.hpp) on 127.0.0.1 replying with `status` and `body`, and a
// client for it that does not retry (one input, one answer). The input's first byte picks the
// call (`select`), its second the status: '4' 400, '5' 500, anything else 200.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "aws/aws_json_client.hpp"
#include "aws/credentials.hpp"
#include "unit/aws/fake_http_server.hpp"

namespace tenantd::fuzz {

class ScriptedAws {
 public:
  ScriptedAws()
      : server_([this](const testing_support::FakeHttpServer::Request&) {
          std::lock_guard lock(mutex_);
          return testing_support::FakeHttpServer::reply(status_, body_);
        }) {}

  std::unique_ptr<aws::AwsJsonClient> client(const char* signing_name, const char* target_prefix,
                                             const char* json_version) {
    aws::ClientSettings settings;
    settings.retry.max_attempts = 1;
    aws::ServiceEndpoint endpoint{signing_name, "eu-west-1", *Url::parse(server_.url())};
    return std::make_unique<aws::AwsJsonClient>(
        endpoint, target_prefix, json_version,
        std::make_shared<aws::StaticCredentials>(aws::Credentials{"AKID", "secret", ""}), settings);
  }

  // Sets the answer from the input; returns the call selector (the first byte), or -1 when the
  // input is too short to hold one.
  int script(const std::uint8_t* data, std::size_t size) {
    if (size < 2) {
      return -1;
    }
    std::lock_guard lock(mutex_);
    status_ = data[1] == '4' ? 400 : data[1] == '5' ? 500 : 200;
    body_.assign(reinterpret_cast<const char*>(data) + 2, size - 2);
    return data[0];
  }

 private:
  std::mutex mutex_;
  int status_ = 200;
  std::string body_;
  testing_support::FakeHttpServer server_;  // last: its thread may call the handler at once
};

}  // namespace tenantd::fuzz
