#include "app/wiring.hpp"

#include <filesystem>
#include <map>
#include <set>

#include "api/api.hpp"
#include "api/page_token.hpp"
#include "api/rate_limiter.hpp"
#include "app/auth_setup.hpp"
#include "app/gitops_setup.hpp"
#include "app/provisioners.hpp"
#include "app/sinks.hpp"
#include "auth/jwt.hpp"
#include "auth/local_key.hpp"
#include "aws/ecs_tags.hpp"
#include "aws/environment.hpp"
#include "aws/secrets_manager.hpp"
#include "console/console_front.hpp"
#include "core/derived_key.hpp"
#include "core/json.hpp"
#include "core/periodic_task.hpp"
#include "events/dispatcher.hpp"
#include "obs/logger.hpp"
#include "obs/metrics.hpp"
#include "provision/combined_provisioner.hpp"
#include "provision/simulated_provisioner.hpp"
#include "service/ecs_events.hpp"
#include "service/hierarchy_service.hpp"
#include "service/instance_service.hpp"
#include "service/invitation_service.hpp"
#include "service/local_directory.hpp"
#include "service/member_service.hpp"
#include "service/tenant_name_order.hpp"
#include "service/tenant_service.hpp"
#include "store/dynamodb/dynamodb_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#ifdef TENANTD_HAVE_POSTGRES
#include "store/postgres/postgres_store.hpp"
#endif
#include "store/ttl_sweeper.hpp"

