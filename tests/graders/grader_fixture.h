// Grader test support: a task folder written by the test, a real
// sandbox::World built from it (copied workspace, repositories from
// tasks::BuildRepo, fixture server, bubblewrap shell), and a one-call way to
// run a check given as JSON.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "graders/grader.h"
#include "sandbox/world.h"
#include "tasks/task.h"
#include "util/files.h"

namespace endstate::graders::testing {

namespace fs = std::filesystem;

// A check as the loader would produce it.
inline tasks::CheckSpec Spec(const nlohmann::json& spec) {
  tasks::CheckSpec c;
  c.kind = spec.value("kind", "");
  c.spec = spec;
  c.where = "test";
  return c;
}

// ValidateCheck's message, or "valid".
inline std::string Invalid(const nlohmann::json& spec) {
  std::string err;
  if (ValidateCheck(Spec(spec), &err)) return "valid";
  return err;
}

// A fixture owning a task folder (workspace/ below it) and, after Start(),
// a world built from it.
class GraderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    task_.dir = util::MakeTempDir("/tmp/endstate-graders-tests", "task-", &err);
    ASSERT_FALSE(task_.dir.empty()) << err;
    task_.id = "graders-test";
    task_.world.workspace = task_.dir / "workspace";
    fs::create_directories(task_.dir / "workspace");
  }
  void TearDown() override {
    world_.reset();
    std::error_code ec;
    fs::remove_all(task_.dir, ec);
  }

  // Writes a file below the task folder (e.g. "workspace/a.txt").
  void WriteTaskFile(const std::string& rel, const std::string& content) {
    fs::path p = task_.dir / rel;
    fs::create_directories(p.parent_path());
    ASSERT_TRUE(util::WriteFile(p, content));
  }
  void Start() {
    std::string err;
    sandbox::WorldOptions options;
    options.base = "/var/tmp/endstate-graders-tests";
    options.shell.timeout = std::chrono::seconds(20);
    world_ = sandbox::World::Create(task_, options, &err);
    ASSERT_NE(world_, nullptr) << err;
  }
  // Plays the agent: writes / removes a file of the live workspace.
  void Put(const std::string& rel, const std::string& content) {
    fs::path p = world_->workspace() / rel;
    fs::create_directories(p.parent_path());
    ASSERT_TRUE(util::WriteFile(p, content));
  }
  void Remove(const std::string& rel) {
    fs::remove_all(world_->workspace() / rel);
  }

  CheckResult Run(const nlohmann::json& spec) {
    return RunCheck(Spec(spec), *world_);
  }
  tasks::Task task_;
  std::unique_ptr<sandbox::World> world_;
};

}  // namespace endstate::graders::testing
