// The `git` check: reads a workspace repository with libgit2 and checks
// branches, the commit `ref` names, its tree, the working tree status and
// where branches point compared with the world's initial refs.
#include <algorithm>
#include <climits>

#include "graders/check_kinds.h"
#include "graders/check_support.h"
#include "util/git_handles.h"

namespace endstate::graders {
namespace fs = std::filesystem;
namespace git = util::git;

namespace {

const char* const kAssertions[] = {
    "branch_exists", "head_message", "message_contains", "file_at_ref",
    "clean",         "commit_count", "ref_unchanged",    "changed_files"};

// "./site/" and "site" name the same repository.
std::string NormRepo(const std::string& p) {
  std::string s = fs::path(p).lexically_normal().generic_string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s.empty() ? "." : s;
}

std::string Short(const std::string& hex) { return hex.substr(0, 7); }

class GitRun {
 public:
  GitRun(const json& s, const sandbox::World& world) : s_(s), world_(world) {
    repo_path_ = GetString(s, "repo", ".");
    ref_ = GetString(s, "ref", "HEAD");
    prefix_ = repo_path_ == "." ? "git: " : "git " + repo_path_ + ": ";
  }

  CheckResult Run() {
    git::EnsureLibgit2();
    fs::path dir;
    PathState st = ResolveInside(world_.workspace(), repo_path_, &dir);
    if (st == PathState::kOutside) {
      return Failed(prefix_ + "leads outside the workspace");
    }
    git_repository* r = nullptr;
    if (st != PathState::kDirectory ||
        git_repository_open_ext(&r, dir.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH,
                                nullptr) != 0) {
      return Failed(prefix_ + "not a git repository");
    }
    repo_.reset(r);
    std::string why;
    if (!StaysInside(&why)) return Failed(why);
    if (s_.contains("branch_exists") && !BranchExists(&why)) return Failed(why);
    if (s_.contains("ref_unchanged")) {
      CheckResult res = RefUnchanged();
      if (res.verdict != Verdict::kPassed) return res;
    }
    if (s_.contains("clean") && !Clean(&why)) return Failed(why);
    bool needs_commit = false;
    for (const char* f : {"head_message", "message_contains", "file_at_ref",
                          "commit_count", "changed_files"}) {
      needs_commit = needs_commit || s_.contains(f);
    }
    std::string at;
    if (needs_commit) {
      if (!LoadCommit(&why)) return Failed(why);
      at = " on " + ref_ + " (" +
           Short(git::OidHex(*git_commit_id(commit_.get()))) + ")";
      if (!Message(&why) || !FileAtRef(&why) || !CommitCount(&why) ||
          !ChangedFiles(&why)) {
        return Failed(why);
      }
    }
    return Passed(prefix_ + "every assertion holds" + at);
  }

 private:
  // A `.git` file ("gitdir: /elsewhere"), a `.git` symlink, a worktree's
  // commondir or an alternates file would make libgit2 read a repository
  // outside the world (one of the host's): refused, as the file tools
  // refuse a symlink out.
  bool StaysInside(std::string* why) {
    std::error_code ec;
    const fs::path root = fs::weakly_canonical(world_.workspace(), ec);
    auto inside = [&](const char* p) {
      if (p == nullptr) return true;
      fs::path c = fs::weakly_canonical(p, ec);
      fs::path rel = c.lexically_relative(root);
      return !ec && !rel.empty() && *rel.begin() != "..";
    };
    const char* gitdir = git_repository_path(repo_.get());
    if (!inside(gitdir) || !inside(git_repository_commondir(repo_.get())) ||
        fs::exists(fs::path(gitdir) / "objects/info/alternates", ec)) {
      *why = prefix_ + "the repository's .git leads outside the workspace";
      return false;
    }
    return true;
  }

 private:
  bool BranchExists(std::string* why) {
    std::string name = GetString(s_, "branch_exists");
    git_reference* ref = nullptr;
    if (git_branch_lookup(&ref, repo_.get(), name.c_str(), GIT_BRANCH_LOCAL) !=
        0) {
      *why = prefix_ + "branch '" + name + "' does not exist";
      return false;
    }
    git_reference_free(ref);
    return true;
  }

  CheckResult RefUnchanged() {
    std::string name = GetString(s_, "ref_unchanged");
    std::string full = "refs/heads/" + name;
    const std::map<std::string, std::string>* initial = nullptr;
    for (const auto& [repo, refs] : world_.initial_refs()) {
      if (NormRepo(repo) == NormRepo(repo_path_)) initial = &refs;
    }
    if (initial == nullptr || initial->count(full) == 0) {
      return Errored(prefix_ + "branch '" + name +
                     "' is not among the initial refs");
    }
    const std::string& was = initial->at(full);
    git_oid oid;
    if (git_reference_name_to_id(&oid, repo_.get(), full.c_str()) != 0) {
      return Failed(prefix_ + "branch '" + name + "' deleted (was " +
                    Short(was) + ")");
    }
    std::string now = git::OidHex(oid);
    if (now != was) {
      return Failed(prefix_ + "branch '" + name + "' moved from " + Short(was) +
                    " to " + Short(now));
    }
    return Passed("");
  }

