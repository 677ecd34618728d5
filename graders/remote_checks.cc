// remote_file and remote_unchanged: the end state of deploy hosts, read
// from each host's root directory on disk (DeployHost::root, bound at /srv
// inside the host) through the one confinement rule.
#include "graders/remote_checks.h"

#include <algorithm>
#include <map>
#include <memory>
#include <system_error>

#include "graders/check_support.h"
#include "graders/json_match.h"
#include "sandbox/confine.h"
#include "util/files.h"

namespace endstate::graders {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFileAssertions[] = {
    "exists",       "sha256",       "contains",
    "not_contains", "equals",       "same_as_workspace",
    "same_as",      "json_pointer", "records_sha256_of"};

// records_sha256_of: {path, json_pointer}. Validated at load time.
bool ValidateRecordsSha256(const json& s, std::string* err) {
  if (!s.contains("records_sha256_of")) return true;
  const json& r = s["records_sha256_of"];
  const char* expect =
      "expected a mapping {path: /srv/..., json_pointer: /...}: this file's "
      "JSON string at json_pointer is a SHA-256 (or its first 12+ hex "
      "digits) of the host file at path";
  if (!r.is_object() || r.size() != 2 || !r.contains("path") ||
      !r.contains("json_pointer") || !r["path"].is_string() ||
      !r["json_pointer"].is_string() ||
      r["path"].get<std::string>().rfind("/srv/", 0) != 0) {
    return FieldError("records_sha256_of", expect, err);
  }
  return true;
}

// The check of records_sha256_of on `content` (this file); empty when it
// holds, else why not.
std::string CheckRecordedSha256(const json& spec, const std::string& content,
                                const sandbox::ConfinedTree& tree) {
  const json& r = spec["records_sha256_of"];
  const std::string other = r["path"].get<std::string>();
  const std::string pointer = r["json_pointer"].get<std::string>();
  json got;
  std::string why;
  if (!JsonAt(content, pointer, &got, &why)) return why;
  std::string bytes;
  if (sandbox::ReadBelow(tree, other, sandbox::kMaxGradedFileBytes, &bytes,
                         &why) != sandbox::ReadState::kRead) {
    return "cannot hash " + other + ": " + why;
  }
  const std::string want = util::Sha256Hex(bytes);
  const std::string text = got.is_string() ? got.get<std::string>() : "";
  if (text.size() < 12 || want.compare(0, text.size(), text) != 0) {
    return pointer + " is " + got.dump() + ", not the SHA-256 of " + other +
           " (" + want.substr(0, 12) + "...)";
  }
  return "";
}

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

// The host's root on disk, as the confinement rule sees it; nullptr with
// *detail when the world has no such host (the task's fault).
const sandbox::DeployHost* FindHost(const sandbox::World& world,
                                    const std::string& host,
                                    std::string* detail) {
  const sandbox::DeployHost* h = world.FindHost(host);
  if (h == nullptr) *detail = "host '" + host + "' is not part of this world";
  return h;
}

sandbox::ConfinedTree HostTree(const sandbox::DeployHost& h) {
  return {h.root, sandbox::kHostRootInside, "the host root"};
}

// Every entry below `root` except directories, relative to it, mapped to
// whether it is a regular file (symlinks, fifos, sockets and devices are
// not). Iterates without following symlinks. False with *err when a
// directory cannot be listed.
bool ListEntries(const fs::path& root, std::map<std::string, bool>* out,
                 std::string* err) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end;
       it.increment(ec)) {
    fs::file_status st = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_directory(st)) continue;
    (*out)[it->path().lexically_relative(root).string()] =
        fs::is_regular_file(st);
  }
  if (ec) *err = "cannot list " + root.string() + ": " + ec.message();
  return !ec;
}

}  // namespace

