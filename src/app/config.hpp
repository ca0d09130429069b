#pragma once
// All settings: environment variables (the Lambda convention), overridden by flags.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace tenantd {

inline constexpr const char* kDefaultInviteUrl =
    "http://localhost:3000/invitations/{invitationId}/accept?token={token}";

struct Config {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string data_dir = "./var";
  std::string environment = "dev";  // dev | sit | prod
  std::string store = "sqlite";
  std::string aws_region;         // empty: AWS_DEFAULT_REGION
  std::string dynamodb_endpoint;  // empty: AWS_ENDPOINT_URL, else AWS's endpoint
  std::string ca_bundle;          // empty: the system CA paths
  std::int64_t aws_max_attempts = 5;
  std::string auth_mode = "local";
  std::string jwt_secret;  // empty: a key file in data_dir
  std::string directory = "local";
  std::vector<std::string> event_sinks = {"file"};
  std::string provisioner = "simulated";
  std::int64_t simulated_step_ms = 1000;
  // The gitops driver (docs/decisions/0014-gitops-driver.md). The token itself comes from
  // GITHUB_TOKEN or the file GITHUB_TOKEN_FILE names, never from a flag.
  std::string gitops_repo_url;
  std::string gitops_branch = "main";
  std::string gitops_workdir;            // empty: DATA_DIR/gitops
  std::string gitops_github_repository;  // owner/repo
  std::string gitops_template_dir;       // empty: the source tree's deploy/tenant-template
  std::chrono::seconds gitops_workflow_timeout{30 * 60};
  std::string github_api_url = "https://api.github.com";
  std::string github_token_file;
  int threads = 0;  // 0: one per core
  std::int64_t outbox_max_attempts = 10;
  std::chrono::seconds invitation_ttl{7 * 24 * 3600};
  std::string invite_url_template = kDefaultInviteUrl;
  std::chrono::seconds invitation_sweep_interval{60};
  int max_instances_per_tenant = 1;
  double rate_limit_rps = 100;
  double rate_limit_burst = 200;
  std::string log_level = "info";  // debug | info | warn | error
  std::chrono::seconds audit_retention{400 * 24 * 3600};

  std::string database_path() const { return data_dir + "/tenantd.db"; }
  std::string events_path() const { return data_dir + "/events.ndjson"; }
  std::string key_path() const { return data_dir + "/jwt.key"; }
};

// Reads the environment, then applies `args` (flags such as --port 0, --data-dir DIR).
// Returns a VALIDATION_ERROR naming every bad setting.
Result<Config> load_config(const std::vector<std::string>& args);

// The text of `tenantd serve --help`: every setting, its variable, flag and default.
std::string config_help();

}  // namespace tenantd
