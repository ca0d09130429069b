#pragma once
// GitHub Actions' workflow_dispatch (POST /repos/{owner}/{repo}/actions/workflows/{file}/
// dispatches), the last step of the gitops driver. GitHub answers 204 with no body; the run
// reports back through POST /instances/{id}/events. Failures carry gitops failure codes.
#include <map>
#include <memory>
#include <string>

#include "core/http_client.hpp"
#include "core/result.hpp"

namespace tenantd::provision {

struct GithubSettings {
  std::string api_url = "https://api.github.com";  // GitHub Enterprise: https://host/api/v3
  std::string repository;                          // "owner/repo"
  std::string token;
  std::string ca_file;   // empty: the system's CA paths
  int max_attempts = 3;  // for throttling, 5xx and transport failures
  std::chrono::milliseconds backoff{250};
};

struct WorkflowDispatch {
  std::string workflow_file;  // "deploy-tenant-{tenantId}.yml"
  std::string ref;            // the branch
  std::map<std::string, std::string> inputs;
};

class GithubActions {
 public:
  static Result<std::unique_ptr<GithubActions>> open(GithubSettings settings);

  Status dispatch(const WorkflowDispatch& request);

 private:
  GithubActions(GithubSettings settings, const Url& origin);

  GithubSettings settings_;
  std::string base_path_;  // the API URL's path without a trailing '/'
  HttpClient http_;
};

}  // namespace tenantd::provision
