#pragma once
// What this binary was built from. Defined in a file generated at configure time
// (cmake/build_info.cpp.in), so that a new commit recompiles one file, not every file that
// would otherwise see the values as compile definitions (and miss ccache).

namespace tenantd::build_info {

extern const char* const kVersion;
extern const char* const kCommit;
// The repository's deploy/tenant-template, the gitops driver's default template folder.
extern const char* const kTemplateDir;

}  // namespace tenantd::build_info
