// `endstate history --html FILE`: one self-contained HTML page of a
// results::History (docs/history.md, "HTML"): the completion rate of every
// model over the runs with its 95% interval as a band (inline SVG), a task x
// run heatmap per model with flaky tasks marked, probe trends (decode tok/s,
// TTFT), and a link from every run to its own report (run-ID.html beside
// the page, as `history --write-run-reports` or `report --html` write it).
// No network is needed to open it: CSS, SVG and the small script (a "flaky
// only" filter; it writes only through textContent and classes) are inline.
// Bounded: the heatmaps show at most kMaxHeatmapRuns runs (the newest),
// saying so; the charts show every run.
#pragma once

#include <cstdint>
#include <string>

#include "report/history.h"

namespace endstate::report {

inline constexpr size_t kMaxHeatmapRuns = 400;

// "run-7.html": the file name the page links run 7 to.
std::string RunReportFileName(int64_t run);

std::string RenderHistoryHtml(const History& h);

// RenderHistoryHtml written to `out_path`, replaced atomically (written to
// "<out_path>.tmp", then renamed). Returns false and sets *err ("cannot
// write /x/h.html: No such file or directory").
bool WriteHistoryHtml(const History& h, const std::string& out_path,
                      std::string* err);

}  // namespace endstate::report