namespace tenantd {

namespace {

// The AWS settings of the configuration (flags or variables), then the other AWS_* variables
// (credentials, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL) as the AWS SDKs read them.
aws::EnvLookup aws_environment(const Config& config) {
  std::map<std::string, std::string> given = {
      {"AWS_REGION", config.aws_region},
      {"AWS_ENDPOINT_URL_DYNAMODB", config.dynamodb_endpoint},
      {"AWS_CA_BUNDLE", config.ca_bundle},
      {"AWS_MAX_ATTEMPTS", std::to_string(config.aws_max_attempts)},
  };
  return [given = std::move(given), process = aws::process_environment()](
             const std::string& name) -> std::optional<std::string> {
    auto it = given.find(name);
    if (it != given.end() && !it->second.empty()) {
      return it->second;
    }
    return process(name);
  };
}

// `tenantd migrate` opens the store to change its schema; everything else needs the schema
// this build knows (PostgreSQL: a replica refuses a newer schema, see pg_schema.hpp).
enum class SchemaUse { Current, Migrating };

#ifdef TENANTD_HAVE_POSTGRES
Result<std::unique_ptr<store::ItemStore>> open_postgres(const Config& config, const Clock& clock,
                                                        SchemaUse use) {
  store::postgres::PostgresOptions options;
  const auto threads = static_cast<std::size_t>(config.event_loops());
  // The server threads, the outbox dispatcher, the sweepers and the provisioner.
  options.max_connections = config.database_pool_size > 0
                                ? static_cast<std::size_t>(config.database_pool_size)
                                : threads + 4;
  auto opened =
      store::postgres::PostgresStore::open(config.database_url, config.environment, clock, options);
  if (!opened) {
    return std::move(opened).error();
  }
  if (use == SchemaUse::Current) {
    if (Status current = (*opened)->check_schema(); !current) {
      return std::move(current).error();
    }
  }
  return std::unique_ptr<store::ItemStore>(std::move(*opened));
}
#endif

Result<std::unique_ptr<store::ItemStore>> open_store(const Config& config, const Clock& clock,
                                                     SchemaUse use = SchemaUse::Current) {
  if (config.store == "postgres") {
#ifdef TENANTD_HAVE_POSTGRES
    return open_postgres(config, clock, use);
#else
    (void)use;
    return Error::make(ErrorCode::ValidationError,
                       "STORE=postgres is not available in this build (TENANTD_POSTGRES=OFF)");
#endif
  }
  if (config.store == "dynamodb") {
    auto opened =
        store::dynamodb::DynamoDbStore::open(aws_environment(config), config.environment, clock);
    if (!opened) {
      return std::move(opened).error();
    }
    return std::unique_ptr<store::ItemStore>(std::move(*opened));
  }
  if (config.store != "sqlite") {
    return Error::make(ErrorCode::ValidationError,
                       "STORE=" + config.store + " is not available in this build (use sqlite)");
  }
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return Error::make(ErrorCode::ServiceUnavailable,
                       "cannot create data dir " + config.data_dir + ": " + ec.message());
  }
  // A Lambda serves one invocation at a time: its reads need no connections of their own.
  using Readers = store::sqlite::SqliteStore::Readers;
  auto opened = store::sqlite::SqliteStore::open(config.database_path(), config.environment, clock,
                                                 config.lambda ? Readers::Writer : Readers::Own);
  if (!opened) {
    return std::move(opened).error();
  }
  // The embedded store migrates itself when it opens: its data upgrades happen here too.
  if (auto backfilled = service::backfill_name_order(**opened); !backfilled) {
    return std::move(backfilled).error();
  }
  return std::unique_ptr<store::ItemStore>(std::move(*opened));
}

Result<std::string> signing_secret(const Config& config) {
  if (!config.jwt_secret.empty()) {
    return config.jwt_secret;
  }
  return auth::load_or_create_secret(config.data_dir);
}

// The secret behind the keys that every process sharing the store must agree on.
Result<std::string> service_secret(const Config& config) {
  if (!config.service_secret.empty()) {
    return config.service_secret;
  }
  if (!config.service_secret_arn.empty()) {
    auto secret = aws::read_secret_string(aws_environment(config), config.service_secret_arn);
    if (secret && secret->size() < auth::kMinSecretBytes) {
      return Error::make(ErrorCode::InternalError,
                         "SERVICE_SECRET_ARN: the secret holds " + std::to_string(secret->size()) +
                             " bytes; at least " + std::to_string(auth::kMinSecretBytes) +
                             " are required");
    }
    return secret;
  }
  return signing_secret(config);
}

// Seals invitation accept URLs while they wait in the outbox (the store never holds them);
// whoever dispatches the outbox derives the same key from the same secret.
DerivedKey outbox_seal_key(const std::string& secret) {
  return DerivedKey::derive(secret, "outbox-seal");
}

// Replicas share a PostgreSQL store and each dispatches the outbox: they claim events first.
Millis outbox_claim_lease(const Config& config) {
  return config.store == "postgres" ? std::chrono::duration_cast<Millis>(config.outbox_claim_lease)
                                    : Millis(0);
}

// docs/operations.md#observability's business metrics, by the change that happened.
void count_business_event(obs::MetricsRegistry& metrics, std::string_view type) {
  if (type == "TENANT_CREATED") {
    metrics.tenant_created().inc();
  } else if (type == "TENANT_PARKED") {
    metrics.tenant_parked().inc();
  } else if (type == "TENANT_UNPARKED") {
    metrics.tenant_unparked().inc();
  } else if (type == "TENANT_DEPROVISIONED") {
    metrics.tenant_deleted().inc();
  } else if (type == "PARK_FAILED") {
    metrics.park_failures().inc();
  } else if (type == "UNPARK_FAILED") {
    metrics.unpark_failures().inc();
  } else if (type == "STATUS_TRANSITION_ERROR") {
    metrics.status_transition_errors().inc();
  }
}

// Time an invocation must have left for its outbox flush to start.
constexpr Millis kFlushReserve{100};

class ServeRuntime final : public Runtime {
 public:
  static Result<std::unique_ptr<ServeRuntime>> build(const Config& config) {
    auto rt = std::unique_ptr<ServeRuntime>(new ServeRuntime());
    rt->config_ = config;
    TENANTD_TRY_ASSIGN(const std::string local_secret, rt->open_store_and_identity(config));
    TENANTD_TRY_ASSIGN(auto sinks, make_sinks(config, aws_environment(config)));
    rt->build_observability(config);
    TENANTD_TRY_ASSIGN(const std::string shared_secret, service_secret(config));
    const DerivedKey seal_key = outbox_seal_key(shared_secret);
    rt->build_background(config, std::move(sinks), shared_secret, seal_key);
    TENANTD_TRY(rt->build_services(config, seal_key));
    rt->build_doors(config, local_secret);
    return rt;
  }

  // The console's door serves /console/ and hands everything else to the API.
  RequestHandler& handler() override { return *console_; }

