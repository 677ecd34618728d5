#include "report/html_report.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "report/html_escape.h"
#include "results/store.h"
#include "tests/results/temp_dir.h"

namespace endstate::report {
namespace {

using results::test::TempDir;

constexpr char kHostile[] = "</script><img src=x onerror=alert(1)>";

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

// The text of <script type="application/json" id="ID">, parsed.
nlohmann::json ScriptJson(const std::string& html, const std::string& id) {
  std::string open = "<script type=\"application/json\" id=\"" + id + "\">";
  size_t start = html.find(open);
  if (start == std::string::npos) return nullptr;
  start += open.size();
  size_t end = html.find("</script>", start);
  return nlohmann::json::parse(html.substr(start, end - start));
}

TEST(HtmlEscape, EscapesMarkupCharacters) {
  EXPECT_EQ("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
            EscapeHtml("<a href=\"x\" title='y'>&</a>"));
  EXPECT_EQ("plain", EscapeHtml("plain"));
}

TEST(HtmlEscape, JsonForScriptCannotCloseTheElement) {
  nlohmann::json v = {{"r", kHostile}, {"c", "<!-- & -->"}};
  std::string s = JsonForScript(v);
  EXPECT_EQ(
      "{\"c\":\"\\u003c!-- \\u0026 --\\u003e\",\"r\":\"\\u003c/script\\u003e"
      "\\u003cimg src=x onerror=alert(1)\\u003e\"}",
      s);
  EXPECT_EQ(v, nlohmann::json::parse(s));
}

TEST(HtmlEscape, JsonForScriptReplacesInvalidUtf8) {
  EXPECT_EQ(
      "[\"a\xEF\xBF\xBD"
      "b\"]",
      JsonForScript(nlohmann::json::array({"a\xFF"
                                           "b"})));
}

TEST(HtmlEscape, CutMarkerOnlyWhenLonger) {
  EXPECT_EQ("abc", WithCutMarker("abc", 3, 3));
  EXPECT_EQ("abc\n… [cut: 10 characters in total]",
            WithCutMarker("abc", 10, 3));
}

class HtmlReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("r.db");
    store_ = results::Store::Open(path_, &err_);
    ASSERT_TRUE(store_) << err_;
    run_ = store_->BeginRun({.config_json = "{}",
                             .version = "0.1.0",
                             .host = "box",
                             .args = "endstate run <all>"},
                            &err_);
    alpha_ = store_->AddModel(run_,
                              {.name = "alpha<b>",
                               .provider = "openai",
                               .model = "qwen",
                               .labels = {{"quant", "nvfp4"}}},
                              &err_);
    beta_ = store_->AddModel(run_, {.name = "beta", .provider = "null"}, &err_);
    t1_ = store_->AddTask(run_, {.id = "t1", .title = "First & <best>"}, &err_);
    t2_ = store_->AddTask(run_, {.id = "t2", .title = "Second"}, &err_);
    ASSERT_GT(t2_, 0) << err_;
  }

  int64_t Attempt(int64_t model, int64_t task, int epoch,
                  const std::string& outcome, const std::string& result = "ok",
                  const std::string& error = "") {
    int64_t id = store_->BeginAttempt(run_, model, task, epoch, &err_);
    EXPECT_GT(id, 0) << err_;
    results::TurnRecord turn{
        .index = 0,
        .content = "I will run ls.",
        .reasoning = "think",
        .finish_reason = "tool_calls",
        .tool_calls = {{.index = 0,
                        .call_id = "c1",
                        .name = "shell",
                        .arguments_raw = "{\"command\":\"ls\"}",
                        .result = result,
                        .exit_code = 0}}};
    EXPECT_TRUE(store_->RecordTurn(id, turn, &err_)) << err_;
    EXPECT_TRUE(store_->RecordChecks(
        id,
        {{.index = 0,
          .kind = "file_contains",
          .spec_json = "{}",
          .verdict = outcome == "passed" ? "passed" : "failed",
          .detail = "checked " + kHostileStr}},
        &err_))
        << err_;
    EXPECT_TRUE(store_->FinishAttempt(
        id,
        {.outcome = *::endstate::results::ParseOutcome(outcome),
         .termination = *::endstate::results::ParseTermination(
             outcome == "error" ? "model_error" : "agent_stop"),
         .error = error,
         .turns = 1},
        &err_))
        << err_;
    return id;
  }

