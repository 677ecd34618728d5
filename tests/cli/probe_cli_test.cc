// `endstate probe`, `run --probes` and the probe parts of `report` and
// `compare`, end to end against the scripted OpenAI-compatible server.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "probes/probe_toolcall_cases.h"
#include "results/sqlite.h"
#include "tests/evaluator/tiny_suite.h"
#include "tests/support/scripted_server.h"
#include "tests/support/shell.h"
#include "util/files.h"

namespace endstate {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::RunCli;
using test::ScriptedResponse;

// The reply that makes case `i` of the tool-call probe valid.
json ValidReply(size_t i) {
  const probes::ToolCallCase& c =
      probes::ToolCallCases()[i % probes::ToolCallCases().size()];
  return test::ChatCompletion("", {{"call_" + std::to_string(i),
                                    c.expected_tool, c.expected_args.dump()}});
}

// Rows of the probes table: "model|kind|valid/total|error" per row.
std::vector<std::string> ProbeRows(const std::string& db) {
  std::string err;
  auto d = results::Db::OpenReadOnly(db, &err);
  EXPECT_TRUE(d) << err;
  auto s = results::Stmt::Prepare(
      *d,
      "SELECT m.name, p.kind, p.measurements_json FROM probes p "
      "JOIN models m ON p.model_id = m.id ORDER BY p.id",
      &err);
  EXPECT_TRUE(s) << err;
  std::vector<std::string> rows;
  while (s->Step(&err) == results::Stmt::StepResult::kRow) {
    json m = json::parse(s->Text(2));
    std::string counts =
        m.contains("summary") && m["summary"].contains("valid")
            ? m["summary"]["valid"].dump() + "/" + m["summary"]["total"].dump()
            : "-";
    rows.push_back(s->Text(0) + "|" + s->Text(1) + "|" + counts + "|" +
                   m.value("error", ""));
  }
  return rows;
}

class ProbeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "probe-cli-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    db_ = (root_ / "p.db").string();
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string Spec(const std::string& id) const {
    return "openai:" + server_.base_url() + "#" + id;
  }

  test::ScriptedServer server_;
  fs::path root_;
  std::string db_;
};

TEST_F(ProbeCliTest, ToolCallsStoredPrintedAndReported) {
  // --requests 2: case 0 streamed then not, case 1 streamed then not.
  server_.Push(ScriptedResponse::Stream(ValidReply(0)));
  server_.Push(ScriptedResponse::Json(ValidReply(0)));
  server_.Push(
      ScriptedResponse::Stream(test::ChatCompletion("I'd rather not.")));
  server_.Push(ScriptedResponse::Json(ValidReply(1)));
  const std::string spec = Spec("m");
  test::ShellResult r = RunCli(
      "probe toolcalls --model '" + spec + "' --requests 2 --db " + db_, false);
  ASSERT_EQ(0, r.exit_code) << r.out;
  EXPECT_EQ(0u, server_.pending());
  EXPECT_EQ(std::vector<std::string>{spec + "|toolcalls|3/4|"}, ProbeRows(db_));
  EXPECT_NE(std::string::npos, r.out.find("run 1\nprobes\n")) << r.out;
  // The table shows the model id, not the whole spec.
  EXPECT_NE(std::string::npos, r.out.find("\nm  ")) << r.out;
  EXPECT_EQ(std::string::npos, r.out.find(spec)) << r.out;
  EXPECT_NE(std::string::npos, r.out.find("3/4 (no_stream 2/2, stream 1/2)"))
      << r.out;

  test::ShellResult report = RunCli("report --db " + db_, false);
  ASSERT_EQ(0, report.exit_code) << report.out;
  EXPECT_NE(std::string::npos, report.out.find("\nprobes\nmodel  "))
      << report.out;
  EXPECT_NE(std::string::npos,
            report.out.find("3/4 (no_stream 2/2, stream 1/2)"))
      << report.out;

  test::ShellResult j = RunCli("report --db " + db_ + " --format json", false);
  ASSERT_EQ(0, j.exit_code) << j.out;
  json probes = json::parse(j.out)["probes"];
  ASSERT_EQ(1u, probes.size());
  EXPECT_EQ(spec, probes[0]["model"]);
  EXPECT_EQ(json::parse(R"({"valid": 3, "total": 4, "by_mode": {
      "stream": {"valid": 1, "total": 2},
      "no_stream": {"valid": 2, "total": 2}}})"),
            probes[0]["tool_calls"]);
  EXPECT_TRUE(probes[0]["generation_tok_s"].is_null());
}

