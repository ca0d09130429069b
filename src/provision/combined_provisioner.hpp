#pragma once
// PROVISIONER=gitops+ecs (docs/instances.md#drivers): mutations by GitOps, operations by ECS. Each
// driver already takes only the operation types it handles, so combining them is passing every call
// on.
#include <memory>
#include <string_view>
#include <utility>

#include "provision/provisioner.hpp"

namespace tenantd::provision {

class CombinedProvisioner final : public Provisioner {
 public:
  CombinedProvisioner(std::unique_ptr<Provisioner> first, std::unique_ptr<Provisioner> second)
      : first_(std::move(first)), second_(std::move(second)) {}

  std::string_view name() const override { return "gitops+ecs"; }
  void wake() override {
    first_->wake();
    second_->wake();
  }
  void start() override {
    first_->start();
    second_->start();
  }
  void stop() override {
    first_->stop();
    second_->stop();
  }
  Result<std::size_t> run_once() override { return both(&Provisioner::run_once); }
  Result<std::size_t> run_if_woken() override { return both(&Provisioner::run_if_woken); }

 private:
  // Both passes run even when the first fails: one driver's trouble must not stall the other.
  Result<std::size_t> both(Result<std::size_t> (Provisioner::*pass)()) {
    auto a = ((*first_).*pass)();
    auto b = ((*second_).*pass)();
    if (!a) {
      return std::move(a).error();
    }
    if (!b) {
      return std::move(b).error();
    }
    return *a + *b;
  }

  std::unique_ptr<Provisioner> first_;
  std::unique_ptr<Provisioner> second_;
};

}  // namespace tenantd::provision
