#pragma once
// A shared library loaded the first time a feature needs it, rather than by the dynamic loader
// at start. libpq and libgit2 each bring a dozen more libraries (Kerberos, GnuTLS, mbedTLS,
// libssh2) that cost most of tenantd's start-up CPU and several MiB of RSS in every deployment,
// used or not (docs/decisions/0028-optional-libraries-on-demand.md). The feature's code keeps
// calling the library's functions by name: a file of forwarders with the same names and
// signatures satisfies the linker and calls the real functions through function().
#include <mutex>
#include <string>

#include "core/result.hpp"

namespace tenantd {

class OnDemandLibrary {
 public:
  // `soname`: what dlopen loads; `needed_by`: the setting that needs it, for the error message.
  OnDemandLibrary(const char* soname, const char* needed_by)
      : soname_(soname), needed_by_(needed_by) {}

  // Loads the library once; later calls return the first outcome. The error
  // (ServiceUnavailable) names the library, the setting and the loader's reason.
  Status load();

  // The library's function `name`, of type Function. Call only after load() succeeded: a
  // missing function means a broken installation, and the process stops with a message.
  template <class Function>
  Function* function(const char* name) {
    return reinterpret_cast<Function*>(address(name));
  }

 private:
  void* address(const char* name);

  const char* soname_;
  const char* needed_by_;
  std::once_flag once_;
  void* handle_ = nullptr;
  std::string error_;
};

}  // namespace tenantd
