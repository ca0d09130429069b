#pragma once
// Renders a tenant's Terraform (and its deploy workflow) from the templates of
// deploy/tenant-template/ (docs/instances.md#drivers, `gitops` driver). Pure apart from
// load_templates. Placeholders are `@@name@@`; `@@@@` is a literal `@@`. An unknown or unterminated
// placeholder is an error, so a template typo never reaches the GitOps repository.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "domain/instance.hpp"

namespace tenantd::provision {

struct TemplateFile {
  std::string name;  // "ecs.tf", or "workflow/deploy-tenant.yml"
  std::string text;
};

struct RenderedFile {
  std::string path;  // relative to the repository root
  std::string content;
};

using TemplateValues = std::map<std::string, std::string, std::less<>>;

// The top-level *.tf files and workflow/deploy-tenant.yml of `dir`.
Result<std::vector<TemplateFile>> load_templates(const std::string& dir);

// Replaces every placeholder of `text` by its value.
Result<std::string> render_template(std::string_view text, const TemplateValues& values);

// Escapes `text` for use inside a double-quoted HCL string (quotes, backslashes, newlines and
// the `${` / `%{` template sequences).
std::string hcl_escape(std::string_view text);

// The placeholder values for an instance (see deploy/tenant-template/README.md).
TemplateValues tenant_values(const domain::Instance& instance);

// Where the tenant's files live in the repository.
std::string tenant_dir(std::string_view tenant_id);          // "tenants/{tenantId}"
std::string workflow_file_name(std::string_view tenant_id);  // "deploy-tenant-{tenantId}.yml"
std::string workflow_path(std::string_view tenant_id);       // ".github/workflows/..."

// Every file of the tenant: *.tf into tenant_dir, the workflow into workflow_path.
Result<std::vector<RenderedFile>> render_tenant(const std::vector<TemplateFile>& templates,
                                                const domain::Instance& instance);

}  // namespace tenantd::provision
