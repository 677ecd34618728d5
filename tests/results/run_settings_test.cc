// What `runs --json` and `report --format json` show as a run's settings,
// from runs.config_json of every kind of run.
#include "results/run_settings.h"

#include <gtest/gtest.h>

namespace endstate::results {
namespace {

TEST(RunSettings, EffectiveValuesFromResumeAndTheOverrides) {
  EXPECT_EQ(R"({"epochs":2,"limits":{"max_turns":1},"overrides":[{"flag":)"
            R"("--max-turns 1","key":"run.limits.max_turns","value":1}],)"
            R"("sampling":{"q":{"temperature":0.2}}})",
            RunSettingsJson(
                R"({"epochs":9,"resume":{"epochs":2,"limits":{"max_turns":1},)"
                R"("models":[{"name":"q","sampling":{"temperature":0.2}}]},)"
                R"("overrides":[{"flag":"--max-turns 1",)"
                R"("key":"run.limits.max_turns","value":1}]})")
                .dump());
}

TEST(RunSettings, RunsWithoutResumeOrOverridesAndForeignText) {
  // A replay or probe run: the top level, no overrides.
  EXPECT_EQ(R"({"concurrency":4,"epochs":1,"overrides":[],"seed":0})",
            RunSettingsJson(R"({"epochs":1,"concurrency":4,"seed":0})").dump());
  EXPECT_EQ(R"({"overrides":[]})", RunSettingsJson("not json").dump());
  EXPECT_EQ(R"({"overrides":[]})", RunSettingsJson("[1]").dump());
}

}  // namespace
}  // namespace endstate::results
