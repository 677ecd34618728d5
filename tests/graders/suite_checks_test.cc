// Every check of the bundled task suite passes ValidateCheck.
#include <gtest/gtest.h>

#include "graders/grader.h"
#include "sandbox/world.h"
#include "tasks/loader.h"

namespace endstate::graders {
namespace {

TEST(SuiteChecks, EveryBundledCheckValidates) {
  tasks::LoadOptions opts;
  opts.validate_check = ValidateCheck;
  std::vector<std::string> errors;
  std::vector<tasks::Task> suite =
      tasks::LoadSuite(tasks::DefaultSuiteDir(), opts, &errors);
  for (const auto& e : errors) ADD_FAILURE() << e;
  size_t checks = 0;
  for (const auto& t : suite) checks += t.checks.size();
  EXPECT_GT(checks, 0u);
}

}  // namespace
}  // namespace endstate::graders

namespace endstate::graders {
namespace {

// The null model leaves every world as it was built: each task's checks must
// then run without error and fail (a task a no-op passes is broken).
TEST(SuiteChecks, UntouchedWorldsFailWithoutErrors) {
  std::vector<std::string> errors;
  std::vector<tasks::Task> suite =
      tasks::LoadSuite(tasks::DefaultSuiteDir(), {}, &errors);
  sandbox::WorldOptions options;
  options.base = "/var/tmp/endstate-graders-tests";
  for (const auto& task : suite) {
    std::string err;
    auto world = sandbox::World::Create(task, options, &err);
    ASSERT_NE(world, nullptr) << task.id << ": " << err;
    Grade g = GradeWorld(task, *world);
    EXPECT_EQ(Verdict::kFailed, g.overall) << task.id;
    for (size_t i = 0; i < g.checks.size(); ++i) {
      EXPECT_NE(Verdict::kError, g.checks[i].verdict)
          << task.id << " checks[" << i << "] " << g.checks[i].kind << ": "
          << g.checks[i].detail;
    }
  }
}

}  // namespace
}  // namespace endstate::graders
