// Read side of the `servers` table (managed model servers, docs/servers.md):
// what ran behind each model of a run. How `report` and `compare` show it:
// report/server_text.h.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "results/reader.h"

namespace endstate::results {

struct ServerRow {
  std::string model;                                    // models.name
  std::string started_at, ready_at, stopped_at, error;  // "" = NULL
  nlohmann::json provenance = nlohmann::json::object();
};

// The servers rows of run `run_id` in id order, read through `reader`. A
// database without the table (older schema) has none.
std::optional<std::vector<ServerRow>> LoadServers(RunReader& reader,
                                                  int64_t run_id,
                                                  std::string* err);

}  // namespace endstate::results