  api::Services services() const {
    return api::Services{.tenants = *tenants_,
                         .hierarchy = *hierarchy_,
                         .members = *members_,
                         .invitations = *invitations_,
                         .instances = *instances_};
  }
  void start_background() override {
    dispatcher_->start();
    sweeper_->start();
    invitation_expiry_->start();
    provisioner_->start();
  }
  void stop_background() override {
    provisioner_->stop();
    invitation_expiry_->stop();
    sweeper_->stop();
    dispatcher_->stop();
  }
  Result<std::string> run_scheduled_jobs() override {
    auto delivered = dispatcher_->dispatch_due();
    if (!delivered) {
      return std::move(delivered).error();
    }
    auto expired = expire_invitations();
    if (!expired) {
      return std::move(expired).error();
    }
    // The driver's pass comes before the outbox drain so that its reports' events go out now.
    auto reports = provisioner_->run_once();
    if (!reports) {
      return std::move(reports).error();
    }
    if (auto more = dispatcher_->dispatch_due(); more) {
      *delivered += *more;
    }
    JsonWriter out;
    out.begin_object()
        .field("provisionerReports", static_cast<std::int64_t>(*reports))
        .field("outboxDelivered", static_cast<std::int64_t>(*delivered))
        .field("invitationsExpired", static_cast<std::int64_t>(*expired))
        .end_object();
    return out.str();
  }
  obs::MetricsRegistry& metrics() override { return *metrics_; }
  const obs::Logger& logger() override { return *logger_; }
  store::ItemStore& store() override { return *store_; }

  Result<std::string> handle_ecs_event(std::string_view event_json) override {
    if (!ecs_tags_) {
      auto reader = aws::EcsTagReader::open(aws_environment(config_));
      if (!reader) {
        return std::move(reader).error();
      }
      ecs_tags_ = std::move(*reader);
    }
    auto mapped =
        service::map_ecs_event(event_json, config_.environment,
                               [this](std::string_view arn) { return ecs_tags_->tags(arn); });
    if (!mapped) {
      return std::move(mapped).error();
    }
    JsonWriter out;
    out.begin_object();
    if (!mapped->has_value()) {
      out.field("applied", false)
          .field("reason", "not a progress event of a tenant of this environment")
          .end_object();
      return out.str();
    }
    const service::Context ctx = system_context("ecs");
    auto outcome = instances_->apply_ecs_report(ctx, **mapped);
    if (!outcome) {
      return std::move(outcome).error();
    }
    out.field("applied", outcome->applied)
        .field("tenantId", (*mapped)->tenant_id)
        .field("instanceId", outcome->instance.instance_id);
    if (!outcome->reason.empty()) {
      out.field("reason", outcome->reason);
    }
    out.end_object();
    return out.str();
  }
  void flush_outbox(std::optional<TimePoint> deadline) override {
    // Leftovers are drained by the next invocation or the scheduled event.
    if (deadline && clock_.now() + kFlushReserve >= *deadline) {
      return;
    }
    // A request of this invocation accepted an operation: the driver acts on it now, before
    // the Lambda freezes (scheduled events pick up what this misses).
    if (auto reports = provisioner_->run_if_woken(); !reports) {
      logger_->warn("provisioner pass failed: " + reports.error().message);
    }
    if (auto delivered = dispatcher_->dispatch_due(); !delivered) {
      logger_->warn("outbox flush failed: " + delivered.error().message);
    }
  }

 private:
  ServeRuntime() = default;

  // The process itself as the actor of background work (audit entries name it "system").
  service::Context system_context(std::string_view purpose) {
    service::Context ctx;
    ctx.principal.sub = "system";
    ctx.principal.groups = {"system"};
    ctx.request_id = ids_.make(purpose);
    ctx.now = clock_.now();
    return ctx;
  }

  // Stores EXPIRED on invitations whose expiresAt passed (reads already show it).
  Result<std::size_t> expire_invitations() {
    auto expired = invitations_->expire_due(system_context("sweep"), 500);
    if (!expired) {
      logger_->error("invitation expiry sweep failed: " + expired.error().message);
    }
    return expired;
  }

