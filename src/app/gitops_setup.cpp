#include "app/gitops_setup.hpp"

#ifdef TENANTD_HAVE_GITOPS
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/build_info.hpp"
#include "provision/gitops_provisioner.hpp"
#endif

namespace tenantd {

#ifdef TENANTD_HAVE_GITOPS
namespace {

// GITHUB_TOKEN_FILE when set (a mounted secret), else the GITHUB_TOKEN variable.
Result<std::string> github_token(const Config& config) {
  if (!config.github_token_file.empty()) {
    std::ifstream in(config.github_token_file);
    if (!in) {
      return Error::make(ErrorCode::ValidationError,
                         "GITHUB_TOKEN_FILE: cannot read " + config.github_token_file);
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::string token = text.str();
    while (!token.empty() &&
           (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) {
      token.pop_back();
    }
    return token;
  }
  const char* env = std::getenv("GITHUB_TOKEN");
  return std::string(env != nullptr ? env : "");
}

Error setup_error(const Error& e) {
  return Error::make(ErrorCode::ValidationError, "PROVISIONER=gitops: " + e.message);
}

}  // namespace

Result<std::unique_ptr<provision::Provisioner>> make_gitops_provisioner(
    const Config& config, service::InstanceService& instances, store::ItemStore& store,
    const Clock& clock, const obs::Logger* logger) {
  auto token = github_token(config);
  if (!token) {
    return std::move(token).error();
  }
  provision::GitSettings git;
  git.url = config.gitops_repo_url;
  git.branch = config.gitops_branch;
  git.workdir = config.gitops_workdir.empty() ? config.data_dir + "/gitops" : config.gitops_workdir;
  git.token = *token;
  auto repo = provision::GitopsRepo::open(git);
  if (!repo) {
    return setup_error(repo.error());
  }
  provision::GithubSettings gh;
  gh.api_url = config.github_api_url;
  gh.repository = config.gitops_github_repository;
  gh.token = *token;
  gh.ca_file = config.ca_bundle;
  auto github = provision::GithubActions::open(gh);
  if (!github) {
    return setup_error(github.error());
  }
  const std::string dir =
      config.gitops_template_dir.empty() ? build_info::kTemplateDir : config.gitops_template_dir;
  auto templates = provision::load_templates(dir);
  if (!templates) {
    return setup_error(templates.error());
  }
  provision::GitopsOptions options;
  options.workflow_timeout = config.gitops_workflow_timeout;
  return std::unique_ptr<provision::Provisioner>(std::make_unique<provision::GitopsProvisioner>(
      instances, store, clock, std::move(*repo), std::move(*github), std::move(*templates), options,
      logger));
}

#else

Result<std::unique_ptr<provision::Provisioner>> make_gitops_provisioner(
    const Config& /*config*/, service::InstanceService& /*instances*/, store::ItemStore& /*store*/,
    const Clock& /*clock*/, const obs::Logger* /*logger*/) {
  return Error::make(ErrorCode::ValidationError,
                     "PROVISIONER=gitops is not available in this build (built without libgit2)");
}

#endif

}  // namespace tenantd
