// World::Create end to end: real copies, real bwrap, real HTTP, real sshd.
#include "sandbox/world.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sandbox/git_builder.h"
#include "util/files.h"
#include "util/http.h"

namespace endstate::sandbox {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

std::string Read(const fs::path& path) {
  return util::ReadFile(path).value_or("<missing>");
}

class WorldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path("/var/tmp") /
            ("es-world-test-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    Write(root_ / "task/workspace/README.md", "hello\n");
    Write(root_ / "task/workspace/src/app.txt", "v1\n");
    Write(root_ / "task/site/index.html", "<h1>site</h1>");
    Write(root_ / "task/prod/www/index.html", "<h1>prod v1</h1>");
    Write(root_ / "task/prod/etc/app.conf", "port=80\n");
    task_.id = "world-test";
    task_.world.workspace = root_ / "task/workspace";
    task_.world.sites = {{"site.test", root_ / "task/site"}};
    options_.base = root_ / "worlds";
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<World> Create() {
    std::string err;
    auto world = World::Create(task_, options_, &err);
    EXPECT_TRUE(world) << err;
    return world;
  }

  util::HttpResponse Fetch(const World& world, const std::string& url_host,
                           const std::string& path) {
    util::HttpRequest req;
    req.url = "http://" + url_host + path;
    auto address = world.HttpAddress(url_host);
    if (address) req.connect_to[url_host + ":80"] = *address;
    req.total_timeout = std::chrono::milliseconds(5000);
    return util::Fetch(req);
  }

  fs::path root_;
  tasks::Task task_;
  WorldOptions options_;
};

TEST_F(WorldTest, CopiesWorkspaceAndKeepsPristineCopy) {
  auto world = Create();
  ASSERT_TRUE(world);
  EXPECT_EQ(root_ / "worlds", world->dir().parent_path());
  EXPECT_EQ(0u, world->dir().filename().string().find("world-test-"));
  EXPECT_EQ(world->dir() / "workspace", world->workspace());
  EXPECT_EQ(world->dir() / "initial/workspace", world->initial_workspace());
  EXPECT_EQ("hello\n", Read(world->workspace() / "README.md"));
  EXPECT_EQ("v1\n", Read(world->workspace() / "src/app.txt"));
  EXPECT_EQ("v1\n", Read(world->initial_workspace() / "src/app.txt"));
  EXPECT_EQ(0755u,
            static_cast<unsigned>(fs::status(root_ / "worlds").permissions()) &
                0777u);
  EXPECT_TRUE(world->deploy_hosts().empty());
  EXPECT_TRUE(world->initial_refs().empty());
  EXPECT_EQ(std::nullopt, world->InitialHostRoot("prod.test"));
}

TEST_F(WorldTest, LayersAreCopiedInOrder) {
  Write(root_ / "shared/README.md", "shared readme\n");
  Write(root_ / "shared/css/site.css", "body {}\n");
  task_.world.workspace.layers = {
      {.from = root_ / "shared", .at = ""},
      {.from = root_ / "task/workspace", .at = ""},
      {.from = root_ / "shared", .at = "vendor/site"}};
  auto world = Create();
  ASSERT_TRUE(world);
  const fs::path ws = world->workspace();
  EXPECT_EQ("hello\n", Read(ws / "README.md"));  // the later layer wins
  EXPECT_EQ("body {}\n", Read(ws / "css/site.css"));
  EXPECT_EQ("v1\n", Read(ws / "src/app.txt"));
  EXPECT_EQ("shared readme\n", Read(ws / "vendor/site/README.md"));
  EXPECT_EQ("hello\n", Read(world->initial_workspace() / "README.md"));
}

TEST_F(WorldTest, EmptyWorkspaceWhenTaskHasNone) {
  task_.world.workspace.clear();
  auto world = Create();
  ASSERT_TRUE(world);
  EXPECT_TRUE(fs::is_directory(world->workspace()));
  EXPECT_TRUE(fs::is_empty(world->workspace()));
}

TEST_F(WorldTest, RunShellWorksInTheWorkspace) {
  auto world = Create();
  ASSERT_TRUE(world);
  ProcessResult r = world->RunShell(
      "pwd; echo $HOME $LANG; cat README.md; echo new > out.txt; "
      "echo v2 > src/app.txt; git config --get safe.directory; "
      "echo \"$GIT_AUTHOR_NAME <$GIT_AUTHOR_EMAIL>\"",
      options_.shell);
  EXPECT_EQ(0, r.exit_code) << r.err;
  EXPECT_EQ(
      "/workspace\n/workspace C.UTF-8\nhello\n*\nEndstate Agent "
      "<agent@lab.test>\n",
      r.out);
  EXPECT_EQ("new\n", Read(world->workspace() / "out.txt"));
  EXPECT_EQ("v2\n", Read(world->workspace() / "src/app.txt"));
  EXPECT_EQ("v1\n", Read(world->initial_workspace() / "src/app.txt"));
  EXPECT_FALSE(fs::exists(world->initial_workspace() / "out.txt"));
}

TEST_F(WorldTest, RunShellSeesNothingOutsideTheWorkspace) {
  auto world = Create();
  ASSERT_TRUE(world);
  ProcessResult r = world->RunShell(
      "ls /; ls " + world->dir().string() + " 2>&1", options_.shell);
  EXPECT_EQ(
      "bin\ndev\netc\nlib\nlib64\nproc\nsbin\ntmp\nusr\nworkspace\n"
      "ls: cannot access '" +
          world->dir().string() + "': No such file or directory\n",
      r.out);
}

TEST_F(WorldTest, ServesSitesOverHttp) {
  auto world = Create();
  ASSERT_TRUE(world);
  EXPECT_EQ(std::vector<std::string>{"site.test"}, world->HttpHosts());
  auto address = world->HttpAddress("site.test");
  ASSERT_TRUE(address);
  EXPECT_EQ(0u, address->find("127.0.0.1:"));
  EXPECT_EQ(address, world->HttpAddress("site.test:8080"));
  EXPECT_EQ(std::nullopt, world->HttpAddress("other.test"));

  util::HttpResponse res = Fetch(*world, "site.test", "/");
  ASSERT_TRUE(res.ok) << res.error;
  EXPECT_EQ(200, res.status);
  EXPECT_EQ("<h1>site</h1>", res.body);
  // Served live from the task folder.
  Write(root_ / "task/site/new.html", "fresh");
  EXPECT_EQ("fresh", Fetch(*world, "site.test", "/new.html").body);
}

TEST_F(WorldTest, WorldsShareNothing) {
  auto a = Create();
  auto b = Create();
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->dir(), b->dir());
  EXPECT_EQ(
      0,
      a->RunShell("echo a > mine.txt; rm README.md", options_.shell).exit_code);
  EXPECT_FALSE(fs::exists(b->workspace() / "mine.txt"));
  EXPECT_EQ("hello\n", Read(b->workspace() / "README.md"));
  EXPECT_EQ("hello\n", Read(root_ / "task/workspace/README.md"));
  EXPECT_NE(a->HttpAddress("site.test"), b->HttpAddress("site.test"));
}

