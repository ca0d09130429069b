#pragma once
// The Lambda Runtime API client (docs/lambda.md): next / response / error / init error over one
// keep-alive HTTP connection to AWS_LAMBDA_RUNTIME_API, and the loop that serves invocations.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "lambda/handler.hpp"

namespace tenantd::lambda {

struct NextInvocation {
  Invocation invocation;
  std::string event;
};

// What the loop needs from the Runtime API (an interface so that tests can script it).
class RuntimeClient {
 public:
  virtual ~RuntimeClient() = default;
  virtual Result<NextInvocation> next() = 0;  // blocks until the next invocation
  virtual Status respond(std::string_view request_id, std::string_view body) = 0;
  virtual Status fail(std::string_view request_id, const Outcome& outcome) = 0;
};

class RuntimeApi final : public RuntimeClient {
 public:
  explicit RuntimeApi(const std::string& host_port);  // "127.0.0.1:9001", as AWS_LAMBDA_RUNTIME_API
  ~RuntimeApi() override;
  RuntimeApi(const RuntimeApi&) = delete;
  RuntimeApi& operator=(const RuntimeApi&) = delete;

  Result<NextInvocation> next() override;
  Status respond(std::string_view request_id, std::string_view body) override;
  Status fail(std::string_view request_id, const Outcome& outcome) override;
  Status init_error(std::string_view type, std::string_view message);

 private:
  struct Exchange;
  struct Reply {
    int status = 0;
    std::string body;
    std::string request_id;
    std::string trace_id;
    std::string deadline_ms;
  };
  Result<Reply> exchange(std::string_view method, const std::string& target, std::string_view body,
                         std::string_view error_type = {});

  std::string host_;
  std::string port_;
  std::unique_ptr<Exchange> connection_;  // reconnected when the runtime closes it
};

// Serves invocations until the Runtime API cannot be reached any more (then returns an error);
// a transient failure of next() is retried with a short backoff. A handler that throws becomes
// an invocation error; the loop itself never dies of one.
Status run_runtime_loop(RuntimeClient& api, LambdaHandler& handler);

}  // namespace tenantd::lambda
