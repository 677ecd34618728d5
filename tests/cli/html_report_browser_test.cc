// `endstate report --html` rendered in a real browser: a real run of two
// bundled tasks (oracle and null), the report written by the CLI, then
// headless Chromium (Debian `chromium`, installed by scripts/bootstrap)
// loads it with "#attempt-N" and dumps the DOM after its script ran, and
// saves a screenshot to the build directory.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "results/transcript.h"
#include "tests/support/shell.h"
#include "util/files.h"

namespace endstate {
namespace {

namespace fs = std::filesystem;

constexpr char kChromium[] = "/usr/bin/chromium";

using Output = test::ShellResult;
using test::Shell;

class HtmlReportBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "html-browser-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    db_ = (root_ / "r.db").string();
    html_ = (root_ / "report.html").string();
  }
  void TearDown() override { fs::remove_all(root_); }

  // Headless Chromium with a fresh profile, no network services, killed
  // after 90 s if it hangs; `mode` is --dump-dom or --screenshot=...
  Output Chromium(const std::string& mode, const std::string& url) {
    static int profile = 0;
    std::string dir =
        (root_ / ("profile-" + std::to_string(++profile))).string();
    return Shell("HOME=" + root_.string() + " timeout 90 " + kChromium +
                 " --headless --no-sandbox --disable-gpu --disable-quic"
                 " --no-first-run --disable-background-networking"
                 " --disable-component-update --disable-sync"
                 " --hide-scrollbars --virtual-time-budget=2000"
                 " --window-size=1280,2000 --user-data-dir=" +
                 dir + " " + mode + " '" + url + "' 2>/dev/null");
  }

  // `endstate run` of two bundled tasks with builtin:oracle and `models`
  // (more flags allowed) into db_.
  Output RunTwoTasks(const std::string& models) {
    return Shell(std::string(ENDSTATE_BINARY) + " run --tasks " +
                 ENDSTATE_SOURCE_DIR + "/tasks --task fix-page-title " +
                 "--task rename-css-class --model builtin:oracle " + models +
                 " --quiet --db " + db_ + " 2>&1");
  }

  fs::path root_;
  std::string db_, html_;
};