bool ValidateRemoteFile(const tasks::CheckSpec& check, std::string* err) {
  const json& s = check.spec;
  if (!OnlyFields(s,
                  {"host", "path", "exists", "sha256", "contains",
                   "not_contains", "equals", "same_as_workspace", "same_as",
                   "json_pointer", "json_equals", "records_sha256_of"},
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
  const std::string srv = std::string(sandbox::kHostRootInside) + "/";
  if (path.compare(0, srv.size(), srv) != 0) {
    return FieldError("path",
                      "expected an absolute path below /srv on the host "
                      "such as /srv/www/index.html, got " +
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
  if (!ValidateJsonPointerPair(s, err) || !ValidateRecordsSha256(s, err)) {
    return false;
  }
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
                    "json_pointer, records_sha256_of",
                    err);
}

CheckResult RunRemoteFile(const tasks::CheckSpec& check,
                          const sandbox::World& world) {
  const json& s = check.spec;
  const std::string host = GetString(s, "host");
  const std::string path = GetString(s, "path");
  const std::string where = host + ":" + path;
  std::string detail;
  const sandbox::DeployHost* h = FindHost(world, host, &detail);
  if (h == nullptr) return Errored(detail);
  // Read from the host's root on disk with the harness's identity: the
  // agent can chmod, replace or delete what it left, never deny the read
  // (or stall it: no session, no socket, opens never block).
  std::string text, why, err;
  const bool want_exists = GetBool(s, "exists", true);
  switch (sandbox::ReadBelow(HostTree(*h), path, sandbox::kMaxGradedFileBytes,
                             &text, &why)) {
    case sandbox::ReadState::kMissing:
      if (!want_exists) return Passed(where + ": absent, as expected");
      return Failed(where + ": no such file");
    case sandbox::ReadState::kDirectory:
      if (!want_exists) return Failed(where + ": exists, want absent");
      return Failed(where + ": is a directory, want a file");
    case sandbox::ReadState::kRefused:
    case sandbox::ReadState::kUnreadable:
      return Failed(where + ": " + why);
    case sandbox::ReadState::kRead:
      if (!want_exists) return Failed(where + ": exists, want absent");
      break;
  }
  const std::string* content = &text;

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
  if (s.contains("records_sha256_of")) {
    std::string why = CheckRecordedSha256(s, *content, HostTree(*h));
    if (!why.empty()) return Failed(where + ": " + why);
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
  // Production is exact unless the task names what may appear (except).
  const bool forbid_new = GetString(s, "new_files", "forbid") == "forbid";
  auto selected = [&](const std::string& rel) {
    return AnyGlobMatches(paths, rel) && !AnyGlobMatches(except, rel);
  };

  std::optional<fs::path> initial = world.InitialHostRoot(host);
  if (!initial) {
    return Errored("host '" + host + "' has no initial copy in this world");
  }
  // Initial regular files (symlinks are not compared), relative to /srv.
  std::map<std::string, bool> was;
  std::string listing_err;
  if (!ListEntries(*initial, &was, &listing_err)) return Errored(listing_err);
  std::vector<std::string> before;  // sorted, as the map is
  for (const auto& [rel, regular] : was) {
    if (regular && selected(rel)) before.push_back(rel);
  }

  std::string detail, err;
  const sandbox::DeployHost* h = FindHost(world, host, &detail);
  if (h == nullptr) return Errored(detail);
  std::map<std::string, bool> now;  // relative path -> is a regular file
  if (!ListEntries(h->root, &now, &err)) return Failed(host + ": " + err);

  std::vector<std::string> deleted, changed, added;
  for (const std::string& rel : before) {
    auto it = now.find(rel);
    if (it == now.end()) {
      deleted.push_back(rel);
      continue;
    }
    std::optional<std::string> want = util::ReadFile(*initial / rel, &err);
    if (!want) return Errored(err);
    std::string got, why;
    util::ReadOptions options{.follow_symlinks = false,
                              .max_bytes = sandbox::kMaxGradedFileBytes};
    if (!it->second ||
        !util::ReadRegularFile(h->root / rel, options, &got, &why) ||
        got != *want) {
      changed.push_back(rel);  // replaced by a link or fifo, unreadable, ...
    }
  }
  if (forbid_new) {
    for (const auto& [rel, regular] : now) {
      if (selected(rel) && was.count(rel) == 0) {
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
