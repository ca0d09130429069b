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
  if (current != nullptr && current->marker()) {
    ops.emplace_back(store::Put{store::Table::Control, current->marker()(resource_id),
                                store::Condition::none()});
  }
}

const std::string* applied() {
  return current != nullptr && current->applied() ? &*current->applied() : nullptr;
}

}  // namespace tenantd::service::request_effect
