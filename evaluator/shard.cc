#include "evaluator/shard.h"

#include <charconv>

#include "util/files.h"

namespace endstate::evaluator {
namespace {

bool ParseInt(std::string_view s, int* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

bool ParseShard(const std::string& text, ShardSpec* out, std::string* err) {
  size_t slash = text.find('/');
  ShardSpec s;
  if (slash == std::string::npos ||
      !ParseInt(std::string_view(text).substr(0, slash), &s.index) ||
      !ParseInt(std::string_view(text).substr(slash + 1), &s.count) ||
      s.count < 1 || s.index < 0 || s.index >= s.count) {
    *err = "--shard '" + text +
           "': expected I/N with 0 <= I < N (e.g. 0/3 for the first of 3)";
    return false;
  }
  *out = s;
  return true;
}

int ShardOf(const PlannedAttempt& p, size_t tasks, int count) {
  // Position of the (epoch, task) pair, shifted by the model: a plain
  // `plan index % N` would give each shard whole models whenever N divides
  // the number of models, and one slow endpoint would make one slow shard.
  uint64_t diagonal = static_cast<uint64_t>(p.epoch) * tasks + p.task + p.model;
  return static_cast<int>(diagonal % static_cast<uint64_t>(count));
}

std::vector<PlannedAttempt> ShardPlan(const std::vector<PlannedAttempt>& plan,
                                      size_t tasks, const ShardSpec& shard) {
  std::vector<PlannedAttempt> out;
  for (const auto& p : plan) {
    if (ShardOf(p, tasks, shard.count) == shard.index) out.push_back(p);
  }
  return out;
}

std::string GroupKey(const RunState& state,
                     const std::vector<results::TaskInfo>& tasks,
                     int shard_count, const std::string& name) {
  // Start from the resume record so that a field added there later (and so
  // part of what a run is) joins the key without touching this code; then
  // drop what may differ between machines without changing the results.
  nlohmann::json j = RunStateJson(state);
  j.erase("tasks_dir");
  j.erase("concurrency");
  for (auto& m : j["models"]) {
    for (const char* k : {"api_key_env", "max_connections",
                          "request_timeout_ms", "stall_timeout_ms", "retry"}) {
      m.erase(k);
    }
  }
  nlohmann::json t = nlohmann::json::array();
  for (const auto& task : tasks) t.push_back({task.id, task.content_hash});
  j["tasks"] = t;
  j["shard_count"] = shard_count;
  j["name"] = name;
  return util::Sha256Hex(j.dump()).substr(0, 16);
}

nlohmann::json ShardJson(const ShardSpec& shard, const std::string& group,
                         const std::string& name) {
  return {{"index", shard.index},
          {"count", shard.count},
          {"group", group},
          {"name", name}};
}

bool ParseShardJson(const nlohmann::json& config_json, ShardSpec* out,
                    std::string* err) {
  *out = ShardSpec{};
  if (!config_json.is_object() || !config_json.contains("shard")) return true;
  const nlohmann::json& s = config_json["shard"];
  if (!s.is_object() || !s.contains("index") || !s.contains("count") ||
      !s["index"].is_number_integer() || !s["count"].is_number_integer()) {
    *err = "shard: expected {\"index\": I, \"count\": N}";
    return false;
  }
  ShardSpec spec{.index = s["index"].get<int>(),
                 .count = s["count"].get<int>()};
  if (spec.count < 1 || spec.index < 0 || spec.index >= spec.count) {
    *err = "shard: index " + std::to_string(spec.index) + " of " +
           std::to_string(spec.count) + " is out of range";
    return false;
  }
  *out = spec;
  return true;
}

std::string ShardLabel(const ShardSpec& shard) {
  if (!shard.sharded()) return "";
  return " (shard " + std::to_string(shard.index) + "/" +
         std::to_string(shard.count) + ")";
}

}  // namespace endstate::evaluator
