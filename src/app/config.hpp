#pragma once
// All settings: environment variables (the Lambda convention), overridden by flags.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace tenantd {

// The console's accept page (docs/console.md); {PUBLIC_URL} is replaced by PUBLIC_URL.
inline constexpr const char* kDefaultInviteUrl =
    "{PUBLIC_URL}/console/#/invitations/{invitationId}/accept?token={token}";

struct Config {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string data_dir = "./var";
  std::string environment = "dev";  // dev | sit | prod
  std::string store = "sqlite";
  std::string aws_region;               // empty: AWS_DEFAULT_REGION
  std::string dynamodb_endpoint;        // empty: AWS_ENDPOINT_URL, else AWS's endpoint
  std::string ca_bundle;                // empty: the system CA paths
  std::string database_url;             // STORE=postgres: libpq connection string or URI
  std::int64_t database_pool_size = 0;  // 0: threads + 4
  std::int64_t aws_max_attempts = 5;
  std::string auth_mode = "local";
  std::string jwt_secret;          // empty: a key file in data_dir
  std::string service_secret;      // empty: the JWT secret (see service_secret in wiring.cpp)
  std::string service_secret_arn;  // Secrets Manager secret holding the service secret
  bool lambda = false;             // loaded with the Lambda defaults (load_config's Profile)
  std::string directory = "local";
  std::string cognito_user_pool_id;  // AUTH_MODE / DIRECTORY=cognito
  std::string cognito_client_id;     // empty: the audience is not checked
  std::string cognito_issuer;        // empty: https://cognito-idp.<region>.amazonaws.com/<pool>
  std::string cognito_jwks_url;      // empty: <issuer>/.well-known/jwks.json
  std::vector<std::string> event_sinks = {"file"};
  std::string event_bus_name;  // empty: tenant-events-{environment}
  std::string sns_topic_arn;   // required by the sns sink
  std::string webhook_url;     // required by the webhook sink
  std::string webhook_secret;  // required by the webhook sink
  std::string provisioner = "simulated";
  std::int64_t simulated_step_ms = 1000;
  std::vector<std::string> simulated_fail;  // operation types the simulated driver fails
  // The `ecs` driver (empty names take the environment's defaults, see src/app/provisioners.cpp).
  std::string ecs_cluster;              // bbws-cluster-{env}
  std::string backup_task_definition;   // bbws-backup-{env}
  std::string restore_task_definition;  // bbws-restore-{env}
  std::string backup_bucket;            // bbws-backups-{env}
  std::string ecs_task_container = "backup";
  std::vector<std::string> ecs_task_subnets;
  std::vector<std::string> ecs_task_security_groups;
  std::int64_t ecs_poll_ms = 5000;
  std::chrono::seconds ecs_operation_timeout{30 * 60};
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
  int threads = 0;                   // 0: one per core
  int write_threads = 16;            // run writing requests (group commit); 0: on the event loops
  std::int64_t max_connections = 0;  // 0: under the descriptor limit (http_server)
  std::int64_t max_connections_per_client = 0;  // 0: 256
  std::int64_t outbox_max_attempts = 10;
  std::chrono::seconds outbox_claim_lease{30};  // STORE=postgres: replicas claim events
  std::int64_t outbox_base_backoff_ms = 1000;   // first retry delay; doubles per attempt
  std::chrono::seconds invitation_ttl{7 * 24 * 3600};
  std::string invite_url_template = kDefaultInviteUrl;
  std::chrono::seconds invitation_sweep_interval{60};
  int max_instances_per_tenant = 1;
  double rate_limit_rps = 100;
  double rate_limit_burst = 200;
  std::string log_level = "info";  // debug | info | warn | error
  std::chrono::seconds audit_retention{400 * 24 * 3600};
  // The admin console (docs/console.md): where users reach this deployment, and the Cognito
  // hosted UI the console signs in through (AUTH_MODE=cognito / apigw).
  std::string public_url = "http://localhost:8080";
  std::string cognito_domain;  // https://<prefix>.auth.<region>.amazoncognito.com or custom

  std::string database_path() const { return data_dir + "/tenantd.db"; }
  std::string events_path() const { return data_dir + "/events.ndjson"; }
  std::string key_path() const { return data_dir + "/jwt.key"; }
  // `threads`, or one per core when it is 0: the event loops of `serve`.
  int event_loops() const;
};

// Whose defaults apply to settings neither the environment nor a flag gives (docs/architecture.md):
// `serve`'s embedded ones, or the Lambda's AWS ones (DynamoDB, Cognito, EventBridge + SNS).
enum class Profile { Serve, Lambda };

// Reads the environment, then applies `args` (flags such as --port 0, --data-dir DIR).
// Returns a VALIDATION_ERROR naming every bad setting.
Result<Config> load_config(const std::vector<std::string>& args, Profile profile = Profile::Serve);

// The text of `tenantd serve --help`: every setting, its variable, flag and default.
std::string config_help();

// The settings part of config_help(): one entry per setting (the other commands' --help).
std::string settings_help();

}  // namespace tenantd
