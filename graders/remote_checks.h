// Checks of deploy hosts (docs/graders.md): `remote_file` and
// `remote_unchanged`. Each run opens a fresh SSH session of its own to the
// host (World::FindHost(name)->ssh), so nothing the agent left open, and
// no tool connection, takes part in the verdict. Unreachable hosts and SFTP
// failures are `error`; a wrong end state is `failed`.
#pragma once

#include <string>

#include "graders/grader.h"
#include "sandbox/world.h"
#include "tasks/task.h"

namespace endstate::graders {

// remote_file: `host`, `path` (absolute on the host) and one or more of
// exists, sha256, contains, not_contains, equals, same_as_workspace,
// same_as, json_pointer + json_equals.
bool ValidateRemoteFile(const tasks::CheckSpec& check, std::string* err);
CheckResult RunRemoteFile(const tasks::CheckSpec& check,
                          const sandbox::World& world);

// remote_unchanged: `host`, `paths` (globs relative to /srv, default
// ["**"]), `except` (globs), `new_files` (allow | forbid, default allow).
// Compares the host's current files, read over SFTP, with
// World::InitialHostRoot(host).
bool ValidateRemoteUnchanged(const tasks::CheckSpec& check, std::string* err);
CheckResult RunRemoteUnchanged(const tasks::CheckSpec& check,
                               const sandbox::World& world);

}  // namespace endstate::graders