TEST_F(ProbeCliTest, CompareShowsBothModelsSideBySide) {
  server_.Push(ScriptedResponse::Stream(ValidReply(0)));
  server_.Push(ScriptedResponse::Json(ValidReply(0)));
  server_.Push(ScriptedResponse::Stream(ValidReply(0)));
  server_.Push(ScriptedResponse::Json(test::ChatCompletion("no")));
  test::ShellResult r =
      RunCli("probe toolcalls -q --model '" + Spec("a") + "' --model '" +
                 Spec("b") + "' --n 1 --db " + db_,
             false);
  ASSERT_EQ(0, r.exit_code) << r.out;
  EXPECT_EQ(0u, server_.pending());
  test::ShellResult c =
      RunCli("compare --db " + db_ + " '" + Spec("a") + "' '" + Spec("b") + "'",
             false);
  ASSERT_EQ(0, c.exit_code) << c.out;
  // Model names are long (the whole spec): find the rows by their start.
  for (const std::string& row :
       {std::string("\nprobes  "), std::string("\ntool calls valid  ")}) {
    EXPECT_NE(std::string::npos, c.out.find(row)) << row << "\n" << c.out;
  }
  const size_t valid = c.out.find("\ntool calls valid  ");
  ASSERT_NE(std::string::npos, valid);
  const std::string line =
      c.out.substr(valid + 1, c.out.find('\n', valid + 1) - valid - 1);
  EXPECT_NE(std::string::npos, line.find("2/2")) << line;
  EXPECT_NE(std::string::npos, line.find("1/2")) << line;
  EXPECT_NE(std::string::npos, line.find("-50.0 pts")) << line;

  test::ShellResult j = RunCli("compare --format json --db " + db_ + " '" +
                                   Spec("a") + "' '" + Spec("b") + "'",
                               false);
  ASSERT_EQ(0, j.exit_code) << j.out;
  json probes = json::parse(j.out)["probes"];
  EXPECT_EQ(2, probes["a"]["tool_calls"]["valid"]);
  EXPECT_EQ(1, probes["b"]["tool_calls"]["valid"]);
  EXPECT_DOUBLE_EQ(-0.5, probes["differences"]["tool_calls"].get<double>());
}

TEST_F(ProbeCliTest, BuiltinModelsOnlyIsAUsageError) {
  test::ShellResult r =
      RunCli("probe all --model builtin:oracle --db " + db_, true);
  EXPECT_EQ(2, r.exit_code) << r.out;
  EXPECT_EQ(
      "endstate: probes skipped for builtin:oracle: builtin models have no "
      "endpoint to probe\n"
      "endstate probe: builtin models have no endpoint to probe\n",
      r.out);
  EXPECT_FALSE(fs::exists(db_));
  r = RunCli("probe everything --model builtin:oracle --db " + db_, true);
  EXPECT_EQ(2, r.exit_code) << r.out;
}

TEST_F(ProbeCliTest, EndpointDownExitsThreeAndRecordsTheError) {
  util::WriteFile(root_ / "c.yaml",
                  "models:\n  - name: down\n    provider: openai\n"
                  "    base_url: http://127.0.0.1:1/v1\n    model: m\n"
                  "    retries: {max_tries: 1}\n");
  test::ShellResult r =
      RunCli("probe toolcalls --config " + (root_ / "c.yaml").string() +
                 " --model down --n 2 --db " + db_,
             true);
  EXPECT_EQ(3, r.exit_code) << r.out;
  EXPECT_NE(std::string::npos,
            r.out.find("endstate: 1 probe(s) ended with an error\n"))
      << r.out;
  const std::vector<std::string> rows = ProbeRows(db_);
  ASSERT_EQ(1u, rows.size());
  EXPECT_EQ(0u, rows[0].find("down|toolcalls|0/2|endpoint unreachable: "))
      << rows[0];
  test::ShellResult report = RunCli("report --db " + db_, false);
  EXPECT_NE(std::string::npos,
            report.out.find("  down toolcalls: error: endpoint unreachable"))
      << report.out;
}

TEST_F(ProbeCliTest, RunProbesSkipsBuiltinModelsWithANote) {
  const fs::path suite = test::WriteTinySuite(root_ / "suite");
  test::ShellResult r = RunCli("run --probes --tasks " + suite.string() +
                                   " --model builtin:oracle --db " + db_,
                               true);
  ASSERT_EQ(0, r.exit_code) << r.out;
  EXPECT_NE(std::string::npos,
            r.out.find("endstate: probes skipped for builtin:oracle: builtin "
                       "models have no endpoint to probe\n"))
      << r.out;
  EXPECT_TRUE(ProbeRows(db_).empty());
  EXPECT_EQ(std::string::npos, r.out.find("\nprobes\n")) << r.out;
}

}  // namespace
}  // namespace endstate
