#include "service/request_effect.hpp"

namespace tenantd::service::request_effect {

namespace {
thread_local Scope* current = nullptr;
}  // namespace

Scope::Scope(MarkerFn marker, std::optional<std::string> applied)
    : marker_(std::move(marker)), applied_(std::move(applied)), outer_(current) {
  current = this;
}

Scope::~Scope() {
  current = outer_;
}

void record(std::vector<store::WriteOp>& ops, std::string_view resource_id) {
  if (current == nullptr || !current->marker()) {
    return;
  }
  store::Item marker = current->marker()(resource_id);
  for (const auto& op : ops) {
    const auto* put = std::get_if<store::Put>(&op);
    if (put != nullptr && put->table == store::Table::Control && put->item.pk == marker.pk &&
        put->item.sk == marker.sk) {
      return;  // one transaction may not write an item twice (DynamoDB refuses it)
    }
  }
  ops.emplace_back(store::Put{store::Table::Control, std::move(marker), store::Condition::none()});
}

const std::string* applied() {
  return current != nullptr && current->applied() ? &*current->applied() : nullptr;
}

}  // namespace tenantd::service::request_effect