  // The store, then the identity (authenticator and directory) that reads it. Returns the HS256
  // secret, empty unless AUTH_MODE=local (the only mode that reads HS256 tokens).
  Result<std::string> open_store_and_identity(const Config& config) {
    TENANTD_TRY_ASSIGN(auto store, open_store(config, clock_));
    store_ = std::move(store);
    std::string local_secret;
    if (config.auth_mode == "local") {
      TENANTD_TRY_ASSIGN(std::string secret, signing_secret(config));
      local_secret = std::move(secret);
    }
    TENANTD_TRY_ASSIGN(auto identity, Identity::build(config, aws_environment(config), *store_,
                                                      ids_, clock_, local_secret));
    identity_ = std::move(identity);
    return local_secret;
  }

  void build_observability(const Config& config) {
    obs::LoggerOptions log_options;
    log_options.environment = config.environment;
    log_options.min_level = obs::parse_log_level(config.log_level).value_or(obs::LogLevel::Info);
    log_options.clock = &clock_;
    // stdout carries only the `listening on` line that scripts wait for; logs go to stderr.
    log_options.sink = obs::fd_sink(2);
    logger_ = std::make_unique<obs::Logger>(std::move(log_options));
    metrics_ = std::make_unique<obs::MetricsRegistry>();
  }

  // The outbox dispatcher, the TTL sweeper, and the page tokens and rate limiter of the API.
  void build_background(const Config& config, std::vector<std::unique_ptr<events::EventSink>> sinks,
                        const std::string& shared_secret, const DerivedKey& seal_key) {
    events::DispatcherOptions dispatch;
    dispatch.max_attempts = config.outbox_max_attempts;
    dispatch.base_backoff = Millis(config.outbox_base_backoff_ms);
    dispatch.seal_key = seal_key;
    dispatch.claim_lease = outbox_claim_lease(config);
    dispatch.metrics = metrics_.get();
    dispatch.logger = logger_.get();
    dispatcher_ =
        std::make_unique<events::OutboxDispatcher>(*store_, std::move(sinks), clock_, dispatch);
    sweeper_ =
        std::make_unique<store::TtlSweeper>(*store_, std::chrono::minutes(1), 500, logger_.get());
    page_tokens_ =
        std::make_unique<api::PageTokens>(DerivedKey::derive(shared_secret, "page-tokens"));
    rate_limiter_ =
        std::make_unique<api::RateLimiter>(config.rate_limit_rps, config.rate_limit_burst, clock_);
  }

  // A service's events: each commit wakes the outbox dispatcher, each change type is counted.
  template <typename Events>
  Events change_events() {
    Events events;
    events.committed = [dispatcher = dispatcher_.get()] { dispatcher->notify(); };
    events.counted = [metrics = metrics_.get()](std::string_view type) {
      count_business_event(*metrics, type);
    };
    return events;
  }

  // The services, in the order their hooks need: hierarchy and instances join the tenant
  // service's transactions, invitations use the member service.
  Status build_services(const Config& config, const DerivedKey& seal_key) {
    const service::ChangeLogOptions change_log{config.audit_retention};
    auto tenant_events = change_events<service::TenantEvents>();
    hierarchy_ = std::make_unique<service::HierarchyService>(
        *store_, ids_, change_log, [dispatcher = dispatcher_.get()] { dispatcher->notify(); });
    tenant_events.hooks.push_back(hierarchy_->tenant_hook());
    tenant_events.hooks.push_back(service::name_order_hook());
    TENANTD_TRY(build_instances(config, tenant_events));
    tenants_ = std::make_unique<service::TenantService>(*store_, ids_, change_log,
                                                        std::move(tenant_events));
    members_ = std::make_unique<service::MemberService>(
        *store_, identity_->directory(), ids_, change_log, change_events<service::MemberEvents>());
    service::InvitationOptions invitation_options;
    invitation_options.ttl = config.invitation_ttl;
    invitation_options.accept_url_template = config.invite_url_template;
    invitation_options.seal_key = seal_key;
    invitation_options.change_log = change_log;
    invitations_ = std::make_unique<service::InvitationService>(
        *store_, identity_->directory(), *members_, ids_, std::move(invitation_options),
        change_events<service::InvitationEvents>());
    invitation_expiry_ = std::make_unique<PeriodicTask>(config.invitation_sweep_interval,
                                                        [this] { (void)expire_invitations(); });
    return {};
  }

