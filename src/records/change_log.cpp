#include "records/change_log.hpp"

#include "core/json.hpp"
#include "events/outbox_event.hpp"
#include "records/tenant_record.hpp"

namespace tenantd::records {

using service::ChangeLogOptions;
using service::Context;
using service::Page;
using service::PageRequest;

namespace {
void write_details(JsonWriter& out, const Change& change) {
  if (!change.before_json.empty()) {
    out.key("before").raw(change.before_json);
  }
  if (!change.after_json.empty()) {
    out.key("after").raw(change.after_json);
  }
  out.field("reason", change.reason);
}
}  // namespace

Change instance_change(std::string event_type, std::string tenant_id, std::string instance_id,
                       std::string before_json, std::string after_json) {
  Change change{std::move(event_type),  events::kInstanceSource, std::move(tenant_id),
                std::move(before_json), std::move(after_json),   std::nullopt};
  change.instance_id = std::move(instance_id);
  return change;
}

void record_change(std::vector<store::WriteOp>& ops, const Context& ctx, Ids& ids,
                   const ChangeLogOptions& options, const Change& change) {
  const std::string event_id = ids.make("evt");
  const std::string when = format_time(ctx.now);
  const std::string& actor = ctx.principal.actor();

  JsonWriter audit;
  audit.begin_object()
      .field("eventId", event_id)
      .field("eventType", change.event_type)
      .field("timestamp", when)
      .field("actor", actor)
      .field("requestId", ctx.request_id)
      .key("details")
      .begin_object();
  write_details(audit, change);
  audit.end_object().end_object();

  store::Item entry;
  entry.pk = tenant_pk(change.tenant_id);
  entry.sk = "EVENT#" + when + "#" + event_id;
  entry.ttl = epoch_seconds(ctx.now + options.audit_retention);
  entry.data = audit.str();
  ops.emplace_back(store::Put{store::Table::Tenants, std::move(entry), store::Condition::none()});

  JsonWriter detail;
  detail.begin_object().field("eventId", event_id).field("tenantId", change.tenant_id);
  if (!change.instance_id.empty()) {
    detail.field("instanceId", change.instance_id);
  }
  detail.field("actor", actor).field("requestId", ctx.request_id).field("occurredAt", when);
  write_details(detail, change);
  detail.end_object();

  events::OutboxEvent event;
  event.event_id = event_id;
  event.source = change.source;
  event.detail_type = change.event_type;
  event.time = ctx.now;
  event.tenant_id = change.tenant_id;
  event.detail_json = detail.str();
  event.sealed_detail = change.sealed_detail;
  event.next_attempt_at = ctx.now;
  ops.push_back(events::outbox_append(event));
}

Result<Page<std::string>> read_audit(store::ItemStore& store, std::string_view tenant_id,
                                     const PageRequest& page) {
  store::Query q;
  q.table = store::Table::Tenants;
  q.pk = tenant_pk(tenant_id);
  q.sk = store::SortCondition::begins_with("EVENT#");
  q.forward = false;
  q.limit = page.limit + 1;
  q.start_after = page.after;
  auto items = store.query(q);
  if (!items) {
    return std::move(items).error();
  }
  Page<std::string> out;
  for (auto& item : *items) {
    if (static_cast<int>(out.items.size()) == page.limit) {
      out.next = store::cursor_after(items->at(out.items.size() - 1), 0);
      break;
    }
    out.items.push_back(std::move(item.data));
  }
  return out;
}

}  // namespace tenantd::records
