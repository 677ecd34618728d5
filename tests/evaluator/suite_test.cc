// The bundled suite as tests: every task's oracle passes, every near miss
// (a partial or wrong reference solution) fails, and concurrent attempts of
// one deploy task never see each other's files.
#include "evaluator/suite.h"

#include <gtest/gtest.h>

#include <future>
#include <set>

#include "evaluator/attempt.h"
#include "models/model_config.h"
#include "sandbox/world.h"
#include "tools/tool.h"
#include "util/http.h"

namespace endstate::evaluator {
namespace {

const std::vector<tasks::Task>& Suite() {
  static const std::vector<tasks::Task> suite = [] {
    std::vector<tasks::Task> s;
    std::string err;
    EXPECT_TRUE(LoadTasks("", {}, &s, &err)) << err;
    return s;
  }();
  return suite;
}

const tasks::Task& Find(const std::string& id) {
  for (const auto& t : Suite()) {
    if (t.id == id) return t;
  }
  ADD_FAILURE() << "no task " << id;
  static tasks::Task none;
  return none;
}

models::ModelConfig Builtin(const std::string& spec) {
  models::ModelConfig m;
  std::string err;
  EXPECT_TRUE(models::ParseModelSpec(spec, &m, &err)) << err;
  return m;
}

TEST(Suite, ShapeMatchesTheBriefs) {
  const auto& suite = Suite();
  ASSERT_GE(suite.size(), 20u);
  std::map<std::string, int> levels;
  for (const auto& t : suite) {
    ++levels[t.level];
    EXPECT_FALSE(t.near_misses.empty()) << t.id << " has no near miss";
    bool collateral = false;
    for (const auto& c : t.checks) {
      if (c.kind == "unchanged" || c.kind == "remote_unchanged" ||
          (c.kind == "git" && (c.spec.contains("changed_files") ||
                               c.spec.contains("ref_unchanged")))) {
        collateral = true;
      }
    }
    EXPECT_TRUE(collateral) << t.id << " has no 'nothing else changed' check";
    size_t calls = 0;
    for (const auto& s : t.solution) calls += s.calls.size();
    if (t.level == "easy") {
      EXPECT_GE(calls, 2u) << t.id;
      EXPECT_LE(calls, 4u) << t.id;
    }
  }
  EXPECT_GE(levels["easy"], 5);
  EXPECT_GE(levels["medium"], 10);
  EXPECT_GE(levels["hard"], 5);
}

class EveryTask : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryTask, OraclePassesAndEveryNearMissFails) {
  const tasks::Task& task = Find(GetParam());
  const models::ModelConfig oracle = Builtin("builtin:oracle");
  Config config;
  AttemptReport pass =
      RunAttempt({.task = &task, .model = &oracle}, config, {});
  EXPECT_EQ("passed", ::endstate::results::OutcomeName(pass.outcome.outcome))
      << pass.outcome.error;
  for (const auto& c : pass.grade.checks) {
    EXPECT_EQ(graders::Verdict::kPassed, c.verdict)
        << c.kind << ": " << c.detail;
  }
  for (const auto& miss : task.near_misses) {
    AttemptReport r = RunAttempt(
        {.task = &task, .model = &oracle, .steps = &miss.steps}, config, {});
    EXPECT_EQ("failed", ::endstate::results::OutcomeName(r.outcome.outcome))
        << "near miss '" << miss.name << "': " << r.outcome.error;
  }
}

std::vector<std::string> TaskIds() {
  std::vector<std::string> ids;
  for (const auto& t : Suite()) ids.push_back(t.id);
  return ids;
}

INSTANTIATE_TEST_SUITE_P(Bundled, EveryTask, ::testing::ValuesIn(TaskIds()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

// Four attempts of the flagship deploy task at once, two that deploy and two
// that do nothing: each is graded on its own world only.
TEST(Isolation, ConcurrentDeployAttemptsAreGradedApart) {
  const tasks::Task& task = Find("blog-results-update");
  const models::ModelConfig oracle = Builtin("builtin:oracle");
  const models::ModelConfig null_model = Builtin("builtin:null");
  Config config;
  std::vector<std::future<AttemptReport>> futures;
  for (int i = 0; i < 4; ++i) {
    const models::ModelConfig* m = i % 2 == 0 ? &oracle : &null_model;
    futures.push_back(std::async(std::launch::async, [&, m, i] {
      return RunAttempt({.task = &task, .model = m, .epoch = i}, config, {});
    }));
  }
  for (int i = 0; i < 4; ++i) {
    AttemptReport r = futures[i].get();
    EXPECT_EQ(i % 2 == 0 ? "passed" : "failed",
              results::OutcomeName(r.outcome.outcome))
        << "attempt " << i << ": " << r.outcome.error;
  }
}

// Two live worlds of one task: a file deployed to one host is invisible on
// the other's host, over SSH and over HTTP, and the workspaces differ.
TEST(Isolation, WorldsShareNoFiles) {
  const tasks::Task& task = Find("blog-results-update");
  std::string err;
  auto a = sandbox::World::Create(task, {}, &err);
  ASSERT_TRUE(a) << err;
  auto b = sandbox::World::Create(task, {}, &err);
  ASSERT_TRUE(b) << err;
  EXPECT_NE(a->workspace(), b->workspace());
  ASSERT_FALSE(a->deploy_hosts().empty());
  const std::string host = a->deploy_hosts()[0].name;

  sandbox::ExecResult res;
  ASSERT_TRUE(
      a->RunOnHost(host, "echo secret-a > /srv/www/marker.txt", {}, &res, &err))
      << err;
  EXPECT_EQ(0, res.exit_code);
  ASSERT_TRUE(b->RunOnHost(host, "cat /srv/www/marker.txt", {}, &res, &err))
      << err;
  EXPECT_NE(0, res.exit_code);

  auto fetch = [&](const sandbox::World& w) {
    util::HttpRequest req;
    req.url = "http://" + host + "/marker.txt";
    req.connect_to[host + ":80"] = *w.HttpAddress(host);
    return util::Fetch(req);
  };
  EXPECT_EQ(200, fetch(*a).status);
  EXPECT_EQ("secret-a\n", fetch(*a).body);
  EXPECT_EQ(404, fetch(*b).status);

  sandbox::ProcessResult shell = a->RunShell("echo x > only-a.txt", {});
  EXPECT_EQ(0, shell.exit_code);
  EXPECT_TRUE(std::filesystem::exists(a->workspace() / "only-a.txt"));
  EXPECT_FALSE(std::filesystem::exists(b->workspace() / "only-a.txt"));
}

}  // namespace
}  // namespace endstate::evaluator
