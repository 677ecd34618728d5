// remote_file and remote_unchanged: the end state of deploy hosts, read over
// a fresh SSH/SFTP session of the grader's own.
#include "graders/remote_checks.h"

#include <algorithm>
#include <map>
#include <memory>
#include <system_error>

#include "graders/check_support.h"
#include "graders/json_match.h"
#include "sandbox/ssh_client.h"
#include "util/files.h"

namespace endstate::graders {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFileAssertions[] = {"exists",   "sha256",
                                           "contains", "not_contains",
                                           "equals",   "same_as_workspace",
                                           "same_as",  "json_pointer"};

bool IsSha256(const std::string& s) {
  return s.size() == 64 &&
         s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// 1-based line of the first difference between `a` and `b`.
size_t FirstDifferentLine(const std::string& a, const std::string& b) {
  size_t pos = 0;
  while (pos < a.size() && pos < b.size() && a[pos] == b[pos]) ++pos;
  return 1 + std::count(a.begin(), a.begin() + pos, '\n');
}

// A fresh session to `host` of `world`; nullptr with *detail on failure.
std::unique_ptr<sandbox::SshSession> Connect(const sandbox::World& world,
                                             const std::string& host,
                                             std::string* detail) {
  const sandbox::DeployHost* h = world.FindHost(host);
  if (h == nullptr) {
    *detail = "host '" + host + "' is not part of this world";
    return nullptr;
  }
  std::string err;
  auto session = sandbox::SshSession::Connect(h->ssh, &err);
  if (!session) *detail = host + ": " + err;
  return session;
}

}  // namespace

bool ValidateRemoteFile(const tasks::CheckSpec& check, std::string* err) {
  const json& s = check.spec;
  if (!OnlyFields(s,
                  {"host", "path", "exists", "sha256", "contains",
                   "not_contains", "equals", "same_as_workspace", "same_as",
                   "json_pointer", "json_equals"},
                  err) ||
      !NeedString(s, "host", "a deploy host name such as prod.test", err) ||
      !NeedString(s, "path",
                  "an absolute path on the host such as /srv/www/index.html",
                  err) ||
      !OptBool(s, "exists", err) ||
      !OptString(s, "sha256", "a lower-case hex SHA-256", err) ||
      !OptStringOrList(s, "contains", "a text or a list of texts", err) ||
      !OptStringOrList(s, "not_contains", "a text or a list of texts", err) ||
      !OptString(s, "equals", "a text", err) ||
      !WorkspacePathField(s, "same_as_workspace", false, err) ||
      !OptString(s, "same_as", "a file of the task folder", err) ||
      !OptString(s, "json_pointer", "an RFC 6901 JSON pointer", err)) {
    return false;
  }
  const std::string path = s["path"].get<std::string>();
  if (path.empty() || path[0] != '/') {
    return FieldError("path",
                      "expected an absolute path on the host such as "
                      "/srv/www/index.html, got " +
                          Quote(path),
                      err);
  }
  if (s.contains("sha256") && !IsSha256(s["sha256"].get<std::string>())) {
    return FieldError("sha256",
                      "expected 64 lower-case hex digits, got " +
                          Quote(s["sha256"].get<std::string>()),
                      err);
  }
  // The registry makes same_as absolute (task folder) before running.
  if (s.contains("same_as")) {
    const std::string same_as = s["same_as"].get<std::string>();
    if (!fs::path(same_as).is_absolute() && !IsConfinedPath(same_as)) {
      return FieldError("same_as",
                        "must be a relative path inside the task folder, got " +
                            Quote(same_as),
                        err);
    }
  }
  if (!ValidateJsonPointerPair(s, err)) return false;
  if (GetBool(s, "exists", true) == false) {
    for (const char* a : kFileAssertions) {
      if (std::string(a) != "exists" && s.contains(a)) {
        return FieldError(a, "cannot be combined with exists: false", err);
      }
    }
  }
  for (const char* a : kFileAssertions) {
    if (s.contains(a)) return true;
  }
  return FieldError("assertions",
                    "expected one or more of exists, sha256, contains, "
                    "not_contains, equals, same_as_workspace, same_as, "
                    "json_pointer",
                    err);
}

CheckResult RunRemoteFile(const tasks::CheckSpec& check,
                          const sandbox::World& world) {
  const json& s = check.spec;
  const std::string host = GetString(s, "host");
  const std::string path = GetString(s, "path");
  const std::string where = host + ":" + path;
  std::string detail;
  auto session = Connect(world, host, &detail);
  if (!session) return Errored(detail);
  std::string err;
  std::optional<sandbox::RemoteEntry> entry = session->Stat(path, &err);
  if (!entry && !err.empty()) return Errored(host + ": " + err);
  const bool want_exists = GetBool(s, "exists", true);
  if (!entry) {
    if (!want_exists) return Passed(where + ": absent, as expected");
    return Failed(where + ": no such file");
  }
  if (!want_exists) return Failed(where + ": exists, want absent");
  if (entry->is_dir) return Failed(where + ": is a directory, want a file");
  std::optional<std::string> content = session->ReadFile(path, &err);
  if (!content) return Errored(host + ": " + err);

  if (s.contains("sha256")) {
    const std::string got = util::Sha256Hex(*content);
    if (got != GetString(s, "sha256")) {
      return Failed(where + ": sha256 " + got + ", want " +
                    GetString(s, "sha256"));
    }
  }
  std::vector<std::string> wrong;
  for (const auto& t : GetStrings(s, "contains")) {
    if (content->find(t) == std::string::npos) wrong.push_back(Quote(t));
  }
  if (!wrong.empty()) return Failed(where + ": missing " + JoinNames(wrong));
  for (const auto& t : GetStrings(s, "not_contains")) {
    if (content->find(t) != std::string::npos) wrong.push_back(Quote(t));
  }
  if (!wrong.empty()) return Failed(where + ": contains " + JoinNames(wrong));
  // Each exact comparison: what to compare with and how to name it.
  std::vector<std::pair<std::string, std::string>> expected;
  if (s.contains("equals")) {
    expected.emplace_back(GetString(s, "equals"), "the expected text");
  }
  if (s.contains("same_as_workspace")) {
    const std::string rel = GetString(s, "same_as_workspace");
    auto want = ReadInside(world.workspace(), rel, &detail);
    if (!want) return Failed(where + ": cannot compare with " + detail);
    expected.emplace_back(*want, "workspace file " + rel);
  }
  if (s.contains("same_as")) {
    const fs::path file = GetString(s, "same_as");
    if (!file.is_absolute()) {
      return Errored("same_as: " + file.string() +
                     " is relative and the task folder is unknown");
    }
    auto want = util::ReadFile(file, &err);
    if (!want) return Errored("same_as: " + err);
    expected.emplace_back(*want, file.filename().string());
  }
  for (const auto& [want, name] : expected) {
    if (*content != want) {
      return Failed(where + ": differs from " + name + " at line " +
                    std::to_string(FirstDifferentLine(*content, want)));
    }
  }
  if (s.contains("json_pointer")) {
    const std::string pointer = GetString(s, "json_pointer");
    json got;
    std::string why;
    if (!JsonAt(*content, pointer, &got, &why)) {
      return Failed(where + ": " + why);
    }
    if (!JsonMatches(got, {s["json_equals"]}, false, &why)) {
      return Failed(where + " " + pointer + ": " + why);
    }
  }
  for (const char* a : kFileAssertions) {
    if (std::string(a) != "exists" && s.contains(a)) {
      return Passed(where + ": every assertion holds");
    }
  }
  return Passed(where + ": exists");
}

bool ValidateRemoteUnchanged(const tasks::CheckSpec& check, std::string* err) {
  const json& s = check.spec;
  return OnlyFields(s, {"host", "paths", "except", "new_files"}, err) &&
         NeedString(s, "host", "a deploy host name such as prod.test", err) &&
         OptStringList(s, "paths", "a list of globs relative to /srv", err) &&
         OptStringList(s, "except", "a list of globs relative to /srv", err) &&
         OptEnum(s, "new_files", {"allow", "forbid"}, err);
}

CheckResult RunRemoteUnchanged(const tasks::CheckSpec& check,
                               const sandbox::World& world) {
  const json& s = check.spec;
  const std::string host = GetString(s, "host");
  std::vector<std::string> paths = GetStrings(s, "paths");
  if (paths.empty()) paths = {"**"};
  const std::vector<std::string> except = GetStrings(s, "except");
  const bool forbid_new = GetString(s, "new_files", "allow") == "forbid";
  auto selected = [&](const std::string& rel) {
    return AnyGlobMatches(paths, rel) && !AnyGlobMatches(except, rel);
  };

  std::optional<fs::path> initial = world.InitialHostRoot(host);
  if (!initial) {
    return Errored("host '" + host + "' has no initial copy in this world");
  }
  // Initial regular files (symlinks are not compared), relative to /srv.
  std::vector<std::string> before;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(*initial, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!it->is_symlink() && it->is_regular_file()) {
      std::string rel = it->path().lexically_relative(*initial).string();
      if (selected(rel)) before.push_back(rel);
    }
  }
  if (ec)
    return Errored("cannot read " + initial->string() + ": " + ec.message());
  std::sort(before.begin(), before.end());

