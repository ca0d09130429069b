#include "app/config.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>

#include "auth/local_key.hpp"
#include "core/clock.hpp"
#include "domain/instance.hpp"

namespace tenantd {

namespace {

// A setter validates one textual value and stores it; it returns a message when the value is bad.
using Setter = std::optional<std::string> (*)(Config& config, std::string_view value);

// One row per setting: `config_help()` and `load_config()` both read this table, so a setting
// cannot be parsed without being documented (or the other way round).
struct Setting {
  std::string_view env;
  std::string_view flag;  // without the leading "--"
  std::string_view metavar;
  std::string_view default_text;
  std::string_view help;
  Setter set;
};

std::optional<std::string> parse_int(std::string_view text, std::int64_t min, std::int64_t max,
                                     std::int64_t& out) {
  std::int64_t n = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size()) {
    return "must be an integer";
  }
  if (n < min || n > max) {
    return "must be between " + std::to_string(min) + " and " + std::to_string(max);
  }
  out = n;
  return std::nullopt;
}

// The same for an int field (every int setting's bounds fit in an int).
std::optional<std::string> parse_int(std::string_view text, int min, int max, int& out) {
  std::int64_t n = 0;
  auto error = parse_int(text, std::int64_t{min}, std::int64_t{max}, n);
  if (!error) {
    out = static_cast<int>(n);
  }
  return error;
}

std::optional<std::string> parse_positive_double(std::string_view text, double& out) {
  double v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || !std::isfinite(v)) {
    return "must be a number";
  }
  if (v <= 0) {
    return "must be greater than 0";
  }
  out = v;
  return std::nullopt;
}

std::optional<std::string> one_of(std::string_view text,
                                  std::initializer_list<std::string_view> allowed,
                                  std::string& out) {
  for (const auto a : allowed) {
    if (text == a) {
      out = std::string(text);
      return std::nullopt;
    }
  }
  std::string message = "must be one of";
  const char* sep = " ";
  for (const auto a : allowed) {
    message += sep;
    message += a;
    sep = ", ";
  }
  return message;
}

std::optional<std::string> non_empty(std::string_view text, std::string& out) {
  if (text.empty()) {
    return "must not be empty";
  }
  out = std::string(text);
  return std::nullopt;
}

// HS256 secrets shorter than the hash output are refused (RFC 7518 section 3.2).
std::optional<std::string> too_short_secret(std::string_view text) {
  if (text.size() < auth::kMinSecretBytes) {
    return "must be at least " + std::to_string(auth::kMinSecretBytes) + " bytes (it has " +
           std::to_string(text.size()) + ")";
  }
  return std::nullopt;
}

std::optional<std::string> duration(std::string_view text, std::chrono::seconds& out) {
  const auto d = parse_duration(text);
  if (!d) {
    return "must be a positive duration such as 90s, 15m, 48h or 7d";
  }
  out = *d;
  return std::nullopt;
}

// A comma-separated list of AWS ids (subnets, security groups): no blanks, at least one.
std::optional<std::string> id_list(std::string_view text, std::vector<std::string>& out) {
  std::vector<std::string> ids;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (item.empty() || item.find(' ') != std::string_view::npos) {
      return "must be a comma-separated list of ids without blanks";
    }
    ids.emplace_back(item);
  }
  if (ids.empty()) {
    return "must name at least one id";
  }
  out = std::move(ids);
  return std::nullopt;
}

std::optional<std::string> event_sinks(std::string_view text, std::vector<std::string>& out) {
  static constexpr std::string_view kKnown[] = {"file", "eventbridge", "sns", "webhook"};
  std::vector<std::string> sinks;
  std::string bad;
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') {
      item.remove_prefix(1);
    }
    while (!item.empty() && item.back() == ' ') {
      item.remove_suffix(1);
    }
    if (item.empty()) {
      continue;
    }
    bool known = false;
    for (const auto k : kKnown) {
      known = known || item == k;
    }
    if (!known) {
      bad += bad.empty() ? "" : ", ";
      bad += item;
      continue;
    }
    bool seen = false;
    for (const auto& s : sinks) {
      seen = seen || s == item;
    }
    if (!seen) {
      sinks.emplace_back(item);
    }
  }
  if (!bad.empty()) {
    return "unknown sink(s) " + bad + "; known: file, eventbridge, sns, webhook";
  }
  if (sinks.empty()) {
    return "must name at least one sink (file, eventbridge, sns, webhook)";
  }
  out = std::move(sinks);
  return std::nullopt;
}

