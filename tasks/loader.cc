#include "tasks/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <ctime>
#include <regex>
#include <set>

#include "util/confine.h"
#include "util/files.h"
#include "util/yaml.h"

namespace endstate::tasks {
namespace fs = std::filesystem;
namespace {

using util::YamlLine;
using util::YamlToJson;

// Throws util::YamlError inside; LoadTask turns it into *err.
class Loader : private util::YamlReader {
 public:
  Loader(const fs::path& dir, const LoadOptions& opts, Task* task)
      : util::YamlReader((dir / kTaskFile).string()),
        dir_(fs::absolute(dir).lexically_normal()),
        opts_(opts),
        task_(task) {}

  void Load() {
    YAML::Node root = LoadFile();
    if (!root.IsMap()) Fail(root, "", "expected a mapping at the top level");
    static const std::set<std::string> kKeys = {
        "id",     "title", "level",  "instruction", "tools",
        "limits", "world", "checks", "solution",    "near_misses"};
    CheckKeys(root, "", kKeys);

    task_->dir = dir_;
    task_->yaml_path = path();
    task_->id = RequiredString(root, "id", "");
    if (task_->id != dir_.filename().string()) {
      Fail(root["id"], "id",
           "must equal the folder name '" + dir_.filename().string() + "'");
    }
    static const std::regex kId("[a-z0-9][a-z0-9-]*");
    if (!std::regex_match(task_->id, kId)) {
      Fail(root["id"], "id", "expected lower-case letters, digits and '-'");
    }
    task_->title = RequiredString(root, "title", "");
    task_->level = RequiredString(root, "level", "");
    if (task_->level != "easy" && task_->level != "medium" &&
        task_->level != "hard") {
      Fail(root["level"], "level", "expected easy, medium or hard");
    }
    task_->instruction = RequiredString(root, "instruction", "");
    if (root["tools"]) task_->tools = StringList(root["tools"], "tools");
    if (root["limits"]) LoadLimits(root["limits"]);
    if (root["world"]) LoadWorld(root["world"]);
    LoadChecks(root);
    if (!root["solution"]) Fail(root, "solution", "missing field");
    task_->solution = LoadSteps(root["solution"], "solution");
    if (root["near_misses"]) LoadNearMisses(root["near_misses"]);
    task_->content_hash = HashFolder();
  }

 private:
  // The suite's shared fixtures, beside the task folders.
  fs::path SharedDir() const { return dir_.parent_path() / kSharedFolder; }

  // A path inside the task folder (or, when `shared_ok`, inside the suite's
  // shared fixtures, "../_shared/..."); must exist. The one confinement
  // rule (util/confine.h) refuses `..`, absolute paths and symlinks in the
  // task folder that lead out: the world would copy or serve their target
  // as root.
  fs::path TaskPath(const YAML::Node& n, const std::string& field,
                    bool want_dir, bool shared_ok = false) {
    if (!n.IsScalar() || n.Scalar().empty()) {
      Fail(n, field, "expected a path relative to the task folder");
    }
    std::vector<fs::path> roots = {dir_};
    if (shared_ok) roots.push_back(SharedDir());
    fs::path full;
    std::string err;
    if (util::ResolveTaskPath(dir_, n.Scalar(), roots, "the task folder", &full,
                              &err) != util::ConfineError::kNone) {
      Fail(n, field, err);
    }
    std::error_code ec;
    if (want_dir ? !fs::is_directory(full, ec)
                 : !fs::is_regular_file(full, ec)) {
      Fail(n, field,
           std::string(want_dir ? "no such folder '" : "no such file '") +
               n.Scalar() + "' in the task folder");
    }
    // Resolved outside the task folder: a shared fixture folder it uses.
    if (*full.lexically_relative(dir_).begin() == "..") {
      shared_layers_.insert(full);
    }
    return full;
  }

  // A folder below a world directory that does not exist yet (a layer's
  // `at`, a docroot, a repo path): the same rule, lexically.
  void WorldPath(const YAML::Node& n, const std::string& field,
                 std::string_view name) {
    fs::path unused;
    std::string err;
    if (!n.IsScalar() ||
        util::ResolveBelow({.root = {}, .inside = "", .name = name}, n.Scalar(),
                           &unused, &err) != util::ConfineError::kNone) {
      Fail(n, field, n.IsScalar() ? err : "expected a relative folder");
    }
  }

