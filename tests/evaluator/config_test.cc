#include "evaluator/config.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "util/files.h"

namespace endstate::evaluator {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    dir_ = util::MakeTempDir(std::filesystem::temp_directory_path(),
                             "config-test-", &err);
    ASSERT_FALSE(dir_.empty()) << err;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& text) {
    std::string path = (dir_ / "lab.yaml").string();
    util::WriteFile(path, text);
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(ConfigTest, LoadsModelsAndRunDefaults) {
  std::string path = Write(R"(run:
  epochs: 3
  concurrency: 2
  limits: {max_turns: 12}
models:
  - name: qwen-bf16
    provider: openai
    base_url: http://127.0.0.1:8000/v1
    model: Qwen/Qwen3.6-35B-A3B
    stream: true
    sampling: {temperature: 0.6}
    labels: {quant: bf16}
    max_connections: 2
  - name: oracle
    provider: builtin
    model: oracle
)");
  Config c;
  std::string err;
  ASSERT_TRUE(LoadConfig(path, &c, &err)) << err;
  EXPECT_EQ(3, c.epochs);
  EXPECT_EQ(2, c.concurrency);
  EXPECT_EQ(12, c.limits.max_turns.value());
  ASSERT_EQ(2u, c.models.size());
  EXPECT_EQ("qwen-bf16", c.models[0].name);
  EXPECT_TRUE(c.models[0].stream);
  EXPECT_EQ(0.6, c.models[0].sampling["temperature"].get<double>());
  EXPECT_EQ("bf16", c.models[0].labels.at("quant"));
  EXPECT_EQ(2, c.models[0].max_connections);

  models::ModelConfig m;
  ASSERT_TRUE(ResolveModel(c, "oracle", &m, &err)) << err;
  EXPECT_EQ("builtin", m.provider);
  ASSERT_TRUE(ResolveModel(c, "builtin:null", &m, &err)) << err;
  EXPECT_EQ("null", m.model);
}

TEST_F(ConfigTest, ErrorsNameFileLineAndField) {
  std::string path =
      Write("models:\n  - name: a\n    provider: vllm\n    model: x\n");
  Config c;
  std::string err;
  EXPECT_FALSE(LoadConfig(path, &c, &err));
  EXPECT_EQ(
      path +
          ":3: models[0].provider: expected openai, anthropic or builtin, "
          "got 'vllm'",
      err);

  path = Write("run:\n  epoch: 3\n");
  EXPECT_FALSE(LoadConfig(path, &c, &err));
  EXPECT_EQ(path +
                ":2: run.epoch: unknown field (expected one of: concurrency, "
                "epochs, limits, seed, shell)",
            err);

  path = Write("run:\n  epochs: zero\n");
  EXPECT_FALSE(LoadConfig(path, &c, &err));
  EXPECT_EQ(path + ":2: run.epochs: expected an integer >= 1", err);

  path = Write("models:\n  - name: a\n    provider: openai\n    model: m\n");
  EXPECT_FALSE(LoadConfig(path, &c, &err));
  EXPECT_EQ(path +
                ":2: models[0].base_url: missing field (e.g. "
                "http://127.0.0.1:8000/v1)",
            err);
}

TEST_F(ConfigTest, UnknownModelNameIsExplained) {
  Config c;
  models::ModelConfig m;
  std::string err;
  EXPECT_FALSE(ResolveModel(c, "qwen", &m, &err));
  EXPECT_EQ(
      "--model 'qwen': no model of that name in the config (no --config "
      "given); use a configured name, builtin:oracle|null|flaky[:RATE], "
      "openai:BASE_URL#MODEL_ID or anthropic:[BASE_URL]#MODEL_ID",
      err);
}

}  // namespace
}  // namespace endstate::evaluator
