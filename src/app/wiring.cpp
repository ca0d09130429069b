#include "app/wiring.hpp"

#include <filesystem>
#include <map>

#include "api/api.hpp"
#include "api/page_token.hpp"
#include "api/rate_limiter.hpp"
#include "app/gitops_setup.hpp"
#include "auth/jwt.hpp"
#include "auth/local_key.hpp"
#include "aws/ecs_tags.hpp"
#include "aws/environment.hpp"
#include "core/crypto.hpp"
#include "core/json.hpp"
#include "core/periodic_task.hpp"
#include "events/dispatcher.hpp"
#include "events/file_sink.hpp"
#include "obs/logger.hpp"
#include "obs/metrics.hpp"
#include "provision/simulated_provisioner.hpp"
#include "service/ecs_events.hpp"
#include "service/hierarchy_service.hpp"
#include "service/instance_service.hpp"
#include "service/invitation_service.hpp"
#include "service/local_directory.hpp"
#include "service/member_service.hpp"
#include "service/tenant_service.hpp"
#include "store/dynamodb/dynamodb_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
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

Result<std::unique_ptr<store::ItemStore>> open_store(const Config& config, const Clock& clock) {
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
  auto opened = store::sqlite::SqliteStore::open(config.database_path(), config.environment, clock);
  if (!opened) {
    return std::move(opened).error();
  }
  return std::unique_ptr<store::ItemStore>(std::move(*opened));
}

Result<std::string> signing_secret(const Config& config) {
  if (!config.jwt_secret.empty()) {
    return config.jwt_secret;
  }
  return auth::load_or_create_secret(config.data_dir);
}

// Seals invitation accept URLs while they wait in the outbox (the store never holds them);
// whoever dispatches the outbox derives the same key from the same secret.
std::string outbox_seal_key(const std::string& secret) {
  return hmac_sha256(secret, "outbox-seal");
}

Result<std::vector<std::unique_ptr<events::EventSink>>> make_sinks(const Config& config) {
  std::vector<std::unique_ptr<events::EventSink>> sinks;
  for (const auto& name : config.event_sinks) {
    if (name == "file") {
      auto sink = events::FileSink::open(config.events_path(), "local");
      if (!sink) {
        return std::move(sink).error();
      }
      sinks.push_back(std::move(*sink));
    } else {
      return Error::make(ErrorCode::ValidationError,
                         "EVENT_SINKS: '" + name + "' is not available in this build (use file)");
    }
  }
  return sinks;
}

