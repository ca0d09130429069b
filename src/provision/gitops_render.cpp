#include "provision/gitops_render.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tenantd::provision {

namespace {

constexpr std::string_view kMark = "@@";
constexpr std::string_view kWorkflowTemplate = "workflow/deploy-tenant.yml";

Error template_error(std::string message) {
  return Error::make(ErrorCode::InternalError, std::move(message));
}

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return template_error("cannot read template " + path.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Size {
  const char* cpu;
  const char* memory;
};

Size task_size(domain::Tier tier) {
  switch (tier) {
    case domain::Tier::Professional:
      return {"1024", "2048"};
    case domain::Tier::Enterprise:
      return {"2048", "4096"};
    case domain::Tier::Standard:
      break;
  }
  return {"512", "1024"};
}

}  // namespace

Result<std::vector<TemplateFile>> load_templates(const std::string& dir) {
  std::vector<TemplateFile> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".tf") {
      TENANTD_TRY_ASSIGN(auto text, read_file(entry.path()));
      files.push_back({entry.path().filename().string(), std::move(text)});
    }
  }
  if (ec) {
    return template_error("cannot list templates in " + dir + ": " + ec.message());
  }
  TENANTD_TRY_ASSIGN(auto workflow, read_file(std::filesystem::path(dir) / kWorkflowTemplate));
  if (files.empty()) {
    return template_error("no *.tf templates in " + dir);
  }
  // Directory order is unspecified; a stable order keeps commits reproducible.
  std::sort(files.begin(), files.end(),
            [](const TemplateFile& a, const TemplateFile& b) { return a.name < b.name; });
  files.push_back({std::string(kWorkflowTemplate), std::move(workflow)});
  return files;
}

Result<std::string> render_template(std::string_view text, const TemplateValues& values) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto open = text.find(kMark, pos);
    if (open == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    out.append(text.substr(pos, open - pos));
    const auto close = text.find(kMark, open + kMark.size());
    if (close == std::string_view::npos) {
      return template_error("unterminated placeholder at offset " + std::to_string(open));
    }
    const auto name = text.substr(open + kMark.size(), close - open - kMark.size());
    if (name.empty()) {
      out.append(kMark);  // "@@@@" is a literal "@@"
    } else {
      const auto it = values.find(name);
      if (it == values.end()) {
        return template_error("unknown placeholder @@" + std::string(name) + "@@");
      }
      out.append(it->second);
    }
    pos = close + kMark.size();
  }
  return out;
}

std::string hcl_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool opens_template = (c == '$' || c == '%') && i + 1 < text.size() && text[i + 1] == '{';
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (opens_template) {
      out += c;
      out += c;  // "$${" is a literal "${" in HCL
    } else {
      out += c;
    }
  }
  return out;
}

TemplateValues tenant_values(const domain::Instance& instance) {
  const Size size = task_size(instance.tier);
  std::string tags;
  const auto tag = [&tags](std::string_view key, std::string_view value) {
    tags += "    \"" + std::string(key) + "\" = \"" + hcl_escape(value) + "\"\n";
  };
  tag("bbws:tenant-id", instance.tenant_id);
  tag("bbws:environment", instance.environment);
  tag("bbws:component", "wordpress");
  tag("bbws:managed-by", "tenantd-gitops");
  if (instance.opportunity_id) {
    tag("bbws:opportunity", *instance.opportunity_id);
  }
  tags.pop_back();  // the template supplies the line break
  return TemplateValues{
      {"tenant_id", instance.tenant_id},
      {"instance_id", instance.instance_id},
      {"environment", instance.environment},
      {"tier", std::string(domain::to_string(instance.tier))},
      {"cpu", size.cpu},
      {"memory", size.memory},
      {"desired_count", std::to_string(instance.configuration.desired_count)},
      {"wordpress_version", hcl_escape(instance.configuration.wordpress_version)},
      {"php_version", hcl_escape(instance.configuration.php_version)},
      {"organization_name", hcl_escape(instance.organization_name)},
      {"domain", hcl_escape(instance.domain)},
      {"tags", tags},
  };
}

std::string tenant_dir(std::string_view tenant_id) {
  return "tenants/" + std::string(tenant_id);
}

std::string workflow_file_name(std::string_view tenant_id) {
  return "deploy-tenant-" + std::string(tenant_id) + ".yml";
}

std::string workflow_path(std::string_view tenant_id) {
  return ".github/workflows/" + workflow_file_name(tenant_id);
}

Result<std::vector<RenderedFile>> render_tenant(const std::vector<TemplateFile>& templates,
                                                const domain::Instance& instance) {
  const TemplateValues values = tenant_values(instance);
  std::vector<RenderedFile> files;
  for (const auto& t : templates) {
    auto content = render_template(t.text, values);
    if (!content) {
      return Error::make(ErrorCode::InternalError,
                         "template " + t.name + ": " + content.error().message);
    }
    const std::string path = t.name == kWorkflowTemplate
                                 ? workflow_path(instance.tenant_id)
                                 : tenant_dir(instance.tenant_id) + "/" + t.name;
    files.push_back({path, std::move(*content)});
  }
  return files;
}

}  // namespace tenantd::provision
