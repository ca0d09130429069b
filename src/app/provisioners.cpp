#include "app/provisioners.hpp"

#include "aws/ecs_client.hpp"
#include "provision/ecs_provisioner.hpp"

namespace tenantd {

namespace {

std::string or_default(const std::string& given, const std::string& fallback) {
  return given.empty() ? fallback : given;
}

}  // namespace

Result<std::unique_ptr<provision::Provisioner>> make_ecs_provisioner(
    const Config& config, const aws::EnvLookup& env, service::InstanceService& instances,
    store::ItemStore& store, const Clock& clock, const obs::Logger* logger) {
  auto client = aws::EcsClient::open(env);
  if (!client) {
    return Error::make(ErrorCode::ValidationError, "PROVISIONER=ecs: " + client.error().message);
  }
  const std::string& e = config.environment;
  provision::EcsSettings settings;
  settings.environment = e;
  settings.cluster = or_default(config.ecs_cluster, "bbws-cluster-" + e);
  settings.backup_task_definition = or_default(config.backup_task_definition, "bbws-backup-" + e);
  settings.restore_task_definition =
      or_default(config.restore_task_definition, "bbws-restore-" + e);
  settings.backup_bucket = or_default(config.backup_bucket, "bbws-backups-" + e);
  settings.task_container = config.ecs_task_container;
  settings.subnets = config.ecs_task_subnets;
  settings.security_groups = config.ecs_task_security_groups;
  settings.poll = std::chrono::milliseconds(config.ecs_poll_ms);
  settings.timeout = config.ecs_operation_timeout;
  auto driver = std::make_unique<provision::EcsProvisioner>(
      instances, store, clock, std::move(*client), std::move(settings), logger);
  provision::EcsProvisioner* live = driver.get();
  instances.set_live_status([live](const domain::Instance& i) { return live->live_status(i); });
  return std::unique_ptr<provision::Provisioner>(std::move(driver));
}

}  // namespace tenantd