  // The API, and the console's door in front of it.
  void build_doors(const Config& config, const std::string& local_secret) {
    api_ = std::make_unique<api::Api>(
        api::ApiDeps{*store_, clock_, identity_->authenticator(), *page_tokens_, *rate_limiter_,
                     *logger_, *metrics_, services()},
        api::ApiOptions{config.environment, std::size_t{64} * 1024});
    console_ = std::make_unique<console::ConsoleFront>(
        *api_, *store_, clock_, ids_,
        console::ConsoleSettings{config.auth_mode, config.cognito_domain, config.cognito_client_id,
                                 local_secret});
  }

  // Instances and their provisioner (docs/instances.md); the instance service joins the tenant's
  // transactions through a hook, so it exists before the tenant service.
  Status build_instances(const Config& config, service::TenantEvents& tenant_events) {
    service::InstanceOptions options;
    options.max_instances_per_tenant = config.max_instances_per_tenant;
    options.environment = config.environment;
    options.change_log = service::ChangeLogOptions{config.audit_retention};
    events::OutboxDispatcher* dispatcher = dispatcher_.get();
    service::InstanceEvents events;
    events.committed = [dispatcher] { dispatcher->notify(); };
    events.operation_started = [this] {
      if (provisioner_) {
        provisioner_->wake();
      }
    };
    instances_ =
        std::make_unique<service::InstanceService>(*store_, ids_, options, std::move(events));
    tenant_events.hooks.push_back(instances_->tenant_hook());
    auto driver = make_provisioner(config);
    if (!driver) {
      return std::move(driver).error();
    }
    provisioner_ = std::move(*driver);
    return {};
  }

  // The driver PROVISIONER names (the instance service and the logger exist by now).
  Result<std::unique_ptr<provision::Provisioner>> make_provisioner(const Config& config) {
    using Driver = Result<std::unique_ptr<provision::Provisioner>>;
    const auto ecs = [&]() -> Driver {
      return make_ecs_provisioner(config, aws_environment(config), *instances_, *store_, clock_,
                                  logger_.get());
    };
    const auto gitops = [&]() -> Driver {
      return make_gitops_provisioner(config, *instances_, *store_, clock_, logger_.get());
    };
    if (config.provisioner == "simulated") {
      logger_->info("instances use the simulated provisioner: a development driver");
      std::set<domain::OperationType> fail;
      for (const auto& type : config.simulated_fail) {
        fail.insert(*domain::parse_operation_type(type));  // checked by the config
      }
      return std::unique_ptr<provision::Provisioner>(
          std::make_unique<provision::SimulatedProvisioner>(
              *instances_, *store_, clock_, std::chrono::milliseconds(config.simulated_step_ms),
              logger_.get(), std::move(fail)));
    }
    if (config.provisioner == "ecs") {
      return ecs();
    }
    if (config.provisioner == "gitops") {
      return gitops();
    }
    if (config.provisioner == "gitops+ecs") {
      auto mutations = gitops();
      if (!mutations) {
        return std::move(mutations).error();
      }
      auto operations = ecs();
      if (!operations) {
        return std::move(operations).error();
      }
      return std::unique_ptr<provision::Provisioner>(
          std::make_unique<provision::CombinedProvisioner>(std::move(*mutations),
                                                           std::move(*operations)));
    }
    return std::unique_ptr<provision::Provisioner>(
        std::make_unique<provision::EventsProvisioner>());
  }

  SystemClock clock_;
  TimeOrderedIds ids_{clock_};
  std::unique_ptr<store::ItemStore> store_;
  std::unique_ptr<obs::Logger> logger_;
  std::unique_ptr<obs::MetricsRegistry> metrics_;
  std::unique_ptr<events::OutboxDispatcher> dispatcher_;
  std::unique_ptr<store::TtlSweeper> sweeper_;
  std::unique_ptr<Identity> identity_;  // authenticator and user directory
  std::unique_ptr<api::PageTokens> page_tokens_;
  std::unique_ptr<api::RateLimiter> rate_limiter_;
  std::unique_ptr<service::HierarchyService> hierarchy_;
  std::unique_ptr<service::TenantService> tenants_;
  std::unique_ptr<service::MemberService> members_;
  std::unique_ptr<service::InvitationService> invitations_;
  std::unique_ptr<PeriodicTask> invitation_expiry_;
  std::unique_ptr<service::InstanceService> instances_;
  std::unique_ptr<provision::Provisioner> provisioner_;
  std::unique_ptr<api::Api> api_;
  std::unique_ptr<console::ConsoleFront> console_;
  Config config_;
  std::unique_ptr<aws::EcsTagReader> ecs_tags_;  // opened on the first ECS event
};

}  // namespace

