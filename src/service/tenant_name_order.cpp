#include "service/tenant_name_order.hpp"

#include "domain/tenant.hpp"
#include "records/tenant_name_order.hpp"

namespace tenantd::service {

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
    return records::name_order_writes(before, after);
  };
}

}  // namespace tenantd::service