  std::string Render(const HtmlReportLimits& limits = {}) {
    auto html = RenderHtmlReport(Reader(), run_, limits, &err_);
    EXPECT_TRUE(html) << err_;
    return html.value_or("");
  }

  // The record's reader, opened on first use.
  results::RunReader& Reader() {
    if (!reader_) reader_ = results::test::OpenReader(path_);
    return *reader_;
  }

  const std::string kHostileStr = kHostile;
  std::optional<results::RunReader> reader_;
  TempDir dir_;
  std::string path_, err_;
  std::unique_ptr<results::Store> store_;
  int64_t run_ = 0, alpha_ = 0, beta_ = 0, t1_ = 0, t2_ = 0;
};

TEST_F(HtmlReportTest, RatesIntervalsHeatmapAndFailureModes) {
  Attempt(alpha_, t1_, 0, "passed");
  Attempt(alpha_, t1_, 1, "passed");
  Attempt(alpha_, t2_, 0, "failed");
  Attempt(alpha_, t2_, 1, "error", "ok", "endpoint down");
  Attempt(beta_, t1_, 0, "passed");
  Attempt(beta_, t2_, 0, "passed");
  std::string html = Render();

  // alpha: 2 of 3 graded; with two tasks the task-clustered t interval is
  // wide. beta: every attempt passed, so the exact interval over 2 tasks.
  EXPECT_NE(std::string::npos,
            html.find("<span class=\"pct\">66.7%</span><span class=\"ci\" "
                      "title=\"task-clustered: rate ± t(0.975, tasks − 1) × "
                      "SE\">[0.0, 100.0]</span>"));
  EXPECT_NE(std::string::npos,
            html.find("<span class=\"pct\">100.0%</span><span class=\"ci\" "
                      "title=\"exact binomial (Clopper–Pearson) over tasks: "
                      "every graded attempt had the same outcome\">"
                      "[15.8, 100.0]</span>"));
  EXPECT_NE(std::string::npos,
            html.find("<div class=\"whisker\" style=\"left:15.81%;"
                      "width:84.19%\"></div>"));
  // Names are escaped in the static parts.
  EXPECT_NE(std::string::npos,
            html.find("<td class=\"name\">alpha&lt;b&gt;<div class=\"sub\">"
                      "openai · qwen · quant=nvfp4</div>"));
  EXPECT_EQ(std::string::npos, html.find("alpha<b>"));
  EXPECT_NE(std::string::npos,
            html.find("First &amp; &lt;best&gt;</div></th>"));
  EXPECT_NE(std::string::npos, html.find("endstate run &lt;all&gt;"));
  // Heatmap: t1 x alpha 2/2 (green), t2 x alpha 0/1 plus one error; the
  // tooltip says which check failed (unnamed: its kind and number).
  EXPECT_NE(std::string::npos,
            html.find("data-model=\"0\" data-task=\"0\" "
                      "style=\"background:hsl(120, 70%, 88%)\" "
                      "title=\"2 of 2 graded attempts passed\">2/2</td>"));
  EXPECT_NE(std::string::npos,
            html.find("title=\"0 of 1 graded attempts passed; failed: "
                      "file_contains (check 1) (1)\">0/1<span "
                      "class=\"err-note\">+1 error</span></td>"));
  // Failure modes: terminations of graded attempts per model (as the
  // table), invalid calls, errors apart.
  EXPECT_NE(std::string::npos,
            html.find("<tr><td>agent_stop</td><td class=\"num\">3</td>"
                      "<td class=\"num\">2</td></tr>"));
  EXPECT_EQ(std::string::npos, html.find("<tr><td>model_error</td>"));
  // The failure breakdown: alpha failed t2's only check once.
  EXPECT_NE(std::string::npos,
            html.find("<tr><td>t2</td><td>file_contains (check 1)</td>"
                      "<td class=\"num\">1/1</td><td class=\"num zero\">"
                      "0/1</td></tr>"));
  EXPECT_NE(std::string::npos,
            html.find("<b>alpha&lt;b&gt;</b>: 1 errored<ul class=\"errors\">"
                      "<li><span class=\"num\">1×</span> <code>endpoint "
                      "down</code></li></ul>"));

  // Every attempt is listed, and its transcript embedded.
  auto attempts = ScriptJson(html, "es-attempts");
  ASSERT_EQ(6u, attempts.size());
  // Epochs count from 1; the last field says why it did not pass.
  EXPECT_EQ(nlohmann::json::parse(R"([4, 0, 1, 2, 1, "error", "model_error",
                                      1, 0, 0, "endpoint down",
                                      "error: model_error"])"),
            attempts[3]);
  auto meta = ScriptJson(html, "es-meta");
  EXPECT_EQ(nlohmann::json::parse(R"({"models": ["alpha<b>", "beta"],
      "tasks": ["t1", "t2"], "titles": ["First & <best>", "Second"]})"),
            meta);
  auto t = ScriptJson(html, "t-1");
  ASSERT_TRUE(t.is_object());
  EXPECT_EQ("I will run ls.", t["turns"][0]["content"]);
  EXPECT_EQ("think", t["turns"][0]["reasoning"]);
  EXPECT_EQ("shell", t["turns"][0]["calls"][0]["name"]);
  EXPECT_EQ("{\"command\":\"ls\"}", t["turns"][0]["calls"][0]["args"]);
  EXPECT_EQ(0, t["turns"][0]["calls"][0]["exit_code"]);
  EXPECT_EQ("passed", t["checks"][0]["verdict"]);
}

