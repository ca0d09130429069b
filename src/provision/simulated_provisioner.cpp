#include "provision/simulated_provisioner.hpp"

#include <cstdio>

#include "core/crypto.hpp"
#include "obs/logger.hpp"
#include "service/instance_record.hpp"

namespace tenantd::provision {

namespace {

// Operations read per pass; the rest wait for the next one.
constexpr int kBatch = 100;

std::string due_bound(TimePoint t) {
  char ms[24];
  std::snprintf(ms, sizeof ms, "%013lld#~", static_cast<long long>(epoch_ms(t)));
  return ms;  // '~' sorts after every id character
}

service::Context driver_context(TimePoint now, const std::string& operation_id) {
  service::Context ctx;
  ctx.principal.sub = "provisioner-simulated";
  ctx.principal.email = "provisioner-simulated";
  ctx.principal.groups = {"system"};
  ctx.request_id = "sim-" + operation_id;
  ctx.now = now;
  return ctx;
}

// The report a real driver would send for the next step of `op` on `instance`; one of a type
// in `fail` fails where it would complete.
std::optional<domain::ProgressReport> next_report(const domain::Instance& instance,
                                                  const domain::Operation& op,
                                                  const std::set<domain::OperationType>& fail) {
  const auto event = domain::next_progress_event(instance.state);
  if (!event) {
    return std::nullopt;
  }
  domain::ProgressReport report;
  report.operation_id = op.operation_id;
  if (*event == domain::InstanceEvent::Complete && fail.count(op.type) != 0) {
    report.type = domain::ReportType::OperationFailed;
    report.error = domain::ErrorInfo{
        "SIMULATED_FAILURE",
        "SIMULATED_FAIL names " + std::string(domain::to_string(op.type)) + " operations", false};
    return report;
  }
  if (*event == domain::InstanceEvent::Complete) {
    report.type = domain::ReportType::OperationCompleted;
    if (op.type == domain::OperationType::Backup && op.backup_id) {
      report.backup = domain::BackupResult{std::int64_t{64} * 1024 * 1024,
                                           "s3://bbws-backups-" + instance.environment + "/" +
                                               instance.tenant_id + "/" + instance.instance_id +
                                               "/" + *op.backup_id + ".tar.gz",
                                           "sha256:" + sha256_hex(*op.backup_id)};
    }
    return report;
  }
  const auto target = domain::instance_transition(instance.state, *event);
  report.type = domain::ReportType::StateChanged;
  report.state = domain::resolve(*target, instance.state);
  return report;
}

}  // namespace

SimulatedProvisioner::SimulatedProvisioner(service::InstanceService& instances,
                                           store::ItemStore& store, const Clock& clock,
                                           std::chrono::milliseconds step,
                                           const obs::Logger* logger,
                                           std::set<domain::OperationType> fail)
    : instances_(instances),
      store_(store),
      clock_(clock),
      step_(step),
      logger_(logger),
      fail_(std::move(fail)),
      // A fresh operation waits one step before its first move, as a real driver would.
      loop_(step, [this] { pass(); }) {}

SimulatedProvisioner::~SimulatedProvisioner() {
  stop();
}

Result<std::size_t> SimulatedProvisioner::step_due() {
  const TimePoint now = clock_.now();
  store::Query q;
  q.table = store::Table::Instances;
  q.index = service::kRunningOperationsIndex;
  q.pk = service::kRunningOperationsPk;
  q.sk = store::SortCondition::at_most(due_bound(now - step_));
  q.limit = kBatch;
  TENANTD_TRY_ASSIGN(auto items, store_.query(q));
  std::size_t applied = 0;
  for (const auto& item : items) {
    TENANTD_TRY_ASSIGN(auto op, service::operation_from_item(item));
    const service::Context ctx = driver_context(now, op.operation_id);
    auto instance = instances_.find_instance(op.instance_id);
    if (!instance || !instance->has_value()) {
      continue;  // gone or unreadable: nothing to walk
    }
    const auto report = next_report(**instance, op, fail_);
    if (!report) {
      continue;
    }
    auto outcome = instances_.apply_report(ctx, op.instance_id, *report);
    if (!outcome) {
      if (logger_ != nullptr) {
        logger_->warn("simulated provisioner could not apply a report",
                      {{"operationId", op.operation_id}, {"error", outcome.error().message}});
      }
      continue;
    }
    if (outcome->applied) {
      ++applied;
    } else if (logger_ != nullptr) {
      logger_->info("simulated provisioner report ignored",
                    {{"operationId", op.operation_id}, {"reason", outcome->reason}});
    }
  }
  return applied;
}

void SimulatedProvisioner::wake() {
  loop_.wake();
}

void SimulatedProvisioner::start() {
  loop_.start();
}

void SimulatedProvisioner::stop() {
  loop_.stop();
}

void SimulatedProvisioner::pass() {
  auto done = step_due();
  if (!done && logger_ != nullptr) {
    logger_->warn("simulated provisioner pass failed", {{"error", done.error().message}});
  }
}

}  // namespace tenantd::provision
