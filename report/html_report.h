// `endstate report --html FILE`: one self-contained HTML page for one run
// (docs/report.md, "HTML"): completion rate per model with a 95% interval,
// a task x model heatmap, failure modes, and every attempt's transcript one
// click away. No network is needed to open it: CSS and JS are inline, and
// transcripts are embedded as JSON (one <script type="application/json">
// element per attempt, parsed only when opened) and rendered on demand, so a
// report of 10,000 attempts opens quickly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "results/reader.h"

namespace endstate::report {

struct HtmlReportLimits {
  // Characters kept of each assistant message content and reasoning.
  int64_t max_text_chars = 4000;
  // Characters kept of each tool call's arguments and result, and of each
  // check's detail and spec.
  int64_t max_tool_chars = 2000;
  // Total bytes of embedded transcript JSON (turns and checks). Transcripts
  // of failed, errored and unfinished attempts are embedded first, then
  // passed ones, each in id order, until one does not fit; the others show
  // their header line only.
  int64_t max_transcript_bytes = 64ll * 1024 * 1024;
};

// Renders the report of run `run_id`, read through `reader`. Returns
// nullopt and sets *err when the database cannot be read or the run does not
// exist ("x.db: no run 7").
std::optional<std::string> RenderHtmlReport(results::RunReader& reader,
                                            int64_t run_id,
                                            const HtmlReportLimits& limits,
                                            std::string* err);

// RenderHtmlReport written to `out_path` (replaced atomically: written to
// "<out_path>.tmp", then renamed). Returns false and sets *err ("cannot
// write /x/r.html: No such file or directory").
bool WriteHtmlReport(results::RunReader& reader, int64_t run_id,
                     const std::string& out_path,
                     const HtmlReportLimits& limits, std::string* err);

}  // namespace endstate::report