// An origin or base URL without a trailing slash (paths are appended to it).
std::optional<std::string> http_url(std::string_view text, std::string& out) {
  if (text.substr(0, 7) != "http://" && text.substr(0, 8) != "https://") {
    return "must be an http:// or https:// URL";
  }
  while (!text.empty() && text.back() == '/') {
    text.remove_suffix(1);
  }
  out = std::string(text);
  return std::nullopt;
}

const Setting kSettings[] = {
    {"HOST", "host", "HOST", "127.0.0.1", "address `serve` listens on",
     [](Config& c, std::string_view v) { return non_empty(v, c.host); }},
    {"PORT", "port", "PORT", "8080", "TCP port of `serve`; 0 takes a free port",
     [](Config& c, std::string_view v) { return parse_int(v, 0, 65535, c.port); }},
    {"DATA_DIR", "data-dir", "DIR", "./var",
     "directory of the SQLite file, the local JWT key file and events.ndjson",
     [](Config& c, std::string_view v) { return non_empty(v, c.data_dir); }},
    {"ENVIRONMENT", "environment", "ENV", "dev",
     "dev, sit or prod; part of every AWS resource name",
     [](Config& c, std::string_view v) {
       return one_of(v, {"dev", "sit", "prod"}, c.environment);
     }},
    {"STORE", "store", "BACKEND", "sqlite", "item store backend: sqlite, dynamodb or postgres",
     [](Config& c, std::string_view v) {
       return one_of(v, {"sqlite", "dynamodb", "postgres"}, c.store);
     }},
    {"DATABASE_URL", "database-url", "URL", "(none)",
     "PostgreSQL of STORE=postgres: a libpq URI or key=value string (sslmode, sslrootcert, ... "
     "pass through)",
     [](Config& c, std::string_view v) { return non_empty(v, c.database_url); }},
    {"DATABASE_POOL_SIZE", "database-pool-size", "N", "(THREADS + 4)",
     "PostgreSQL connections each process keeps at most (STORE=postgres)",
     [](Config& c, std::string_view v) { return parse_int(v, 1, 1000, c.database_pool_size); }},
    {"AWS_REGION", "aws-region", "REGION", "(AWS_DEFAULT_REGION)",
     "AWS region of the DynamoDB tables (STORE=dynamodb)",
     [](Config& c, std::string_view v) { return non_empty(v, c.aws_region); }},
    {"AWS_ENDPOINT_URL_DYNAMODB", "dynamodb-endpoint", "URL", "(AWS_ENDPOINT_URL, else AWS's)",
     "DynamoDB endpoint override: DynamoDB Local, Alternator, moto",
     [](Config& c, std::string_view v) -> std::optional<std::string> {
       if (v.substr(0, 7) != "http://" && v.substr(0, 8) != "https://") {
         return "must be an http:// or https:// URL";
       }
       c.dynamodb_endpoint = std::string(v);
       return std::nullopt;
     }},
    {"AWS_CA_BUNDLE", "ca-bundle", "FILE", "(the system CA paths)",
     "PEM file of the CAs that AWS endpoints' TLS certificates are verified against",
     [](Config& c, std::string_view v) { return non_empty(v, c.ca_bundle); }},
    {"AWS_MAX_ATTEMPTS", "aws-max-attempts", "N", "5",
     "attempts per AWS call; throttling, 5xx and network errors are retried with backoff",
     [](Config& c, std::string_view v) { return parse_int(v, 1, 20, c.aws_max_attempts); }},
    {"AUTH_MODE", "auth-mode", "MODE", "local",
     "token verification: local (HS256), cognito (RS256 via JWKS) or apigw (trust the "
     "authoriser)",
     [](Config& c, std::string_view v) {
       return one_of(v, {"local", "cognito", "apigw"}, c.auth_mode);
     }},
    {"JWT_SECRET", "jwt-secret", "SECRET", "(a key file in DATA_DIR)",
     "HS256 secret of AUTH_MODE=local; also the service secret when SERVICE_SECRET is unset",
     [](Config& c, std::string_view v) -> std::optional<std::string> {
       if (auto weak = too_short_secret(v)) {
         return weak;
       }
       c.jwt_secret = std::string(v);
       return std::nullopt;
     }},
    {"SERVICE_SECRET", "service-secret", "SECRET", "(JWT_SECRET, else the key file)",
     "keys page tokens and seals invitation links in the outbox; every process sharing a store "
     "needs the same one (required in Lambda)",
     [](Config& c, std::string_view v) -> std::optional<std::string> {
       if (auto weak = too_short_secret(v)) {
         return weak;
       }
       return non_empty(v, c.service_secret);
     }},
    {"SERVICE_SECRET_ARN", "service-secret-arn", "ARN", "(none)",
     "Secrets Manager secret (ARN or name) whose SecretString is the service secret; read once "
     "at start instead of SERVICE_SECRET",
     [](Config& c, std::string_view v) { return non_empty(v, c.service_secret_arn); }},
    {"DIRECTORY", "directory", "BACKEND", "local", "user directory backend: local or cognito",
     [](Config& c, std::string_view v) {
       return one_of(v, {"local", "cognito"}, c.directory);
     }},
    {"COGNITO_USER_POOL_ID", "cognito-user-pool-id", "ID", "(none)",
     "id (eu-west-1_AbC123) of the user pool of AUTH_MODE=cognito and DIRECTORY=cognito",
     [](Config& c, std::string_view v) { return non_empty(v, c.cognito_user_pool_id); }},
    {"COGNITO_CLIENT_ID", "cognito-client-id", "ID", "(none: audience not checked)",
     "app client id that AUTH_MODE=cognito requires as aud (id tokens) or client_id (access)",
     [](Config& c, std::string_view v) { return non_empty(v, c.cognito_client_id); }},
    {"COGNITO_ISSUER", "cognito-issuer", "URL",
     "(https://cognito-idp.{region}.amazonaws.com/{pool})",
     "the exact iss that AUTH_MODE=cognito accepts",
     [](Config& c, std::string_view v) -> std::optional<std::string> {
       if (v.substr(0, 7) != "http://" && v.substr(0, 8) != "https://") {
         return "must be an http:// or https:// URL";
       }
       c.cognito_issuer = std::string(v);
       return std::nullopt;
     }},
    {"COGNITO_JWKS_URL", "cognito-jwks-url", "URL", "({issuer}/.well-known/jwks.json)",
     "where AUTH_MODE=cognito fetches the signing keys (moto: "
     "{endpoint}/{pool}/.well-known/...)",
     [](Config& c, std::string_view v) -> std::optional<std::string> {
       if (v.substr(0, 7) != "http://" && v.substr(0, 8) != "https://") {
         return "must be an http:// or https:// URL";
       }
       c.cognito_jwks_url = std::string(v);
       return std::nullopt;
     }},
    {"EVENT_SINKS", "event-sinks", "LIST", "file",
     "comma-separated event sinks: file, eventbridge, sns, webhook",
     [](Config& c, std::string_view v) { return event_sinks(v, c.event_sinks); }},
    {"EVENT_BUS_NAME", "event-bus-name", "NAME", "tenant-events-{ENVIRONMENT}",
     "EventBridge bus of the eventbridge sink (a name or an ARN)",
     [](Config& c, std::string_view v) { return non_empty(v, c.event_bus_name); }},
    {"SNS_TOPIC_ARN", "sns-topic-arn", "ARN", "(none; required by the sns sink)",
     "SNS topic of the sns sink (tenant-notifications-{ENVIRONMENT})",
     [](Config& c, std::string_view v) -> std::optional<std::string> {
       if (v.substr(0, 4) != "arn:" || v.find(":sns:") == std::string_view::npos) {
         return "must be an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)";
       }
       c.sns_topic_arn = std::string(v);
       return std::nullopt;
     }},
    {"WEBHOOK_URL", "webhook-url", "URL", "(none; required by the webhook sink)",
     "where the webhook sink POSTs each event's envelope",
     [](Config& c, std::string_view v) -> std::optional<std::string> {
       if (v.substr(0, 7) != "http://" && v.substr(0, 8) != "https://") {
         return "must be an http:// or https:// URL";
       }
       c.webhook_url = std::string(v);
       return std::nullopt;
     }},
    {"WEBHOOK_SECRET", "webhook-secret", "SECRET", "(none; required by the webhook sink)",
     "HMAC-SHA256 key of the X-Tenantd-Signature header (see docs/webhooks.md)",
     [](Config& c, std::string_view v) { return non_empty(v, c.webhook_secret); }},
    {"PROVISIONER", "provisioner", "DRIVER", "simulated",
     "instance driver: simulated, events, ecs, gitops or gitops+ecs",
     [](Config& c, std::string_view v) {
       return one_of(v, {"simulated", "events", "ecs", "gitops", "gitops+ecs"}, c.provisioner);
     }},
    {"SIMULATED_STEP_MS", "simulated-step-ms", "MS", "1000",
     "milliseconds per state step of the simulated provisioner (development driver)",
     [](Config& c, std::string_view v) { return parse_int(v, 1, 600000, c.simulated_step_ms); }},
    {"SIMULATED_FAIL", "simulated-fail", "TYPES", "(none)",
     "operation types the simulated provisioner fails instead of completing, e.g. SCALE,UPDATE "
     "(development driver: to try failure handling)",
     [](Config& c, std::string_view v) {
       std::vector<std::string> types;
       if (auto bad = id_list(v, types)) {
         return bad;
       }
       for (const auto& t : types) {
         if (!domain::parse_operation_type(t)) {
           return std::optional<std::string>(
               "must list operation types (PROVISION, UPDATE, SCALE, SUSPEND, RESUME, "
               "BACKUP, RESTORE, DEPROVISION)");
         }
       }
       c.simulated_fail = std::move(types);
       return std::optional<std::string>{};
     }},
    {"ECS_CLUSTER", "ecs-cluster", "NAME", "bbws-cluster-{env}",
     "ECS cluster of the tenants' services (PROVISIONER=ecs)",
     [](Config& c, std::string_view v) { return non_empty(v, c.ecs_cluster); }},
    {"BACKUP_TASK_DEFINITION", "backup-task-definition", "FAMILY[:REV]", "bbws-backup-{env}",
     "task definition of the one-off backup task (PROVISIONER=ecs)",
     [](Config& c, std::string_view v) { return non_empty(v, c.backup_task_definition); }},
    {"RESTORE_TASK_DEFINITION", "restore-task-definition", "FAMILY[:REV]", "bbws-restore-{env}",
     "task definition of the one-off restore task (PROVISIONER=ecs)",
     [](Config& c, std::string_view v) { return non_empty(v, c.restore_task_definition); }},
    {"BACKUP_BUCKET", "backup-bucket", "BUCKET", "bbws-backups-{env}",
     "S3 bucket backups are written to: s3://BUCKET/{tenantId}/{instanceId}/{backupId}.tar.gz",
     [](Config& c, std::string_view v) { return non_empty(v, c.backup_bucket); }},
    {"ECS_TASK_CONTAINER", "ecs-task-container", "NAME", "backup",
     "container of the backup / restore task definitions that receives the overrides",
     [](Config& c, std::string_view v) { return non_empty(v, c.ecs_task_container); }},
    {"ECS_TASK_SUBNETS", "ecs-task-subnets", "LIST", "(none)",
     "comma-separated subnets of the backup / restore tasks (awsvpc)",
     [](Config& c, std::string_view v) { return id_list(v, c.ecs_task_subnets); }},
    {"ECS_TASK_SECURITY_GROUPS", "ecs-task-security-groups", "LIST", "(none)",
     "comma-separated security groups of the backup / restore tasks (awsvpc)",
     [](Config& c, std::string_view v) { return id_list(v, c.ecs_task_security_groups); }},
    {"ECS_POLL_MS", "ecs-poll-ms", "MS", "5000",
     "milliseconds between the ecs driver's passes over running operations (serve)",
     [](Config& c, std::string_view v) { return parse_int(v, 10, 600000, c.ecs_poll_ms); }},
    {"ECS_OPERATION_TIMEOUT", "ecs-operation-timeout", "DURATION", "30m",
     "an ECS operation still running after this is FAILED (OPERATION_TIMEOUT, retryable)",
     [](Config& c, std::string_view v) { return duration(v, c.ecs_operation_timeout); }},
    {"GITOPS_REPO_URL", "gitops-repo-url", "URL", "(none)",
     "the environment's GitOps repository (gitops driver): https://, file:// or a path",
     [](Config& c, std::string_view v) { return non_empty(v, c.gitops_repo_url); }},
    {"GITOPS_BRANCH", "gitops-branch", "NAME", "main", "branch the gitops driver commits to",
     [](Config& c, std::string_view v) { return non_empty(v, c.gitops_branch); }},
    {"GITOPS_WORKDIR", "gitops-workdir", "DIR", "DATA_DIR/gitops",
     "the gitops driver's local (bare) clone",
     [](Config& c, std::string_view v) { return non_empty(v, c.gitops_workdir); }},
    {"GITOPS_GITHUB_REPOSITORY", "gitops-github-repository", "OWNER/REPO", "(none)",
     "the GitHub repository whose deploy-tenant-{tenantId}.yml workflow is dispatched",
     [](Config& c, std::string_view v) { return non_empty(v, c.gitops_github_repository); }},
    {"GITOPS_TEMPLATE_DIR", "gitops-template-dir", "DIR", "(the source's deploy/tenant-template)",
     "the tenant Terraform templates the gitops driver renders",
     [](Config& c, std::string_view v) { return non_empty(v, c.gitops_template_dir); }},
    {"GITOPS_WORKFLOW_TIMEOUT", "gitops-workflow-timeout", "DURATION", "30m",
     "how long a dispatched workflow may stay silent before its operation fails",
     [](Config& c, std::string_view v) { return duration(v, c.gitops_workflow_timeout); }},
    {"GITHUB_API_URL", "github-api-url", "URL", "https://api.github.com",
     "GitHub REST API root for workflow dispatches",
     [](Config& c, std::string_view v) { return non_empty(v, c.github_api_url); }},
    {"GITHUB_TOKEN_FILE", "github-token-file", "PATH", "(none)",
     "file holding the GitHub token (else the GITHUB_TOKEN variable is used)",
     [](Config& c, std::string_view v) { return non_empty(v, c.github_token_file); }},
    {"THREADS", "threads", "N", "0", "HTTP server threads; 0 means one per core",
     [](Config& c, std::string_view v) { return parse_int(v, 0, 1024, c.threads); }},
    {"WRITE_THREADS", "write-threads", "N", "16",
     "threads that run requests other than GET, HEAD and OPTIONS, so that concurrent writes "
     "are committed together; 0: every request runs on its event loop",
     [](Config& c, std::string_view v) { return parse_int(v, 0, 1024, c.write_threads); }},
    {"MAX_CONNECTIONS", "max-connections", "N", "0",
     "open connections of all clients together; more are closed at once (counted in "
     "tenantd_http_connections_refused_total); 0: 10000, or less under the descriptor limit",
     [](Config& c, std::string_view v) { return parse_int(v, 0, 1'000'000, c.max_connections); }},
    {"MAX_CONNECTIONS_PER_CLIENT", "max-connections-per-client", "N", "0",
     "open connections of one client address; more are closed at once; 0: 256",
     [](Config& c, std::string_view v) {
       return parse_int(v, 0, 1'000'000, c.max_connections_per_client);
     }},
    {"OUTBOX_MAX_ATTEMPTS", "outbox-max-attempts", "N", "10",
     "delivery attempts before an outbox event is parked as FAILED",
     [](Config& c, std::string_view v) { return parse_int(v, 1, 1000, c.outbox_max_attempts); }},
    {"OUTBOX_CLAIM_LEASE", "outbox-claim-lease", "DURATION", "30s (STORE=postgres)",
     "how long a process owns the outbox events it claimed before another may take them "
     "over; only replicas sharing a store claim",
     [](Config& c, std::string_view v) { return duration(v, c.outbox_claim_lease); }},
    {"OUTBOX_BASE_BACKOFF_MS", "outbox-base-backoff-ms", "MS", "1000",
     "delay before an event's first redelivery; it doubles per attempt, up to 5 minutes",
     [](Config& c, std::string_view v) {
       return parse_int(v, 1, 300000, c.outbox_base_backoff_ms);
     }},
    {"INVITATION_TTL", "invitation-ttl", "DURATION", "7d",
     "how long an invitation stays valid (90s, 15m, 48h, 7d)",
     [](Config& c, std::string_view v) { return duration(v, c.invitation_ttl); }},
    {"INVITE_URL_TEMPLATE", "invite-url-template", "URL", kDefaultInviteUrl,
     "accept link sent to invitees; {invitationId}, {token} and {tenantId} are filled in",
     [](Config& c, std::string_view v) -> std::optional<std::string> {
       if (v.find("{token}") == std::string_view::npos ||
           v.find("{invitationId}") == std::string_view::npos) {
         return "must contain {invitationId} and {token}";
       }
       c.invite_url_template = std::string(v);
       return std::nullopt;
     }},
    {"INVITATION_SWEEP_INTERVAL", "invitation-sweep-interval", "DURATION", "1m",
     "how often `serve` stores EXPIRED on invitations whose expiresAt passed",
     [](Config& c, std::string_view v) { return duration(v, c.invitation_sweep_interval); }},
    {"MAX_INSTANCES_PER_TENANT", "max-instances-per-tenant", "N", "1",
     "instances a tenant may have that are not DEPROVISIONED",
     [](Config& c,
        std::string_view v) { return parse_int(v, 1, 1000, c.max_instances_per_tenant); }},
    {"RATE_LIMIT_RPS", "rate-limit-rps", "X", "100", "requests per second per principal",
     [](Config& c, std::string_view v) { return parse_positive_double(v, c.rate_limit_rps); }},
    {"RATE_LIMIT_BURST", "rate-limit-burst", "X", "200", "token bucket size per principal",
     [](Config& c, std::string_view v) { return parse_positive_double(v, c.rate_limit_burst); }},
    {"LOG_LEVEL", "log-level", "LEVEL", "info", "debug, info, warn or error",
     [](Config& c, std::string_view v) {
       return one_of(v, {"debug", "info", "warn", "error"}, c.log_level);
     }},
    {"AUDIT_RETENTION", "audit-retention", "DURATION", "400d",
     "how long audit entries are kept (ttl of the audit items)",
     [](Config& c, std::string_view v) { return duration(v, c.audit_retention); }},
    {"PUBLIC_URL", "public-url", "URL", "http://localhost:8080",
     "where users reach this deployment (no trailing slash); the console and invitation "
     "links live under it",
     [](Config& c, std::string_view v) { return http_url(v, c.public_url); }},
    {"COGNITO_DOMAIN", "cognito-domain", "URL", "(none: no console sign-in with Cognito)",
     "the user pool's hosted UI (https://PREFIX.auth.REGION.amazoncognito.com) that the "
     "console signs in through with COGNITO_CLIENT_ID (authorization code + PKCE)",
     [](Config& c, std::string_view v) { return http_url(v, c.cognito_domain); }},
};

