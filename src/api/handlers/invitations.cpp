// Invitation routes (docs/invitations.md): decode -> InvitationService -> encode. The token arrives
// only in accept / decline bodies and never leaves in a response or an error.
#include "api/handlers/invitations.hpp"

#include "api/body_reader.hpp"
#include "api/encoders/invitation_fields.hpp"
#include "api/encoders/membership_fields.hpp"
#include "api/handlers/fail.hpp"
#include "api/handlers/member_fields.hpp"
#include "api/handlers/query_checks.hpp"
#include "api/links.hpp"
#include "api/pagination.hpp"
#include "api/responses.hpp"
#include "core/strings.hpp"
#include "domain/tenant.hpp"
#include "service/invitation_service.hpp"

namespace tenantd::api::handlers {

namespace {

using domain::Invitation;

constexpr std::size_t kMaxMessageChars = 1000;
constexpr std::size_t kMaxTokenChars = 256;

service::InvitationService& invitations(Api& api) {
  return api.deps().services.invitations;
}

void write_invitation(JsonWriter& out, const Invitation& inv, TimePoint now) {
  const auto status = domain::effective_status(inv, now);
  const std::string self = invitation_path(inv.invitation_id);
  out.begin_object();
  encoders::write_invitation_fields(out, inv, status);
  out.key("_links").begin_object();
  write_link(out, "self", self);
  write_link(out, "tenant", tenant_path(inv.tenant_id));
  if (domain::can_cancel(inv, now)) {
    write_link(out, "cancel", self);
  }
  if (domain::can_resend(inv, now)) {
    write_link(out, "resend", self + "/resend");
  }
  out.end_object().end_object();
}

Response invitation_response(int status, const Invitation& inv, TimePoint now) {
  JsonWriter out;
  write_invitation(out, inv, now);
  Response r = json_response(status, out.str());
  r.set_header("ETag", etag(inv.version));
  return r;
}

// The body of POST /invitations (with tenantId) or POST /tenants/{id}/invitations (without).
Result<service::CreateInvitationInput> decode_create(std::string_view text,
                                                     std::string* tenant_id) {
  auto parsed = BodyReader::parse(text, false);
  if (!parsed) {
    return std::move(parsed).error();
  }
  BodyReader& body = *parsed;
  service::CreateInvitationInput in;
  if (tenant_id != nullptr) {
    if (auto tid = body.string("tenantId", true)) {
      *tenant_id = *tid;
    }
  }
  if (auto email = read_email(body, true)) {
    in.email = std::move(*email);
  }
  if (auto role = read_role(body, true)) {
    in.role = *role;
  }
  in.division = read_node(body, "division");
  in.group = read_node(body, "group");
  in.team = read_node(body, "team");
  domain::check_placement(in.division, in.group, in.team, body.errors());
  if (auto message = body.string("message", false)) {
    domain::check_free_text("message", *message, 1, kMaxMessageChars, body.errors());
    in.message = std::move(*message);
  }
  TENANTD_TRY(body.finish());
  return in;
}

// {token}: its value is never echoed, whatever is wrong with it.
Result<std::string> decode_token(std::string_view text) {
  auto parsed = BodyReader::parse(text, false);
  if (!parsed) {
    return std::move(parsed).error();
  }
  BodyReader& body = *parsed;
  std::string token;
  if (auto value = body.string("token", true, false)) {
    token = std::move(*value);
    if (token.empty() || token.size() > kMaxTokenChars) {
      body.error("token", "INVALID_FORMAT", "token must be the invitation's token");
    }
  }
  TENANTD_TRY(body.finish());
  return token;
}

Response create(Api& api, Call& call, bool nested) {
  std::string tenant_id(call.param(0));
  auto input = decode_create(call.request.body, nested ? nullptr : &tenant_id);
  if (!input) {
    return fail(call, input.error());
  }
  call.tenant_id = tenant_id;
  auto inv = invitations(api).create(call.ctx, tenant_id, *input);
  if (!inv) {
    return fail(call, inv.error());
  }
  Response r = invitation_response(201, *inv, call.ctx.now);
  r.set_header("Location", invitation_path(inv->invitation_id));
  return r;
}

Response create_invitation(Api& api, Call& call) {
  return create(api, call, false);
}

Response create_tenant_invitation(Api& api, Call& call) {
  return create(api, call, true);
}

Response list(Api& api, Call& call, std::optional<std::string> tenant_id) {
  std::vector<FieldError> errors;
  service::InvitationFilter filter;
  filter.tenant_id = std::move(tenant_id);
  for (const auto& [name, value] : call.query.all()) {
    if (name == "status") {
      filter.status = domain::parse_invitation_status(value);
      if (!filter.status) {
        errors.push_back({"status", "INVALID_VALUE",
                          "status must be one of PENDING, ACCEPTED, DECLINED, CANCELLED, "
                          "EXPIRED"});
      }
    } else if (name == "email") {
      filter.email = to_lower(trim(value));
      domain::check_email("email", *filter.email, errors);
    } else if (name == "tenantId" && !call.tenant_id.empty()) {
      errors.push_back({name, "UNKNOWN_FIELD", "The tenant is already named by the path"});
    } else if (name == "tenantId") {
      filter.tenant_id = value;
    } else if (!is_page_param(name)) {
      errors.push_back(unknown_query_param(name));
    }
  }
  if (!errors.empty()) {
    return fail(call, Error::validation(std::move(errors)));
  }
  if (filter.tenant_id) {
    call.tenant_id = *filter.tenant_id;
  }
  // Bound to the filters and the caller: the merged pages differ per principal.
  const std::string scope = "invitations|" + filter.tenant_id.value_or("") + "|s=" +
                            (filter.status ? std::string(domain::to_string(*filter.status)) : "") +
                            "|e=" + filter.email.value_or("") + "|" + call.ctx.principal.sub;
  auto page = read_page(call, api.deps().page_tokens, scope);
  if (!page) {
    return fail(call, page.error());
  }
  auto result = invitations(api).list(call.ctx, filter, *page);
  if (!result) {
    return fail(call, result.error());
  }
  JsonWriter out;
  out.begin_object().key("items").begin_array();
  for (const auto& inv : result->items) {
    write_invitation(out, inv, call.ctx.now);
  }
  out.end_array();
  finish_page(out, call, api.deps().page_tokens, scope, result->items.size(), result->next);
  return json_response(200, out.str());
}

Response list_invitations(Api& api, Call& call) {
  return list(api, call, std::nullopt);
}

Response list_tenant_invitations(Api& api, Call& call) {
  call.tenant_id = call.param(0);
  return list(api, call, call.tenant_id);
}

// Nested item routes name the tenant too: another tenant's invitation is not found there.
Status check_nested(const Call& call, const Invitation& inv) {
  if (call.params.size() > 1 && inv.tenant_id != call.param(0)) {
    return Error::make(ErrorCode::InvitationNotFound,
                       "Invitation " + inv.invitation_id + " not found")
        .with("invitationId", inv.invitation_id);
  }
  return {};
}

std::string_view invitation_param(const Call& call) {
  return call.param(call.params.size() - 1);
}

Response get_invitation(Api& api, Call& call) {
  auto inv = invitations(api).get(call.ctx, invitation_param(call));
  if (!inv) {
    return fail(call, inv.error());
  }
  if (auto ok = check_nested(call, *inv); !ok) {
    return fail(call, ok.error());
  }
  call.tenant_id = inv->tenant_id;
  return invitation_response(200, *inv, call.ctx.now);
}

// Cancel and resend: a nested path first checks that the invitation belongs to that tenant.
template <class Action>
Response manage(Api& api, Call& call, Action action) {
  if (call.params.size() > 1) {
    auto inv = invitations(api).get(call.ctx, invitation_param(call));
    if (!inv) {
      return fail(call, inv.error());
    }
    if (auto ok = check_nested(call, *inv); !ok) {
      return fail(call, ok.error());
    }
  }
  auto inv = action(invitations(api), call.ctx, invitation_param(call));
  if (!inv) {
    return fail(call, inv.error());
  }
  call.tenant_id = inv->tenant_id;
  return invitation_response(200, *inv, call.ctx.now);
}

Response cancel_invitation(Api& api, Call& call) {
  return manage(api, call,
                [](service::InvitationService& s, const service::Context& ctx,
                   std::string_view id) { return s.cancel(ctx, id); });
}

Response resend_invitation(Api& api, Call& call) {
  return manage(api, call,
                [](service::InvitationService& s, const service::Context& ctx,
                   std::string_view id) { return s.resend(ctx, id); });
}

Response accept_invitation(Api& api, Call& call) {
  auto token = decode_token(call.request.body);
  if (!token) {
    return fail(call, token.error());
  }
  auto m = invitations(api).accept(call.ctx, call.param(0), *token);
  if (!m) {
    return fail(call, m.error());
  }
  call.tenant_id = m->tenant_id;
  JsonWriter out;
  out.begin_object();
  encoders::write_membership_fields(out, *m);
  out.end_object();
  Response r = json_response(200, out.str());
  r.set_header("ETag", etag(m->version));
  r.set_header("Location", member_path(m->tenant_id, m->user_id));
  return r;
}

Response decline_invitation(Api& api, Call& call) {
  auto token = decode_token(call.request.body);
  if (!token) {
    return fail(call, token.error());
  }
  auto inv = invitations(api).decline(call.ctx, call.param(0), *token);
  if (!inv) {
    return fail(call, inv.error());
  }
  call.tenant_id = inv->tenant_id;
  return invitation_response(200, *inv, call.ctx.now);
}

}  // namespace

std::vector<Route> invitation_routes() {
  return {
      {"POST", "/invitations", create_invitation},
      {"GET", "/invitations", list_invitations},
      {"GET", "/invitations/{invitationId}", get_invitation},
      {"DELETE", "/invitations/{invitationId}", cancel_invitation},
      {"POST", "/invitations/{invitationId}/resend", resend_invitation},
      {"POST", "/invitations/{invitationId}/accept", accept_invitation},
      {"POST", "/invitations/{invitationId}/decline", decline_invitation},
      {"POST", "/tenants/{tenantId}/invitations", create_tenant_invitation},
      {"GET", "/tenants/{tenantId}/invitations", list_tenant_invitations},
      {"GET", "/tenants/{tenantId}/invitations/{invitationId}", get_invitation},
      {"DELETE", "/tenants/{tenantId}/invitations/{invitationId}", cancel_invitation},
      {"POST", "/tenants/{tenantId}/invitations/{invitationId}/resend", resend_invitation},
  };
}

}  // namespace tenantd::api::handlers
