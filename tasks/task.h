// The task model: what one task of the suite is, as loaded from
// tasks/<id>/task.yaml (format: docs/tasks.md). Plain values; no I/O here.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace endstate::tasks {

// One tool call of a scripted solution.
struct ToolCallSpec {
  std::string tool;          // tool name, e.g. "write_file"
  nlohmann::json arguments;  // JSON object
};

// One assistant turn of a scripted solution: either one tool call or a final
// message (`say`) that ends the conversation.
struct SolutionStep {
  std::vector<ToolCallSpec> calls;  // empty for a final message
  std::string say;                  // assistant content of the turn
  std::string where;                // "tasks/x/task.yaml:40" for messages
};

// A partial or wrong solution that the checks must reject.
struct NearMiss {
  std::string name;
  std::vector<SolutionStep> steps;
};

// One end-state check. `spec` holds the YAML mapping as JSON, including
// "kind"; graders interpret the other fields (docs/graders.md).
struct CheckSpec {
  std::string kind;
  nlohmann::json spec;
  std::string where;  // "tasks/x/task.yaml:12: checks[0]" for messages
};

// One folder copied into a tree: a folder of the task, or of the suite's
// shared fixtures (tasks/_shared/), copied below `at` (a relative folder of
// the tree; "" = its root).
struct TreeLayer {
  std::filesystem::path from;  // absolute
  std::string at{};
  bool operator==(const TreeLayer&) const = default;
};

// A tree built from layers copied in order, a later layer's files replacing
// an earlier one's (docs/tasks.md, "Shared fixtures"). Most trees are one
// folder, hence the implicit constructor.
struct Tree {
  std::vector<TreeLayer> layers;

  Tree() = default;
  Tree(std::filesystem::path folder)  // NOLINT: one layer at the root
      : layers{{.from = std::move(folder), .at = ""}} {}
  bool empty() const { return layers.empty(); }
  void clear() { layers.clear(); }
  bool operator==(const Tree&) const = default;
};

// A deploy host reachable over SSH (real sshd) and served live over HTTP.
struct HostSpec {
  std::string name;             // e.g. "prod.test"
  Tree files;                   // initial tree of /srv, may be empty
  std::string docroot = "www";  // relative to the host root (/srv)
};

// One commit of a git repository built deterministically with libgit2.
struct CommitSpec {
  std::string message;
  std::string author = "Lab Bot <bot@lab.test>";  // "Name <email>"
  int64_t time = 1767225600;                      // seconds since epoch (UTC)
  std::filesystem::path copy_from;  // absolute dir overlaid onto the tree
  std::map<std::string, std::string> write;  // path -> inline content
  std::vector<std::string> remove;           // paths deleted
  std::string branch = "main";    // branch the commit goes on (created from
                                  // the current HEAD commit if missing)
  std::vector<std::string> tags;  // lightweight tags on this commit
};

struct RepoSpec {
  std::string path;                 // relative to the workspace ("." allowed)
  std::vector<CommitSpec> commits;  // applied in order
  std::string checkout = "main";    // branch checked out at the end
};

struct WorldSpec {
  Tree workspace;  // copied as the workspace; empty = start empty
  // Virtual host name -> absolute dir served read-only over HTTP
  // ("site.test" -> tasks/x/site).
  std::map<std::string, std::filesystem::path> sites;
  std::vector<HostSpec> hosts;
  std::vector<RepoSpec> repos;
};

struct Limits {
  int max_turns = 40;
  int64_t max_tokens = 400'000;       // prompt + completion, summed
  std::chrono::seconds timeout{900};  // wall clock per attempt
};

struct Task {
  std::string id;  // folder name, [a-z0-9-]+
  std::string title;
  std::string level;        // "easy" | "medium" | "hard"
  std::string instruction;  // what the person asks, sent as the user turn
  std::vector<std::string> tools;  // allowed tool names
  Limits limits;
  WorldSpec world;
  std::vector<CheckSpec> checks;
  std::vector<SolutionStep> solution;  // played by builtin:oracle
  std::vector<NearMiss> near_misses;   // must all fail the checks
  std::filesystem::path dir;           // absolute task folder
  std::string yaml_path;               // as shown in messages
  std::string content_hash;  // sha256 over task.yaml and every file below
};

}  // namespace endstate::tasks
