#include "provision/gitops_github.hpp"

#include <thread>

#include "core/json.hpp"
#include "provision/gitops_failure.hpp"

namespace tenantd::provision {

namespace {

// GitHub's own explanation, when its error body has one.
std::string github_message(const HttpResponse& response) {
  auto doc = parse_json(response.body);
  if (doc && doc->IsObject()) {
    const JsonValue& root = *doc;
    const auto it = root.FindMember("message");
    if (it != root.MemberEnd() && it->value.IsString()) {
      return std::string(as_view(it->value));
    }
  }
  return response.body.substr(0, 200);
}

// The failure for a non-204 answer, by what a retry could change.
Error status_failure(const HttpResponse& response, const std::string& file) {
  const int s = response.status;
  const std::string what = "workflow dispatch of " + file + " answered HTTP " + std::to_string(s) +
                           ": " + github_message(response);
  const bool rate_limited =
      s == 429 || (s == 403 && response.header("x-ratelimit-remaining") == "0");
  if (rate_limited) {
    return gitops_failure("GITHUB_RATE_LIMITED", what, true);
  }
  if (s >= 500) {
    return gitops_failure("GITHUB_UNAVAILABLE", what, true);
  }
  if (s == 401 || s == 403) {
    return gitops_failure("GITHUB_AUTH_FAILED", what, false);
  }
  if (s == 404) {
    return gitops_failure("WORKFLOW_NOT_FOUND", what, false);
  }
  return gitops_failure("WORKFLOW_DISPATCH_REJECTED", what, false);
}

bool retryable(const Error& e) {
  return error_info(e).retryable.value_or(false);
}

}  // namespace

GithubActions::GithubActions(GithubSettings settings, const Url& origin)
    : settings_(std::move(settings)),
      base_path_(origin.path),
      http_(origin, HttpOptions{std::chrono::milliseconds(3000), std::chrono::milliseconds(10000),
                                settings_.ca_file, 4}) {
  while (!base_path_.empty() && base_path_.back() == '/') {
    base_path_.pop_back();
  }
}

Result<std::unique_ptr<GithubActions>> GithubActions::open(GithubSettings settings) {
  auto url = Url::parse(settings.api_url);
  if (!url) {
    return gitops_failure("GITOPS_NOT_CONFIGURED", "GITHUB_API_URL: " + url.error().message, false);
  }
  const auto slash = settings.repository.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == settings.repository.size()) {
    return gitops_failure(
        "GITOPS_NOT_CONFIGURED",
        "GITOPS_GITHUB_REPOSITORY must be owner/repo, not '" + settings.repository + "'", false);
  }
  if (settings.token.empty()) {
    return gitops_failure("GITOPS_NOT_CONFIGURED",
                          "no GitHub token: set GITHUB_TOKEN or GITHUB_TOKEN_FILE", false);
  }
  return std::unique_ptr<GithubActions>(new GithubActions(std::move(settings), *url));
}

Status GithubActions::dispatch(const WorkflowDispatch& request) {
  JsonWriter body;
  body.begin_object().field("ref", request.ref).key("inputs").begin_object();
  for (const auto& [name, value] : request.inputs) {
    body.field(name, value);
  }
  body.end_object().end_object();

  HttpRequest http;
  http.method = "POST";
  http.target = base_path_ + "/repos/" + settings_.repository + "/actions/workflows/" +
                request.workflow_file + "/dispatches";
  http.headers = {{"Accept", "application/vnd.github+json"},
                  {"Authorization", "Bearer " + settings_.token},
                  {"X-GitHub-Api-Version", "2022-11-28"},
                  {"User-Agent", "tenantd"},
                  {"Content-Type", "application/json"}};
  http.body = body.str();

  std::optional<Error> last;
  for (int attempt = 1; attempt <= settings_.max_attempts; ++attempt) {
    if (attempt > 1) {
      std::this_thread::sleep_for(settings_.backoff * (attempt - 1));
    }
    auto response = http_.send(http);
    if (!response) {
      last = gitops_failure(
          "GITHUB_UNAVAILABLE",
          "workflow dispatch of " + request.workflow_file + " failed: " + response.error().message,
          true);
    } else if (response->status == 204 || response->status == 200) {
      return {};
    } else {
      last = status_failure(*response, request.workflow_file);
    }
    if (!retryable(*last)) {
      break;
    }
  }
  return std::move(*last);
}

}  // namespace tenantd::provision
