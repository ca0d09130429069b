#include "core/on_demand_library.hpp"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

namespace tenantd {

Status OnDemandLibrary::load() {
  std::call_once(once_, [this] {
    // RTLD_LOCAL: lookups on this handle find the library's own functions, never the
    // forwarders of the same names in tenantd.
    handle_ = ::dlopen(soname_, RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) {
      const char* why = ::dlerror();
      error_ = why != nullptr ? why : "unknown error";
    }
  });
  if (handle_ == nullptr) {
    return Error::make(
        ErrorCode::ServiceUnavailable,
        std::string(needed_by_) + " needs " + soname_ + ", which did not load: " + error_);
  }
  return {};
}

void* OnDemandLibrary::address(const char* name) {
  void* symbol = handle_ != nullptr ? ::dlsym(handle_, name) : nullptr;
  if (symbol == nullptr) {
    std::fprintf(stderr, "tenantd: %s is not loaded or has no %s\n", soname_, name);
    std::abort();
  }
  return symbol;
}

}  // namespace tenantd