  bool Clean(std::string* why) {
    git_status_options opts = GIT_STATUS_OPTIONS_INIT;
    opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED |
                 GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
    git_status_list* raw = nullptr;
    if (git_status_list_new(&raw, repo_.get(), &opts) != 0) {
      *why = git::LastError(prefix_ + "status");
      return false;
    }
    git::StatusList list(raw);
    std::vector<std::string> changed;
    for (size_t i = 0; i < git_status_list_entrycount(list.get()); ++i) {
      const git_status_entry* e = git_status_byindex(list.get(), i);
      if (e->status == GIT_STATUS_CURRENT || (e->status & GIT_STATUS_IGNORED)) {
        continue;
      }
      const git_diff_delta* d =
          e->index_to_workdir ? e->index_to_workdir : e->head_to_index;
      changed.push_back(d != nullptr && d->new_file.path ? d->new_file.path
                                                         : "?");
    }
    bool want_clean = GetBool(s_, "clean", true);
    if (want_clean && !changed.empty()) {
      *why = prefix_ + "not clean: " + std::to_string(changed.size()) +
             (changed.size() == 1 ? " changed file: " : " changed files: ") +
             JoinNames(changed);
      return false;
    }
    if (!want_clean && changed.empty()) {
      *why = prefix_ + "clean, want uncommitted changes";
      return false;
    }
    return true;
  }

  bool LoadCommit(std::string* why) {
    git_object* obj = nullptr;
    if (git_revparse_single(&obj, repo_.get(), ref_.c_str()) != 0) {
      *why = prefix_ + (ref_ == "HEAD" ? std::string("HEAD has no commits")
                                       : "ref '" + ref_ + "' not found");
      return false;
    }
    git::Object o(obj);
    git_object* peeled = nullptr;
    if (git_object_peel(&peeled, o.get(), GIT_OBJECT_COMMIT) != 0) {
      *why = prefix_ + "ref '" + ref_ + "' is not a commit";
      return false;
    }
    commit_.reset(reinterpret_cast<git_commit*>(peeled));
    return true;
  }

  bool Message(std::string* why) {
    std::string msg = Trim(git_commit_message(commit_.get()));
    if (s_.contains("head_message")) {
      std::string want = Trim(GetString(s_, "head_message"));
      if (msg != want) {
        *why = prefix_ + ref_ + " message is " + Quote(msg) + ", want " +
               Quote(want);
        return false;
      }
    }
    if (s_.contains("message_contains")) {
      std::string want = GetString(s_, "message_contains");
      if (msg.find(want) == std::string::npos) {
        *why =
            prefix_ + ref_ + " message " + Quote(msg) + " lacks " + Quote(want);
        return false;
      }
    }
    return true;
  }

  bool FileAtRef(std::string* why) {
    if (!s_.contains("file_at_ref")) return true;
    const json& f = s_["file_at_ref"];
    std::string path = GetString(f, "path");
    std::string label = prefix_ + ref_ + ":" + path;
    git_tree* t = nullptr;
    if (git_commit_tree(&t, commit_.get()) != 0) {
      *why = git::LastError(label);
      return false;
    }
    git::Tree tree(t);
    git_tree_entry* raw = nullptr;
    bool exists = git_tree_entry_bypath(&raw, tree.get(), path.c_str()) == 0;
    git::TreeEntry entry(raw);
    if (GetBool(f, "absent")) {
      if (exists) *why = label + " exists, want absent";
      return !exists;
    }
    if (!exists) {
      *why = label + " missing";
      return false;
    }
    if (!f.contains("contains")) return true;
    git_object* obj = nullptr;
    if (git_tree_entry_to_object(&obj, repo_.get(), entry.get()) != 0 ||
        git_object_type(obj) != GIT_OBJECT_BLOB) {
      git_object_free(obj);
      *why = label + " is not a file";
      return false;
    }
    git::Blob blob(reinterpret_cast<git_blob*>(obj));
    std::string content(
        static_cast<const char*>(git_blob_rawcontent(blob.get())),
        git_blob_rawsize(blob.get()));
    std::string want = GetString(f, "contains");
    if (content.find(want) == std::string::npos) {
      *why = label + " lacks " + Quote(want);
      return false;
    }
    return true;
  }

  bool CommitCount(std::string* why) {
    if (!s_.contains("commit_count")) return true;
    git_revwalk* w = nullptr;
    if (git_revwalk_new(&w, repo_.get()) != 0) {
      *why = git::LastError(prefix_ + "revwalk");
      return false;
    }
    git::Revwalk walk(w);
    git_revwalk_push(walk.get(), git_commit_id(commit_.get()));
    long long n = 0;
    git_oid oid;
    while (git_revwalk_next(&oid, walk.get()) == 0) ++n;
    long long want = GetInt(s_, "commit_count", 0);
    if (n != want) {
      *why = prefix_ + std::to_string(n) + (n == 1 ? " commit" : " commits") +
             " reachable from " + ref_ + ", want " + std::to_string(want);
      return false;
    }
    return true;
  }

