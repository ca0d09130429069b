#pragma once
// The running operations, oldest change first, as the drivers walk them: the instances table's
// GSI1 "OPERATIONS#RUNNING" / <13-digit updatedAt ms>#<operationId> (records/instance_record.hpp).
#include <optional>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "domain/instance.hpp"
#include "service/context.hpp"
#include "store/item_store.hpp"

namespace tenantd::records {

// Up to `page.limit` running operations after `page.after`; with `changed_by`, only those last
// changed at or before then. `next` is set when the page is full (more may follow).
Result<service::Page<domain::Operation>> running_operations(
    store::ItemStore& store, const service::PageRequest& page,
    std::optional<TimePoint> changed_by = std::nullopt);

}  // namespace tenantd::records
