// Run metadata (docs/database.md, `run_labels` and `runs.note`): labels
// given with `run --label KEY=VALUE`, a free-text `--note`, and the kind of
// a run (evaluation, replay, probe) derived from what wrote it. Read with
// the caller's connection; pure helpers otherwise. Not thread-safe beyond
// what the Db given is.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "results/reader.h"
#include "results/sqlite.h"

namespace endstate::results {

// Bounds of a label (checked by ParseLabel): keys are 1..64 characters of
// [A-Za-z0-9_.-]; values 0..256 bytes without control characters. A note
// is at most 4096 bytes.
inline constexpr size_t kMaxLabelKey = 64;
inline constexpr size_t kMaxLabelValue = 256;
inline constexpr size_t kMaxNoteBytes = 4096;

// Parses "KEY=VALUE" into *key / *value. Returns false and sets *err to a
// sentence naming what was wrong, e.g. "label 'x': expected KEY=VALUE".
bool ParseLabel(const std::string& text, std::string* key, std::string* value,
                std::string* err);
// Parses every text of `texts` (repeatable flag) into *labels; a key given
// twice is an error ("label 'k' given twice").
bool ParseLabels(const std::vector<std::string>& texts,
                 std::map<std::string, std::string>* labels, std::string* err);
// Checks the note against kMaxNoteBytes ("note: 5000 bytes, at most 4096").
bool CheckNote(const std::string& note, std::string* err);

// "evaluation" (written by `run` or `merge`), "replay" (`replay`) or
// "probe" (`probe`: no attempts) as a SQL expression over the columns of
// `runs` (aliased `r`).
inline constexpr const char* kRunKindSql =
    "(CASE WHEN json_valid(r.config_json) AND "
    "json_type(r.config_json, '$.probe') IS NOT NULL THEN 'probe' "
    "WHEN r.args LIKE 'endstate replay%' THEN 'replay' "
    "ELSE 'evaluation' END)";

// Labels of every run of the database, by run id (runs without labels are
// absent). Fails only when the database cannot be read.
std::optional<std::map<int64_t, std::map<std::string, std::string>>>
LoadRunLabels(Db& db, std::string* err);

// The labels and note of one run (empty for an unknown run or a database
// older than schema v5), read through `reader`.
struct RunMeta {
  std::map<std::string, std::string> labels{};
  std::string note{};
};
std::optional<RunMeta> LoadRunMeta(RunReader& reader, int64_t run,
                                   std::string* err);

// Copies the labels of run `in_run` of `in` to run `out_run` of `out`
// (`endstate merge`): a label the output run already has keeps its value
// (the first merged shard's). An input older than schema v5 has none.
// Errors reading `in` go to *in_err, writing `out` to *out_err.
bool CopyRunLabels(Db& in, int64_t in_run, Db& out, int64_t out_run,
                   std::string* in_err, std::string* out_err);

// "k1=v1,k2=v2" in key order; "" when none.
std::string LabelsText(const std::map<std::string, std::string>& labels);

// Whether `labels` holds every KEY=VALUE of `wanted`.
bool HasLabels(const std::map<std::string, std::string>& labels,
               const std::map<std::string, std::string>& wanted);

}  // namespace endstate::results
