#pragma once
// The whole application for the fuzz targets that go through the API: the runtime `serve` builds
// (SQLite in a private temporary data dir, local HS256 auth, the file event sink, the `events`
// provisioner so that nothing moves unless a report says so), with one tenant, instance,
// member and invitation made at start-up, so that fuzzed requests reach handlers past the
// "not found" checks. Built once per fuzzing process.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.hpp"
#include "app/wiring.hpp"
#include "core/http_message.hpp"
#include "core/json.hpp"

namespace tenantd::fuzz {

class FuzzApp {
 public:
  // Never destroyed: libFuzzer ends the process with exit() while server threads may still
  // use the application. The data dir goes at exit.
  static FuzzApp& get() {
    static FuzzApp* app = new FuzzApp;
    return *app;
  }

  RequestHandler& api() { return runtime_->handler(); }
  Runtime& runtime() { return *runtime_; }

  // Replaces the placeholders {tenant}, {instance}, {invitation}, {user}, {admin} and {worker}
  // with the ids and tokens made at start-up, so that seeds can name real resources.
  std::string expand(std::string_view text) const {
    std::string out(text);
    replace_all(out, "{tenant}", tenant_id_);
    replace_all(out, "{instance}", instance_id_);
    replace_all(out, "{invitation}", invitation_id_);
    replace_all(out, "{user}", user_id_);
    replace_all(out, "{admin}", admin_token_);
    replace_all(out, "{worker}", worker_token_);
    return out;
  }

  // One request as the platform admin (unless `headers` already hold an Authorization).
  Response call(std::string method, std::string target, std::string body,
                std::vector<Header> headers = {}) {
    Request request;
    request.method = std::move(method);
    const auto question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) {
      request.query = target.substr(question + 1);
    }
    request.headers = std::move(headers);
    if (request.header("Authorization") == nullptr) {
      request.headers.push_back({"Authorization", "Bearer " + admin_token_});
    }
    if (!body.empty() && request.header("Content-Type") == nullptr) {
      request.headers.push_back({"Content-Type", "application/json"});
    }
    request.body = std::move(body);
    request.remote_address = "127.0.0.1";
    return api().handle(request);
  }

 private:
  FuzzApp() {
    char dir[] = "/tmp/tenantd-fuzz-XXXXXX";
    if (mkdtemp(dir) == nullptr) {
      die("cannot create a temporary data dir");
    }
    config_.data_dir = dir;
    data_dir_to_remove() = dir;
    std::atexit([] { std::filesystem::remove_all(data_dir_to_remove()); });
    // Secrets of 32+ bytes: the length HS256 keys need (and start-up enforces).
    config_.jwt_secret = "fuzz-jwt-secret-0123456789abcdef0123456789";
    config_.service_secret = "fuzz-service-secret-0123456789abcdef012345";
    config_.provisioner = "events";
    config_.log_level = "error";
    config_.rate_limit_rps = 1e9;
    config_.rate_limit_burst = 1e9;
    auto runtime = build_runtime(config_);
    if (!runtime) {
      die("build_runtime failed: " + runtime.error().message);
    }
    runtime_ = std::move(*runtime);
    admin_token_ = token("admin@example.com", {"platform-admins"});
    worker_token_ = token("worker@example.com", {"system"});

    tenant_id_ = id_of(call("POST", "/v1.0/tenants",
                            R"({"organizationName":"Fuzz Org","contactEmail":"owner@example.com",)"
                            R"("environment":"dev"})"),
                       201, "tenantId");
    expect(call("PATCH", "/v1.0/tenants/" + tenant_id_ + "/status", R"({"status":"ACTIVE"})"), 200);
    user_id_ = id_of(call("POST", "/v1.0/tenants/" + tenant_id_ + "/users",
                          R"({"email":"member@example.com","role":"Operator"})"),
                     201, "userId");
    instance_id_ =
        id_of(call("POST", "/v1.0/tenants/" + tenant_id_ + "/instances", R"({"tier":"STANDARD"})"),
              202, "instanceId");
    invitation_id_ = id_of(call("POST", "/v1.0/tenants/" + tenant_id_ + "/invitations",
                                R"({"email":"invitee@example.com","role":"Viewer"})"),
                           201, "invitationId");
  }

  std::string token(const std::string& email, std::vector<std::string> groups) {
    TokenRequest request;
    request.email = email;
    request.groups = std::move(groups);
    request.ttl_seconds = 7 * 24 * 3600;
    auto minted = mint_token(config_, request);
    if (!minted) {
      die("mint_token failed: " + minted.error().message);
    }
    return *minted;
  }

  static std::string& data_dir_to_remove() {
    static std::string dir;
    return dir;
  }

  static void expect(const Response& response, int status) {
    if (response.status != status) {
      die("set-up request answered " + std::to_string(response.status) + ": " + response.body);
    }
  }

  static std::string id_of(const Response& response, int status, const char* field) {
    expect(response, status);
    auto doc = parse_json(response.body);
    if (!doc || !doc->IsObject() || !doc->HasMember(field) || !(*doc)[field].IsString()) {
      die(std::string("set-up response without ") + field + ": " + response.body);
    }
    return std::string(as_view((*doc)[field]));
  }

  static void replace_all(std::string& text, std::string_view from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
      text.replace(at, from.size(), to);
    }
  }

  [[noreturn]] static void die(const std::string& message) {
    std::fprintf(stderr, "fuzz set-up: %s\n", message.c_str());
    std::abort();
  }

  Config config_;
  std::unique_ptr<Runtime> runtime_;
  std::string admin_token_, worker_token_;
  std::string tenant_id_, user_id_, instance_id_, invitation_id_;
};

}  // namespace tenantd::fuzz
