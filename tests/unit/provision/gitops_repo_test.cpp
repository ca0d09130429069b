// The GitOps repository through libgit2 (provision/gitops_repo) against a local bare
// repository: commits land on the branch, replays change nothing, a branch that moved between
// fetch and push is retried on the new tip, and a refused push is a non-retryable failure.
#include "provision/gitops_repo.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/crypto.hpp"
#include "provision/gitops_failure.hpp"

namespace tenantd::provision {
namespace {

namespace fs = std::filesystem;

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    return out;
  }
  std::array<char, 4096> buf{};
  while (fgets(buf.data(), buf.size(), pipe) != nullptr) {
    out += buf.data();
  }
  pclose(pipe);
  while (!out.empty() && out.back() == '\n') {
    out.pop_back();
  }
  return out;
}

class GitopsRepoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("tenantd-gitops-" + hex(random_bytes(6)));
    fs::create_directories(root_);
    bare_ = (root_ / "remote.git").string();
    // A remote with one commit, as an environment's GitOps repository would have.
    run("git init -q --bare -b main " + bare_);
    const std::string seed = (root_ / "seed").string();
    run("git clone -q " + bare_ + " " + seed);
    std::ofstream(seed + "/shared.tfvars") << "vpc_id = \"vpc-1\"\n";
    run(git_in(seed) + " add -A && " + git_in(seed) + " commit -q -m seed && " + git_in(seed) +
        " push -q origin HEAD:main");
  }
  void TearDown() override { fs::remove_all(root_); }

  static std::string git_in(const std::string& dir) {
    return "git -C " + dir + " -c user.name=t -c user.email=t@t";
  }
  std::string remote(const std::string& args) const {
    return run("git --git-dir=" + bare_ + " " + args);
  }

  GitSettings settings() const {
    GitSettings s;
    s.url = "file://" + bare_;
    s.workdir = (root_ / "work").string();
    return s;
  }

  static TreeChange tenant_change(const std::string& content) {
    TreeChange c;
    c.replace_dirs = {"tenants/t1"};
    c.files = {{"tenants/t1/main.tf", content}, {".github/workflows/deploy-tenant-t1.yml", "w"}};
    c.message = "tenant t1: apply";
    return c;
  }

  // Pushes a commit touching another file from a second clone.
  void push_competing_commit(const std::string& name) {
    const std::string other = (root_ / ("other-" + name)).string();
    run("git clone -q " + bare_ + " " + other);
    std::ofstream(other + "/" + name) << name;
    run(git_in(other) + " add -A && " + git_in(other) + " commit -q -m " + name + " && " +
        git_in(other) + " push -q origin HEAD:main");
  }

  fs::path root_;
  std::string bare_;
};

TEST_F(GitopsRepoTest, PublishCommitsOnTopOfTheBranchAndPushes) {
  auto repo = GitopsRepo::open(settings());
  ASSERT_TRUE(repo) << repo.error().message;
  const std::string before = remote("rev-parse main");
  auto published = (*repo)->publish(tenant_change("a = 1\n"));
  ASSERT_TRUE(published) << published.error().message;
  EXPECT_TRUE(published->changed);
  EXPECT_EQ(published->parent, before);
  EXPECT_EQ(remote("rev-parse main"), published->commit);
  EXPECT_EQ(remote("show main:tenants/t1/main.tf"), "a = 1");
  EXPECT_EQ(remote("show main:shared.tfvars"), "vpc_id = \"vpc-1\"");  // others' files kept
  EXPECT_EQ(remote("log -1 --format=%s main"), "tenant t1: apply");
}

TEST_F(GitopsRepoTest, SameChangeTwiceMakesNoSecondCommit) {
  auto repo = GitopsRepo::open(settings());
  ASSERT_TRUE(repo);
  auto first = (*repo)->publish(tenant_change("a = 1\n"));
  ASSERT_TRUE(first);
  auto second = (*repo)->publish(tenant_change("a = 1\n"));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_FALSE(second->changed);
  EXPECT_EQ(second->commit, first->commit);
  EXPECT_EQ(remote("rev-list --count main"), "2");
}

