#include "records/running_operations.hpp"

#include <cstdio>
#include <string>

#include "records/instance_record.hpp"

namespace tenantd::records {

namespace {
// The largest index sort key of an operation last changed in the millisecond of `t`.
std::string changed_by_bound(TimePoint t) {
  char ms[24];
  std::snprintf(ms, sizeof ms, "%013lld#~", static_cast<long long>(epoch_ms(t)));
  return ms;  // '~' sorts after every id character
}
}  // namespace

Result<service::Page<domain::Operation>> running_operations(store::ItemStore& store,
                                                            const service::PageRequest& page,
                                                            std::optional<TimePoint> changed_by) {
  store::Query q;
  q.table = store::Table::Instances;
  q.index = kRunningOperationsIndex;
  q.pk = kRunningOperationsPk;
  q.sk = changed_by ? store::SortCondition::at_most(changed_by_bound(*changed_by))
                    : store::SortCondition::any();
  q.limit = page.limit;
  q.start_after = page.after;
  TENANTD_TRY_ASSIGN(auto items, store.query(q));
  service::Page<domain::Operation> out;
  for (const auto& item : items) {
    TENANTD_TRY_ASSIGN(auto op, operation_from_item(item));
    out.items.push_back(std::move(op));
  }
  if (!items.empty() && items.size() == static_cast<std::size_t>(page.limit)) {
    out.next = store::cursor_after(items.back(), q.index);
  }
  return out;
}

}  // namespace tenantd::records
