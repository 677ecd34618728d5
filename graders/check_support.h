// Internal helpers shared by the check kinds: field validation with messages
// of the form "<field>: <expectation>", workspace path confinement, globs,
// quoting for details, and result constructors.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graders/grader.h"

namespace endstate::graders {

using nlohmann::json;

// ---- validation (task load time) ----

// Fails with "<field>: unknown field" for any key of `spec` not in `allowed`
// ("kind" and "name" are always allowed).
bool OnlyFields(const json& spec, std::initializer_list<const char*> allowed,
                std::string* err);
// `field` must be present and a string: "<field>: missing field (expected
// <expect>)" or "<field>: expected <expect>, got <json>".
bool NeedString(const json& spec, const char* field, const char* expect,
                std::string* err);
// Like NeedString but absence is fine.
bool OptString(const json& spec, const char* field, const char* expect,
               std::string* err);
bool OptBool(const json& spec, const char* field, std::string* err);
// Optional integer within [min, max].
bool OptInt(const json& spec, const char* field, long long min, long long max,
            std::string* err);
// Optional string or non-empty list of strings.
bool OptStringOrList(const json& spec, const char* field, const char* expect,
                     std::string* err);
// Optional non-empty list of strings.
bool OptStringList(const json& spec, const char* field, const char* expect,
                   std::string* err);
// A present string field naming a workspace path that stays inside:
// relative, no "..". `required` false: absence is fine.
bool WorkspacePathField(const json& spec, const char* field, bool required,
                        std::string* err);
// "one of the values" check for an optional string field.
bool OptEnum(const json& spec, const char* field,
             std::initializer_list<const char*> values, std::string* err);
// The error "<field>: <expectation>".
bool FieldError(const char* field, const std::string& expectation,
                std::string* err);

// ---- reading fields (run time; fields already validated) ----

std::string GetString(const json& spec, const char* field,
                      const std::string& fallback = "");
bool GetBool(const json& spec, const char* field, bool fallback = false);
long long GetInt(const json& spec, const char* field, long long fallback);
// A string or list of strings as a list (empty when absent).
std::vector<std::string> GetStrings(const json& spec, const char* field);

// ---- workspace paths ----

// True when `rel` is a non-empty relative path without ".." components.
bool IsConfinedPath(const std::string& rel);

enum class PathState { kFile, kDirectory, kMissing, kOutside };
// Resolves `rel` below `root` with sandbox::ResolveBelow (the one rule the
// file tools use too). kOutside when `rel` is refused (leads out of `root`,
// directly or through a symlink). *out is the resolved path; kFile is any
// existing non-directory (reading it decides whether it is a regular file).
PathState ResolveInside(const std::filesystem::path& root,
                        const std::string& rel, std::filesystem::path* out);

// Reads workspace file `rel` of `root` (sandbox::ReadBelow: never blocks,
// regular files only, at most sandbox::kMaxGradedFileBytes). On failure
// returns nullopt and sets *detail to "<rel>: no such file" / "<rel>: leads
// outside the workspace" / "<rel>: is a directory" / "<rel>: is a fifo, not
// a regular file" / "<rel>: cannot be read: Permission denied" / ...; a
// check makes that `failed` (what the agent left is not readable).
std::optional<std::string> ReadInside(const std::filesystem::path& root,
                                      const std::string& rel,
                                      std::string* detail);

// ---- globs ----

// `*` matches within one path segment, `**` any number of whole segments
// (including none), `?` one character. Paths are '/'-separated, relative.
bool GlobMatch(std::string_view pattern, std::string_view path);
bool AnyGlobMatches(const std::vector<std::string>& patterns,
                    std::string_view path);

// ---- details ----

// JSON-style quoted text, cut to about 80 characters ("...").
std::string Quote(std::string_view text);
// "a, b, c" (at most `max` names, then ", ... (N more)").
std::string JoinNames(const std::vector<std::string>& names, size_t max = 5);
// Trims ASCII whitespace at both ends.
std::string Trim(std::string_view s);
// Collapses every whitespace run to one space and trims.
std::string CollapseWhitespace(std::string_view s);

CheckResult Passed(std::string detail);
CheckResult Failed(std::string detail);
CheckResult Errored(std::string detail);

}  // namespace endstate::graders
