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
#include <string>

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

  fs::path root_;
  std::string db_, html_;
};

TEST_F(HtmlReportBrowserTest, RendersRatesHeatmapAndATranscript) {
  ASSERT_TRUE(fs::exists(kChromium))
      << kChromium << " is missing: run scripts/bootstrap (as root)";
  Output run = Shell(std::string(ENDSTATE_BINARY) + " run --tasks " +
                     ENDSTATE_SOURCE_DIR + "/tasks --task fix-page-title " +
                     "--task rename-css-class --model builtin:oracle " +
                     "--model builtin:null --quiet --db " + db_ + " 2>&1");
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
                  "[15.8%, 100.0%]</span>"));
  EXPECT_TRUE(
      has("<span class=\"pct\">0.0%</span>" + exact + "[0.0%, 84.2%]</span>"));
  EXPECT_TRUE(has("title=\"1 of 1 graded attempts passed\">1/1</td>"));
  EXPECT_TRUE(has("title=\"0 of 1 graded attempts passed\">0/1</td>"));
  // The script ran: four attempt rows were rendered from the JSON data.
  EXPECT_TRUE(has("<span id=\"att-count\" class=\"sub\">(4)</span>"));
  EXPECT_TRUE(has("<a href=\"#attempt-" + id + "\">#" + id + "</a>"));
  // ... and the fragment opened the oracle's transcript in the panel:
  // its checks, its turns and its edit_file call with the arguments.
  EXPECT_TRUE(has("<aside id=\"drawer\">"));
  EXPECT_TRUE(has("<h3 id=\"d-title\">#" + id +
                  " · builtin:oracle · fix-page-title</h3>"));
  EXPECT_TRUE(has("<h3>Checks (4)</h3>"));
  EXPECT_TRUE(
      has("<span class=\"badge passed\">passed</span><span "
          "class=\"kind\">html</span>"));
  EXPECT_TRUE(has("<span class=\"tool-name\">read_file</span>"));
  EXPECT_TRUE(has("<span class=\"tool-name\">edit_file</span>"));
  EXPECT_TRUE(has("\"old_text\": \"&lt;title&gt;Untitled&lt;/title&gt;\""));
  EXPECT_TRUE(has("<b>Turn 3</b>"));
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

}  // namespace
}  // namespace endstate
