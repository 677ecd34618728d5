#include "evaluator/config.h"

#include <gtest/gtest.h>

#include <csignal>
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

// run.shell.max_world_mb: the disk total of a world (sandbox/world_disk.h);
// 1024 MiB by default, 0 = no limit, negative refused.
TEST_F(ConfigTest, WorldDiskLimit) {
  Config c;
  std::string err;
  ASSERT_TRUE(LoadConfig(Write("run:\n  epochs: 1\n"), &c, &err)) << err;
  EXPECT_EQ(1ull << 30, c.shell.max_world_bytes);
  ASSERT_TRUE(
      LoadConfig(Write("run:\n  shell: {max_world_mb: 64}\n"), &c, &err))
      << err;
  EXPECT_EQ(64ull << 20, c.shell.max_world_bytes);
  ASSERT_TRUE(LoadConfig(Write("run:\n  shell: {max_world_mb: 0}\n"), &c, &err))
      << err;
  EXPECT_EQ(0u, c.shell.max_world_bytes);
  const std::string path = Write("run:\n  shell: {max_world_mb: -1}\n");
  EXPECT_FALSE(LoadConfig(path, &c, &err));
  EXPECT_EQ(path + ":2: run.shell.max_world_mb: expected an integer >= 0", err);
}

TEST_F(ConfigTest, LoadsAServeBlock) {
  std::string path = Write(R"(models:
  - name: qwen-bf16
    provider: openai
    model: Qwen/Qwen3.6-35B-A3B
    serve:
      command: [vllm, serve, Qwen/Qwen3.6-35B-A3B, --port, "{port}"]
      env: {VLLM_USE_V1: "1"}
      port: auto
      ready: {path: /health, timeout_s: 1200}
      stop: {signal: INT, grace_s: 30}
      memory: {need_gb: 80, drop_caches: true}
      exclusive: gpu0
      restart: 2
  - name: gguf
    provider: openai
    model: q
    serve:
      command: [llama-server, -m, q.gguf, --port, "8081"]
      port: 8081
)");
  Config c;
  std::string err;
  ASSERT_TRUE(LoadConfig(path, &c, &err)) << err;
  ASSERT_EQ(2u, c.serve.size());
  const servers::ServeConfig& s = c.serve.at("qwen-bf16");
  EXPECT_EQ((std::vector<std::string>{"vllm", "serve", "Qwen/Qwen3.6-35B-A3B",
                                      "--port", "{port}"}),
            s.command);
  EXPECT_EQ("1", s.env.at("VLLM_USE_V1"));
  EXPECT_EQ(0, s.port);
  EXPECT_EQ("/health", s.ready_path);
  EXPECT_EQ(1200, s.ready_timeout.count());
  EXPECT_EQ(SIGINT, s.stop_signal);
  EXPECT_EQ(30, s.stop_grace.count());
  EXPECT_EQ(80.0, s.need_gb);
  EXPECT_TRUE(s.drop_caches);
  EXPECT_EQ("gpu0", s.exclusive);
  EXPECT_EQ(2, s.restart);
  EXPECT_EQ("http://127.0.0.1:{port}/v1", c.models[0].base_url);
  EXPECT_EQ("http://127.0.0.1:8081/v1", c.models[1].base_url);
  EXPECT_EQ(8081, c.serve.at("gguf").port);
}

TEST_F(ConfigTest, ServeErrorsNameFileLineAndField) {
  const std::string head =
      "models:\n  - name: a\n    provider: openai\n    model: m\n";
  struct Case {
    std::string yaml, error;
  } cases[] = {
      {head + "    serve: {port: auto}\n",
       ":5: models[0].serve.command: expected a non-empty list of strings "
       "(e.g. [vllm, serve, MODEL, --port, \"{port}\"])"},
      {head + "    serve:\n      command: [x]\n      port: 70000\n",
       ":7: models[0].serve.port: expected auto or a port from 1 to 65535"},
      {head + "    serve:\n      command: [x]\n      stop: {signal: USR1}\n",
       ":7: models[0].serve.stop.signal: expected TERM, INT, QUIT, HUP or "
       "KILL"},
      {head + "    serve:\n      command: [x]\n      ready: {path: health}\n",
       ":7: models[0].serve.ready.path: expected a path starting with /"},
      {head + "    serve:\n      command: [x]\n      memory: {need: 3}\n",
       ":7: models[0].serve.memory.need: unknown field (expected one of: "
       "drop_caches, need_gb)"},
      {head + "    serve:\n      command: [x]\n      restart: -1\n",
       ":7: models[0].serve.restart: expected an integer >= 0"},
      {head + "    base_url: http://h/v1\n    serve:\n      command: [x]\n",
       ":5: models[0].base_url: not allowed with serve (derived from "
       "serve.host and serve.port)"},
      {"models:\n  - name: a\n    provider: builtin\n    model: oracle\n"
       "    serve:\n      command: [x]\n",
       ":6: models[0].serve: a managed server needs provider openai"},
  };
  for (const Case& k : cases) {
    std::string path = Write(k.yaml);
    Config c;
    std::string err;
    EXPECT_FALSE(LoadConfig(path, &c, &err)) << k.yaml;
    EXPECT_EQ(path + k.error, err) << k.yaml;
  }
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
