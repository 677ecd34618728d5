// Read side of the `servers` table (managed model servers, docs/servers.md):
// what ran behind each model of a run, and how `report` (every format) and
// `compare` show it. Rendering functions are pure.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace endstate::results {

struct ServerRow {
  std::string model;                                    // models.name
  std::string started_at, ready_at, stopped_at, error;  // "" = NULL
  nlohmann::json provenance = nlohmann::json::object();
};

// The servers rows of run `run_id` in id order, read from `db_path` opened
// read-only. A database without the table (older schema) has none.
std::optional<std::vector<ServerRow>> LoadServers(const std::string& db_path,
                                                  int64_t run_id,
                                                  std::string* err);

// One line saying what ran: "vllm 0.11.0, max_model_len 40960, ready in
// 312.4 s, 98.2 GB available before start, 21.3 GB after ready" or "start
// failed: <error>".
std::string ServerSummary(const ServerRow& row);
// The command line as recorded (the port filled in).
std::string ServerCommand(const ServerRow& row);

// Terminal table section ("managed servers\n  MODEL: summary\n    command:
// ...\n    env: ...\n"); "" when there are no rows.
std::string RenderServerTable(const std::vector<ServerRow>& rows);
// Markdown section ("## Managed servers" and a table); "" when none.
std::string RenderServerMarkdown(const std::vector<ServerRow>& rows);
// HTML section (<section id="servers">); "" when none.
std::string RenderServerHtml(const std::vector<ServerRow>& rows);
// {"model", "started_at", "ready_at", "stopped_at", "error",
// "provenance"}, NULL columns as null.
nlohmann::json ServerRowJson(const ServerRow& row);

// CSV (one row per model after the header, in `models` order): appends the
// columns server, server_command (the model's latest start; empty when
// unmanaged) when the run has managed servers; else returns `csv`.
std::string AddServerCsvColumns(const std::string& csv,
                                const std::vector<std::string>& models,
                                const std::vector<ServerRow>& rows);
// JUnit: adds <property name="server" ...> and "server_command" to the
// <properties> of each managed model's <testsuite>.
std::string AddServerJUnitProperties(const std::string& xml,
                                     const std::vector<ServerRow>& rows);

}  // namespace endstate::results