constexpr std::size_t kSettingCount = sizeof(kSettings) / sizeof(kSettings[0]);

// Where the Lambda's defaults differ from `serve`'s: AWS services instead of local files, and
// /tmp because it is the only writable directory of a Lambda.
constexpr std::pair<std::string_view, std::string_view> kLambdaDefaults[] = {
    {"DATA_DIR", "/tmp/tenantd"},       {"STORE", "dynamodb"},
    {"AUTH_MODE", "cognito"},           {"DIRECTORY", "cognito"},
    {"EVENT_SINKS", "eventbridge,sns"}, {"PROVISIONER", "events"},
};

std::optional<std::string_view> lambda_default(std::string_view env) {
  for (const auto& [name, value] : kLambdaDefaults) {
    if (name == env) {
      return value;
    }
  }
  return std::nullopt;
}

std::optional<std::size_t> find_flag(std::string_view name) {
  for (std::size_t i = 0; i < kSettingCount; ++i) {
    if (kSettings[i].flag == name) {
      return i;
    }
  }
  return std::nullopt;
}

}  // namespace

namespace {

// The value of each setting given as a flag (the last occurrence wins); a problem per argument
// that is not a known `--flag VALUE` or `--flag=VALUE`.
std::vector<std::optional<std::string>> values_from_flags(const std::vector<std::string>& args,
                                                          std::vector<FieldError>& errors) {
  std::vector<std::optional<std::string>> from_flags(kSettingCount);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg.size() < 3 || arg.substr(0, 2) != "--") {
      errors.push_back({std::string(arg), "UNEXPECTED_ARGUMENT", "is not a flag"});
      continue;
    }
    std::string_view name = arg.substr(2);
    std::optional<std::string_view> value;
    if (const auto eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const std::string flag = "--" + std::string(name);
    const auto index = find_flag(name);
    if (!index) {
      errors.push_back({flag, "UNKNOWN_FLAG", "is not a known setting (see --help)"});
      if (!value && i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) {
        ++i;  // skip its value so that it is not reported a second time
      }
      continue;
    }
    if (!value) {
      if (i + 1 >= args.size()) {
        errors.push_back({flag, "MISSING_VALUE", "needs a value"});
        continue;
      }
      value = args[++i];
    }
    from_flags[*index] = std::string(*value);
  }
  return from_flags;
}

