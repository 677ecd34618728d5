// remote_file and remote_unchanged against real, confined deploy hosts.
#include "graders/remote_checks.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/ssh_world.h"
#include "util/files.h"

namespace endstate::graders {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class RemoteChecksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(world_.ok()) << world_.error();
    ASSERT_TRUE(world_.AddHost(
        "prod.test", {{"www/index.html", "<h1>Lab</h1>\n"},
                      {"www/robots.txt", "User-agent: *\n"},
                      {"www/version.json", "{\"version\": \"1.4.2\"}"},
                      {"conf/site.conf", "port=80\n"}}))
        << world_.error();
    root_ = world_.FindHost("prod.test")->root;
  }
  static tasks::CheckSpec Spec(json spec) {
    tasks::CheckSpec c;
    c.kind = spec["kind"];
    c.spec = std::move(spec);
    c.where = "test";
    return c;
  }
  CheckResult File(json fields) {
    fields["kind"] = "remote_file";
    std::string err;
    EXPECT_TRUE(ValidateRemoteFile(Spec(fields), &err)) << err;
    return RunRemoteFile(Spec(fields), world_);
  }
  CheckResult Unchanged(json fields) {
    fields["kind"] = "remote_unchanged";
    std::string err;
    EXPECT_TRUE(ValidateRemoteUnchanged(Spec(fields), &err)) << err;
    return RunRemoteUnchanged(Spec(fields), world_);
  }
  std::string InvalidFile(json fields) {
    fields["kind"] = "remote_file";
    std::string err;
    return ValidateRemoteFile(Spec(fields), &err) ? "valid" : err;
  }
  void Put(const std::string& rel, const std::string& content) {
    fs::create_directories((root_ / rel).parent_path());
    ASSERT_TRUE(util::WriteFile(root_ / rel, content));
  }

  testing::SshWorld world_;
  fs::path root_;
};

TEST_F(RemoteChecksTest, ValidationNamesTheField) {
  EXPECT_EQ(
      "assertions: expected one or more of exists, sha256, contains, "
      "not_contains, equals, same_as_workspace, same_as, json_pointer, "
      "records_sha256_of",
      InvalidFile({{"host", "prod.test"}, {"path", "/srv/a"}}));
  EXPECT_EQ(
      "path: expected an absolute path below /srv on the host such as "
      "/srv/www/index.html, got \"www/a\"",
      InvalidFile(
          {{"host", "prod.test"}, {"path", "www/a"}, {"exists", true}}));
  EXPECT_EQ(
      "sha256: expected 64 lower-case hex digits, got \"abc\"",
      InvalidFile(
          {{"host", "prod.test"}, {"path", "/srv/a"}, {"sha256", "abc"}}));
  EXPECT_EQ(
      "json_equals: missing field (json_pointer and json_equals go "
      "together)",
      InvalidFile(
          {{"host", "prod.test"}, {"path", "/srv/a"}, {"json_pointer", "/v"}}));
  EXPECT_EQ("contains: cannot be combined with exists: false",
            InvalidFile({{"host", "prod.test"},
                         {"path", "/srv/a"},
                         {"exists", false},
                         {"contains", "x"}}));
  EXPECT_EQ("colour: unknown field",
            InvalidFile(
                {{"host", "prod.test"}, {"path", "/srv/a"}, {"colour", "x"}}));
  std::string err;
  EXPECT_FALSE(ValidateRemoteUnchanged(Spec({{"kind", "remote_unchanged"},
                                             {"host", "prod.test"},
                                             {"new_files", "maybe"}}),
                                       &err));
  EXPECT_EQ(0u, err.find("new_files: ")) << err;
}

