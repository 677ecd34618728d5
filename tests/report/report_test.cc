#include "report/report.h"

#include <gtest/gtest.h>

#include "util/format.h"

namespace endstate::report {
namespace {

std::vector<results::ModelSummary> FixedSummaries() {
  return {
      {.name = "alpha",
       .attempts = 5,
       .passed = 3,
       .failed = 1,
       .errored = 1,
       .completion_rate = 0.75,
       .mean_turns = 3.5,
       .prompt_tokens = 460,
       .completion_tokens = 90,
       .tool_call_errors = {{"invalid_json", 1}, {"unknown_tool", 1}},
       .tool_calls = 12},
      {.name = "qwen3-nvfp4", .attempts = 3, .errored = 2, .unfinished = 1}};
}

TEST(ReportJson, StableShape) {
  std::vector<results::TaskCell> tasks = {
      {.task = "blog-deploy", .model = "alpha", .passed = 2, .failed = 1},
      {.task = "blog-deploy", .model = "qwen3-nvfp4", .errored = 2}};
  EXPECT_EQ(
      R"({"models":[{"attempts":5,"completion_rate":0.75,)"
      R"("completion_tokens":90,"errored":1,"failed":1,"mean_turns":3.5,)"
      R"("name":"alpha","passed":3,"prompt_tokens":460,)"
      R"("tool_call_errors":{"invalid_json":1,"unknown_tool":1},)"
      R"("tool_calls":12,"unfinished":0},)"
      R"({"attempts":3,"completion_rate":null,"completion_tokens":0,)"
      R"("errored":2,"failed":0,"mean_turns":0.0,"name":"qwen3-nvfp4",)"
      R"("passed":0,"prompt_tokens":0,"tool_call_errors":{},"tool_calls":0,)"
      R"("unfinished":1}],"run":7,)"
      R"("tasks":[{"errored":0,"failed":1,"model":"alpha","passed":2,)"
      R"("task":"blog-deploy"},{"errored":2,"failed":0,)"
      R"("model":"qwen3-nvfp4","passed":0,"task":"blog-deploy"}]})",
      ReportJson(7, FixedSummaries(), tasks).dump());
}

}  // namespace
}  // namespace endstate::report