// Each setting from its flag, else its environment variable, else (Lambda) its Lambda default.
void apply_settings(const std::vector<std::optional<std::string>>& from_flags, Config& config,
                    std::vector<FieldError>& errors) {
  for (std::size_t i = 0; i < kSettingCount; ++i) {
    const Setting& s = kSettings[i];
    std::string field;
    std::string_view value;
    const char* env = std::getenv(std::string(s.env).c_str());
    if (from_flags[i]) {
      field = "--" + std::string(s.flag);
      value = *from_flags[i];
    } else if (env != nullptr && *env != '\0') {  // empty counts as unset, as in `VAR= cmd`
      field = std::string(s.env);
      value = env;
    } else if (const auto fallback = lambda_default(s.env); config.lambda && fallback) {
      field = std::string(s.env) + " (Lambda default)";
      value = *fallback;
    } else {
      continue;
    }
    if (auto problem = s.set(config, value)) {
      errors.push_back({std::move(field), "INVALID_VALUE", std::move(*problem)});
    }
  }
}

// The settings that need or exclude one another.
void check_combinations(const Config& config, std::vector<FieldError>& errors) {
  // Lambda instances come and go: a key file of one instance's /tmp would make another's page
  // tokens and sealed outbox events unreadable.
  if (config.lambda && config.service_secret.empty() && config.service_secret_arn.empty() &&
      config.jwt_secret.empty()) {
    errors.push_back({"SERVICE_SECRET", "REQUIRED",
                      "is required in Lambda, or SERVICE_SECRET_ARN (the same secret for every "
                      "instance)"});
  }
  if (config.store == "postgres" && config.database_url.empty()) {
    errors.push_back({"DATABASE_URL", "REQUIRED", "is required by STORE=postgres"});
  }
  if (!config.service_secret.empty() && !config.service_secret_arn.empty()) {
    errors.push_back({"SERVICE_SECRET_ARN", "CONFLICT", "is set together with SERVICE_SECRET"});
  }
  for (const auto& [sink, setting, value] :
       {std::tuple{"sns", "SNS_TOPIC_ARN", &config.sns_topic_arn},
        std::tuple{"webhook", "WEBHOOK_URL", &config.webhook_url},
        std::tuple{"webhook", "WEBHOOK_SECRET", &config.webhook_secret}}) {
    const bool chosen = std::find(config.event_sinks.begin(), config.event_sinks.end(),
                                  std::string_view(sink)) != config.event_sinks.end();
    if (chosen && value->empty()) {
      errors.push_back(
          {setting, "REQUIRED", std::string("is required by the ") + sink + " event sink"});
    }
  }
}

}  // namespace

