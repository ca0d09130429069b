#pragma once
// Member routes (docs/members.md): a tenant's members and a user's tenants.
#include <vector>

#include "api/api.hpp"
#include "api/router.hpp"

namespace tenantd::api::handlers {

Response assign_member(Api& api, Call& call);
Response list_members(Api& api, Call& call);
Response get_member(Api& api, Call& call);
Response update_member(Api& api, Call& call);
Response remove_member(Api& api, Call& call);
Response user_tenants(Api& api, Call& call);
Response my_tenants(Api& api, Call& call);

std::vector<Route> member_routes();

}  // namespace tenantd::api::handlers