TEST_F(HtmlReportBrowserTest, RendersRatesHeatmapAndATranscript) {
  ASSERT_TRUE(fs::exists(kChromium))
      << kChromium << " is missing: run scripts/bootstrap (as root)";
  Output run = RunTwoTasks("--model builtin:null");
  ASSERT_EQ(0, run.exit_code) << run.out;
  Output report = Shell(std::string(ENDSTATE_BINARY) + " report --db " + db_ +
                        " --html " + html_ + " 2>&1 >/dev/null");
  ASSERT_EQ(0, report.exit_code) << report.out;
  EXPECT_EQ("endstate report: wrote " + html_ + "\n", report.out);
  Output unwritable =
      Shell(std::string(ENDSTATE_BINARY) + " report --db " + db_ + " --html " +
            root_.string() + "/no/such/r.html 2>&1 >/dev/null");
  EXPECT_EQ(3, unwritable.exit_code);  // kExitInfra
  EXPECT_EQ("endstate report: cannot write " + root_.string() +
                "/no/such/r.html: No such file or directory\n",
            unwritable.out);

  std::string err;
  auto reader = results::RunReader::Open(db_, &err);
  ASSERT_TRUE(reader) << err;
  auto oracle = results::ListAttemptHeaders(
      *reader, 1, {.model = "builtin:oracle", .task = "fix-page-title"}, &err);
  ASSERT_TRUE(oracle) << err;
  ASSERT_EQ(1u, oracle->size());
  std::string id = std::to_string((*oracle)[0].id);
  std::string url = "file://" + html_ + "#attempt-" + id;

  Output dom = Chromium("--dump-dom", url);
  ASSERT_EQ(0, dom.exit_code) << dom.out;
  const std::string& d = dom.out;
  auto has = [&](const std::string& s) {
    return d.find(s) != std::string::npos;
  };
  // Completion rates: the oracle passes both tasks, null passes none.
  EXPECT_TRUE(has("<td class=\"name\">builtin:oracle<div class=\"sub\">"))
      << d.substr(0, 4000);
  // Every graded attempt has the same outcome: the exact interval over the
  // two tasks (results/statistics.h).
  const std::string exact =
      "<span class=\"ci\" title=\"exact binomial (Clopper–Pearson) over "
      "tasks: every graded attempt had the same outcome\">";
  EXPECT_TRUE(has("<span class=\"pct\">100.0%</span>" + exact +
                  "[15.8, 100.0]</span>"));
  EXPECT_TRUE(
      has("<span class=\"pct\">0.0%</span>" + exact + "[0.0, 84.2]</span>"));
  EXPECT_TRUE(has("title=\"1 of 1 graded attempts passed\">1/1</td>"));
  // The null model's cells say which checks failed.
  EXPECT_TRUE(has("title=\"0 of 1 graded attempts passed; failed: "));
  // The script ran: four attempt rows were rendered from the JSON data.
  EXPECT_TRUE(has("<span id=\"att-count\" class=\"sub\">(4)</span>"));
  EXPECT_TRUE(has("<a href=\"#attempt-" + id + "\">#" + id + "</a>"));
  // ... and the fragment opened the oracle's transcript in the panel:
  // its checks, its turns and its edit_file call with the arguments.
  EXPECT_TRUE(has("<aside id=\"drawer\">"));
  EXPECT_TRUE(has("<h3 id=\"d-title\">#" + id +
                  " · builtin:oracle · fix-page-title</h3>"));
  EXPECT_TRUE(has("<h3>Checks (4)</h3>"));
  // Each check is headed by its name (task.yaml), then its kind.
  EXPECT_TRUE(
      has("<span class=\"badge passed\">passed</span><b class=\"check-name\">"
          "the title reads \"About the Lab\"</b><span "
          "class=\"kind\">html</span>"))
      << d.substr(d.find("<h3>Checks"), 600);
  EXPECT_TRUE(has("<span class=\"tool-name\">read_file</span>"));
  EXPECT_TRUE(has("<span class=\"tool-name\">edit_file</span>"));
  EXPECT_TRUE(has("\"old_text\": \"&lt;title&gt;Untitled&lt;/title&gt;\""));
  EXPECT_TRUE(has("<h3>Transcript</h3>"));
  EXPECT_TRUE(has("<b>Turn 1</b>"));
  EXPECT_TRUE(has("<b>Turn 3</b>"));
  EXPECT_FALSE(has("<b>Turn 0</b>"));
  EXPECT_FALSE(has("<b>Turn 4</b>"));

  // A screenshot for people to look at, kept in the build directory.
  std::string png =
      (fs::path(ENDSTATE_BINARY).parent_path() / "html_report_browser.png")
          .string();
  fs::remove(png);
  Output shot = Chromium("--screenshot=" + png, url);
  ASSERT_EQ(0, shot.exit_code) << shot.out;
  ASSERT_TRUE(fs::exists(png));
  EXPECT_GT(fs::file_size(png), 20'000u);  // a rendered page, not a blank
  std::cout << "screenshot: " << png << '\n';
}

// Splits `line` at runs of two or more spaces (the table's separators).
std::vector<std::string> Columns(const std::string& line) {
  std::vector<std::string> out;
  std::regex sep("  +");
  const std::string trimmed =
      line.substr(line.find_first_not_of(' ') == std::string::npos
                      ? line.size()
                      : line.find_first_not_of(' '));
  for (std::sregex_token_iterator it(trimmed.begin(), trimmed.end(), sep, -1),
       end;
       it != end; ++it) {
    if (!it->str().empty()) out.push_back(*it);
  }
  return out;
}

// The lines of `text` after the line `head`, up to the next empty line.
std::vector<std::string> Section(const std::string& text,
                                 const std::string& head) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  bool on = false;
  while (std::getline(in, line)) {
    if (on && line.empty()) break;
    if (on) out.push_back(line);
    if (line == head) on = true;
  }
  return out;
}