Result<Config> load_config(const std::vector<std::string>& args, Profile profile) {
  std::vector<FieldError> errors;
  // Flags first, so that an environment variable a flag overrides is neither applied nor
  // reported.
  const auto from_flags = values_from_flags(args, errors);
  Config config;
  config.lambda = profile == Profile::Lambda;
  apply_settings(from_flags, config, errors);
  check_combinations(config, errors);

  if (const auto at = config.invite_url_template.find("{PUBLIC_URL}"); at != std::string::npos) {
    config.invite_url_template.replace(at, std::string_view("{PUBLIC_URL}").size(),
                                       config.public_url);
  }

  if (!errors.empty()) {
    return Error{ErrorCode::ValidationError, "invalid configuration", std::move(errors), {}};
  }
  return config;
}

std::string config_help() {
  return "Usage: tenantd serve [flags]\n"
         "\n"
         "Every setting is read from an environment variable; a flag (--flag VALUE or\n"
         "--flag=VALUE) overrides it. `tenantd lambda` (also run as `bootstrap`) starts\n"
         "from the Lambda defaults where they differ.\n"
         "\n" +
         settings_help();
}

std::string settings_help() {
  std::string out;
  for (const Setting& s : kSettings) {
    out += "  --";
    out += s.flag;
    out += ' ';
    out += s.metavar;
    out += "  (env ";
    out += s.env;
    out += ", default ";
    out += s.default_text;
    if (const auto fallback = lambda_default(s.env)) {
      out += "; Lambda ";
      out += *fallback;
    }
    out += ")\n      ";
    out += s.help;
    out += '\n';
  }
  return out;
}

int Config::event_loops() const {
  return threads > 0 ? threads
                     : static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

}  // namespace tenantd