Result<std::unique_ptr<Runtime>> build_runtime(const Config& config) {
  auto rt = ServeRuntime::build(config);
  if (!rt) {
    return std::move(rt).error();
  }
  return std::unique_ptr<Runtime>(std::move(*rt));
}

Result<std::string> mint_token(const Config& config, const TokenRequest& request) {
  auto secret = signing_secret(config);
  if (!secret) {
    return std::move(secret).error();
  }
  std::string sub;
  if (request.sub) {
    sub = *request.sub;
  } else {
    SystemClock clock;
    TimeOrderedIds ids(clock);
    auto store = open_store(config, clock);
    if (!store) {
      return std::move(store).error();
    }
    service::LocalDirectory directory(**store, ids, clock);
    auto user = directory.find_or_create(request.email);
    if (!user) {
      return std::move(user).error();
    }
    sub = user->user_id;
  }
  const auto now = epoch_seconds(SystemClock().now());
  auth::JwtClaims claims;
  claims.sub = sub;
  claims.email = request.email;
  claims.groups = request.groups;
  claims.iat = now;
  claims.exp = now + request.ttl_seconds;
  return auth::mint_hs256(*secret, claims);
}

Result<std::string> console_sign_in_code(const Config& config, const TokenRequest& request) {
  SystemClock clock;
  TimeOrderedIds ids(clock);
  auto store = open_store(config, clock);
  if (!store) {
    return std::move(store).error();
  }
  std::string sub;
  if (request.sub) {
    sub = *request.sub;
  } else {
    service::LocalDirectory directory(**store, ids, clock);
    auto user = directory.find_or_create(request.email);
    if (!user) {
      return std::move(user).error();
    }
    sub = user->user_id;
  }
  console::SignInCodes codes(**store, clock);
  return codes.issue(console::SignInGrant{sub, request.email, request.groups, request.ttl_seconds});
}

Status migrate(const Config& config) {
  SystemClock clock;
  auto store = open_store(config, clock, SchemaUse::Migrating);
  if (!store) {
    return std::move(store).error();
  }
  if (Status migrated = (*store)->migrate(); !migrated) {
    return migrated;
  }
  if (auto backfilled = service::backfill_name_order(**store); !backfilled) {
    return std::move(backfilled).error();
  }
  return {};
}

Result<std::vector<std::string>> outbox_list(const Config& config, const std::string& status) {
  SystemClock clock;
  auto store = open_store(config, clock);
  if (!store) {
    return std::move(store).error();
  }
  auto events = events::list_outbox(**store, status, 1000);
  if (!events) {
    return std::move(events).error();
  }
  std::vector<std::string> lines;
  for (const auto& e : *events) {
    lines.push_back(events::outbox_item(e).data);
  }
  return lines;
}

Result<std::size_t> outbox_retry(const Config& config, const std::optional<std::string>& event_id) {
  SystemClock clock;
  auto store = open_store(config, clock);
  if (!store) {
    return std::move(store).error();
  }
  return events::retry_failed(**store, clock, event_id);
}

Result<std::size_t> outbox_drain(const Config& config) {
  SystemClock clock;
  auto store = open_store(config, clock);
  if (!store) {
    return std::move(store).error();
  }
  auto sinks = make_sinks(config, aws_environment(config));
  if (!sinks) {
    return std::move(sinks).error();
  }
  auto secret = service_secret(config);
  if (!secret) {
    return std::move(secret).error();
  }
  events::DispatcherOptions dispatch;
  dispatch.max_attempts = config.outbox_max_attempts;
  dispatch.base_backoff = Millis(config.outbox_base_backoff_ms);
  dispatch.seal_key = outbox_seal_key(*secret);
  dispatch.claim_lease = outbox_claim_lease(config);
  events::OutboxDispatcher dispatcher(**store, std::move(*sinks), clock, dispatch);
  return dispatcher.dispatch_due();
}

}  // namespace tenantd