  std::string detail;
  auto session = Connect(world, host, &detail);
  if (!session) return Errored(detail);
  std::string err;
  const std::string root = sandbox::kHostRootInside;
  auto listing = session->ListTree(root, &err);
  if (!listing) return Errored(host + ": " + err);
  std::map<std::string, uint64_t> now;  // relative path -> size
  for (const auto& e : *listing) now[e.path.substr(root.size() + 1)] = e.size;

  std::vector<std::string> deleted, changed, added;
  for (const std::string& rel : before) {
    auto it = now.find(rel);
    if (it == now.end()) {
      deleted.push_back(rel);
      continue;
    }
    std::optional<std::string> want = util::ReadFile(*initial / rel, &err);
    if (!want) return Errored(err);
    if (want->size() != it->second) {
      changed.push_back(rel);
      continue;
    }
    std::optional<std::string> got = session->ReadFile(root + "/" + rel, &err);
    if (!got) return Errored(host + ": " + err);
    if (*got != *want) changed.push_back(rel);
  }
  if (forbid_new) {
    for (const auto& [rel, size] : now) {
      if (selected(rel) &&
          !std::binary_search(before.begin(), before.end(), rel)) {
        added.push_back(rel);
      }
    }
  }
  std::vector<std::string> problems;
  if (!changed.empty()) problems.push_back("changed " + JoinNames(changed));
  if (!deleted.empty()) problems.push_back("deleted " + JoinNames(deleted));
  if (!added.empty()) problems.push_back("new " + JoinNames(added));
  if (!problems.empty()) {
    std::string text = host + ": ";
    for (size_t i = 0; i < problems.size(); ++i) {
      text += (i ? "; " : "") + problems[i];
    }
    return Failed(text);
  }
  return Passed(host + ": " + std::to_string(before.size()) +
                (before.size() == 1 ? " file" : " files") + " unchanged");
}

}  // namespace endstate::graders