  bool ChangedFiles(std::string* why) {
    if (!s_.contains("changed_files")) return true;
    git_tree* t = nullptr;
    git_tree* pt = nullptr;
    if (git_commit_tree(&t, commit_.get()) != 0) {
      *why = git::LastError(prefix_ + "tree");
      return false;
    }
    git::Tree tree(t), parent_tree;
    if (git_commit_parentcount(commit_.get()) > 0) {
      git_commit* p = nullptr;
      if (git_commit_parent(&p, commit_.get(), 0) != 0 ||
          git_commit_tree(&pt, p) != 0) {
        git_commit_free(p);
        *why = git::LastError(prefix_ + "parent");
        return false;
      }
      git_commit_free(p);
      parent_tree.reset(pt);
    }
    git_diff* d = nullptr;
    if (git_diff_tree_to_tree(&d, repo_.get(), parent_tree.get(), tree.get(),
                              nullptr) != 0) {
      *why = git::LastError(prefix_ + "diff");
      return false;
    }
    git::Diff diff(d);
    std::vector<std::string> got;
    for (size_t i = 0; i < git_diff_num_deltas(diff.get()); ++i) {
      const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
      got.push_back(delta->new_file.path);
      if (std::string(delta->old_file.path) != delta->new_file.path) {
        got.push_back(delta->old_file.path);
      }
    }
    std::vector<std::string> want;
    for (const auto& p : s_["changed_files"]) {
      want.push_back(
          fs::path(p.get<std::string>()).lexically_normal().generic_string());
    }
    std::sort(got.begin(), got.end());
    got.erase(std::unique(got.begin(), got.end()), got.end());
    std::sort(want.begin(), want.end());
    want.erase(std::unique(want.begin(), want.end()), want.end());
    if (got != want) {
      *why = prefix_ + ref_ + " changed [" + JoinNames(got, 10) + "], want [" +
             JoinNames(want, 10) + "]";
      return false;
    }
    return true;
  }

  const json& s_;
  const sandbox::World& world_;
  std::string repo_path_, ref_, prefix_;
  git::Repository repo_;
  git::Commit commit_;
};

}  // namespace

bool ValidateGit(const tasks::CheckSpec& check, std::string* err) {
  const json& s = check.spec;
  if (!OnlyFields(s,
                  {"repo", "ref", "branch_exists", "head_message",
                   "message_contains", "file_at_ref", "clean", "commit_count",
                   "ref_unchanged", "changed_files"},
                  err) ||
      !WorkspacePathField(s, "repo", false, err) ||
      !OptString(s, "ref", "a revision such as HEAD or main", err) ||
      !OptString(s, "branch_exists", "a branch name", err) ||
      !OptString(s, "head_message", "a commit message", err) ||
      !OptString(s, "message_contains", "a text", err) ||
      !OptBool(s, "clean", err) ||
      !OptInt(s, "commit_count", 0, LLONG_MAX, err) ||
      !OptString(s, "ref_unchanged", "a branch name", err)) {
    return false;
  }
  if (s.contains("changed_files")) {
    const json& v = s["changed_files"];
    bool ok = v.is_array();
    for (const auto& e : v) {
      ok = ok && e.is_string() && IsConfinedPath(e.get<std::string>());
    }
    if (!ok) {
      return FieldError("changed_files", "expected a list of repository paths",
                        err);
    }
  }
  if (s.contains("file_at_ref")) {
    const json& f = s["file_at_ref"];
    const char* expect =
        "expected a mapping {path, contains} or {path, absent: true}";
    if (!f.is_object()) return FieldError("file_at_ref", expect, err);
    for (const auto& [key, value] : f.items()) {
      if (key != "path" && key != "contains" && key != "absent") {
        return FieldError(("file_at_ref." + key).c_str(), "unknown field", err);
      }
    }
    if (!f.contains("path") || !f["path"].is_string() ||
        !IsConfinedPath(f["path"].get<std::string>()) ||
        (f.contains("contains") && !f["contains"].is_string()) ||
        (f.contains("absent") && !f["absent"].is_boolean()) ||
        (f.contains("contains") && GetBool(f, "absent"))) {
      return FieldError("file_at_ref", expect, err);
    }
  }
  for (const char* a : kAssertions) {
    if (s.contains(a)) return true;
  }
  return FieldError("assertions",
                    "expected one or more of branch_exists, head_message, "
                    "message_contains, file_at_ref, clean, commit_count, "
                    "ref_unchanged, changed_files",
                    err);
}

CheckResult RunGit(const tasks::CheckSpec& check, const sandbox::World& world) {
  return GitRun(check.spec, world).Run();
}

}  // namespace endstate::graders
