#include "provision/gitops_provisioner.hpp"

#include <cstdio>

#include "obs/logger.hpp"
#include "provision/gitops_failure.hpp"

namespace tenantd::provision {

namespace {

using domain::InstanceState;
using domain::OperationType;

constexpr int kPage = 100;
constexpr int kMaxPages = 50;  // 5000 running operations per pass; the rest wait for the next

service::Context driver_context(TimePoint now, const std::string& operation_id) {
  service::Context ctx;
  ctx.principal.sub = "provisioner-gitops";
  ctx.principal.email = "provisioner-gitops";
  ctx.principal.groups = {"system"};
  ctx.request_id = "gitops-" + operation_id;
  ctx.now = now;
  return ctx;
}

domain::ProgressReport state_report(const domain::Operation& op, InstanceState state) {
  domain::ProgressReport r;
  r.type = domain::ReportType::StateChanged;
  r.state = state;
  r.operation_id = op.operation_id;
  return r;
}

bool waited_too_long(const domain::Operation& op, TimePoint now, std::chrono::seconds timeout) {
  return now - op.updated_at >= timeout;
}

}  // namespace

GitopsProvisioner::GitopsProvisioner(service::InstanceService& instances,
                                     store::ItemStore& /*store*/, const Clock& clock,
                                     std::unique_ptr<GitopsRepo> repo,
                                     std::unique_ptr<GithubActions> github,
                                     std::vector<TemplateFile> templates, GitopsOptions options,
                                     const obs::Logger* logger)
    : instances_(instances),
      clock_(clock),
      repo_(std::move(repo)),
      github_(std::move(github)),
      templates_(std::move(templates)),
      options_(options),
      logger_(logger),
      loop_(options_.poll, [this] { pass(); }) {}

GitopsProvisioner::~GitopsProvisioner() {
  stop();
}

bool GitopsProvisioner::handles(OperationType type) {
  return type == OperationType::Provision || type == OperationType::Update ||
         type == OperationType::Deprovision;
}

Result<std::size_t> GitopsProvisioner::run_due() {
  service::PageRequest request;
  request.limit = kPage;
  std::size_t applied = 0;
  for (int page = 0; page < kMaxPages; ++page) {
    TENANTD_TRY_ASSIGN(const auto running, instances_.running_operations(request));
    for (const domain::Operation& op : running.items) {
      if (!handles(op.type)) {
        continue;  // another driver's
      }
      auto instance = instances_.find_instance(op.instance_id);
      if (!instance || !instance->has_value() ||
          (*instance)->current_operation_id != op.operation_id) {
        continue;  // gone, unreadable, or already moved on
      }
      auto done = advance(**instance, op, clock_.now());
      if (!done) {
        return std::move(done).error();
      }
      applied += *done;
    }
    if (!running.next) {
      break;
    }
    request.after = running.next;
  }
  return applied;
}

Result<std::size_t> GitopsProvisioner::advance(const domain::Instance& instance,
                                               const domain::Operation& op, TimePoint now) {
  const domain::ErrorInfo timeout{"WORKFLOW_TIMEOUT",
                                  "the workflow " + workflow_file_name(instance.tenant_id) +
                                      " did not report within " +
                                      std::to_string(options_.workflow_timeout.count()) + "s",
                                  true};
  switch (instance.state) {
    case InstanceState::PendingProvisioning:
    case InstanceState::Committing: {
      if (instance.state == InstanceState::PendingProvisioning &&
          report(op, state_report(op, InstanceState::Committing), now) == 0) {
        return std::size_t{0};
      }
      const std::size_t moved = instance.state == InstanceState::PendingProvisioning ? 1 : 0;
      if (auto ok = publish_and_dispatch(instance, op, "apply"); !ok) {
        return moved + fail(op, error_info(ok.error()), std::nullopt, clock_.now());
      }
      return moved + report(op, state_report(op, InstanceState::WorkflowQueued), clock_.now());
    }
    case InstanceState::WorkflowQueued:
    case InstanceState::WorkflowRunning:
      if (waited_too_long(op, now, options_.workflow_timeout)) {
        return fail(op, timeout, InstanceState::WorkflowFailed, now);
      }
      return std::size_t{0};
    case InstanceState::Updating:
      if (dispatched_updates_.count(op.operation_id) == 0) {
        if (auto ok = publish_and_dispatch(instance, op, "apply"); !ok) {
          restore_files(instance, op);
          return fail(op, error_info(ok.error()), std::nullopt, clock_.now());
        }
        dispatched_updates_.insert(op.operation_id);
        return std::size_t{0};
      }
      if (waited_too_long(op, now, options_.workflow_timeout)) {
        dispatched_updates_.erase(op.operation_id);
        return fail(op, timeout, std::nullopt, now);
      }
      return std::size_t{0};
    case InstanceState::PendingDeprovisioning:
      if (auto ok = publish_and_dispatch(instance, op, "destroy"); !ok) {
        return fail(op, error_info(ok.error()), std::nullopt, clock_.now());
      }
      return report(op, state_report(op, InstanceState::Deprovisioning), clock_.now());
    case InstanceState::Deprovisioning:
      if (waited_too_long(op, now, options_.workflow_timeout)) {
        return fail(op, timeout, std::nullopt, now);
      }
      return std::size_t{0};
    default:
      // PROVISIONING waits for the ECS events / the workflow's report; nothing else is ours.
      return std::size_t{0};
  }
}

Status GitopsProvisioner::publish_and_dispatch(const domain::Instance& instance,
                                               const domain::Operation& op,
                                               const std::string& action) {
  TreeChange change;
  const std::string dir = tenant_dir(instance.tenant_id);
  change.replace_dirs = {dir};
  if (action == "apply") {
    // What the operation asks for: the stored instance keeps its values until it COMPLETES.
    auto files = render_tenant(templates_, domain::as_requested(instance, op));
    if (!files) {
      return gitops_failure("TEMPLATE_ERROR", files.error().message, false);
    }
    change.files = std::move(*files);
  }
  // The workflow file stays after a delete: the destroy run needs it.
  change.message = "tenant " + instance.tenant_id + ": " + action + " instance " +
                   instance.instance_id + " (operation " + op.operation_id + ", " +
                   std::string(domain::to_string(op.type)) + ")";
  TENANTD_TRY_ASSIGN(auto published, repo_->publish(change));
  if (logger_ != nullptr) {
    logger_->info("gitops commit pushed", {{"operationId", op.operation_id},
                                           {"commit", published.commit},
                                           {"changed", published.changed ? "true" : "false"}});
  }
  WorkflowDispatch dispatch;
  dispatch.workflow_file = workflow_file_name(instance.tenant_id);
  dispatch.ref = repo_->settings().branch;
  // A destroy runs against the last commit that still had the files.
  const std::string config_ref =
      action == "destroy" && published.changed ? published.parent : published.commit;
  dispatch.inputs = {{"action", action},
                     {"instance_id", instance.instance_id},
                     {"operation_id", op.operation_id},
                     {"config_ref", config_ref}};
  return github_->dispatch(dispatch);
}

void GitopsProvisioner::restore_files(const domain::Instance& instance,
                                      const domain::Operation& op) {
  // The update fails, so the instance keeps its configuration: so do its files. Nothing to do
  // when the push itself failed (the tree already matches).
  auto files = render_tenant(templates_, instance);
  if (!files) {
    return;
  }
  TreeChange change;
  change.replace_dirs = {tenant_dir(instance.tenant_id)};
  change.files = std::move(*files);
  change.message = "tenant " + instance.tenant_id + ": restore instance " + instance.instance_id +
                   " (operation " + op.operation_id + " failed)";
  auto published = repo_->publish(change);
  if (!published && logger_ != nullptr) {
    logger_->warn("gitops could not restore the files of a failed update",
                  {{"operationId", op.operation_id}, {"error", published.error().message}});
  }
}

std::size_t GitopsProvisioner::report(const domain::Operation& op, const domain::ProgressReport& r,
                                      TimePoint now) {
  auto outcome = instances_.apply_report(driver_context(now, op.operation_id), op.instance_id, r);
  if (!outcome) {
    // The operation stays running, so the next pass tries again.
    if (logger_ != nullptr) {
      logger_->warn("gitops provisioner could not apply a report",
                    {{"operationId", op.operation_id}, {"error", outcome.error().message}});
    }
    return 0;
  }
  if (!outcome->applied) {
    if (logger_ != nullptr) {
      logger_->info("gitops provisioner report ignored",
                    {{"operationId", op.operation_id}, {"reason", outcome->reason}});
    }
    return 0;
  }
  return 1;
}

std::size_t GitopsProvisioner::fail(const domain::Operation& op, const domain::ErrorInfo& error,
                                    std::optional<domain::InstanceState> state, TimePoint now) {
  if (logger_ != nullptr) {
    logger_->warn(
        "gitops operation failed",
        {{"operationId", op.operation_id}, {"code", error.code}, {"message", error.message}});
  }
  domain::ProgressReport r;
  r.type = domain::ReportType::OperationFailed;
  r.operation_id = op.operation_id;
  r.state = state;
  r.error = error;
  return report(op, r, now);
}

void GitopsProvisioner::wake() {
  loop_.wake();
}

void GitopsProvisioner::start() {
  loop_.start();
}

void GitopsProvisioner::stop() {
  loop_.stop();
}

void GitopsProvisioner::pass() {
  auto done = run_due();
  if (!done && logger_ != nullptr) {
    logger_->warn("gitops provisioner pass failed", {{"error", done.error().message}});
  }
}

}  // namespace tenantd::provision
