#pragma once
// libpq is loaded when the first PostgreSQL connection opens, not when tenantd starts: linked
// normally it brings about twenty shared libraries (Kerberos, LDAP, GnuTLS, p11-kit) into every
// process (docs/decisions/0028-optional-libraries-on-demand.md). libpq_on_demand.cpp forwards
// the libpq functions tenantd calls to the loaded library.
#include "core/on_demand_library.hpp"

namespace tenantd::store::postgres {

// libpq.so.5: load() it before calling any libpq function.
OnDemandLibrary& libpq();

}  // namespace tenantd::store::postgres