// SPEC section 12's business metrics, by the change that happened.
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
    if (config.auth_mode != "local") {
      return Error::make(
          ErrorCode::ValidationError,
          "AUTH_MODE=" + config.auth_mode + " is not available in this build (use local)");
    }
    auto rt = std::unique_ptr<ServeRuntime>(new ServeRuntime());
    rt->config_ = config;
    auto store = open_store(config, rt->clock_);
    if (!store) {
      return std::move(store).error();
    }
    rt->store_ = std::move(*store);
    auto secret = signing_secret(config);
    if (!secret) {
      return std::move(secret).error();
    }
    auto sinks = make_sinks(config);
    if (!sinks) {
      return std::move(sinks).error();
    }
    obs::LoggerOptions log_options;
    log_options.environment = config.environment;
    log_options.min_level = obs::parse_log_level(config.log_level).value_or(obs::LogLevel::Info);
    log_options.clock = &rt->clock_;
    // stdout carries only the `listening on` line that scripts wait for; logs go to stderr.
    log_options.sink = obs::fd_sink(2);
    rt->logger_ = std::make_unique<obs::Logger>(std::move(log_options));
    rt->metrics_ = std::make_unique<obs::MetricsRegistry>();

    events::DispatcherOptions dispatch;
    dispatch.max_attempts = config.outbox_max_attempts;
    const std::string seal_key = outbox_seal_key(*secret);
    dispatch.seal_key = seal_key;
    dispatch.metrics = rt->metrics_.get();
    dispatch.logger = rt->logger_.get();
    rt->dispatcher_ = std::make_unique<events::OutboxDispatcher>(*rt->store_, std::move(*sinks),
                                                                 rt->clock_, dispatch);

    rt->sweeper_ = std::make_unique<store::TtlSweeper>(*rt->store_, std::chrono::minutes(1));
    rt->verifier_ = std::make_unique<auth::Hs256Verifier>(*secret);
    rt->page_tokens_ = std::make_unique<api::PageTokens>(hmac_sha256(*secret, "page-tokens"));
    rt->rate_limiter_ = std::make_unique<api::RateLimiter>(config.rate_limit_rps,
                                                           config.rate_limit_burst, rt->clock_);
    events::OutboxDispatcher* dispatcher = rt->dispatcher_.get();
    obs::MetricsRegistry* metrics = rt->metrics_.get();
    service::TenantEvents tenant_events;
    tenant_events.committed = [dispatcher] { dispatcher->notify(); };
    tenant_events.counted = [metrics](std::string_view type) {
      count_business_event(*metrics, type);
    };
    rt->hierarchy_ = std::make_unique<service::HierarchyService>(
        *rt->store_, rt->ids_, service::ChangeLogOptions{config.audit_retention},
        [dispatcher] { dispatcher->notify(); });
    tenant_events.hooks.push_back(rt->hierarchy_->tenant_hook());
    if (auto ok = rt->build_instances(config, tenant_events); !ok) {
      return std::move(ok).error();
    }
    rt->tenants_ = std::make_unique<service::TenantService>(
        *rt->store_, rt->ids_, service::ChangeLogOptions{config.audit_retention},
        std::move(tenant_events));
    rt->directory_ = std::make_unique<service::LocalDirectory>(*rt->store_, rt->ids_, rt->clock_);
    service::MemberEvents member_events;
    member_events.committed = [dispatcher] { dispatcher->notify(); };
    member_events.counted = [metrics](std::string_view type) {
      count_business_event(*metrics, type);
    };
    rt->members_ = std::make_unique<service::MemberService>(
        *rt->store_, *rt->directory_, rt->ids_, service::ChangeLogOptions{config.audit_retention},
        std::move(member_events));
    service::InvitationOptions invitation_options;
    invitation_options.ttl = config.invitation_ttl;
    invitation_options.accept_url_template = config.invite_url_template;
    invitation_options.seal_key = seal_key;
    invitation_options.change_log = service::ChangeLogOptions{config.audit_retention};
    service::InvitationEvents invitation_events;
    invitation_events.committed = [dispatcher] { dispatcher->notify(); };
    invitation_events.counted = [metrics](std::string_view type) {
      count_business_event(*metrics, type);
    };
    rt->invitations_ = std::make_unique<service::InvitationService>(
        *rt->store_, *rt->directory_, *rt->members_, rt->ids_, std::move(invitation_options),
        std::move(invitation_events));
    rt->invitation_expiry_ = std::make_unique<PeriodicTask>(
        config.invitation_sweep_interval, [rt = rt.get()] { (void)rt->expire_invitations(); });
    const auth::Hs256Verifier* verifier = rt->verifier_.get();
    rt->api_ =
        std::make_unique<api::Api>(api::ApiDeps{*rt->store_, rt->clock_, rt->ids_,
                                                [verifier](std::string_view token, TimePoint now) {
                                                  return verifier->verify(token, now);
                                                },
                                                *rt->page_tokens_, *rt->rate_limiter_, *rt->logger_,
                                                *rt->metrics_, rt->services()},
                                   api::ApiOptions{config.environment, std::size_t{64} * 1024});
    if (config.provisioner == "simulated") {
      rt->logger_->info("instances use the simulated provisioner: a development driver");
      rt->provisioner_ = std::make_unique<provision::SimulatedProvisioner>(
          *rt->instances_, *rt->store_, rt->clock_,
          std::chrono::milliseconds(config.simulated_step_ms), rt->logger_.get());
    } else if (config.provisioner == "gitops") {
      auto gitops = make_gitops_provisioner(config, *rt->instances_, *rt->store_, rt->clock_,
                                            rt->logger_.get());
      if (!gitops) {
        return std::move(gitops).error();
      }
      rt->provisioner_ = std::move(*gitops);
    }
    return rt;
  }

  RequestHandler& handler() override { return *api_; }

  api::Services services() const {
    api::Services s;
    s.tenants = tenants_.get();
    s.hierarchy = hierarchy_.get();
    s.members = members_.get();
    s.invitations = invitations_.get();
    s.instances = instances_.get();
    return s;
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
    JsonWriter out;
    out.begin_object()
        .field("outboxDelivered", static_cast<std::int64_t>(*delivered))
        .field("invitationsExpired", static_cast<std::int64_t>(*expired))
        .end_object();
    return out.str();
  }
  obs::MetricsRegistry& metrics() override { return *metrics_; }

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

  // Instances and their provisioner (SPEC section 8); the instance service joins the tenant's
  // transactions through a hook, so it exists before the tenant service.
  Status build_instances(const Config& config, service::TenantEvents& tenant_events) {
    if (config.provisioner != "simulated" && config.provisioner != "events" &&
        config.provisioner != "gitops") {
      return Error::make(ErrorCode::ValidationError,
                         "PROVISIONER=" + config.provisioner +
                             " is not available in this build (use simulated, events or gitops)");
    }
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
    provisioner_ = std::make_unique<provision::EventsProvisioner>();
    return {};
  }

  SystemClock clock_;
  RandomIds ids_;
  std::unique_ptr<store::ItemStore> store_;
  std::unique_ptr<obs::Logger> logger_;
  std::unique_ptr<obs::MetricsRegistry> metrics_;
  std::unique_ptr<events::OutboxDispatcher> dispatcher_;
  std::unique_ptr<store::TtlSweeper> sweeper_;
  std::unique_ptr<auth::Hs256Verifier> verifier_;
  std::unique_ptr<api::PageTokens> page_tokens_;
  std::unique_ptr<api::RateLimiter> rate_limiter_;
  std::unique_ptr<service::HierarchyService> hierarchy_;
  std::unique_ptr<service::TenantService> tenants_;
  std::unique_ptr<service::LocalDirectory> directory_;
  std::unique_ptr<service::MemberService> members_;
  std::unique_ptr<service::InvitationService> invitations_;
  std::unique_ptr<PeriodicTask> invitation_expiry_;
  std::unique_ptr<service::InstanceService> instances_;
  std::unique_ptr<provision::Provisioner> provisioner_;
  std::unique_ptr<api::Api> api_;
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
    RandomIds ids;
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

Status migrate(const Config& config) {
  SystemClock clock;
  auto store = open_store(config, clock);
  if (!store) {
    return std::move(store).error();
  }
  return (*store)->migrate();
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
  auto sinks = make_sinks(config);
  if (!sinks) {
    return std::move(sinks).error();
  }
  auto secret = signing_secret(config);
  if (!secret) {
    return std::move(secret).error();
  }
  events::DispatcherOptions dispatch;
  dispatch.max_attempts = config.outbox_max_attempts;
  dispatch.seal_key = outbox_seal_key(*secret);
  events::OutboxDispatcher dispatcher(**store, std::move(*sinks), clock, dispatch);
  return dispatcher.dispatch_due();
}

}  // namespace tenantd
