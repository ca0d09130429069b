#include "provision/libgit2_on_demand.hpp"

#include <git2.h>

namespace tenantd::provision {

OnDemandLibrary& libgit2() {
  static OnDemandLibrary library("libgit2.so.1.5", "PROVISIONER=gitops");
  return library;
}

}  // namespace tenantd::provision

// The libgit2 functions tenantd calls, with libgit2's own names and signatures (git2/*.h): the
// linker resolves tenantd's calls here, and each forwards to the function in the loaded library.
using tenantd::provision::libgit2;

// NOLINTBEGIN(readability-identifier-naming): the names are libgit2's.
extern "C" {

int git_blob_create_from_buffer(git_oid* id, git_repository* repo, const void* buffer, size_t len) {
  static auto* const f =
      libgit2().function<decltype(git_blob_create_from_buffer)>("git_blob_create_from_buffer");
  return f(id, repo, buffer, len);
}

int git_commit_create(git_oid* id, git_repository* repo, const char* update_ref,
                      const git_signature* author, const git_signature* committer,
                      const char* message_encoding, const char* message, const git_tree* tree,
                      size_t parent_count, const git_commit* parents[]) {
  static auto* const f = libgit2().function<decltype(git_commit_create)>("git_commit_create");
  return f(id, repo, update_ref, author, committer, message_encoding, message, tree, parent_count,
           parents);
}

void git_commit_free(git_commit* commit) {
  static auto* const f = libgit2().function<decltype(git_commit_free)>("git_commit_free");
  f(commit);
}

int git_commit_lookup(git_commit** commit, git_repository* repo, const git_oid* id) {
  static auto* const f = libgit2().function<decltype(git_commit_lookup)>("git_commit_lookup");
  return f(commit, repo, id);
}

int git_commit_tree(git_tree** tree_out, const git_commit* commit) {
  static auto* const f = libgit2().function<decltype(git_commit_tree)>("git_commit_tree");
  return f(tree_out, commit);
}

int git_credential_userpass_plaintext_new(git_credential** out, const char* username,
                                          const char* password) {
  static auto* const f = libgit2().function<decltype(git_credential_userpass_plaintext_new)>(
      "git_credential_userpass_plaintext_new");
  return f(out, username, password);
}

const git_error* git_error_last() {
  static auto* const f = libgit2().function<decltype(git_error_last)>("git_error_last");
  return f();
}

int git_fetch_options_init(git_fetch_options* opts, unsigned int version) {
  static auto* const f =
      libgit2().function<decltype(git_fetch_options_init)>("git_fetch_options_init");
  return f(opts, version);
}

int git_index_add(git_index* index, const git_index_entry* source_entry) {
  static auto* const f = libgit2().function<decltype(git_index_add)>("git_index_add");
  return f(index, source_entry);
}

void git_index_free(git_index* index) {
  static auto* const f = libgit2().function<decltype(git_index_free)>("git_index_free");
  f(index);
}

int git_index_new(git_index** out) {
  static auto* const f = libgit2().function<decltype(git_index_new)>("git_index_new");
  return f(out);
}

int git_index_read_tree(git_index* index, const git_tree* tree) {
  static auto* const f = libgit2().function<decltype(git_index_read_tree)>("git_index_read_tree");
  return f(index, tree);
}

int git_index_remove_directory(git_index* index, const char* dir, int stage) {
  static auto* const f =
      libgit2().function<decltype(git_index_remove_directory)>("git_index_remove_directory");
  return f(index, dir, stage);
}

int git_index_write_tree_to(git_oid* out, git_index* index, git_repository* repo) {
  static auto* const f =
      libgit2().function<decltype(git_index_write_tree_to)>("git_index_write_tree_to");
  return f(out, index, repo);
}

int git_libgit2_init() {
  static auto* const f = libgit2().function<decltype(git_libgit2_init)>("git_libgit2_init");
  return f();
}

int git_libgit2_shutdown() {
  static auto* const f = libgit2().function<decltype(git_libgit2_shutdown)>("git_libgit2_shutdown");
  return f();
}

int git_oid_equal(const git_oid* a, const git_oid* b) {
  static auto* const f = libgit2().function<decltype(git_oid_equal)>("git_oid_equal");
  return f(a, b);
}

char* git_oid_tostr(char* out, size_t n, const git_oid* id) {
  static auto* const f = libgit2().function<decltype(git_oid_tostr)>("git_oid_tostr");
  return f(out, n, id);
}

int git_push_options_init(git_push_options* opts, unsigned int version) {
  static auto* const f =
      libgit2().function<decltype(git_push_options_init)>("git_push_options_init");
  return f(opts, version);
}

int git_reference_create(git_reference** out, git_repository* repo, const char* name,
                         const git_oid* id, int force, const char* log_message) {
  static auto* const f = libgit2().function<decltype(git_reference_create)>("git_reference_create");
  return f(out, repo, name, id, force, log_message);
}

void git_reference_free(git_reference* ref) {
  static auto* const f = libgit2().function<decltype(git_reference_free)>("git_reference_free");
  f(ref);
}

int git_reference_name_to_id(git_oid* out, git_repository* repo, const char* name) {
  static auto* const f =
      libgit2().function<decltype(git_reference_name_to_id)>("git_reference_name_to_id");
  return f(out, repo, name);
}

int git_remote_create(git_remote** out, git_repository* repo, const char* name, const char* url) {
  static auto* const f = libgit2().function<decltype(git_remote_create)>("git_remote_create");
  return f(out, repo, name, url);
}

int git_remote_fetch(git_remote* remote, const git_strarray* refspecs,
                     const git_fetch_options* opts, const char* reflog_message) {
  static auto* const f = libgit2().function<decltype(git_remote_fetch)>("git_remote_fetch");
  return f(remote, refspecs, opts, reflog_message);
}

void git_remote_free(git_remote* remote) {
  static auto* const f = libgit2().function<decltype(git_remote_free)>("git_remote_free");
  f(remote);
}

int git_remote_init_callbacks(git_remote_callbacks* opts, unsigned int version) {
  static auto* const f =
      libgit2().function<decltype(git_remote_init_callbacks)>("git_remote_init_callbacks");
  return f(opts, version);
}

int git_remote_lookup(git_remote** out, git_repository* repo, const char* name) {
  static auto* const f = libgit2().function<decltype(git_remote_lookup)>("git_remote_lookup");
  return f(out, repo, name);
}

int git_remote_push(git_remote* remote, const git_strarray* refspecs,
                    const git_push_options* opts) {
  static auto* const f = libgit2().function<decltype(git_remote_push)>("git_remote_push");
  return f(remote, refspecs, opts);
}

int git_remote_set_url(git_repository* repo, const char* remote, const char* url) {
  static auto* const f = libgit2().function<decltype(git_remote_set_url)>("git_remote_set_url");
  return f(repo, remote, url);
}

void git_repository_free(git_repository* repo) {
  static auto* const f = libgit2().function<decltype(git_repository_free)>("git_repository_free");
  f(repo);
}

int git_repository_init(git_repository** out, const char* path, unsigned is_bare) {
  static auto* const f = libgit2().function<decltype(git_repository_init)>("git_repository_init");
  return f(out, path, is_bare);
}

int git_repository_open_bare(git_repository** out, const char* bare_path) {
  static auto* const f =
      libgit2().function<decltype(git_repository_open_bare)>("git_repository_open_bare");
  return f(out, bare_path);
}

void git_signature_free(git_signature* sig) {
  static auto* const f = libgit2().function<decltype(git_signature_free)>("git_signature_free");
  f(sig);
}

int git_signature_now(git_signature** out, const char* name, const char* email) {
  static auto* const f = libgit2().function<decltype(git_signature_now)>("git_signature_now");
  return f(out, name, email);
}

void git_tree_free(git_tree* tree) {
  static auto* const f = libgit2().function<decltype(git_tree_free)>("git_tree_free");
  f(tree);
}

const git_oid* git_tree_id(const git_tree* tree) {
  static auto* const f = libgit2().function<decltype(git_tree_id)>("git_tree_id");
  return f(tree);
}

int git_tree_lookup(git_tree** out, git_repository* repo, const git_oid* id) {
  static auto* const f = libgit2().function<decltype(git_tree_lookup)>("git_tree_lookup");
  return f(out, repo, id);
}

}  // extern "C"
// NOLINTEND(readability-identifier-naming)
