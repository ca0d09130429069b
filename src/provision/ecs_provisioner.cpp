#include "provision/ecs_provisioner.hpp"

#include <cstdio>

#include "obs/logger.hpp"
#include "records/instance_record.hpp"
#include "service/ecs_events.hpp"

namespace tenantd::provision {

namespace {

using domain::OperationType;
using domain::ProgressReport;
using domain::ReportType;

constexpr int kBatch = 100;  // operations read per pass; the rest wait for the next one

service::Context driver_context(TimePoint now, const std::string& operation_id) {
  service::Context ctx;
  ctx.principal.sub = "provisioner-ecs";
  ctx.principal.email = "provisioner-ecs";
  ctx.principal.groups = {"system"};
  ctx.request_id = "ecs-" + operation_id;
  ctx.now = now;
  return ctx;
}

ProgressReport completed() {
  ProgressReport r;
  r.type = ReportType::OperationCompleted;
  return r;
}

ProgressReport failed(std::string code, std::string message, bool retryable) {
  ProgressReport r;
  r.type = ReportType::OperationFailed;
  r.error = domain::ErrorInfo{std::move(code), std::move(message), retryable};
  return r;
}

// ECS's startedBy takes at most 36 characters: the operation id's UUID part.
std::string started_by(const std::string& operation_id) {
  return operation_id.size() > 36 ? operation_id.substr(operation_id.size() - 36) : operation_id;
}

}  // namespace

domain::ProgressReport failed_report(const Error& error) {
  return failed(std::string(failure_code(error)), error.message,
                error.code == ErrorCode::ServiceUnavailable);
}

EcsProvisioner::EcsProvisioner(service::InstanceService& instances, store::ItemStore& store,
                               const Clock& clock, std::unique_ptr<aws::EcsClient> ecs,
                               EcsSettings settings, const obs::Logger* logger)
    : instances_(instances),
      store_(store),
      clock_(clock),
      ecs_(std::move(ecs)),
      settings_(std::move(settings)),
      logger_(logger),
      loop_(settings_.poll, [this] { pass(); }) {
  if (settings_.cluster.empty()) {
    settings_.cluster = "bbws-cluster-" + settings_.environment;
  }
  if (settings_.backup_bucket.empty()) {
    settings_.backup_bucket = "bbws-backups-" + settings_.environment;
  }
}

EcsProvisioner::~EcsProvisioner() {
  stop();
}

bool EcsProvisioner::handles(OperationType type) {
  switch (type) {
    case OperationType::Scale:
    case OperationType::Suspend:
    case OperationType::Resume:
    case OperationType::Backup:
    case OperationType::Restore:
      return true;
    default:
      return false;
  }
}

std::string EcsProvisioner::service_name(const domain::Instance& instance) const {
  return "tenant-" + instance.tenant_id + "-wordpress";
}

Result<std::size_t> EcsProvisioner::run_once() {
  service::PageRequest batch;
  batch.limit = kBatch;
  TENANTD_TRY_ASSIGN(const auto running, instances_.running_operations(batch));
  std::size_t applied = 0;
  for (const domain::Operation& op : running.items) {
    if (!handles(op.type)) {
      continue;  // create / update / delete: another driver's work
    }
    auto instance = instances_.find_instance(op.instance_id);
    if (!instance || !instance->has_value() ||
        (*instance)->current_operation_id != op.operation_id) {
      continue;  // gone, unreadable, or already moved on
    }
    const TimePoint now = clock_.now();
    auto report = step(**instance, op, now);
    if (!report) {
      continue;
    }
    report->operation_id = op.operation_id;
    if (report->error && logger_ != nullptr) {
      logger_->warn("ecs provisioner: operation failed", {{"operationId", op.operation_id},
                                                          {"code", report->error->code},
                                                          {"error", report->error->message}});
    }
    auto outcome =
        instances_.apply_report(driver_context(now, op.operation_id), op.instance_id, *report);
    if (!outcome) {
      if (logger_ != nullptr) {
        logger_->warn("ecs provisioner could not apply a report",
                      {{"operationId", op.operation_id}, {"error", outcome.error().message}});
      }
      continue;
    }
    if (outcome->applied) {
      ++applied;
      const std::lock_guard lock(status_mutex_);
      status_cache_.erase(op.instance_id);  // the counts just changed
    } else if (logger_ != nullptr) {
      logger_->info("ecs provisioner report ignored",
                    {{"operationId", op.operation_id}, {"reason", outcome->reason}});
    }
  }
  return applied;
}

std::optional<ProgressReport> EcsProvisioner::step(const domain::Instance& instance,
                                                   const domain::Operation& op, TimePoint now) {
  switch (op.type) {
    case OperationType::Backup:
    case OperationType::Restore:
      return run_task(instance, op, now);
    default:
      return converge(instance, op, now);
  }
}

std::optional<ProgressReport> EcsProvisioner::timed_out(const domain::Operation& op, TimePoint now,
                                                        const std::string& waiting_for) const {
  if (now - op.created_at < settings_.timeout) {
    return std::nullopt;
  }
  return failed("OPERATION_TIMEOUT",
                "still waiting for " + waiting_for + " after " +
                    std::to_string(settings_.timeout.count()) + " s",
                true);
}

// Scale, suspend and resume: the service's desired count becomes the instance's (0 while
// suspended; resume restores the configured count), and the operation completes once ECS runs
// exactly that many tasks. UpdateService is idempotent, so a pass repeated after a crash or a
// lost report is harmless.
std::optional<ProgressReport> EcsProvisioner::converge(const domain::Instance& instance,
                                                       const domain::Operation& op, TimePoint now) {
  const std::string service = service_name(instance);
  // The count the operation asks for; the instance keeps its own until the operation completes.
  const int target = domain::as_requested(instance, op).desired_count;
  auto described = ecs_->describe_service(settings_.cluster, service);
  if (!described) {
    return failed_report(described.error());
  }
  auto& found = *described;
  if (!found) {
    return failed("ECS_SERVICE_NOT_FOUND",
                  "ECS service " + service + " does not exist in cluster " + settings_.cluster,
                  false);
  }
  aws::EcsService svc = std::move(*found);
  if (svc.desired_count != target) {
    auto updated = ecs_->update_service(settings_.cluster, service, target);
    if (!updated) {
      return failed_report(updated.error());
    }
    svc = std::move(*updated);
  }
  if (svc.running_count == target && svc.pending_count == 0) {
    return completed();
  }
  auto late = timed_out(op, now,
                        service + " to run " + std::to_string(target) + " task(s) (running " +
                            std::to_string(svc.running_count) + ")");
  if (late && instance.desired_count != target) {
    // The operation fails, so the instance keeps its count: ask the service for it again.
    auto undone = ecs_->update_service(settings_.cluster, service, instance.desired_count);
    if (!undone) {
      late->error->message += "; the service could not be set back to " +
                              std::to_string(instance.desired_count) + ": " +
                              undone.error().message;
    }
  }
  return late;
}

// Backup and restore: one task per operation (startedBy names it), polled until it STOPPED.
std::optional<ProgressReport> EcsProvisioner::run_task(const domain::Instance& instance,
                                                       const domain::Operation& op, TimePoint now) {
  const std::string by = started_by(op.operation_id);
  std::vector<std::string> arns;
  for (const char* status : {"RUNNING", "STOPPED"}) {
    auto listed = ecs_->list_tasks(settings_.cluster, by, status);
    if (!listed) {
      return failed_report(listed.error());  // nothing started yet that could be left behind
    }
    for (auto& arn : *listed) {
      arns.push_back(std::move(arn));
    }
  }
  if (arns.empty()) {
    return start_task(instance, op);
  }
  auto described = ecs_->describe_tasks(settings_.cluster, {arns.front()});
  if (!described) {
    // The task runs on regardless: keep polling (its STOPPED event may also end it).
    if (logger_ != nullptr) {
      logger_->warn("ecs provisioner: task poll failed",
                    {{"operationId", op.operation_id}, {"error", described.error().message}});
    }
    return timed_out(op, now, "task " + arns.front());
  }
  const auto& tasks = *described;
  if (tasks.empty()) {
    return timed_out(op, now, "task " + arns.front());
  }
  service::EcsTags tags;
  for (const auto& [k, v] : tasks.front().tags) {
    tags.emplace(k, v);
  }
  auto report = service::stopped_task_report(tasks.front().json, tags);
  if (report && *report) {
    return std::move(**report);
  }
  return timed_out(op, now, "task " + arns.front() + " to stop");
}

std::optional<ProgressReport> EcsProvisioner::start_task(const domain::Instance& instance,
                                                         const domain::Operation& op) {
  if (!op.backup_id) {
    return failed("BACKUP_MISSING", "the operation names no backup", false);
  }
  auto item =
      store_.get(store::Table::Instances,
                 records::backup_key(instance.tenant_id, instance.instance_id, *op.backup_id));
  if (!item || !item->has_value()) {
    return failed("BACKUP_MISSING", "backup " + *op.backup_id + " could not be read", !item);
  }
  auto backup = records::backup_from_item(**item);
  if (!backup) {
    return failed("BACKUP_MISSING", backup.error().message, false);
  }
  const bool is_backup = op.type == OperationType::Backup;
  // A backup writes to its own key; a restore reads where its backup was written.
  const std::string location = is_backup ? "s3://" + settings_.backup_bucket + "/" +
                                               instance.tenant_id + "/" + instance.instance_id +
                                               "/" + backup->backup_id + ".tar.gz"
                                         : backup->location.value_or("");
  if (location.empty()) {
    return failed("BACKUP_MISSING", "backup " + backup->backup_id + " has no location", false);
  }
  const int run = domain::as_requested(instance, op).desired_count;
  if (!is_backup && run > 0) {
    // A restore ends ACTIVE: the service runs its configured count again (a no-op when active).
    auto updated = ecs_->update_service(settings_.cluster, service_name(instance), run);
    if (!updated) {
      return failed_report(updated.error());
    }
  }
  aws::RunTaskInput in;
  in.cluster = settings_.cluster;
  in.task_definition =
      is_backup ? settings_.backup_task_definition : settings_.restore_task_definition;
  in.container = settings_.task_container;
  in.started_by = started_by(op.operation_id);
  in.launch_type = settings_.launch_type;
  in.subnets = settings_.subnets;
  in.security_groups = settings_.security_groups;
  const std::string type(domain::to_string(backup->type));
  in.environment = {{"TENANT_ID", instance.tenant_id},
                    {"INSTANCE_ID", instance.instance_id},
                    {"BACKUP_ID", backup->backup_id},
                    {"OPERATION_ID", op.operation_id},
                    {"TYPE", type},
                    {"BACKUP_LOCATION", location}};
  in.tags = {{"bbws:tenant-id", instance.tenant_id},
             {"bbws:environment", settings_.environment},
             {"bbws:instance-id", instance.instance_id},
             {"bbws:operation-id", op.operation_id},
             {"bbws:operation-type", std::string(domain::to_string(op.type))},
             {"bbws:backup-id", backup->backup_id},
             {"bbws:backup-location", location},
             {"bbws:component", "backup"},
             {"bbws:managed-by", "tenantd"}};
  auto started = ecs_->run_task(in);
  if (!started) {
    ProgressReport report = failed_report(started.error());
    if (!is_backup && instance.state_before_operation == domain::InstanceState::Suspended) {
      // The restore fails back to SUSPENDED: take back the desired count set above.
      auto undone = ecs_->update_service(settings_.cluster, service_name(instance), 0);
      if (!undone) {
        report.error->message +=
            "; the service could not be scaled back to 0: " + undone.error().message;
      }
    }
    return report;
  }
  if (logger_ != nullptr) {
    logger_->info("ecs provisioner started a task",
                  {{"operationId", op.operation_id}, {"taskArn", started->arn}});
  }
  return std::nullopt;  // its STOPPED event (or a later pass) ends the operation
}

std::optional<service::LiveRead> EcsProvisioner::live_status(const domain::Instance& instance) {
  if (domain::is_provisioning(instance.state) ||
      instance.state == domain::InstanceState::Deprovisioned) {
    return std::nullopt;  // no service to ask about (yet, or any more)
  }
  const TimePoint now = clock_.now();
  {
    const std::lock_guard lock(status_mutex_);
    if (const auto it = status_cache_.find(instance.instance_id);
        it != status_cache_.end() && now - it->second.at < settings_.status_ttl) {
      return it->second.live;
    }
  }
  service::LiveRead live;
  const std::string service = service_name(instance);
  auto described = ecs_->describe_service(settings_.cluster, service);
  if (!described) {
    live.error = failed_report(described.error()).error;
    if (logger_ != nullptr) {
      logger_->warn("ecs provisioner: status read failed",
                    {{"instanceId", instance.instance_id}, {"error", described.error().message}});
    }
  } else if (const auto& found = *described; found) {
    live.service = service::LiveService{found->desired_count, found->running_count,
                                        found->pending_count, found->rollout_state};
  } else {
    live.error = domain::ErrorInfo{
        "ECS_SERVICE_NOT_FOUND",
        "ECS service " + service + " does not exist in cluster " + settings_.cluster, false};
  }
  const std::lock_guard lock(status_mutex_);
  status_cache_[instance.instance_id] = Cached{now, live};
  return live;
}

void EcsProvisioner::wake() {
  woken_ = true;
  loop_.wake();
}

Result<std::size_t> EcsProvisioner::run_if_woken() {
  if (!woken_.exchange(false)) {
    return std::size_t{0};
  }
  return run_once();
}

void EcsProvisioner::start() {
  loop_.start();
}

void EcsProvisioner::stop() {
  loop_.stop();
}

void EcsProvisioner::pass() {
  woken_ = false;
  auto done = run_once();
  if (!done && logger_ != nullptr) {
    logger_->warn("ecs provisioner pass failed", {{"error", done.error().message}});
  }
}

}  // namespace tenantd::provision
