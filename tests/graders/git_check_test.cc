// The git check on repositories built by sandbox::BuildRepo and changed with
// the real git command line, as an agent would.
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/graders/grader_fixture.h"

namespace endstate::graders::testing {
namespace {

using nlohmann::json;

class GitCheckTest : public GraderTest {
 protected:
  void SetUp() override {
    GraderTest::SetUp();
    tasks::RepoSpec repo;
    repo.path = ".";
    tasks::CommitSpec c1;
    c1.message = "Initial commit";
    c1.write = {{"README.md", "# Lab\n## Notes on qunatization\n"}};
    c1.tags = {"v1"};
    tasks::CommitSpec c2;
    c2.message = "Add notes\n\nLonger body.";
    c2.time += 3600;
    c2.write = {{"notes.md", "notes\n"}};
    tasks::CommitSpec c3;
    c3.message = "Add feature";
    c3.time += 7200;
    c3.branch = "feature";
    c3.write = {{"f.txt", "f\n"}};
    tasks::CommitSpec c4 = c2;  // back on main: HEAD follows the commits
    c4.message = "Touch notes";
    c4.branch = "main";
    c4.write = {{"notes.md", "notes 2\n"}};
    repo.commits = {c1, c2, c3, c4};
    task_.world.repos = {repo};
    Start();
  }