TEST_F(WorldTest, DestructorRemovesTheDirectoryUnlessKept) {
  fs::path dir;
  {
    auto world = Create();
    ASSERT_TRUE(world);
    dir = world->dir();
    EXPECT_TRUE(fs::exists(dir));
  }
  EXPECT_FALSE(fs::exists(dir));

  options_.keep = true;
  {
    auto world = Create();
    ASSERT_TRUE(world);
    dir = world->dir();
  }
  EXPECT_EQ("hello\n", Read(dir / "workspace/README.md"));
}

TEST_F(WorldTest, FailuresNameTheCauseAndLeaveNothing) {
  task_.world.workspace = root_ / "task/missing";
  std::string err;
  EXPECT_EQ(nullptr, World::Create(task_, options_, &err));
  EXPECT_EQ(0u, err.find("cannot copy " + (root_ / "task/missing").string()))
      << err;
  EXPECT_TRUE(fs::is_empty(root_ / "worlds"));
}

TEST_F(WorldTest, BuildsReposAndRecordsTheirRefs) {
  tasks::RepoSpec repo;
  repo.path = "proj";
  tasks::CommitSpec commit;
  commit.message = "first";
  commit.write = {{"a.txt", "A\n"}};
  repo.commits = {commit};
  task_.world.repos = {repo};
  auto world = Create();
  ASSERT_TRUE(world);
  ASSERT_EQ(1u, world->initial_refs().count("proj"));
  const auto& refs = world->initial_refs().at("proj");
  ASSERT_EQ(1u, refs.count("refs/heads/main"));
  EXPECT_EQ(40u, refs.at("refs/heads/main").size());
  EXPECT_EQ("A\n", Read(world->initial_workspace() / "proj/a.txt"));
  ProcessResult r = world->RunShell(
      "cd proj && git log --format=%s && "
      "git status --porcelain",
      options_.shell);
  EXPECT_EQ("first\n", r.out) << r.err;
}

