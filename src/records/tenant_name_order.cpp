#include "records/tenant_name_order.hpp"

#include "core/json.hpp"
#include "core/strings.hpp"

namespace tenantd::records {

store::Key name_order_key(std::string_view organization_name, std::string_view tenant_id) {
  return {std::string(kTenantsByNamePk),
          to_lower(organization_name) + "#" + std::string(tenant_id)};
}

std::string tenant_of_name_order_item(const store::Item& item) {
  const auto hash = item.sk.rfind('#');
  return hash == std::string::npos ? std::string() : item.sk.substr(hash + 1);
}

std::vector<store::WriteOp> name_order_writes(const domain::Tenant* before,
                                              const domain::Tenant& after) {
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
}

}  // namespace tenantd::records