TEST_F(HtmlReportTest, HostileToolResultCannotBreakOut) {
  int64_t id = Attempt(alpha_, t1_, 0, "failed", kHostileStr);
  std::string html = Render();
  EXPECT_EQ(std::string::npos, html.find("<img"));
  // Each <script> element closes exactly once: nothing in the data closes
  // one early.
  EXPECT_EQ(Count(html, "<script"), Count(html, "</script>"));
  EXPECT_EQ(4u, Count(html, "<script"));  // meta, attempts, t-1, the code
  auto t = ScriptJson(html, "t-" + std::to_string(id));
  ASSERT_TRUE(t.is_object());
  EXPECT_EQ(kHostileStr, t["turns"][0]["calls"][0]["result"]);
  EXPECT_EQ("checked " + kHostileStr, t["checks"][0]["detail"]);
}

TEST_F(HtmlReportTest, LongFieldsAreCutWithAMarker) {
  int64_t id = Attempt(alpha_, t1_, 0, "failed", std::string(5000, 'x'));
  std::string html = Render({.max_tool_chars = 100});
  auto t = ScriptJson(html, "t-" + std::to_string(id));
  EXPECT_EQ(std::string(100, 'x') + "\n… [cut: 5000 characters in total]",
            t["turns"][0]["calls"][0]["result"]);
}

TEST_F(HtmlReportTest, BudgetGoesToFailuresFirst) {
  int64_t passed = Attempt(alpha_, t1_, 0, "passed");
  int64_t failed = Attempt(alpha_, t1_, 1, "failed", std::string(300, 'y'));
  std::string html = Render({.max_transcript_bytes = 800});
  auto f = ScriptJson(html, "t-" + std::to_string(failed));
  auto p = ScriptJson(html, "t-" + std::to_string(passed));
  EXPECT_EQ(1u, f["turns"].size());
  EXPECT_EQ(1u, f["checks"].size());
  EXPECT_TRUE(p.is_null());                               // no element at all
  EXPECT_EQ(2u, ScriptJson(html, "es-attempts").size());  // both listed
  EXPECT_NE(std::string::npos,
            html.find("1 transcripts are not embedded (report size limit); "
                      "they are in the database."));
}

TEST_F(HtmlReportTest, UnknownRunIsNamed) {
  EXPECT_FALSE(RenderHtmlReport(Reader(), 99, {}, &err_));
  EXPECT_EQ(path_ + ": no run 99", err_);
}

TEST_F(HtmlReportTest, WritesTheFileOrNamesWhyNot) {
  Attempt(beta_, t2_, 0, "passed");
  std::string out = dir_.File("report.html");
  ASSERT_TRUE(WriteHtmlReport(Reader(), run_, out, {}, &err_)) << err_;
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(Render(), text.str());
  EXPECT_FALSE(std::filesystem::exists(out + ".tmp"));
  EXPECT_FALSE(
      WriteHtmlReport(Reader(), run_, dir_.File("no/such/r.html"), {}, &err_));
  EXPECT_EQ("cannot write " + dir_.File("no/such/r.html") +
                ": No such file or directory",
            err_);
}

}  // namespace
}  // namespace endstate::report
