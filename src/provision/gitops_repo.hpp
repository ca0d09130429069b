#pragma once
// The environment's GitOps repository, through libgit2. The driver keeps a bare local clone in
// GITOPS_WORKDIR and builds each commit in memory on top of the remote branch's tip (no working
// files to get out of step). A push rejected because someone else pushed first is retried on
// the new tip: fetch, re-apply the same change, commit, push, a bounded number of times.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "provision/gitops_render.hpp"

namespace tenantd::provision {

struct GitSettings {
  std::string url;  // file://, https:// (token as password) or a local path
  std::string branch = "main";
  std::string workdir;  // the bare local clone; created when missing
  std::string token;    // for https remotes; empty: no credentials offered
  std::string author_name = "tenantd";
  std::string author_email = "tenantd@bbws.invalid";
  int max_push_attempts = 3;
};

// What one commit does to the tree: `replace_dirs` are emptied, then `files` are written.
struct TreeChange {
  std::vector<std::string> replace_dirs;
  std::vector<RenderedFile> files;
  std::string message;
};

struct Published {
  std::string commit;    // the branch's tip after the push (hex)
  std::string parent;    // the tip the change was applied to; empty for the first commit
  bool changed = false;  // false: the tree already matched, nothing was pushed
  int attempts = 0;      // pushes tried
};

class GitopsRepo {
 public:
  // Errors carry gitops failure codes (gitops_failure.hpp).
  static Result<std::unique_ptr<GitopsRepo>> open(GitSettings settings);
  ~GitopsRepo();
  GitopsRepo(const GitopsRepo&) = delete;
  GitopsRepo& operator=(const GitopsRepo&) = delete;

  Result<Published> publish(const TreeChange& change);

  // Runs just before every push (tests push a competing commit here).
  void set_before_push(std::function<void()> hook) { before_push_ = std::move(hook); }

  const GitSettings& settings() const { return settings_; }

 private:
  struct Handles;
  explicit GitopsRepo(GitSettings settings);

  GitSettings settings_;
  std::unique_ptr<Handles> git_;
  std::function<void()> before_push_;
};

}  // namespace tenantd::provision
