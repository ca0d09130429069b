#pragma once
// Route handlers: thin adapters from a Call to a use case and back to a Response.
#include "api/api.hpp"

namespace tenantd::api::handlers {

Response health(Api& api, Call& call);
Response metrics(Api& api, Call& call);
Response openapi(Api& api, Call& call);

Response create_tenant(Api& api, Call& call);
Response list_tenants(Api& api, Call& call);
Response get_tenant(Api& api, Call& call);
Response update_tenant(Api& api, Call& call);
Response delete_tenant(Api& api, Call& call);
Response park_tenant(Api& api, Call& call);
Response unpark_tenant(Api& api, Call& call);
Response suspend_tenant(Api& api, Call& call);
Response resume_tenant(Api& api, Call& call);
Response patch_tenant_status(Api& api, Call& call);
Response tenant_audit(Api& api, Call& call);

}  // namespace tenantd::api::handlers
