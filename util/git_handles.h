// RAII wrappers for the libgit2 handles used by the repository builder
// (sandbox/git_builder.cc) and the git grader (graders/git_check.cc), plus the
// one-time library setup both need.
#pragma once

#include <git2.h>

#include <memory>
#include <string>

#include "util/handle.h"

namespace endstate::util::git {

using util::Deleter;

using Repository =
    std::unique_ptr<git_repository, Deleter<git_repository_free>>;
using Index = std::unique_ptr<git_index, Deleter<git_index_free>>;
using Tree = std::unique_ptr<git_tree, Deleter<git_tree_free>>;
using TreeEntry = std::unique_ptr<git_tree_entry, Deleter<git_tree_entry_free>>;
using Commit = std::unique_ptr<git_commit, Deleter<git_commit_free>>;
using Object = std::unique_ptr<git_object, Deleter<git_object_free>>;
using Blob = std::unique_ptr<git_blob, Deleter<git_blob_free>>;
using Reference = std::unique_ptr<git_reference, Deleter<git_reference_free>>;
using ReferenceIterator = std::unique_ptr<git_reference_iterator,
                                          Deleter<git_reference_iterator_free>>;
using Signature = std::unique_ptr<git_signature, Deleter<git_signature_free>>;
using Revwalk = std::unique_ptr<git_revwalk, Deleter<git_revwalk_free>>;
using StatusList =
    std::unique_ptr<git_status_list, Deleter<git_status_list_free>>;
using Diff = std::unique_ptr<git_diff, Deleter<git_diff_free>>;

// Initializes libgit2 once per process (never shut down: handles may live
// until exit) and turns off the owner check: the harness runs as root and
// reads repositories that sandboxed commands (uid 1000) may have touched,
// which libgit2 would otherwise refuse with a misleading safe.directory
// error. Thread-safe.
inline void EnsureLibgit2() {
  static const bool kDone = [] {
    git_libgit2_init();
    git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
    return true;
  }();
  (void)kDone;
}

// The message of libgit2's last error on this thread, prefixed by `what`:
// "open repo: could not find repository at '/x'".
inline std::string LastError(const std::string& what) {
  const git_error* e = git_error_last();
  std::string msg = what;
  if (e != nullptr && e->message != nullptr) {
    msg += ": ";
    msg += e->message;
  }
  return msg;
}

// Lower-case hex of `oid`.
inline std::string OidHex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

}  // namespace endstate::util::git