TEST_F(GitopsRepoTest, ReplaceDirRemovesFilesNoLongerRendered) {
  auto repo = GitopsRepo::open(settings());
  ASSERT_TRUE(repo);
  auto change = tenant_change("a = 1\n");
  change.files.push_back({"tenants/t1/old.tf", "old"});
  ASSERT_TRUE((*repo)->publish(change));
  TreeChange remove;
  remove.replace_dirs = {"tenants/t1"};
  remove.message = "tenant t1: destroy";
  auto removed = (*repo)->publish(remove);
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_TRUE(removed->changed);
  EXPECT_EQ(remote("ls-tree -r --name-only main"),
            ".github/workflows/deploy-tenant-t1.yml\nshared.tfvars");
}

TEST_F(GitopsRepoTest, BranchMovedBeforePushIsRetriedOnTheNewTip) {
  auto repo = GitopsRepo::open(settings());
  ASSERT_TRUE(repo);
  int pushes = 0;
  (*repo)->set_before_push([&] {
    if (pushes++ == 0) {
      push_competing_commit("other.txt");  // lands between our fetch and our push
    }
  });
  auto published = (*repo)->publish(tenant_change("a = 1\n"));
  ASSERT_TRUE(published) << published.error().message;
  EXPECT_EQ(published->attempts, 2);
  EXPECT_EQ(remote("rev-parse main"), published->commit);
  EXPECT_EQ(remote("show main:other.txt"), "other.txt");  // the competing commit survives
  EXPECT_EQ(remote("show main:tenants/t1/main.tf"), "a = 1");
  EXPECT_EQ(remote("rev-parse main^"), published->parent);
}

TEST_F(GitopsRepoTest, BranchThatKeepsMovingFailsRetryably) {
  auto s = settings();
  s.max_push_attempts = 2;
  auto repo = GitopsRepo::open(s);
  ASSERT_TRUE(repo);
  int n = 0;
  (*repo)->set_before_push([&] { push_competing_commit("f" + std::to_string(n++)); });
  auto published = (*repo)->publish(tenant_change("a = 1\n"));
  ASSERT_FALSE(published);
  const auto info = error_info(published.error());
  EXPECT_EQ(info.code, "GIT_PUSH_CONFLICT");
  EXPECT_EQ(info.retryable, true);
  EXPECT_EQ(remote("show main:tenants/t1/main.tf").find("a = 1"), std::string::npos);
}

TEST_F(GitopsRepoTest, RefusedPushIsANonRetryableFailure) {
  auto repo = GitopsRepo::open(settings());
  ASSERT_TRUE(repo);
  const std::string before = remote("rev-parse main");
  // The remote refuses to move the branch (its ref is locked).
  std::ofstream(bare_ + "/refs/heads/main.lock") << "";
  auto published = (*repo)->publish(tenant_change("a = 1\n"));
  ASSERT_FALSE(published);
  const auto info = error_info(published.error());
  EXPECT_EQ(info.code, "GIT_PUSH_REJECTED");
  EXPECT_EQ(info.retryable, false);
  EXPECT_NE(info.message.find("main"), std::string::npos) << info.message;
  EXPECT_EQ(remote("rev-parse main"), before);
}

TEST_F(GitopsRepoTest, UnreachableRemoteFails) {
  auto s = settings();
  s.url = "file://" + (root_ / "missing.git").string();
  auto repo = GitopsRepo::open(s);
  ASSERT_TRUE(repo);
  auto published = (*repo)->publish(tenant_change("a = 1\n"));
  ASSERT_FALSE(published);
  EXPECT_FALSE(error_info(published.error()).code.empty());
}

TEST_F(GitopsRepoTest, MissingSettingsAreRefused) {
  GitSettings s;
  auto repo = GitopsRepo::open(s);
  ASSERT_FALSE(repo);
  EXPECT_EQ(error_info(repo.error()).code, "GITOPS_NOT_CONFIGURED");
}

}  // namespace
}  // namespace tenantd::provision
