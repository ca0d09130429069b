#pragma once
// libgit2 is loaded when the gitops provisioner opens its repository, not when tenantd starts:
// linked normally it brings a dozen shared libraries (mbedTLS, libssh2, Kerberos) into every
// process (docs/decisions/0028-optional-libraries-on-demand.md). libgit2_on_demand.cpp forwards
// the libgit2 functions tenantd calls to the loaded library.
#include "core/on_demand_library.hpp"

namespace tenantd::provision {

// libgit2.so.1.5: load() it before calling any libgit2 function.
OnDemandLibrary& libgit2();

}  // namespace tenantd::provision