  // A tree (tasks/task.h Tree): one folder, or a list of layers, each a
  // folder or {path: FOLDER, at: SUBFOLDER}; folders of the task or of the
  // suite's shared fixtures. `name` is what the tree becomes in the world
  // ("the workspace", "the host root"), which `at` may not leave.
  Tree LoadTree(const YAML::Node& n, const std::string& field,
                std::string_view name) {
    if (n.IsScalar()) return Tree(TaskPath(n, field, true, true));
    if (!n.IsSequence() || n.size() == 0) {
      Fail(n, field, "expected a folder or a non-empty list of layers");
    }
    Tree tree;
    int i = 0;
    for (const auto& item : n) {
      const std::string where = field + "[" + std::to_string(i++) + "]";
      if (item.IsScalar()) {
        tree.layers.push_back({.from = TaskPath(item, where, true, true)});
        continue;
      }
      if (!item.IsMap()) Fail(item, where, "expected a folder or {path, at}");
      CheckKeys(item, where, {"path", "at"});
      TreeLayer layer;
      if (!item["path"]) Fail(item, where + ".path", "missing field");
      layer.from = TaskPath(item["path"], where + ".path", true, true);
      if (item["at"]) {
        layer.at = String(item["at"], where + ".at");
        WorldPath(item["at"], where + ".at", name);
      }
      tree.layers.push_back(std::move(layer));
    }
    return tree;
  }

  void LoadLimits(const YAML::Node& n) {
    if (!n.IsMap()) Fail(n, "limits", "expected a mapping");
    CheckKeys(n, "limits", {"max_turns", "max_tokens", "timeout_s"});
    if (n["max_turns"]) {
      task_->limits.max_turns =
          static_cast<int>(PositiveInt(n["max_turns"], "limits.max_turns"));
    }
    if (n["max_tokens"]) {
      task_->limits.max_tokens =
          PositiveInt(n["max_tokens"], "limits.max_tokens");
    }
    if (n["timeout_s"]) {
      task_->limits.timeout =
          std::chrono::seconds(PositiveInt(n["timeout_s"], "limits.timeout_s"));
    }
  }

  void LoadWorld(const YAML::Node& n) {
    if (!n.IsMap()) Fail(n, "world", "expected a mapping");
    CheckKeys(n, "world", {"workspace", "sites", "hosts", "repos"});
    WorldSpec& w = task_->world;
    if (n["workspace"])
      w.workspace =
          LoadTree(n["workspace"], "world.workspace", "the workspace");
    if (n["sites"]) {
      if (!n["sites"].IsMap())
        Fail(n["sites"], "world.sites",
             "expected a mapping of host name to folder");
      for (const auto& kv : n["sites"]) {
        std::string host = kv.first.Scalar();
        CheckHostName(kv.first, "world.sites", host);
        w.sites[host] = TaskPath(kv.second, "world.sites." + host, true);
      }
    }
    if (n["hosts"]) {
      if (!n["hosts"].IsSequence())
        Fail(n["hosts"], "world.hosts", "expected a list");
      int i = 0;
      for (const auto& h : n["hosts"]) {
        std::string where = "world.hosts[" + std::to_string(i++) + "]";
        if (!h.IsMap()) Fail(h, where, "expected a mapping");
        CheckKeys(h, where, {"name", "files", "docroot"});
        HostSpec host;
        host.name = RequiredString(h, "name", where);
        CheckHostName(h["name"], where + ".name", host.name);
        if (w.sites.count(host.name)) {
          Fail(h["name"], where + ".name",
               "'" + host.name + "' is also a site");
        }
        for (const auto& other : w.hosts) {
          if (other.name == host.name)
            Fail(h["name"], where + ".name",
                 "duplicate host '" + host.name + "'");
        }
        if (h["files"])
          host.files = LoadTree(h["files"], where + ".files", "the host root");
        if (h["docroot"]) {
          host.docroot = String(h["docroot"], where + ".docroot");
          WorldPath(h["docroot"], where + ".docroot", "the host root");
        }
        w.hosts.push_back(std::move(host));
      }
    }
    if (n["repos"]) LoadRepos(n["repos"]);
  }

