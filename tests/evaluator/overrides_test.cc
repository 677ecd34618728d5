// Run-time overrides: the config file's rules and messages, the scope of a
// model key, and what is recorded.
#include "evaluator/overrides.h"

#include <gtest/gtest.h>

namespace endstate::evaluator {
namespace {

// The message ParseSetFlag, then ApplyConfigOverrides give for one --set.
std::string SetError(const std::string& arg) {
  Override o;
  std::string err;
  if (!ParseSetFlag(arg, &o, &err)) return err;
  Config config;
  if (!ApplyConfigOverrides({o}, &config, &err)) return err;
  return "";
}

Override Parsed(const std::string& flag, const std::string& key,
                const std::string& value) {
  Override o;
  std::string err;
  EXPECT_TRUE(ParseOverride(flag, key, value, &o, &err)) << err;
  return o;
}

TEST(Overrides, BadValuesGetTheConfigFilesMessagesNamingTheFlag) {
  EXPECT_EQ(
      "--set run.limits.max_turns=0: run.limits.max_turns: expected an "
      "integer >= 1",
      SetError("run.limits.max_turns=0"));
  EXPECT_EQ("--set run.epochs=two: run.epochs: expected an integer >= 1",
            SetError("run.epochs=two"));
  EXPECT_EQ(
      "--set defaults.max_turns=30: defaults: unknown field (expected one "
      "of: models, run, system_prompt)",
      SetError("defaults.max_turns=30"));
  EXPECT_EQ(
      "--set run.limits.max_turn=3: run.limits.max_turn: unknown field "
      "(expected one of: max_tokens, max_turns, timeout_s)",
      SetError("run.limits.max_turn=3"));
  EXPECT_EQ(
      "--set models.*.sampling.temperature=3: models.*.sampling.temperature: "
      "expected a number from 0 to 2",
      SetError("models.*.sampling.temperature=3"));
  EXPECT_EQ(
      "--set models.qwen.temperature=0.2: models.qwen.temperature: expected "
      "models.NAME.sampling.KEY or models.*.sampling.KEY (the run-time "
      "overrides of a model are its sampling keys)",
      SetError("models.qwen.temperature=0.2"));
  EXPECT_EQ(
      "--set run..seed=1: expected a dotted config key: system_prompt, "
      "run.<...> (e.g. run.limits.max_turns), models.NAME.sampling.KEY or "
      "models.*.sampling.KEY",
      SetError("run..seed=1"));
  EXPECT_EQ(
      "--set seed: expected KEY=VALUE (e.g. --set run.limits.max_turns=30 or "
      "--set models.*.sampling.temperature=0.2)",
      SetError("seed"));
  EXPECT_EQ("--set system_prompt=[a]: system_prompt: expected a string",
            SetError("system_prompt=[a]"));
  EXPECT_EQ("", SetError("run.shell.timeout_s=5"));
}

TEST(Overrides, RunKeysChangeOnlyTheirFieldLaterWins) {
  Config config;
  config.epochs = 3;
  config.limits.max_tokens = 5000;
  std::string err;
  ASSERT_TRUE(ApplyConfigOverrides(
      {Parsed("--set run.limits.max_turns=30", "run.limits.max_turns", "30"),
       Parsed("--max-turns 2", "run.limits.max_turns", "2"),
       Parsed("--set system_prompt=Be brief.", "system_prompt", "Be brief."),
       Parsed("--set models.*.sampling.top_p=0.5", "models.*.sampling.top_p",
              "0.5")},
      &config, &err))
      << err;
  EXPECT_EQ(2, config.limits.max_turns);
  EXPECT_EQ(5000, config.limits.max_tokens);
  EXPECT_EQ(3, config.epochs);
  EXPECT_EQ("Be brief.", config.system_prompt);
}

TEST(Overrides, ModelKeysApplyToOneOrEveryModel) {
  std::vector<models::ModelConfig> ms(3);
  ms[0].name = "qwen";
  ms[1].name = "openai:http://10.0.0.7:8000/v1#m";
  ms[1].sampling = {{"max_completion_tokens", 100}};
  ms[2].name = "claude";
  ms[2].sampling = {{"temperature", 1.0}};
  std::string err;
  ASSERT_TRUE(ApplyModelOverrides(
      {Parsed("--temperature 0.2", "models.*.sampling.temperature", "0.2"),
       Parsed("--max-tokens 64", "models.*.sampling.max_tokens", "64"),
       Parsed("--set models.openai:http://10.0.0.7:8000/v1#m.sampling.top_k=5",
              "models.openai:http://10.0.0.7:8000/v1#m.sampling.top_k", "5"),
       Parsed("--set models.claude.sampling.stop=[END]",
              "models.claude.sampling.stop", "[END]")},
      &ms, &err))
      << err;
  EXPECT_EQ(R"({"max_tokens":64,"temperature":0.2})", ms[0].sampling.dump());
  // That model spells its per-turn cap max_completion_tokens: one cap.
  EXPECT_EQ(R"({"max_completion_tokens":64,"temperature":0.2,"top_k":5})",
            ms[1].sampling.dump());
  EXPECT_EQ(R"({"max_tokens":64,"stop":["END"],"temperature":0.2})",
            ms[2].sampling.dump());

  EXPECT_FALSE(ApplyModelOverrides({Parsed("--set models.gpt.sampling.seed=1",
                                           "models.gpt.sampling.seed", "1")},
                                   &ms, &err));
  EXPECT_EQ(
      "--set models.gpt.sampling.seed=1: no model 'gpt' in this run "
      "(models: qwen, openai:http://10.0.0.7:8000/v1#m, claude)",
      err);
}

TEST(Overrides, RecordKeepsFlagKeyAndTypedValue) {
  EXPECT_EQ(
      R"([{"flag":"--max-turns 1","key":"run.limits.max_turns","value":1},)"
      R"({"flag":"--set system_prompt=\"7\"","key":"system_prompt","value":"7"}])",
      OverridesJson(
          {Parsed("--max-turns 1", "run.limits.max_turns", "1"),
           Parsed("--set system_prompt=\"7\"", "system_prompt", "\"7\"")})
          .dump());
}

}  // namespace
}  // namespace endstate::evaluator
