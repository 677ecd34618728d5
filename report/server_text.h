// How `report` (every format) and `compare` show the managed servers of a
// run (results/server_data.h, docs/servers.md). Pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "results/server_data.h"

namespace endstate::report {

// One line saying what ran: "vllm 0.11.0, max_model_len 40960, ready in
// 312.4 s, 98.2 GB available before start, 21.3 GB after ready" or "start
// failed: <error>".
std::string ServerSummary(const results::ServerRow& row);
// The command line as recorded (the port filled in).
std::string ServerCommand(const results::ServerRow& row);

// Terminal table section ("managed servers\n  MODEL: summary\n    command:
// ...\n    env: ...\n"); "" when there are no rows.
std::string RenderServerTable(const std::vector<results::ServerRow>& rows);
// Markdown section ("## Managed servers" and a table); "" when none.
std::string RenderServerMarkdown(const std::vector<results::ServerRow>& rows);
// HTML section (<section id="servers">); "" when none.
std::string RenderServerHtml(const std::vector<results::ServerRow>& rows);
// {"model", "started_at", "ready_at", "stopped_at", "error",
// "provenance"}, NULL columns as null.
nlohmann::json ServerRowJson(const results::ServerRow& row);

// CSV (one row per model after the header, in `models` order): appends the
// columns server, server_command (the model's latest start; empty when
// unmanaged) when the run has managed servers; else returns `csv`.
std::string AddServerCsvColumns(const std::string& csv,
                                const std::vector<std::string>& models,
                                const std::vector<results::ServerRow>& rows);
// JUnit: adds <property name="server" ...> and "server_command" to the
// <properties> of each managed model's <testsuite>.
std::string AddServerJUnitProperties(
    const std::string& xml, const std::vector<results::ServerRow>& rows);

}  // namespace endstate::report