  void CheckHostName(const YAML::Node& n, const std::string& field,
                     const std::string& host) const {
    static const std::regex kHost("[a-z0-9-]+(\\.[a-z0-9-]+)*\\.test");
    if (!std::regex_match(host, kHost)) {
      Fail(n, field,
           "host name '" + host + "' must end in .test (e.g. site.test)");
    }
  }

  void LoadRepos(const YAML::Node& n) {
    if (!n.IsSequence()) Fail(n, "world.repos", "expected a list");
    int i = 0;
    for (const auto& r : n) {
      std::string where = "world.repos[" + std::to_string(i++) + "]";
      if (!r.IsMap()) Fail(r, where, "expected a mapping");
      CheckKeys(r, where, {"path", "checkout", "commits"});
      RepoSpec repo;
      repo.path = r["path"] ? String(r["path"], where + ".path") : ".";
      if (r["path"]) WorldPath(r["path"], where + ".path", "the workspace");
      if (r["checkout"])
        repo.checkout = String(r["checkout"], where + ".checkout");
      if (!r["commits"] || !r["commits"].IsSequence() ||
          r["commits"].size() == 0) {
        Fail(r["commits"] ? r["commits"] : r, where + ".commits",
             "expected a non-empty list of commits");
      }
      int j = 0;
      for (const auto& c : r["commits"]) {
        std::string cw = where + ".commits[" + std::to_string(j++) + "]";
        repo.commits.push_back(LoadCommit(c, cw));
      }
      task_->world.repos.push_back(std::move(repo));
    }
  }

