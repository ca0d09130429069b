// Tenant routes (docs/tenants.md).
#include "api/body_reader.hpp"
#include "api/handlers/fail.hpp"
#include "api/handlers/handlers.hpp"
#include "api/handlers/query_checks.hpp"
#include "api/handlers/tenant_json.hpp"
#include "api/links.hpp"
#include "api/page_token.hpp"
#include "api/pagination.hpp"
#include "api/responses.hpp"
#include "core/strings.hpp"

namespace tenantd::api::handlers {

namespace {

using domain::Tenant;
using domain::TenantAction;

Response tenant_response(int status, const Tenant& tenant, std::string_view message = {},
                         std::string_view warning = {}, bool unparked = false) {
  Response r = json_response(status, tenant_json(tenant, message, warning, unparked));
  r.set_header("ETag", etag(tenant.version));
  return r;
}

// The optional {"reason": "..."} body of lifecycle POSTs; `required` for park
// and suspend.
Result<std::optional<std::string>> read_reason(std::string_view text, bool required) {
  auto parsed = BodyReader::parse(text, !required);
  if (!parsed) {
    return std::move(parsed).error();
  }
  auto reason = parsed->string("reason", required);
  if (reason) {
    domain::check_reason("reason", *reason, parsed->errors());
  }
  TENANTD_TRY(parsed->finish());
  return reason;
}

Response lifecycle(Api& api, Call& call, TenantAction action, std::string_view message,
                   std::string_view warning = {}) {
  call.tenant_id = call.param(0);
  const bool needs_reason = action == TenantAction::Park || action == TenantAction::Suspend;
  auto reason = read_reason(call.request.body, needs_reason);
  if (!reason) {
    return fail(call, reason.error());
  }
  auto tenant =
      api.deps().services.tenants.apply(call.ctx, call.tenant_id, action, std::move(*reason));
  if (!tenant) {
    return fail(call, tenant.error());
  }
  return tenant_response(200, *tenant, message, warning, action == TenantAction::Unpark);
}

std::string list_scope(const Call& call, const service::TenantFilter& filter) {
  std::string scope = "tenants|";
  if (!call.ctx.principal.platform_staff()) {
    scope += call.ctx.principal.sub;
  }
  scope += "|s=";
  scope += filter.status ? domain::to_string(*filter.status) : "";
  scope += "|e=";
  scope += filter.environment ? domain::to_string(*filter.environment) : "";
  scope += "|n=";
  scope += filter.name_prefix ? to_lower(*filter.name_prefix) : "";
  // A page token continues only the listing it came from: same search and same order.
  scope += "|w=";
  scope += filter.name_word_prefix ? to_lower(*filter.name_word_prefix) : "";
  scope += filter.sort == service::TenantSort::OrganizationName ? "|by=name" : "|by=created";
  scope += filter.ascending ? "|asc" : "|desc";
  return scope;
}

}  // namespace

Response create_tenant(Api& api, Call& call) {
  auto input = decode_create_tenant(call.request.body);
  if (!input) {
    return fail(call, input.error());
  }
  auto tenant = api.deps().services.tenants.create(call.ctx, *input);
  if (!tenant) {
    return fail(call, tenant.error());
  }
  call.tenant_id = tenant->tenant_id;
  Response r = tenant_response(201, *tenant);
  r.set_header("Location", tenant_path(tenant->tenant_id));
  return r;
}

Response list_tenants(Api& api, Call& call) {
  service::TenantFilter filter;
  std::vector<FieldError> errors;
  bool sort_given = false;
  for (const auto& [name, value] : call.query.all()) {
    if (name == "status") {
      filter.status = domain::parse_tenant_status(value);
      if (!filter.status) {
        errors.push_back({"status", "INVALID_VALUE",
                          "status must be one of PENDING, ACTIVE, SUSPENDED, "
                          "PARKED, FAILED, "
                          "DEPROVISIONED"});
      }
    } else if (name == "environment") {
      filter.environment = domain::parse_environment(value);
      if (!filter.environment) {
        errors.push_back({"environment", "INVALID_VALUE", "environment must be dev, sit or prod"});
      }
    } else if (name == "organizationName") {
      if (value.empty() || value.size() > 100) {
        errors.push_back({"organizationName", "INVALID_VALUE",
                          "organizationName must be a prefix of 1..100 characters"});
      } else {
        filter.name_prefix = value;
      }
    } else if (name == "sortBy") {
      // The original API's sort (docs/decisions/0017-*.md); it also makes organizationName
      // match any word of the name, as the original's search did.
      if (value == "createdAt" || value == "organizationName") {
        sort_given = true;
        filter.sort = value == "createdAt" ? service::TenantSort::CreatedAt
                                           : service::TenantSort::OrganizationName;
      } else {
        errors.push_back(
            {"sortBy", "INVALID_VALUE", "sortBy must be createdAt or organizationName"});
      }
    } else if (name == "sortOrder") {
      if (value == "asc" || value == "desc") {
        sort_given = true;
        filter.ascending = value == "asc";
      } else {
        errors.push_back({"sortOrder", "INVALID_VALUE", "sortOrder must be asc or desc"});
      }
    } else if (!is_page_param(name)) {
      errors.push_back(unknown_query_param(name));
    }
  }
  if (!errors.empty()) {
    return fail(call, Error::validation(std::move(errors)));
  }
  if (sort_given && filter.name_prefix) {
    filter.name_word_prefix = std::move(filter.name_prefix);
    filter.name_prefix.reset();
  }
  const std::string scope = list_scope(call, filter);
  auto page = read_page(call, api.deps().page_tokens, scope);
  if (!page) {
    return fail(call, page.error());
  }
  auto result = api.deps().services.tenants.list(call.ctx, filter, *page);
  if (!result) {
    return fail(call, result.error());
  }
  JsonWriter out;
  out.begin_object().key("items").begin_array();
  for (const auto& tenant : result->items) {
    write_tenant_summary(out, tenant);
  }
  out.end_array();
  finish_page(out, call, api.deps().page_tokens, scope, result->items.size(), result->next);
  return json_response(200, out.str());
}

Response get_tenant(Api& api, Call& call) {
  call.tenant_id = call.param(0);
  auto tenant = api.deps().services.tenants.get(call.ctx, call.tenant_id);
  if (!tenant) {
    return fail(call, tenant.error());
  }
  return tenant_response(200, *tenant);
}

Response update_tenant(Api& api, Call& call) {
  call.tenant_id = call.param(0);
  auto input = decode_update_tenant(call.request.body);
  if (!input) {
    return fail(call, input.error());
  }
  auto tenant = api.deps().services.tenants.update(call.ctx, call.tenant_id, *input);
  if (!tenant) {
    return fail(call, tenant.error());
  }
  return tenant_response(200, *tenant);
}

Response delete_tenant(Api& api, Call& call) {
  call.tenant_id = call.param(0);
  bool force = false;
  for (const auto& [name, value] : call.query.all()) {
    if (name == "force" && (value == "true" || value == "false")) {
      force = value == "true";
    } else {
      const std::string field = name == "force" ? "force" : name;
      return fail(
          call, Error::validation({{field, name == "force" ? "INVALID_VALUE" : "UNKNOWN_FIELD",
                                    name == "force" ? "force must be true or false"
                                                    : "Unknown query parameter '" + name + "'"}}));
    }
  }
  if (!call.request.body.empty()) {
    auto body = BodyReader::parse(call.request.body, true);
    if (!body) {
      return fail(call, body.error());
    }
    if (auto done = body->finish(); !done) {
      return fail(call, done.error());
    }
  }
  auto tenant = api.deps().services.tenants.deprovision(call.ctx, call.tenant_id, force);
  if (!tenant) {
    return fail(call, tenant.error());
  }
  // The whole tenant, as the original API answered (its deprovisionedAt/By included).
  return tenant_response(200, *tenant, "Tenant deprovisioned");
}

Response park_tenant(Api& api, Call& call) {
  return lifecycle(api, call, TenantAction::Park,
                   "Tenant parked; its running instances are suspended");
}

Response unpark_tenant(Api& api, Call& call) {
  return lifecycle(api, call, TenantAction::Unpark, "Tenant unparked",
                   "Instances suspended by parking are being resumed; "
                   "reprovisioning is under way");
}

Response suspend_tenant(Api& api, Call& call) {
  return lifecycle(api, call, TenantAction::Suspend, "Tenant suspended");
}

Response resume_tenant(Api& api, Call& call) {
  return lifecycle(api, call, TenantAction::Resume, "Tenant resumed");
}

Response patch_tenant_status(Api& api, Call& call) {
  call.tenant_id = call.param(0);
  auto parsed = BodyReader::parse(call.request.body, false);
  if (!parsed) {
    return fail(call, parsed.error());
  }
  BodyReader& body = *parsed;
  std::optional<domain::TenantStatus> target;
  if (auto status = body.string("status", true)) {
    target = domain::parse_tenant_status(*status);
    if (!target) {
      body.error("status", "INVALID_VALUE",
                 "status must be one of PENDING, ACTIVE, SUSPENDED, PARKED, "
                 "FAILED, DEPROVISIONED");
    }
  }
  auto reason = body.string("reason", false);
  if (reason) {
    domain::check_reason("reason", *reason, body.errors());
  }
  if (auto done = body.finish(); !done) {
    return fail(call, done.error());
  }
  auto tenant =
      api.deps().services.tenants.set_status(call.ctx, call.tenant_id, *target, std::move(reason));
  if (!tenant) {
    return fail(call, tenant.error());
  }
  return tenant_response(200, *tenant);
}

Response tenant_audit(Api& api, Call& call) {
  call.tenant_id = call.param(0);
  for (const auto& [name, value] : call.query.all()) {
    if (!is_page_param(name)) {
      return fail(call, Error::validation({unknown_query_param(name)}));
    }
  }
  const std::string scope = "audit|" + call.tenant_id;
  auto page = read_page(call, api.deps().page_tokens, scope);
  if (!page) {
    return fail(call, page.error());
  }
  auto result = api.deps().services.tenants.audit(call.ctx, call.tenant_id, *page);
  if (!result) {
    return fail(call, result.error());
  }
  JsonWriter out;
  out.begin_object().key("items").begin_array();
  for (const auto& entry : result->items) {
    out.raw(entry);
  }
  out.end_array();
  finish_page(out, call, api.deps().page_tokens, scope, result->items.size(), result->next);
  return json_response(200, out.str());
}

}  // namespace tenantd::api::handlers
