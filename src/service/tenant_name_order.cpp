#include "service/tenant_name_order.hpp"

#include "core/strings.hpp"
#include "domain/tenant.hpp"
#include "records/tenant_name_order.hpp"
#include "records/tenant_record.hpp"

namespace tenantd::service {

namespace {
bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || static_cast<unsigned char>(c) >= 0x80;
}
}  // namespace

bool word_prefix_match(std::string_view name, std::string_view term) {
  const std::string lower = to_lower(name);
  const std::string wanted = to_lower(trim(term));
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

namespace {
// The tenant's ordering item, written only where none exists.
store::WriteOp missing_name_order_item(const domain::Tenant& tenant) {
  auto writes = records::name_order_writes(nullptr, tenant);  // on create: the one put
  auto& put = std::get<store::Put>(writes.front());
  put.condition = store::Condition::not_exists();
  return std::move(put);
}

// Marks a finished backfill, so that later runs cost one read.
const store::Key kBackfillDone{"BACKFILL#TENANT_NAME_ORDER", "DONE"};
constexpr int kBackfillPage = 100;
}  // namespace

Result<int> backfill_name_order(store::ItemStore& store) {
  auto done = store.get(store::Table::Control, kBackfillDone);
  if (!done) {
    return std::move(done).error();
  }
  if (done->has_value()) {
    return 0;
  }
  int written = 0;
  store::Query q;
  q.table = store::Table::Tenants;
  q.index = records::kTenantsAllIndex;
  q.pk = "TENANTS";
  q.limit = kBackfillPage;
  while (true) {
    auto items = store.query(q);
    if (!items) {
      return std::move(items).error();
    }
    for (const auto& item : *items) {
      auto tenant = records::tenant_from_item(item);
      if (!tenant) {
        return std::move(tenant).error();
      }
      // The check fails when the tenant changed since it was read (that change's hook wrote its
      // item), the put when the item exists: either way there is nothing to do.
      const auto result =
          store.write({store::Check{store::Table::Tenants, records::tenant_key(tenant->tenant_id),
                                    store::Condition::version_is(tenant->version)},
                       missing_name_order_item(*tenant)});
      if (result.ok()) {
        ++written;
      } else if (!result.condition_failed()) {
        return Error::make(ErrorCode::ServiceUnavailable,
                           "The tenant name order could not be backfilled: " + result.message);
      }
    }
    if (static_cast<int>(items->size()) < q.limit) {
      break;
    }
    q.start_after = store::cursor_after(items->back(), q.index);
  }
  store::Item marker;
  marker.pk = kBackfillDone.pk;
  marker.sk = kBackfillDone.sk;
  marker.data = "{}";
  if (const auto marked = store.write(
          {store::Put{store::Table::Control, std::move(marker), store::Condition::none()}});
      !marked.ok()) {
    return Error::make(ErrorCode::ServiceUnavailable,
                       "The tenant name order backfill could not be recorded: " + marked.message);
  }
  return written;
}

TenantChangeHook name_order_hook() {
  return [](const Context& /*ctx*/, const domain::Tenant* before,
            const domain::Tenant& after) -> Result<std::vector<store::WriteOp>> {
    return records::name_order_writes(before, after);
  };
}

}  // namespace tenantd::service
