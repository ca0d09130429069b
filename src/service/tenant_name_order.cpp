#include "service/tenant_name_order.hpp"

#include "core/json.hpp"
#include "domain/tenant.hpp"

namespace tenantd::service {

store::Key name_order_key(std::string_view organization_name, std::string_view tenant_id) {
  return {std::string(kTenantsByNamePk),
          domain::to_lower(organization_name) + "#" + std::string(tenant_id)};
}

std::string tenant_of_name_order_item(const store::Item& item) {
  const auto hash = item.sk.rfind('#');
  return hash == std::string::npos ? std::string() : item.sk.substr(hash + 1);
}

namespace {
bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || static_cast<unsigned char>(c) >= 0x80;
}
}  // namespace

bool word_prefix_match(std::string_view name, std::string_view term) {
  const std::string lower = domain::to_lower(name);
  const std::string wanted = domain::to_lower(domain::trim(term));
  if (wanted.empty()) {
    return true;
  }
  for (std::size_t i = 0; i + wanted.size() <= lower.size(); ++i) {
    const bool starts_word = i == 0 || !is_word_char(lower[i - 1]);
    if (starts_word && lower.compare(i, wanted.size(), wanted) == 0) {
      return true;
    }
  }
  return false;
}

TenantChangeHook name_order_hook() {
  return [](const Context& /*ctx*/, const domain::Tenant* before,
            const domain::Tenant& after) -> Result<std::vector<store::WriteOp>> {
    std::vector<store::WriteOp> ops;
    const store::Key key = name_order_key(after.organization_name, after.tenant_id);
    if (before != nullptr) {
      const store::Key old = name_order_key(before->organization_name, before->tenant_id);
      if (old.sk == key.sk) {
        return ops;
      }
      ops.emplace_back(store::Delete{store::Table::Tenants, old, store::Condition{}});
    }
    JsonWriter out;
    out.begin_object().field("tenantId", after.tenant_id).end_object();
    store::Item item;
    item.pk = key.pk;
    item.sk = key.sk;
    item.data = out.str();
    ops.emplace_back(store::Put{store::Table::Tenants, std::move(item), store::Condition{}});
    return ops;
  };
}

}  // namespace tenantd::service