  CommitSpec LoadCommit(const YAML::Node& c, const std::string& where) {
    if (!c.IsMap()) Fail(c, where, "expected a mapping");
    CheckKeys(c, where,
              {"message", "author", "time", "copy_from", "write", "remove",
               "branch", "tags"});
    CommitSpec commit;
    commit.message = RequiredString(c, "message", where);
    if (c["author"]) {
      commit.author = String(c["author"], where + ".author");
      static const std::regex kAuthor(".+ <[^<>]+>");
      if (!std::regex_match(commit.author, kAuthor)) {
        Fail(c["author"], where + ".author", "expected 'Name <email>'");
      }
    }
    if (c["time"]) {
      std::tm tm{};
      const std::string t = String(c["time"], where + ".time");
      if (!strptime(t.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) {
        Fail(c["time"], where + ".time",
             "expected RFC 3339 UTC like 2026-10-01T10:00:00Z");
      }
      commit.time = timegm(&tm);
    }
    if (c["copy_from"])
      commit.copy_from = TaskPath(c["copy_from"], where + ".copy_from", true);
    if (c["write"]) {
      if (!c["write"].IsMap())
        Fail(c["write"], where + ".write",
             "expected a mapping of path to content");
      for (const auto& kv : c["write"])
        commit.write[kv.first.Scalar()] =
            String(kv.second, where + ".write." + kv.first.Scalar());
    }
    if (c["remove"]) commit.remove = StringList(c["remove"], where + ".remove");
    if (c["branch"]) commit.branch = String(c["branch"], where + ".branch");
    if (c["tags"]) commit.tags = StringList(c["tags"], where + ".tags");
    return commit;
  }

  void LoadChecks(const YAML::Node& root) {
    YAML::Node n = root["checks"];
    if (!n) Fail(root, "checks", "missing field");
    if (!n.IsSequence() || n.size() == 0) {
      Fail(n, "checks", "expected a non-empty list of checks");
    }
    int i = 0;
    for (const auto& c : n) {
      std::string where = "checks[" + std::to_string(i++) + "]";
      if (!c.IsMap()) Fail(c, where, "expected a mapping with a 'kind'");
      if (!c["kind"]) Fail(c, where + ".kind", "missing field");
      if (!c["kind"].IsScalar())
        Fail(c["kind"], where + ".kind", "expected a check kind");
      CheckSpec check;
      check.kind = c["kind"].Scalar();
      check.spec = YamlToJson(c);
      check.where = path() + ":" + std::to_string(YamlLine(c)) + ": " + where;
      std::string err;
      if (opts_.validate_check && !opts_.validate_check(check, &err)) {
        Fail(err.rfind("unknown check kind", 0) == 0 ? c["kind"]
                                                     : FieldNode(c, err),
             where, err);
      }
      task_->checks.push_back(std::move(check));
    }
  }

  // The key node of the check field a validator's message starts with
  // ("path: expected ..." -> the `path:` key; "html.select: ..." -> the
  // `select:` key below `html:`), so the message carries that field's line;
  // the check itself when the message names no field of it.
  static YAML::Node FieldNode(const YAML::Node& check, const std::string& err) {
    const size_t colon = err.find(": ");
    if (colon == std::string::npos) return check;
    YAML::Node at = check;
    YAML::Node key = check;
    size_t start = 0;
    while (start <= colon) {
      size_t dot = err.find('.', start);
      if (dot == std::string::npos || dot > colon) dot = colon;
      const std::string part = err.substr(start, dot - start);
      if (!at.IsMap()) return key;
      bool found = false;
      for (const auto& kv : at) {
        if (kv.first.IsScalar() && kv.first.Scalar() == part) {
          key = kv.first;
          at = kv.second;
          found = true;
          break;
        }
      }
      if (!found) return key;
      start = dot + 1;
    }
    return key;
  }

  std::vector<SolutionStep> LoadSteps(const YAML::Node& n,
                                      const std::string& field) {
    if (!n.IsSequence() || n.size() == 0) {
      Fail(n, field, "expected a non-empty list of steps");
    }
    std::vector<SolutionStep> steps;
    int i = 0;
    for (const auto& s : n) {
      std::string where = field + "[" + std::to_string(i++) + "]";
      if (!s.IsMap()) Fail(s, where, "expected a mapping with 'tool' or 'say'");
      CheckKeys(s, where, {"tool", "args", "args_from", "say"});
      SolutionStep step;
      step.where = path() + ":" + std::to_string(YamlLine(s));
      if (s["say"]) {
        if (s["tool"])
          Fail(s, where, "a step has either 'tool' or 'say', not both");
        step.say = String(s["say"], where + ".say");
      } else if (s["tool"]) {
        ToolCallSpec call;
        call.tool = String(s["tool"], where + ".tool");
        call.arguments =
            s["args"] ? YamlToJson(s["args"]) : nlohmann::json::object();
        if (!call.arguments.is_object())
          Fail(s["args"], where + ".args", "expected a mapping");
        if (s["args_from"]) {
          if (!s["args_from"].IsMap())
            Fail(s["args_from"], where + ".args_from",
                 "expected a mapping of argument to task file");
          for (const auto& kv : s["args_from"]) {
            fs::path file = TaskPath(
                kv.second, where + ".args_from." + kv.first.Scalar(), false);
            std::string err;
            auto content = util::ReadFile(file, &err);
            if (!content) Fail(kv.second, where + ".args_from", err);
            call.arguments[kv.first.Scalar()] = *content;
          }
        }
        std::string err;
        if (opts_.validate_call && !opts_.validate_call(call, &err)) {
          // An unknown tool is the `tool:` line; bad arguments the `args:`.
          const bool known = err.rfind("unknown tool", 0) != 0;
          Fail(known && s["args"] ? s["args"] : s["tool"], where, err);
        }
        step.calls.push_back(std::move(call));
      } else {
        Fail(s, where, "expected 'tool' (with 'args') or 'say'");
      }
      steps.push_back(std::move(step));
    }
    return steps;
  }

  void LoadNearMisses(const YAML::Node& n) {
    if (!n.IsSequence()) Fail(n, "near_misses", "expected a list");
    int i = 0;
    for (const auto& m : n) {
      std::string where = "near_misses[" + std::to_string(i++) + "]";
      if (!m.IsMap())
        Fail(m, where, "expected a mapping with 'name' and 'steps'");
      CheckKeys(m, where, {"name", "steps"});
      NearMiss miss;
      miss.name = RequiredString(m, "name", where);
      if (!m["steps"]) Fail(m, where + ".steps", "missing field");
      miss.steps = LoadSteps(m["steps"], where + ".steps");
      task_->near_misses.push_back(std::move(miss));
    }
  }

  // sha256 over task.yaml, every file below the task folder and every file
  // of the shared fixture folders it uses, each named relative to the suite.
  std::string HashFolder() const {
    std::vector<fs::path> files;
    std::vector<fs::path> roots = {dir_};
    roots.insert(roots.end(), shared_layers_.begin(), shared_layers_.end());
    for (const fs::path& root : roots) {
      for (auto it = fs::recursive_directory_iterator(root);
           it != fs::recursive_directory_iterator(); ++it) {
        if (it->is_regular_file()) files.push_back(it->path());
      }
    }
    std::sort(files.begin(), files.end());
    files.erase(std::unique(files.begin(), files.end()), files.end());
    std::string all;
    for (const auto& f : files) {
      all += fs::relative(f, dir_).string();
      all += '\0';
      all += util::Sha256Hex(util::ReadFile(f).value_or(""));
      all += '\n';
    }
    return util::Sha256Hex(all);
  }

  fs::path dir_;
  const LoadOptions& opts_;
  Task* task_;
  std::set<fs::path> shared_layers_;  // shared fixture folders used
};

}  // namespace

bool LoadTask(const fs::path& task_dir, const LoadOptions& opts, Task* task,
              std::string* err) {
  *task = Task{};
  std::error_code ec;
  if (!fs::is_regular_file(task_dir / kTaskFile, ec)) {
    *err = MissingTaskFile(task_dir);
    return false;
  }
  try {
    Loader(task_dir, opts, task).Load();
    return true;
  } catch (const util::YamlError& e) {
    *err = e.message;
  } catch (const std::exception& e) {
    *err = (task_dir / kTaskFile).string() + ": " + e.what();
  }
  return false;
}

std::string MissingTaskFile(const fs::path& task_dir) {
  std::error_code ec;
  for (const char* wrong : {"task.yml", "Task.yaml", "task.YAML"}) {
    if (fs::exists(task_dir / wrong, ec)) {
      return task_dir.string() + ": the task file is named " + wrong +
             "; expected task.yaml";
    }
  }
  return task_dir.string() +
         ": no task.yaml (every folder of a suite is a task, except "
         "folders starting with '_' or '.')";
}

bool ListTaskFolders(const fs::path& suite_dir, std::vector<fs::path>* dirs,
                     std::string* err) {
  dirs->clear();
  std::error_code ec;
  if (!fs::is_directory(suite_dir, ec)) {
    *err = suite_dir.string() + ": no such task folder";
    return false;
  }
  for (const auto& entry : fs::directory_iterator(suite_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '_' || name[0] == '.') continue;
    std::error_code type_ec;
    if (entry.is_directory(type_ec)) dirs->push_back(entry.path());
  }
  if (ec) {
    *err = suite_dir.string() + ": cannot list the folder: " + ec.message();
    return false;
  }
  std::sort(dirs->begin(), dirs->end());
  return true;
}

std::vector<Task> LoadSuite(const fs::path& suite_dir, const LoadOptions& opts,
                            std::vector<std::string>* errors) {
  std::vector<Task> tasks;
  std::vector<fs::path> dirs;
  std::string err;
  if (!ListTaskFolders(suite_dir, &dirs, &err)) {
    errors->push_back(err);
    return tasks;
  }
  for (const auto& dir : dirs) {
    Task task;
    if (LoadTask(dir, opts, &task, &err)) {
      tasks.push_back(std::move(task));
    } else {
      errors->push_back(err);
    }
  }
  return tasks;
}

fs::path DefaultSuiteDir() {
  if (const char* env = std::getenv("ENDSTATE_TASKS"); env && *env) return env;
  return fs::path(ENDSTATE_SOURCE_DIR) / "tasks";
}

}  // namespace endstate::tasks
