#include "api/store_health.hpp"

#include <utility>
#include <vector>

namespace tenantd::api {

store::Put health_probe_put(TimePoint now) {
  store::Item item;
  item.pk = "HEALTH#PROBE";
  item.sk = "HEALTH#PROBE";
  item.data = R"({"checkedAt":)" + std::to_string(epoch_seconds(now)) + "}";
  return store::Put{store::Table::Control, std::move(item), store::Condition::none()};
}

StoreCondition check_store(store::ItemStore& store, TimePoint now) {
  StoreCondition condition;
  if (auto ping = store.ping(); !ping.ok()) {
    condition.readable = false;
    condition.writable = false;
    condition.problem = ping.error().message;
    return condition;
  }
  std::vector<store::WriteOp> ops;
  ops.emplace_back(health_probe_put(now));
  const auto written = store.write(std::move(ops));
  condition.writable = written.ok();
  condition.problem = written.message;
  return condition;
}

}  // namespace tenantd::api
