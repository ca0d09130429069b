#pragma once
// `gitops` driver (docs/instances.md#drivers): create, update and delete become commits of the
// tenant's rendered Terraform to the environment's GitOps repository plus a dispatch of the
// tenant's GitHub Actions workflow; the workflow's outcome comes back as progress reports (POST
// /instances/{id}/events). Only PROVISION, UPDATE and DEPROVISION operations are taken: the others
// (scale, suspend, resume, backup, restore) are left to another driver, so this one combines with
// `ecs` (PROVISIONER=gitops+ecs).
//
// Steps: PENDING_PROVISIONING -> COMMITTING (commit + push) -> WORKFLOW_QUEUED (dispatch 204);
// PENDING_DEPROVISIONING -> DEPROVISIONING after the files are removed and `destroy` dispatched;
// UPDATING stays UPDATING until the workflow reports. A workflow that has not reported within
// GITOPS_WORKFLOW_TIMEOUT fails the operation (a provisioning one into WORKFLOW_FAILED).
#include <chrono>
#include <memory>
#include <set>
#include <vector>

#include "core/clock.hpp"
#include "core/periodic_task.hpp"
#include "provision/gitops_github.hpp"
#include "provision/gitops_render.hpp"
#include "provision/gitops_repo.hpp"
#include "provision/provisioner.hpp"
#include "service/instance_service.hpp"
#include "store/item_store.hpp"

namespace tenantd::obs {
class Logger;
}  // namespace tenantd::obs

namespace tenantd::provision {

struct GitopsOptions {
  std::chrono::seconds workflow_timeout{30 * 60};
  std::chrono::milliseconds poll{1000};  // how often waiting workflows are checked for timeout
};

class GitopsProvisioner final : public Provisioner {
 public:
  // `store` is no longer read (the running operations come through `instances`); the parameter
  // stays until the wiring stops passing it.
  GitopsProvisioner(service::InstanceService& instances, store::ItemStore& store,
                    const Clock& clock, std::unique_ptr<GitopsRepo> repo,
                    std::unique_ptr<GithubActions> github, std::vector<TemplateFile> templates,
                    GitopsOptions options, const obs::Logger* logger);
  ~GitopsProvisioner() override;

  std::string_view name() const override { return "gitops"; }
  void wake() override;
  void start() override;
  void stop() override;

  // The operation types this driver carries out (PROVISION, UPDATE, DEPROVISION).
  static bool handles(domain::OperationType type);

  // One pass over the running operations this driver owns: starts what is new, times out what
  // waited too long. Returns how many reports were applied. Tests call it directly.
  Result<std::size_t> run_due();

 private:
  void pass();
  Result<std::size_t> advance(const domain::Instance& instance, const domain::Operation& op,
                              TimePoint now);
  // Commit + push + dispatch for `action` ("apply" or "destroy").
  Status publish_and_dispatch(const domain::Instance& instance, const domain::Operation& op,
                              const std::string& action);
  // Publishes the stored instance's files again after its update failed (best effort).
  void restore_files(const domain::Instance& instance, const domain::Operation& op);
  std::size_t report(const domain::Operation& op, const domain::ProgressReport& r, TimePoint now);
  std::size_t fail(const domain::Operation& op, const domain::ErrorInfo& error,
                   std::optional<domain::InstanceState> state, TimePoint now);

  service::InstanceService& instances_;
  const Clock& clock_;
  std::unique_ptr<GitopsRepo> repo_;
  std::unique_ptr<GithubActions> github_;
  std::vector<TemplateFile> templates_;
  GitopsOptions options_;
  const obs::Logger* logger_;
  // UPDATE operations whose workflow was dispatched by this process (an UPDATE has no
  // intermediate state to record it; after a restart the commit is a no-op and the dispatch
  // is repeated, which Terraform's apply tolerates).
  std::set<std::string> dispatched_updates_;  // used by the loop's thread only
  // Last: stopped (by its destructor) before the members its passes use go away.
  PeriodicTask loop_;
};

}  // namespace tenantd::provision
