// Checks of deploy hosts (docs/graders.md): `remote_file` and
// `remote_unchanged`. Each reads the host's root directory on disk
// (World::FindHost(name)->root, seen as /srv on the host) as the harness,
// through sandbox/confine.h: no SSH session the agent could break, no
// permission it could take away (chmod 000), no open that blocks (a FIFO).
// What the agent left that cannot be read (missing, wrong file type,
// unreadable, over 64 MiB) is `failed` with that reason; `error` is only a
// host the task does not have.
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
// ["**"]), `except` (globs), `new_files` (allow | forbid, default forbid:
// production is exact unless the task names what may appear in `except`).
// Compares the host's current files with World::InitialHostRoot(host); a
// file replaced by a symlink, FIFO or unreadable file is "changed".
bool ValidateRemoteUnchanged(const tasks::CheckSpec& check, std::string* err);
CheckResult RunRemoteUnchanged(const tasks::CheckSpec& check,
                               const sandbox::World& world);

}  // namespace endstate::graders
