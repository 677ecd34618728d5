// What the HTML report shows, read from the database (internal to
// results/html_report.cc; split out so the queries and the rendering can be
// read and tested apart).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "report/failed_checks.h"
#include "report/html_report.h"
#include "report/model_stats.h"
#include "results/reader.h"

namespace endstate::report {

struct HtmlModel {
  std::string name{}, provider{}, model_id{}, labels_json{};
  // The statistics every format prints (report/model_stats.h): the HTML
  // shows these very numbers, rounded as the table rounds them.
  ModelStats stats{};
  // Infrastructure error messages of errored attempts -> count.
  std::map<std::string, int> errors{};
};

struct HtmlTask {
  std::string id{}, title{}, level{};
};

struct HtmlAttempt {
  int64_t id = 0;
  int model = 0, task = 0;  // indexes into HtmlData::models / tasks
  int epoch = 0, try_number = 1;
  std::string status{}, outcome{}, termination{}, error{};
  int turns = 0;
  int64_t tokens = 0;
  double wall_ms = 0;
  // Why it did not pass (results::WhyNotPassed): its first failed check,
  // else its termination; "" for a pass or an unfinished attempt.
  std::string reason{};
};

struct HtmlData {
  int64_t run_id = 0;
  std::string started_at{}, finished_at{}, status{}, version{}, host{}, args{};
  std::string labels{}, note{};  // `run --label` ("k=v,..."), `run --note`
  std::vector<HtmlModel> models{};
  std::vector<HtmlTask> tasks{};
  std::vector<results::TaskCell> cells{};
  std::vector<HtmlAttempt> attempts{};  // by id
  // Failed checks by task and check (report/failed_checks.h).
  std::vector<CheckFailures> failed_checks{};
  // Attempt id -> transcript JSON, already escaped for a <script> element:
  // {"turns": [...], "checks": [...]}. Attempts past max_transcript_bytes
  // have none.
  std::map<int64_t, std::string> transcripts{};
  int omitted_transcripts = 0;
};

// Loads everything the report of run `run_id` shows. Returns nullopt and
// sets *err ("x.db: no run 7") when the run does not exist or the database
// cannot be read.
std::optional<HtmlData> LoadHtmlData(results::RunReader& reader, int64_t run_id,
                                     const HtmlReportLimits& limits,
                                     std::string* err);

}  // namespace endstate::report