// Every match of `re`'s first group in `text`.
std::vector<std::string> All(const std::string& text, const std::string& re) {
  std::vector<std::string> out;
  std::regex r(re);
  for (std::sregex_iterator it(text.begin(), text.end(), r), end; it != end;
       ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

// One run with failures of both kinds (failed checks, invalid calls, two
// epochs): every number of the completion-rate rows and every cell of the
// failure breakdown reads the same in `report` (table) and in the HTML, and
// the attempt list says why each attempt failed.
TEST_F(HtmlReportBrowserTest, TableAndHtmlAgreeOnEveryNumber) {
  ASSERT_TRUE(fs::exists(kChromium));
  Output run = RunTwoTasks(
      "--model builtin:flaky:0.5 --model builtin:null --epochs 2 --seed 15");
  ASSERT_EQ(0, run.exit_code) << run.out;
  Output table = Shell(std::string(ENDSTATE_BINARY) + " report --db " + db_ +
                       " --html " + html_ + " 2>/dev/null");
  ASSERT_EQ(0, table.exit_code) << table.out;
  Output dom = Chromium("--dump-dom", "file://" + html_);
  ASSERT_EQ(0, dom.exit_code) << dom.out;
  const std::string& d = dom.out;

  // The model rows: the table's columns by name.
  std::vector<std::string> lines = Section(table.out, "run 1");
  ASSERT_GE(lines.size(), 4u) << table.out;
  const std::vector<std::string> head = Columns(lines[0]);
  ASSERT_EQ("model", head[0]) << table.out;
  for (size_t m = 0; m < 3; ++m) {
    std::vector<std::string> cols = Columns(lines[m + 1]);
    ASSERT_EQ(head.size(), cols.size()) << lines[m + 1];
    std::map<std::string, std::string> t;
    for (size_t c = 0; c < head.size(); ++c) t[head[c]] = cols[c];
    const size_t at = d.find("<tr data-model=\"" + std::to_string(m) + "\">");
    ASSERT_NE(std::string::npos, at) << m;
    const std::string row = d.substr(at, d.find("</tr>", at) - at);
    EXPECT_NE(std::string::npos,
              row.find(">" + t["model"] + "<div class=\"sub\">"))
        << row;
    std::map<std::string, std::string> h;
    std::regex cell("data-col=\"(\\w+)\">([^<]*)</td>");
    for (std::sregex_iterator it(row.begin(), row.end(), cell), end; it != end;
         ++it) {
      h[(*it)[1]] = (*it)[2];
    }
    EXPECT_EQ(t["attempts"], h["attempts"]) << t["model"];
    EXPECT_EQ(t["passed"], h["passed"]) << t["model"];
    EXPECT_EQ(t["failed"], h["failed"]) << t["model"];
    EXPECT_EQ(t["errors"], h["errors"]) << t["model"];
    EXPECT_EQ(t["turns"], h["turns"]) << t["model"];
    EXPECT_EQ(t["tokens"], h["tokens"]) << t["model"];
    EXPECT_EQ(t["invalid/100"], h["invalid"]) << t["model"];
    // "78.3% [68.1, 88.5]" = percent and interval, as the HTML splits it.
    const std::string rate = t["rate [95% CI]"];
    const std::vector<std::string> pct =
        All(row, "<span class=\"pct\">([^<]*)</span>");
    const std::vector<std::string> ci =
        All(row, "<span class=\"ci\"[^>]*>([^<]*)</span>");
    ASSERT_EQ(1u, pct.size());
    ASSERT_EQ(1u, ci.size());
    EXPECT_EQ(rate, pct[0] + " " + ci[0]) << t["model"];
  }
  // The flaky model failed something, so the comparison above is not empty.
  EXPECT_NE("0.0", Columns(lines[2]).back()) << table.out;

  // The failure breakdown: the same rows and cells.
  std::vector<std::string> breakdown =
      Section(table.out, "failed checks (failed / graded attempts)");
  ASSERT_GE(breakdown.size(), 2u) << table.out;
  const size_t at = d.find("<table class=\"modes failed-checks\">");
  ASSERT_NE(std::string::npos, at);
  const std::string html_table = d.substr(at, d.find("</table>", at) - at);
  std::vector<std::string> html_rows = All(html_table, "<tr>(<td>.*?)</tr>");
  ASSERT_EQ(breakdown.size() - 1, html_rows.size()) << html_table;
  for (size_t r = 1; r < breakdown.size(); ++r) {
    std::vector<std::string> text = Columns(breakdown[r]);
    std::vector<std::string> html =
        All(html_rows[r - 1], "<td[^>]*>([^<]*)</td>");
    EXPECT_EQ(text, html) << breakdown[r];
  }
  // The null model fails fix-page-title's title check in both epochs.
  EXPECT_NE(std::string::npos,
            table.out.find("the title reads \"About the Lab\""))
      << table.out;

  // Numbering: epochs count from 1 in the HTML list as in JUnit and show.
  EXPECT_NE(std::string::npos, d.find("<td>rename-css-class</td><td>2</td>"));
  EXPECT_EQ(std::string::npos, d.find("<td>rename-css-class</td><td>0</td>"));
  Output junit = Shell(std::string(ENDSTATE_BINARY) + " report --db " + db_ +
                       " --format junit 2>/dev/null");
  EXPECT_NE(std::string::npos, junit.out.find("epoch 2 try 1: ")) << junit.out;
  EXPECT_EQ(std::string::npos, junit.out.find("epoch 0")) << junit.out;

  // The attempt list (rendered by the script) names the failing check.
  EXPECT_NE(
      std::string::npos,
      d.find("<td class=\"reason\">the title reads \"About the Lab\"</td>"))
      << d.substr(d.find("att-body"), 3000);
}

}  // namespace
}  // namespace endstate
