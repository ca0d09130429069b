#include "api/handlers/member_fields.hpp"

#include "core/strings.hpp"
#include "domain/tenant.hpp"

namespace tenantd::api::handlers {

std::optional<std::string> read_email(BodyReader& body, bool required) {
  auto email = body.string("email", required);
  if (email) {
    *email = to_lower(*email);
    domain::check_email("email", *email, body.errors());
  }
  return email;
}

std::optional<service::TenantRole> read_role(BodyReader& body, bool required) {
  auto text = body.string("role", required);
  if (!text) {
    return std::nullopt;
  }
  auto role = service::parse_tenant_role(*text);
  if (!role) {
    body.error("role", "INVALID_VALUE", "role must be one of Admin, Operator, Viewer");
  }
  return role;
}

std::optional<std::string> read_node(BodyReader& body, const char* field) {
  auto value = body.string(field, false);
  if (value) {
    domain::check_node_name(field, *value, body.errors());
  }
  return value;
}

}  // namespace tenantd::api::handlers