  // Runs git in the workspace as the agent would.
  void Shell(const std::string& args) {
    std::string cmd = "cd '" + world_->workspace().string() +
                      "' && git -c user.name=Agent -c user.email=a@lab.test " +
                      args + " >/dev/null 2>&1";
    ASSERT_EQ(0, std::system(cmd.c_str())) << cmd;
  }
  std::string Initial(const std::string& ref) {
    return world_->initial_refs().at(".").at(ref).substr(0, 7);
  }
  CheckResult Git(json spec) {
    spec["kind"] = "git";
    return Run(spec);
  }
};

TEST_F(GitCheckTest, BranchExists) {
  EXPECT_EQ(Verdict::kPassed, Git({{"branch_exists", "feature"}}).verdict);
  CheckResult r = Git({{"branch_exists", "fix-typo"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("git: branch 'fix-typo' does not exist", r.detail);
  Shell("branch fix-typo");
  r = Git({{"branch_exists", "fix-typo"}});
  EXPECT_EQ(Verdict::kPassed, r.verdict);
  EXPECT_EQ("git: every assertion holds", r.detail);
}

TEST_F(GitCheckTest, Messages) {
  CheckResult r = Git({{"head_message", "Touch notes"}});
  EXPECT_EQ(Verdict::kPassed, r.verdict) << r.detail;
  EXPECT_EQ(
      "git: every assertion holds on HEAD (" + Initial("refs/heads/main") + ")",
      r.detail);
  r = Git({{"ref", "feature"}, {"head_message", "Add feature!"}});
  EXPECT_EQ("git: feature message is \"Add feature\", want \"Add feature!\"",
            r.detail);
  EXPECT_EQ(
      Verdict::kPassed,
      Git({{"ref", "main~1"}, {"head_message", "Add notes\n\nLonger body.\n"}})
          .verdict);
  r = Git({{"ref", "main~1"}, {"message_contains", "Shorter"}});
  EXPECT_EQ(
      "git: main~1 message \"Add notes\\n\\nLonger body.\" lacks "
      "\"Shorter\"",
      r.detail);
  r = Git({{"ref", "nope"}, {"message_contains", "x"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("git: ref 'nope' not found", r.detail);
}

TEST_F(GitCheckTest, FileAtRef) {
  EXPECT_EQ(
      Verdict::kPassed,
      Git({{"ref", "v1"},
           {"file_at_ref", {{"path", "README.md"}, {"contains", "qunat"}}}})
          .verdict);
  EXPECT_EQ(
      "git: v1:notes.md missing",
      Git({{"ref", "v1"}, {"file_at_ref", {{"path", "notes.md"}}}}).detail);
  EXPECT_EQ("git: HEAD:README.md lacks \"quantization\"",
            Git({{"file_at_ref",
                  {{"path", "README.md"}, {"contains", "quantization"}}}})
                .detail);
  EXPECT_EQ("git: feature:f.txt exists, want absent",
            Git({{"ref", "feature"},
                 {"file_at_ref", {{"path", "f.txt"}, {"absent", true}}}})
                .detail);
  EXPECT_EQ(
      Verdict::kPassed,
      Git({{"file_at_ref", {{"path", "f.txt"}, {"absent", true}}}}).verdict);
}

TEST_F(GitCheckTest, CleanAndWorkingTree) {
  // The working tree is exactly main: feature's file was never written.
  EXPECT_FALSE(std::filesystem::exists(world_->workspace() / "f.txt"));
  EXPECT_EQ(Verdict::kPassed, Git({{"clean", true}}).verdict);
  EXPECT_EQ("git: clean, want uncommitted changes",
            Git({{"clean", false}}).detail);
  Put("README.md", "# Lab\n## Notes on quantization\n");
  Put("TODO", "later\n");
  CheckResult r = Git({{"clean", true}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("git: not clean: 2 changed files: README.md, TODO", r.detail);
  EXPECT_EQ(Verdict::kPassed, Git({{"clean", false}}).verdict);
}

TEST_F(GitCheckTest, CommitCountAndChangedFiles) {
  EXPECT_EQ(Verdict::kPassed, Git({{"commit_count", 3}}).verdict);
  EXPECT_EQ("git: 3 commits reachable from feature, want 4",
            Git({{"ref", "feature"}, {"commit_count", 4}}).detail);
  EXPECT_EQ(Verdict::kPassed,
            Git({{"ref", "feature"}, {"changed_files", {"f.txt"}}}).verdict);
  EXPECT_EQ("git: HEAD changed [notes.md], want [README.md, notes.md]",
            Git({{"changed_files", {"notes.md", "README.md"}}}).detail);
  EXPECT_EQ(Verdict::kPassed,
            Git({{"ref", "v1"}, {"changed_files", {"README.md"}}}).verdict);
}

TEST_F(GitCheckTest, RefUnchanged) {
  EXPECT_EQ(Verdict::kPassed, Git({{"ref_unchanged", "main"}}).verdict);
  std::string was = Initial("refs/heads/main");
  Put("README.md", "# Lab\n## Notes on quantization\n");
  Shell("commit -am 'Fix typo'");
  CheckResult r = Git({{"ref_unchanged", "main"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  ASSERT_EQ(0u, r.detail.find("git: branch 'main' moved from " + was + " to "))
      << r.detail;
  EXPECT_EQ(Verdict::kPassed, Git({{"ref_unchanged", "feature"}}).verdict);
  std::string feature = Initial("refs/heads/feature");
  Shell("branch -D feature");
  EXPECT_EQ("git: branch 'feature' deleted (was " + feature + ")",
            Git({{"ref_unchanged", "feature"}}).detail);
  r = Git({{"ref_unchanged", "release"}});
  EXPECT_EQ(Verdict::kError, r.verdict);
  EXPECT_EQ("git: branch 'release' is not among the initial refs", r.detail);
}

TEST_F(GitCheckTest, NotARepositoryAndUnbornHead) {
  Put("sub/readme.txt", "x");
  CheckResult r = Git({{"repo", "sub"}, {"clean", true}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("git sub: not a git repository", r.detail);
  Shell("init -q -b main sub");
  r = Git({{"repo", "sub"}, {"head_message", "x"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("git sub: HEAD has no commits", r.detail);
  EXPECT_EQ("git sub: not clean: 1 changed file: readme.txt",
            Git({{"repo", "sub"}, {"clean", true}}).detail);
  EXPECT_EQ("git missing: not a git repository",
            Git({{"repo", "missing"}, {"clean", true}}).detail);
}

TEST(GitValidation, Messages) {
  EXPECT_EQ(
      "assertions: expected one or more of branch_exists, head_message, "
      "message_contains, file_at_ref, clean, commit_count, ref_unchanged, "
      "changed_files",
      Invalid({{"kind", "git"}, {"ref", "main"}}));
  EXPECT_EQ(
      "file_at_ref: expected a mapping {path, contains} or {path, absent: "
      "true}",
      Invalid({{"kind", "git"}, {"file_at_ref", "README.md"}}));
  EXPECT_EQ("file_at_ref.contain: unknown field",
            Invalid({{"kind", "git"},
                     {"file_at_ref", {{"path", "a"}, {"contain", "x"}}}}));
  EXPECT_EQ("changed_files: expected a list of repository paths",
            Invalid({{"kind", "git"}, {"changed_files", "a.txt"}}));
  EXPECT_EQ("clean: expected true or false, got \"yes\"",
            Invalid({{"kind", "git"}, {"clean", "yes"}}));
  EXPECT_EQ("repo: must be a relative path inside the workspace, got \"/srv\"",
            Invalid({{"kind", "git"}, {"repo", "/srv"}, {"clean", true}}));
  EXPECT_EQ("valid",
            Invalid({{"kind", "git"}, {"changed_files", json::array()}}));
}

}  // namespace
}  // namespace endstate::graders::testing

namespace endstate::graders::testing {
namespace {

// Issue 12: a `.git` gitdir file, a `.git` symlink or an alternates file
// made libgit2 read a repository of the host; now the check fails.
TEST_F(GitCheckTest, HostileGitdirOutOfTheWorldIsFailed) {
  // A repository outside the world: the world's own initial copy's
  // parent is outside the workspace too; use the test's task folder.
  const fs::path outside = world_->dir() / "outside-repo";
  std::string cmd = "git init -q '" + outside.string() + "'";
  ASSERT_EQ(0, std::system(cmd.c_str()));
  Put("sub/.git", "gitdir: " + (outside / ".git").string() + "\n");
  CheckResult r = Git({{"repo", "sub"}, {"clean", true}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("git sub: the repository's .git leads outside the workspace",
            r.detail);
  fs::create_directories(world_->workspace() / "other");
  fs::create_directory_symlink(outside / ".git",
                               world_->workspace() / "other/.git");
  r = Git({{"repo", "other"}, {"clean", true}});
  EXPECT_EQ("git other: the repository's .git leads outside the workspace",
            r.detail);
  Put(".git/objects/info/alternates", (outside / ".git/objects").string());
  r = Git({{"clean", true}});
  EXPECT_EQ("git: the repository's .git leads outside the workspace", r.detail);
}

}  // namespace
}  // namespace endstate::graders::testing
