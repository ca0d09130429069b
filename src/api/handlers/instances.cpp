// Instance routes (docs/instances.md): decode -> InstanceService -> encode. Flat routes
// (/instances/{id}) find the tenant through the instance's index item; nested routes
// (/tenants/{tid}/instances/{id}) name it.
#include "api/handlers/instances.hpp"

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "api/api.hpp"
#include "api/handlers/fail.hpp"
#include "api/handlers/instance_json.hpp"
#include "api/handlers/query_checks.hpp"
#include "api/links.hpp"
#include "api/pagination.hpp"
#include "api/responses.hpp"
#include "service/instance_service.hpp"

namespace tenantd::api::handlers {

namespace {

using domain::Instance;
using service::Accepted;
using service::InstanceService;

InstanceService& instances(Api& api) {
  return api.deps().services.instances;
}

// (tenantId, instanceId) of the route: nested routes start with /tenants/.
struct Target {
  std::string_view tenant_id;
  std::string_view instance_id;
};
Target target(Call& call) {
  if (call.route.rfind("/tenants/", 0) == 0) {
    call.tenant_id = call.param(0);
    return {call.param(0), call.param(1)};
  }
  return {{}, call.param(0)};
}

Response with_etag(Response r, std::int64_t version) {
  r.set_header("ETag", etag(version));
  return r;
}

// How a route that started an operation answers. The bodies differ by contract (size and
// suspend/resume answer 200, backup and restore carry no ETag), so each route says what it sends.
struct OperationAnswer {
  int status = 202;
  std::function<void(JsonWriter&)> fields;                      // the route's fields, in order
  std::vector<std::pair<std::string_view, std::string>> links;  // `_links`, in order
  std::string location;                                         // the Location header; empty: none
  bool etag = true;                                             // the instance's ETag
};

// The one responder for started operations: fields, then `_links`, then the headers.
Response operation_response(Call& call, const Accepted& a, const OperationAnswer& answer) {
  call.tenant_id = a.instance.tenant_id;  // flat routes learn it only now, for the request log
  JsonWriter out;
  out.begin_object();
  answer.fields(out);
  out.key("_links").begin_object();
  for (const auto& [name, href] : answer.links) {
    write_link(out, name, href);
  }
  out.end_object().end_object();
  Response r = json_response(answer.status, out.str());
  if (answer.etag) {
    r.set_header("ETag", etag(a.instance.version));
  }
  if (!answer.location.empty()) {
    r.set_header("Location", answer.location);
  }
  return r;
}

// The 202 of create, update and delete: the operation and the instance it acts on.
Response accepted_response(Call& call, const Accepted& a, std::string_view message,
                           std::string location = {}) {
  const Instance& i = a.instance;
  OperationAnswer answer;
  answer.fields = [&](JsonWriter& out) {
    out.field("requestId", call.request.request_id)
        .field("operationId", a.operation.operation_id)
        .field("instanceId", i.instance_id)
        .field("tenantId", i.tenant_id)
        .field("type", domain::to_string(a.operation.type))
        .field("status", domain::to_string(i.state))
        .field("message", message);
    if (a.operation.type == domain::OperationType::Provision) {
      out.field("estimatedCompletionMinutes", 15);
    }
    if (a.operation.type == domain::OperationType::Deprovision) {
      out.field("dataRetentionDays", 30);
    }
  };
  answer.links = {{"self", instance_path(i.instance_id)},
                  {"status", instance_status_path(i.instance_id)},
                  {"operation", operation_path(a.operation.operation_id)},
                  {"collection", tenant_instances_path(i.tenant_id)}};
  answer.location = std::move(location);
  return operation_response(call, a, answer);
}

Response create_instance(Api& api, Call& call) {
  call.tenant_id = call.param(0);
  auto input = decode_create_instance(call.request.body);
  if (!input) {
    return fail(call, input.error());
  }
  auto a = instances(api).create(call.ctx, call.tenant_id, *input);
  if (!a) {
    return fail(call, a.error());
  }
  return accepted_response(call, *a, "Provisioning has started",
                           instance_path(a->instance.instance_id));
}

Response list_instances(Api& api, Call& call) {
  call.tenant_id = call.param(0);
  if (auto ok = only_page_params(call, {"state"}); !ok) {
    return fail(call, ok.error());
  }
  std::optional<domain::InstanceState> state;
  if (auto text = call.query.get("state")) {
    state = domain::parse_instance_state(*text);
    if (!state) {
      return fail(
          call, Error::validation({{"state", "INVALID_VALUE", "state is not an instance state"}}));
    }
  }
  const std::string scope =
      "instances|" + call.tenant_id + "|s=" + (state ? std::string(to_string(*state)) : "");
  auto page = read_page(call, api.deps().page_tokens, scope);
  if (!page) {
    return fail(call, page.error());
  }
  auto result = instances(api).list(call.ctx, call.tenant_id, state, *page);
  if (!result) {
    return fail(call, result.error());
  }
  JsonWriter out;
  out.begin_object().key("items").begin_array();
  for (const auto& i : result->items) {
    write_instance_summary(out, i);
  }
  out.end_array();
  finish_page(out, call, api.deps().page_tokens, scope, result->items.size(), result->next);
  return json_response(200, out.str());
}

Response get_instance(Api& api, Call& call) {
  const Target t = target(call);
  auto i = instances(api).get(call.ctx, t.tenant_id, t.instance_id);
  if (!i) {
    return fail(call, i.error());
  }
  call.tenant_id = i->tenant_id;
  return with_etag(json_response(200, instance_detail_json(*i)), i->version);
}

Response instance_status(Api& api, Call& call) {
  const Target t = target(call);
  auto s = instances(api).status(call.ctx, t.tenant_id, t.instance_id);
  if (!s) {
    return fail(call, s.error());
  }
  return with_etag(json_response(200, status_json(*s)), s->instance.version);
}

Response update_instance(Api& api, Call& call) {
  const Target t = target(call);
  auto input = decode_update_instance(call.request.body);
  if (!input) {
    return fail(call, input.error());
  }
  auto a = instances(api).update(call.ctx, t.tenant_id, t.instance_id, *input);
  if (!a) {
    return fail(call, a.error());
  }
  const bool retry = a->operation.type == domain::OperationType::Provision;
  return accepted_response(call, *a, retry ? "Provisioning is retried" : "The update has started");
}

Response delete_instance(Api& api, Call& call) {
  const Target t = target(call);
  if (auto ok = decode_delete(call.request.body); !ok) {
    return fail(call, ok.error());
  }
  auto a = instances(api).remove(call.ctx, t.tenant_id, t.instance_id);
  if (!a) {
    return fail(call, a.error());
  }
  return accepted_response(call, *a, "Deprovisioning has started; data is kept for 30 days");
}

Response size_instance(Api& api, Call& call) {
  const Target t = target(call);
  auto count = decode_size(call.request.body);
  if (!count) {
    return fail(call, count.error());
  }
  auto a = instances(api).scale(call.ctx, t.tenant_id, t.instance_id, *count);
  if (!a) {
    return fail(call, a.error());
  }
  OperationAnswer answer;
  answer.status = 200;
  answer.fields = [&](JsonWriter& out) {
    out.field("instanceId", a->instance.instance_id)
        .field("status", domain::to_string(a->instance.state))
        .field("previousCount", a->previous_count)
        .field("desiredCount", a->instance.configuration.desired_count)
        .field("operationId", a->operation.operation_id)
        .field("message", "Scaling has started");
  };
  answer.links = {{"self", instance_path(a->instance.instance_id)},
                  {"operation", operation_path(a->operation.operation_id)}};
  return operation_response(call, *a, answer);
}

Response power(Api& api, Call& call, bool stop, std::string_view action) {
  const Target t = target(call);
  auto a = stop ? instances(api).suspend(call.ctx, t.tenant_id, t.instance_id)
                : instances(api).resume(call.ctx, t.tenant_id, t.instance_id);
  if (!a) {
    return fail(call, a.error());
  }
  OperationAnswer answer;
  answer.status = 200;
  answer.fields = [&](JsonWriter& out) {
    out.field("instanceId", a->instance.instance_id)
        .field("status", domain::to_string(a->instance.state))
        .field("action", action)
        .field("operationId", a->operation.operation_id)
        .field("message", stop ? "Suspending" : "Resuming");
  };
  answer.links = {{"self", instance_path(a->instance.instance_id)},
                  {"operation", operation_path(a->operation.operation_id)}};
  return operation_response(call, *a, answer);
}

Response suspend_instance(Api& api, Call& call) {
  if (auto ok = decode_suspend(call.request.body); !ok) {
    return fail(call, ok.error());
  }
  return power(api, call, true, "suspend");
}

Response resume_instance(Api& api, Call& call) {
  if (auto ok = decode_empty(call.request.body); !ok) {
    return fail(call, ok.error());
  }
  return power(api, call, false, "resume");
}

Response put_instance_status(Api& api, Call& call) {
  auto stop = decode_status_action(call.request.body);
  if (!stop) {
    return fail(call, stop.error());
  }
  return power(api, call, *stop, *stop ? "stop" : "start");
}

Response backup_instance(Api& api, Call& call) {
  const Target t = target(call);
  auto input = decode_backup(call.request.body);
  if (!input) {
    return fail(call, input.error());
  }
  auto a = instances(api).backup(call.ctx, t.tenant_id, t.instance_id, *input);
  if (!a) {
    return fail(call, a.error());
  }
  const std::string self = backup_path(a->instance.instance_id, a->backup->backup_id);
  OperationAnswer answer;
  answer.fields = [&](JsonWriter& out) {
    out.field("backupId", a->backup->backup_id)
        .field("operationId", a->operation.operation_id)
        .field("instanceId", a->instance.instance_id)
        .field("status", domain::to_string(a->backup->status));
  };
  answer.links = {{"self", self}, {"operation", operation_path(a->operation.operation_id)}};
  answer.location = self;
  answer.etag = false;
  return operation_response(call, *a, answer);
}

Response restore_instance(Api& api, Call& call) {
  const Target t = target(call);
  auto backup_id = decode_restore(call.request.body);
  if (!backup_id) {
    return fail(call, backup_id.error());
  }
  auto a = instances(api).restore(call.ctx, t.tenant_id, t.instance_id, *backup_id);
  if (!a) {
    return fail(call, a.error());
  }
  OperationAnswer answer;
  answer.fields = [&](JsonWriter& out) {
    out.field("operationId", a->operation.operation_id)
        .field("instanceId", a->instance.instance_id)
        .field("backupId", *backup_id)
        .field("status", domain::to_string(a->instance.state));
  };
  answer.links = {{"operation", operation_path(a->operation.operation_id)},
                  {"self", instance_path(a->instance.instance_id)}};
  answer.etag = false;
  return operation_response(call, *a, answer);
}

Response list_backups(Api& api, Call& call) {
  const Target t = target(call);
  if (auto ok = only_page_params(call, {""}); !ok) {
    return fail(call, ok.error());
  }
  const std::string scope = "backups|" + std::string(t.instance_id);
  auto page = read_page(call, api.deps().page_tokens, scope);
  if (!page) {
    return fail(call, page.error());
  }
  auto result = instances(api).list_backups(call.ctx, t.tenant_id, t.instance_id, *page);
  if (!result) {
    return fail(call, result.error());
  }
  JsonWriter out;
  out.begin_object().key("items").begin_array();
  for (const auto& b : result->items) {
    write_backup(out, b);
  }
  out.end_array();
  finish_page(out, call, api.deps().page_tokens, scope, result->items.size(), result->next);
  return json_response(200, out.str());
}

Response get_backup(Api& api, Call& call) {
  auto b = instances(api).get_backup(call.ctx, {}, call.param(0), call.param(1));
  if (!b) {
    return fail(call, b.error());
  }
  JsonWriter out;
  write_backup(out, *b);
  return json_response(200, out.str());
}

Response post_events(Api& api, Call& call) {
  const Target t = target(call);
  auto report = decode_report(call.request.body);
  if (!report) {
    return fail(call, report.error());
  }
  auto outcome = instances(api).report(call.ctx, t.instance_id, *report);
  if (!outcome) {
    return fail(call, outcome.error());
  }
  JsonWriter out;
  out.begin_object()
      .field("instanceId", outcome->instance.instance_id)
      .field("applied", outcome->applied)
      .field("state", domain::to_string(outcome->instance.state));
  if (!outcome->applied) {
    out.field("reason", outcome->reason);
  }
  out.key("_links").begin_object();
  write_link(out, "self", instance_path(outcome->instance.instance_id));
  out.end_object().end_object();
  return json_response(200, out.str());
}

Response get_operation(Api& api, Call& call) {
  auto op = instances(api).get_operation(call.ctx, call.param(0));
  if (!op) {
    return fail(call, op.error());
  }
  return json_response(200, operation_detail_json(*op));
}

}  // namespace

std::vector<Route> instance_routes() {
  return {
      {"POST", "/tenants/{tenantId}/instances", create_instance},
      {"GET", "/tenants/{tenantId}/instances", list_instances},
      {"GET", "/tenants/{tenantId}/instances/{instanceId}", get_instance},
      {"PUT", "/tenants/{tenantId}/instances/{instanceId}", update_instance},
      {"DELETE", "/tenants/{tenantId}/instances/{instanceId}", delete_instance},
      {"GET", "/tenants/{tenantId}/instances/{instanceId}/status", instance_status},
      {"GET", "/instances/{instanceId}", get_instance},
      {"PUT", "/instances/{instanceId}", update_instance},
      {"DELETE", "/instances/{instanceId}", delete_instance},
      {"GET", "/instances/{instanceId}/status", instance_status},
      {"PUT", "/instances/{instanceId}/status", put_instance_status},
      {"PUT", "/instances/{instanceId}/size", size_instance},
      {"POST", "/instances/{instanceId}/suspend", suspend_instance},
      {"POST", "/instances/{instanceId}/resume", resume_instance},
      {"POST", "/instances/{instanceId}/backup", backup_instance},
      {"GET", "/instances/{instanceId}/backups", list_backups},
      {"GET", "/instances/{instanceId}/backups/{backupId}", get_backup},
      {"POST", "/instances/{instanceId}/restore", restore_instance},
      {"POST", "/instances/{instanceId}/events", post_events},
      {"GET", "/operations/{operationId}", get_operation},
  };
}

}  // namespace tenantd::api::handlers
