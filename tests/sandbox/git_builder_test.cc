#include "sandbox/git_builder.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "util/files.h"

namespace endstate::sandbox {
namespace {

using tasks::CommitSpec;
using tasks::RepoSpec;

namespace fs = std::filesystem;

// Output of a shell command (stdout, trailing newline cut).
std::string Sh(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return "popen failed";
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

class GitBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    dir_ = util::MakeTempDir("/tmp/endstate-tasks-tests", "git-", &err);
    ASSERT_FALSE(dir_.empty()) << err;
    // A copy_from folder with a subfolder and an executable script.
    fs::create_directories(dir_ / "v1/docs");
    ASSERT_TRUE(util::WriteFile(dir_ / "v1/index.html", "<h1>Lab</h1>\n"));
    ASSERT_TRUE(util::WriteFile(dir_ / "v1/docs/a.md", "a\n"));
    ASSERT_TRUE(util::WriteFile(dir_ / "v1/build.sh", "#!/bin/sh\necho hi\n"));
    ::chmod((dir_ / "v1/build.sh").c_str(), 0755);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  RepoSpec Spec() {
    RepoSpec spec;
    spec.path = "site";
    CommitSpec c1;
    c1.message = "Initial site";
    c1.author = "Ana Lopez <ana@lab.test>";
    c1.copy_from = dir_ / "v1";
    c1.tags = {"v1.0"};
    CommitSpec c2;
    c2.message = "Add notes";
    c2.time += 60;
    c2.write = {{"notes/todo.md", "- ship\n"}};
    c2.remove = {"docs"};
    CommitSpec c3;
    c3.message = "Draft feature";
    c3.time += 120;
    c3.branch = "feature";
    c3.write = {{"feature.txt", "wip\n"}, {"index.html", "<h1>Lab 2</h1>\n"}};
    c3.tags = {"draft"};
    spec.commits = {c1, c2, c3};
    spec.checkout = "main";
    return spec;
  }

  fs::path dir_;
};

TEST_F(GitBuilderTest, SameSpecSameCommitIds) {
  std::map<std::string, std::string> a, b;
  std::string err;
  ASSERT_TRUE(BuildRepo(dir_ / "ws1", Spec(), &a, &err)) << err;
  ASSERT_TRUE(BuildRepo(dir_ / "ws2", Spec(), &b, &err)) << err;
  EXPECT_EQ(a, b);
  ASSERT_EQ(4u, a.size());
  EXPECT_EQ(1u, a.count("refs/heads/main"));
  EXPECT_EQ(1u, a.count("refs/heads/feature"));
  EXPECT_EQ(1u, a.count("refs/tags/v1.0"));
  EXPECT_EQ(a["refs/tags/draft"], a["refs/heads/feature"]);
  EXPECT_EQ(40u, a["refs/heads/main"].size());
  // A different time gives a different id.
  RepoSpec other = Spec();
  other.commits[0].time += 1;
  std::map<std::string, std::string> c;
  ASSERT_TRUE(BuildRepo(dir_ / "ws3", other, &c, &err)) << err;
  EXPECT_NE(a["refs/tags/v1.0"], c["refs/tags/v1.0"]);
}

TEST_F(GitBuilderTest, HistoryAsGitSeesIt) {
  std::map<std::string, std::string> refs;
  std::string err;
  ASSERT_TRUE(BuildRepo(dir_ / "ws", Spec(), &refs, &err)) << err;
  std::string git = "git -C '" + (dir_ / "ws/site").string() + "' ";
  EXPECT_EQ("main", Sh(git + "symbolic-ref --short HEAD"));
  EXPECT_EQ("Add notes|Initial site",
            Sh(git + "log --format=%s main | paste -sd'|'"));
  // feature forked from main's tip (the previous commit's branch).
  EXPECT_EQ("Draft feature|Add notes|Initial site",
            Sh(git + "log --format=%s feature | paste -sd'|'"));
  EXPECT_EQ("Ana Lopez <ana@lab.test> 1767225600 +0000",
            Sh(git + "log -1 --format='%an <%ae> %at %ad' --date=format:%z " +
               refs["refs/tags/v1.0"]));
  EXPECT_EQ("Lab Bot <bot@lab.test>",
            Sh(git + "log -1 --format='%cn <%ce>' main"));
  EXPECT_EQ("100755", Sh(git + "ls-tree main build.sh | cut -c1-6"));
  EXPECT_EQ("build.sh|docs/a.md|index.html",
            Sh(git + "ls-tree -r --name-only v1.0 | paste -sd'|'"));
  EXPECT_EQ("build.sh|index.html|notes/todo.md",
            Sh(git + "ls-tree -r --name-only main | paste -sd'|'"));
  EXPECT_EQ("", Sh(git + "status --porcelain"));
  EXPECT_EQ("", Sh(git + "fsck --no-progress 2>&1"));
}

TEST_F(GitBuilderTest, WorkingTreeIsExactlyTheCheckedOutBranch) {
  std::map<std::string, std::string> refs;
  std::string err;
  fs::create_directories(dir_ / "ws");
  ASSERT_TRUE(util::WriteFile(dir_ / "ws/outside.txt", "not in a repo\n"));
  RepoSpec spec = Spec();
  spec.path = ".";
  ASSERT_TRUE(BuildRepo(dir_ / "ws", spec, &refs, &err)) << err;
  EXPECT_FALSE(fs::exists(dir_ / "ws/feature.txt"));
  EXPECT_FALSE(fs::exists(dir_ / "ws/docs"));
  EXPECT_EQ("<h1>Lab</h1>\n", *util::ReadFile(dir_ / "ws/index.html"));
  EXPECT_EQ("- ship\n", *util::ReadFile(dir_ / "ws/notes/todo.md"));
  EXPECT_TRUE(fs::exists(dir_ / "ws/outside.txt"));
  EXPECT_EQ("?? outside.txt",
            Sh("git -C '" + (dir_ / "ws").string() + "' status --porcelain"));

  spec.checkout = "feature";
  ASSERT_TRUE(BuildRepo(dir_ / "ws2", spec, &refs, &err)) << err;
  EXPECT_EQ("wip\n", *util::ReadFile(dir_ / "ws2/feature.txt"));
  EXPECT_EQ("<h1>Lab 2</h1>\n", *util::ReadFile(dir_ / "ws2/index.html"));
  EXPECT_EQ("feature", Sh("git -C '" + (dir_ / "ws2").string() +
                          "' symbolic-ref --short HEAD"));
  EXPECT_EQ("",
            Sh("git -C '" + (dir_ / "ws2").string() + "' status --porcelain"));
}

TEST_F(GitBuilderTest, CommitIdMatchesGitItself) {
  RepoSpec spec;
  spec.path = ".";
  CommitSpec c;
  c.message = "Initial commit";
  c.author = "Ana Lopez <ana@lab.test>";
  c.time = 1790000000;
  c.write = {{"README.md", "# Lab\n"}};
  spec.commits = {c};
  std::map<std::string, std::string> refs;
  std::string err;
  ASSERT_TRUE(BuildRepo(dir_ / "ours", spec, &refs, &err)) << err;
  std::string theirs =
      Sh("set -e; d='" + (dir_ / "theirs").string() +
         "'; git init -q -b main \"$d\"; cd \"$d\"; printf '# Lab\\n' > "
         "README.md; git add README.md; export GIT_AUTHOR_NAME='Ana Lopez' "
         "GIT_AUTHOR_EMAIL=ana@lab.test GIT_COMMITTER_NAME='Ana Lopez' "
         "GIT_COMMITTER_EMAIL=ana@lab.test GIT_AUTHOR_DATE='@1790000000 +0000' "
         "GIT_COMMITTER_DATE='@1790000000 +0000'; git -c commit.gpgsign=false "
         "commit -q -m 'Initial commit'; git rev-parse HEAD");
  EXPECT_EQ(theirs, refs["refs/heads/main"]);
}

TEST_F(GitBuilderTest, Errors) {
  std::map<std::string, std::string> refs;
  std::string err;
  RepoSpec spec = Spec();
  spec.commits[1].remove = {"nope.txt"};
  EXPECT_FALSE(BuildRepo(dir_ / "e1", spec, &refs, &err));
  EXPECT_EQ("commits[1]: remove: 'nope.txt' is not in the tree", err);

  spec = Spec();
  spec.commits[0].author = "Ana Lopez";
  EXPECT_FALSE(BuildRepo(dir_ / "e2", spec, &refs, &err));
  EXPECT_EQ("commits[0]: author: expected \"Name <email>\", got \"Ana Lopez\"",
            err);

  spec = Spec();
  spec.checkout = "release";
  EXPECT_FALSE(BuildRepo(dir_ / "e3", spec, &refs, &err));
  EXPECT_EQ("checkout: branch 'release' has no commits", err);

  spec = Spec();
  spec.path = "../out";
  EXPECT_FALSE(BuildRepo(dir_ / "e4", spec, &refs, &err));
  EXPECT_EQ("path '../out' leaves the workspace", err);

  spec = Spec();
  spec.commits[2].write = {{"../x", "y"}};
  EXPECT_FALSE(BuildRepo(dir_ / "e5", spec, &refs, &err));
  EXPECT_EQ("commits[2]: write: path '../x' leaves the repository", err);

  spec = Spec();
  spec.commits[1].tags = {"v1.0"};
  EXPECT_FALSE(BuildRepo(dir_ / "e6", spec, &refs, &err));
  EXPECT_EQ(0u, err.find("commits[1]: tag v1.0: ")) << err;

  spec = Spec();
  spec.commits[0].copy_from = dir_ / "missing";
  EXPECT_FALSE(BuildRepo(dir_ / "e7", spec, &refs, &err));
  EXPECT_EQ(
      "commits[0]: copy_from: not a directory: " + (dir_ / "missing").string(),
      err);
}

// The repository's folder and the paths of its commits go through the one
// confinement rule on the host side (util/confine.h): `..`, absolute paths
// and a symlink in the workspace leading out are refused with one text, and
// nothing is written outside.
TEST_F(GitBuilderTest, PathsStayInTheWorkspace) {
  const fs::path ws = dir_ / "ws";
  const fs::path canary = dir_ / "canary";
  fs::create_directories(ws);
  fs::create_directories(canary);
  fs::create_directory_symlink(canary, ws / "out");
  fs::create_directory_symlink("..", ws / "up");
  std::map<std::string, std::string> refs;
  std::string err;
  struct Case {
    std::string path, error;
  } cases[] = {
      {"../x", "path '../x' leaves the workspace"},
      {"a/../../x", "path 'a/../../x' leaves the workspace"},
      {canary.string(), "path '" + canary.string() + "' leaves the workspace"},
      {"out", "path 'out' leaves the workspace through symlink 'out'"},
      {"out/repo",
       "path 'out/repo' leaves the workspace through symlink 'out'"},
      {"up/x", "path 'up/x' leaves the workspace through symlink 'up'"},
  };
  for (const Case& c : cases) {
    RepoSpec spec = Spec();
    spec.path = c.path;
    EXPECT_FALSE(BuildRepo(ws, spec, &refs, &err)) << c.path;
    EXPECT_EQ(c.error, err);
  }
  RepoSpec spec = Spec();
  spec.path = "w";
  spec.commits[0].write = {{"/etc/x", "y"}};
  EXPECT_FALSE(BuildRepo(ws, spec, &refs, &err));
  EXPECT_EQ("commits[0]: write: path '/etc/x' leaves the repository", err);
  spec = Spec();
  spec.path = "r";
  spec.commits[0].remove = {"a/../../x"};
  EXPECT_FALSE(BuildRepo(ws, spec, &refs, &err));
  EXPECT_EQ("commits[0]: remove: path 'a/../../x' leaves the repository", err);
  EXPECT_TRUE(fs::is_empty(canary));
  // A path that stays inside after `..` is the rule's, not a substring's.
  spec = Spec();
  spec.path = "a/../b";
  EXPECT_TRUE(BuildRepo(ws, spec, &refs, &err)) << err;
  EXPECT_TRUE(fs::is_directory(ws / "b" / ".git"));
}

}  // namespace
}  // namespace endstate::sandbox
