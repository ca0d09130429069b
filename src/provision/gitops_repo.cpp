#include "provision/gitops_repo.hpp"

#include <git2.h>

#include <optional>

#include "provision/gitops_failure.hpp"
#include "provision/libgit2_on_demand.hpp"

namespace tenantd::provision {

namespace {

template <class T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
template <class T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Freer<T, Free>>;

using RepoPtr = Owned<git_repository, git_repository_free>;
using RemotePtr = Owned<git_remote, git_remote_free>;
using CommitPtr = Owned<git_commit, git_commit_free>;
using TreePtr = Owned<git_tree, git_tree_free>;
using IndexPtr = Owned<git_index, git_index_free>;
using SignaturePtr = Owned<git_signature, git_signature_free>;

std::string last_git_message() {
  const git_error* e = git_error_last();
  return e != nullptr && e->message != nullptr ? e->message : "unknown libgit2 error";
}

// A libgit2 failure of `what`: network, TLS and HTTP trouble may pass; the rest needs a change.
Error git_failure(std::string_view what, int rc) {
  const git_error* e = git_error_last();
  const int klass = e != nullptr ? e->klass : 0;
  const std::string message = std::string(what) + ": " + last_git_message();
  if (rc == GIT_EAUTH) {
    return gitops_failure("GIT_AUTH_FAILED", message, false);
  }
  if (klass == GIT_ERROR_NET || klass == GIT_ERROR_SSL || klass == GIT_ERROR_HTTP ||
      klass == GIT_ERROR_SSH || rc == GIT_ELOCKED) {
    return gitops_failure("GIT_UNAVAILABLE", message, true);
  }
  return gitops_failure("GIT_ERROR", message, false);
}

std::string hex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

bool is_conflict_status(std::string_view status) {
  // What git servers say when the branch moved under us ("non-fast-forward", "fetch first").
  return status.find("non-fast-forward") != std::string_view::npos ||
         status.find("fetch first") != std::string_view::npos ||
         status.find("stale info") != std::string_view::npos;
}

// What libgit2's callbacks share (one payload pointer for all of them).
struct CallbackState {
  const std::string* token = nullptr;
  std::optional<std::string> rejected;  // the remote's reason for refusing the push
};

int on_push_update(const char* /*refname*/, const char* status, void* payload) {
  if (status != nullptr) {
    static_cast<CallbackState*>(payload)->rejected = status;
  }
  return 0;
}

int on_credentials(git_credential** out, const char* /*url*/, const char* /*user*/,
                   unsigned int allowed, void* payload) {
  const std::string* token = static_cast<CallbackState*>(payload)->token;
  if (token->empty() || (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) == 0) {
    return GIT_PASSTHROUGH;
  }
  // GitHub takes a token as the password of any user name.
  return git_credential_userpass_plaintext_new(out, "x-access-token", token->c_str());
}

git_remote_callbacks remote_callbacks(CallbackState& state) {
  // The *_init functions rather than the INIT macros, which leave fields to the compiler.
  git_remote_callbacks callbacks{};
  git_remote_init_callbacks(&callbacks, GIT_REMOTE_CALLBACKS_VERSION);
  callbacks.credentials = on_credentials;
  callbacks.push_update_reference = on_push_update;
  callbacks.payload = &state;
  return callbacks;
}

// The remote branch's tip; no oid (and no commit or tree) in an empty repository.
struct Tip {
  std::optional<git_oid> oid;
  CommitPtr commit;
  TreePtr tree;
};

Result<Tip> fetch_tip(git_repository* repo, git_remote* remote, const std::string& branch,
                      const git_remote_callbacks& callbacks, const std::string& url) {
  const std::string tracking = "refs/remotes/origin/" + branch;
  const std::string fetch_spec = "+refs/heads/" + branch + ":" + tracking;
  char* fetch_specs[] = {const_cast<char*>(fetch_spec.c_str())};
  const git_strarray fetch_refspecs{fetch_specs, 1};
  git_fetch_options fetch_options{};
  git_fetch_options_init(&fetch_options, GIT_FETCH_OPTIONS_VERSION);
  fetch_options.callbacks = callbacks;
  if (const int rc = git_remote_fetch(remote, &fetch_refspecs, &fetch_options, nullptr); rc != 0) {
    return git_failure("fetch of " + url + " failed", rc);
  }
  Tip tip;
  git_oid tip_oid;
  if (git_reference_name_to_id(&tip_oid, repo, tracking.c_str()) != 0) {
    return tip;
  }
  tip.oid = tip_oid;
  git_commit* c = nullptr;
  git_tree* t = nullptr;
  if (const int rc = git_commit_lookup(&c, repo, &*tip.oid); rc != 0) {
    return git_failure("cannot read the branch tip", rc);
  }
  tip.commit.reset(c);
  if (const int rc = git_commit_tree(&t, c); rc != 0) {
    return git_failure("cannot read the branch tip's tree", rc);
  }
  tip.tree.reset(t);
  return tip;
}

// The tree of `change` applied in memory to `base` (none: an empty tree), written to `repo`.
Result<git_oid> write_changed_tree(git_repository* repo, git_tree* base, const TreeChange& change) {
  git_index* raw_index = nullptr;
  if (const int rc = git_index_new(&raw_index); rc != 0) {
    return git_failure("cannot create an index", rc);
  }
  const IndexPtr index(raw_index);
  if (base != nullptr) {
    if (const int rc = git_index_read_tree(raw_index, base); rc != 0) {
      return git_failure("cannot load the branch tip's tree", rc);
    }
  }
  for (const auto& dir : change.replace_dirs) {
    if (const int rc = git_index_remove_directory(raw_index, dir.c_str(), 0); rc != 0) {
      return git_failure("cannot remove " + dir, rc);
    }
  }
  for (const auto& file : change.files) {
    git_index_entry entry{};
    entry.mode = GIT_FILEMODE_BLOB;
    entry.path = file.path.c_str();
    if (const int rc =
            git_blob_create_from_buffer(&entry.id, repo, file.content.data(), file.content.size());
        rc != 0) {
      return git_failure("cannot store " + file.path, rc);
    }
    if (const int rc = git_index_add(raw_index, &entry); rc != 0) {
      return git_failure("cannot stage " + file.path, rc);
    }
  }
  git_oid tree_oid;
  if (const int rc = git_index_write_tree_to(&tree_oid, raw_index, repo); rc != 0) {
    return git_failure("cannot write the tree", rc);
  }
  return tree_oid;
}

// The commit of `tree_oid` on the tip, with the local branch pointing at it.
Result<git_oid> commit_on_tip(git_repository* repo, const git_oid& tree_oid, const Tip& tip,
                              const GitSettings& settings, const std::string& message) {
  git_tree* raw_tree = nullptr;
  if (const int rc = git_tree_lookup(&raw_tree, repo, &tree_oid); rc != 0) {
    return git_failure("cannot read the new tree", rc);
  }
  const TreePtr tree(raw_tree);
  git_signature* raw_sig = nullptr;
  if (const int rc =
          git_signature_now(&raw_sig, settings.author_name.c_str(), settings.author_email.c_str());
      rc != 0) {
    return git_failure("cannot make the commit signature", rc);
  }
  const SignaturePtr sig(raw_sig);
  const git_commit* parents[] = {tip.commit.get()};
  git_oid commit_oid;
  if (const int rc = git_commit_create(&commit_oid, repo, nullptr, sig.get(), sig.get(), nullptr,
                                       message.c_str(), tree.get(), tip.oid ? 1 : 0, parents);
      rc != 0) {
    return git_failure("cannot create the commit", rc);
  }
  git_reference* ref = nullptr;
  const std::string local = "refs/heads/" + settings.branch;
  if (const int rc =
          git_reference_create(&ref, repo, local.c_str(), &commit_oid, 1, "tenantd publish");
      rc != 0) {
    return git_failure("cannot move " + local, rc);
  }
  git_reference_free(ref);
  return commit_oid;
}

}  // namespace

struct GitopsRepo::Handles {
  RepoPtr repo;
  RemotePtr remote;
};

GitopsRepo::GitopsRepo(GitSettings settings) : settings_(std::move(settings)) {
  git_libgit2_init();
}

GitopsRepo::~GitopsRepo() {
  git_.reset();
  git_libgit2_shutdown();
}

Result<std::unique_ptr<GitopsRepo>> GitopsRepo::open(GitSettings settings) {
  if (settings.url.empty() || settings.workdir.empty() || settings.branch.empty()) {
    return gitops_failure("GITOPS_NOT_CONFIGURED",
                          "GITOPS_REPO_URL, GITOPS_BRANCH and GITOPS_WORKDIR must be set", false);
  }
  TENANTD_TRY(libgit2().load());
  auto self = std::unique_ptr<GitopsRepo>(new GitopsRepo(std::move(settings)));
  self->git_ = std::make_unique<Handles>();
  git_repository* repo = nullptr;
  int rc = git_repository_open_bare(&repo, self->settings_.workdir.c_str());
  if (rc != 0) {
    rc = git_repository_init(&repo, self->settings_.workdir.c_str(), 1);
    if (rc != 0) {
      return git_failure("cannot create the local clone in " + self->settings_.workdir, rc);
    }
  }
  self->git_->repo.reset(repo);
  // The configured URL wins over whatever an earlier run recorded.
  git_remote* remote = nullptr;
  rc = git_remote_lookup(&remote, repo, "origin");
  if (rc == 0) {
    git_remote_free(remote);
    remote = nullptr;
    rc = git_remote_set_url(repo, "origin", self->settings_.url.c_str());
    if (rc == 0) {
      rc = git_remote_lookup(&remote, repo, "origin");
    }
  } else {
    rc = git_remote_create(&remote, repo, "origin", self->settings_.url.c_str());
  }
  if (rc != 0) {
    return git_failure("cannot set the remote " + self->settings_.url, rc);
  }
  self->git_->remote.reset(remote);
  return self;
}

Result<Published> GitopsRepo::publish(const TreeChange& change) {
  git_repository* repo = git_->repo.get();
  git_remote* remote = git_->remote.get();
  const std::string& branch = settings_.branch;
  const std::string push_spec = "refs/heads/" + branch + ":refs/heads/" + branch;

  Published out;
  for (int attempt = 1; attempt <= settings_.max_push_attempts; ++attempt) {
    CallbackState state;
    state.token = &settings_.token;
    const git_remote_callbacks callbacks = remote_callbacks(state);
    // 1. The remote branch's tip (absent in an empty repository).
    TENANTD_TRY_ASSIGN(const Tip tip, fetch_tip(repo, remote, branch, callbacks, settings_.url));
    // 2. The change, applied in memory to the tip's tree.
    TENANTD_TRY_ASSIGN(const git_oid tree_oid, write_changed_tree(repo, tip.tree.get(), change));
    out.parent = tip.oid ? hex(*tip.oid) : "";
    if (tip.tree && git_oid_equal(&tree_oid, git_tree_id(tip.tree.get())) != 0) {
      out.commit = out.parent;  // already as wanted (a replayed or repeated operation)
      out.changed = false;
      return out;
    }
    // 3. The commit, on the tip, and the local branch pointing at it.
    TENANTD_TRY_ASSIGN(const git_oid commit_oid,
                       commit_on_tip(repo, tree_oid, tip, settings_, change.message));

    // 4. The push; a moved branch means another attempt on the new tip.
    if (before_push_) {
      before_push_();
    }
    out.attempts = attempt;
    git_push_options push_options{};
    git_push_options_init(&push_options, GIT_PUSH_OPTIONS_VERSION);
    push_options.callbacks = callbacks;
    char* push_specs[] = {const_cast<char*>(push_spec.c_str())};
    const git_strarray push_refspecs{push_specs, 1};
    const int rc = git_remote_push(remote, &push_refspecs, &push_options);
    if (rc == GIT_ENONFASTFORWARD) {
      continue;
    }
    if (rc != 0) {
      return git_failure("push to " + settings_.url + " failed", rc);
    }
    if (state.rejected) {
      if (is_conflict_status(*state.rejected)) {
        continue;
      }
      return gitops_failure(
          "GIT_PUSH_REJECTED",
          "the GitOps repository refused the push of " + branch + ": " + *state.rejected, false);
    }
    out.commit = hex(commit_oid);
    out.changed = true;
    return out;
  }
  return gitops_failure("GIT_PUSH_CONFLICT",
                        "the branch " + branch + " kept moving: push rejected " +
                            std::to_string(settings_.max_push_attempts) + " times",
                        true);
}

}  // namespace tenantd::provision