class WorldWithHostTest : public WorldTest {
 protected:
  void SetUp() override {
    WorldTest::SetUp();
    tasks::HostSpec host;
    host.name = "prod.test";
    host.files = root_ / "task/prod";
    task_.world.hosts = {host};
  }
};

TEST_F(WorldWithHostTest, StartsDeployHostServedOverSshAndHttp) {
  auto world = Create();
  ASSERT_TRUE(world);
  ASSERT_EQ(1u, world->deploy_hosts().size());
  const DeployHost& host = world->deploy_hosts()[0];
  EXPECT_EQ("prod.test", host.name);
  EXPECT_EQ(world->dir() / "hosts/prod.test/root", host.root);
  EXPECT_EQ(host.root / "www", host.docroot);
  EXPECT_EQ(&host, world->FindHost("prod.test"));
  EXPECT_EQ(nullptr, world->FindHost("site.test"));
  EXPECT_EQ("port=80\n", Read(host.root / "etc/app.conf"));
  auto initial = world->InitialHostRoot("prod.test");
  ASSERT_TRUE(initial);
  EXPECT_EQ(world->dir() / "initial/hosts/prod.test", *initial);
  EXPECT_EQ("<h1>prod v1</h1>", Read(*initial / "www/index.html"));
  EXPECT_EQ((std::vector<std::string>{"prod.test", "site.test"}),
            world->HttpHosts());

  EXPECT_EQ("<h1>prod v1</h1>", Fetch(*world, "prod.test", "/").body);
  ExecResult exec;
  std::string err;
  ASSERT_TRUE(world->RunOnHost(
      "prod.test", "echo '<h1>prod v2</h1>' > /srv/www/index.html; pwd",
      options_.shell, &exec, &err))
      << err;
  EXPECT_EQ(0, exec.exit_code) << exec.err;
  EXPECT_EQ("<h1>prod v2</h1>\n", Fetch(*world, "prod.test", "/").body);
  EXPECT_EQ("<h1>prod v1</h1>", Read(*initial / "www/index.html"));

  EXPECT_FALSE(
      world->RunOnHost("nope.test", "true", options_.shell, &exec, &err));
  EXPECT_EQ("unknown host: nope.test", err);
}

TEST_F(WorldWithHostTest, CreatesMissingDocroot) {
  task_.world.hosts[0].files.clear();
  task_.world.hosts[0].docroot = "srv/html";
  auto world = Create();
  ASSERT_TRUE(world);
  EXPECT_TRUE(fs::is_directory(world->deploy_hosts()[0].docroot));
  EXPECT_EQ(404, Fetch(*world, "prod.test", "/").status);
}

}  // namespace
}  // namespace endstate::sandbox