TEST_F(RemoteChecksTest, RemoteFileContainsAndNot) {
  CheckResult r =
      File({{"host", "prod.test"},
            {"path", "/srv/www/robots.txt"},
            {"contains", json::array({"User-agent", "Disallow: /drafts/"})}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("prod.test:/srv/www/robots.txt: missing \"Disallow: /drafts/\"",
            r.detail);
  Put("www/robots.txt", "User-agent: *\nDisallow: /drafts/\n");
  r = File({{"host", "prod.test"},
            {"path", "/srv/www/robots.txt"},
            {"contains", "Disallow: /drafts/"},
            {"not_contains", "Disallow: /\n"}});
  EXPECT_EQ(Verdict::kPassed, r.verdict) << r.detail;
  EXPECT_EQ("prod.test:/srv/www/robots.txt: every assertion holds", r.detail);
  r = File({{"host", "prod.test"},
            {"path", "/srv/www/robots.txt"},
            {"not_contains", "User-agent"}});
  EXPECT_EQ("prod.test:/srv/www/robots.txt: contains \"User-agent\"", r.detail);
}

TEST_F(RemoteChecksTest, RemoteFileExistence) {
  CheckResult r = File(
      {{"host", "prod.test"}, {"path", "/srv/www/new.html"}, {"exists", true}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("prod.test:/srv/www/new.html: no such file", r.detail);
  r = File({{"host", "prod.test"},
            {"path", "/srv/www/new.html"},
            {"exists", false}});
  EXPECT_EQ(Verdict::kPassed, r.verdict);
  EXPECT_EQ("prod.test:/srv/www/new.html: absent, as expected", r.detail);
  Put("www/new.html", "x");
  r = File({{"host", "prod.test"},
            {"path", "/srv/www/new.html"},
            {"exists", false}});
  EXPECT_EQ("prod.test:/srv/www/new.html: exists, want absent", r.detail);
  r = File(
      {{"host", "prod.test"}, {"path", "/srv/www/new.html"}, {"exists", true}});
  EXPECT_EQ(Verdict::kPassed, r.verdict);
  EXPECT_EQ("prod.test:/srv/www/new.html: exists", r.detail);
  r = File({{"host", "prod.test"}, {"path", "/srv/www"}, {"exists", true}});
  EXPECT_EQ("prod.test:/srv/www: is a directory, want a file", r.detail);
}

TEST_F(RemoteChecksTest, RemoteFileExactComparisons) {
  CheckResult r = File({{"host", "prod.test"},
                        {"path", "/srv/www/index.html"},
                        {"sha256", util::Sha256Hex("<h1>Lab</h1>\n")},
                        {"equals", "<h1>Lab</h1>\n"}});
  EXPECT_EQ(Verdict::kPassed, r.verdict) << r.detail;
  r = File({{"host", "prod.test"},
            {"path", "/srv/www/index.html"},
            {"sha256", util::Sha256Hex("other")}});
  EXPECT_EQ("prod.test:/srv/www/index.html: sha256 " +
                util::Sha256Hex("<h1>Lab</h1>\n") + ", want " +
                util::Sha256Hex("other"),
            r.detail);
  ASSERT_TRUE(util::WriteFile(world_.workspace() / "index.html",
                              "<h1>Lab</h1>\n<p>new</p>\n"));
  r = File({{"host", "prod.test"},
            {"path", "/srv/www/index.html"},
            {"same_as_workspace", "index.html"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ(
      "prod.test:/srv/www/index.html: differs from workspace file "
      "index.html at line 2",
      r.detail);
  fs::path expected = world_.dir() / "expected.html";
  ASSERT_TRUE(util::WriteFile(expected, "<h1>Lab</h1>\n"));
  r = File({{"host", "prod.test"},
            {"path", "/srv/www/index.html"},
            {"same_as", expected.string()}});
  EXPECT_EQ(Verdict::kPassed, r.verdict) << r.detail;
}

TEST_F(RemoteChecksTest, RemoteFileJson) {
  CheckResult r = File({{"host", "prod.test"},
                        {"path", "/srv/www/version.json"},
                        {"json_pointer", "/version"},
                        {"json_equals", "1.5.0"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ(
      "prod.test:/srv/www/version.json /version: got \"1.4.2\", want "
      "\"1.5.0\"",
      r.detail);
}

TEST_F(RemoteChecksTest, UnknownHostIsAnError) {
  CheckResult r =
      File({{"host", "nope.test"}, {"path", "/srv/a"}, {"exists", true}});
  EXPECT_EQ(Verdict::kError, r.verdict);
  EXPECT_EQ("host 'nope.test' is not part of this world", r.detail);
  r = Unchanged({{"host", "nope.test"}});
  EXPECT_EQ(Verdict::kError, r.verdict);
  EXPECT_EQ("host 'nope.test' has no initial copy in this world", r.detail);
}

TEST_F(RemoteChecksTest, RemoteUnchangedPassesOnAPristineHost) {
  CheckResult r = Unchanged({{"host", "prod.test"}, {"new_files", "forbid"}});
  EXPECT_EQ(Verdict::kPassed, r.verdict) << r.detail;
  EXPECT_EQ("prod.test: 4 files unchanged", r.detail);
}

TEST_F(RemoteChecksTest, RemoteUnchangedNamesEveryDifference) {
  Put("www/robots.txt", "User-agent: bot\n");  // same size, other bytes
  Put("conf/site.conf", "port=8080\n");
  fs::remove(root_ / "www/version.json");
  Put("www/extra.html", "x");
  CheckResult r = Unchanged({{"host", "prod.test"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  // New files are forbidden unless the task allows them.
  EXPECT_EQ(
      "prod.test: changed conf/site.conf, www/robots.txt; deleted "
      "www/version.json; new www/extra.html",
      r.detail);
  r = Unchanged({{"host", "prod.test"}, {"new_files", "allow"}});
  EXPECT_EQ(
      "prod.test: changed conf/site.conf, www/robots.txt; deleted "
      "www/version.json",
      r.detail);
  r = Unchanged({{"host", "prod.test"},
                 {"paths", json::array({"www/**"})},
                 {"except", json::array({"www/robots.txt"})},
                 {"new_files", "forbid"}});
  EXPECT_EQ("prod.test: deleted www/version.json; new www/extra.html",
            r.detail);
  r = Unchanged(
      {{"host", "prod.test"}, {"paths", json::array({"www/index.html"})}});
  EXPECT_EQ(Verdict::kPassed, r.verdict);
  EXPECT_EQ("prod.test: 1 file unchanged", r.detail);
}

// Graders read the host's root on disk, not through its sshd: a dead sshd
// (or one the agent broke) does not turn the verdict into `error`.
TEST_F(RemoteChecksTest, HostileDeadSshdDoesNotMatterToGrading) {
  sandbox::DeployHost* h =
      const_cast<sandbox::DeployHost*>(world_.FindHost("prod.test"));
  h->ssh.port = 1;  // nothing listens there
  CheckResult r =
      File({{"host", "prod.test"}, {"path", "/srv/a"}, {"exists", true}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("prod.test:/srv/a: no such file", r.detail);
}

// What the agent can do to a file on the host to deny or stall the read:
// each is `failed` with the reason, at once.
TEST_F(RemoteChecksTest, HostileUnreadableEndStateIsFailed) {
  const fs::path fifo = root_ / "www/robots.txt";
  fs::remove(fifo);
  ASSERT_EQ(0, ::mkfifo(fifo.c_str(), 0644));
  CheckResult r = File({{"host", "prod.test"},
                        {"path", "/srv/www/robots.txt"},
                        {"contains", "x"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("prod.test:/srv/www/robots.txt: is a fifo, not a regular file",
            r.detail);
  r = Unchanged({{"host", "prod.test"}});
  EXPECT_EQ("prod.test: changed www/robots.txt", r.detail);

  fs::create_symlink("/etc/passwd", root_ / "www/leak.txt");
  r = File({{"host", "prod.test"},
            {"path", "/srv/www/leak.txt"},
            {"contains", "root"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("prod.test:/srv/www/leak.txt: leads outside the host root",
            r.detail);

  // chmod 000 on the file and its directory: the harness still reads it.
  Put("conf/site.conf", "port=9090\n");
  fs::permissions(root_ / "conf/site.conf", fs::perms::none);
  fs::permissions(root_ / "conf", fs::perms::none);
  r = File({{"host", "prod.test"},
            {"path", "/srv/conf/site.conf"},
            {"contains", "port=9090"}});
  fs::permissions(root_ / "conf", fs::perms::owner_all);
  EXPECT_EQ(Verdict::kPassed, r.verdict) << r.detail;
}

}  // namespace
}  // namespace endstate::graders
