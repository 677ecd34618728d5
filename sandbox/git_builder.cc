// Builds a task's repository with libgit2. Each commit's tree is assembled in
// an in-memory index (read from the tip of the commit's branch), so the
// working tree is only written once, by the final forced checkout: files of
// other branches are never left behind.
#include "sandbox/git_builder.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "util/confine.h"
#include "util/git_handles.h"

namespace endstate::sandbox {
namespace {

namespace fs = std::filesystem;
namespace git = util::git;
using tasks::CommitSpec;
using tasks::RepoSpec;

// "Ana Lopez <ana@lab.test>" -> name and email.
bool ParseAuthor(const std::string& author, std::string* name,
                 std::string* email) {
  size_t lt = author.find('<');
  size_t gt = author.rfind('>');
  if (lt == std::string::npos || gt == std::string::npos || gt < lt) {
    return false;
  }
  *name = author.substr(0, lt);
  while (!name->empty() && name->back() == ' ') name->pop_back();
  *email = author.substr(lt + 1, gt - lt - 1);
  return !name->empty() && !email->empty();
}

// A path of a commit's tree, checked with the one confinement rule
// (lexically: the tree is in the index, not on disk). Sets *normal to the
// '/'-separated path without "." or "..".
bool InTree(const std::string& path, std::string* normal, std::string* err) {
  fs::path out;
  if (util::ResolveBelow({.root = {}, .inside = "", .name = "the repository"},
                         path, &out, err) != util::ConfineError::kNone) {
    return false;
  }
  *normal = out.generic_string();
  return true;
}

// The first symlink below `dir` (not followed) that leads out of
// `workspace` by the one confinement rule, as that rule's message; empty
// when there is none. libgit2's checkout writes through a symlinked
// directory, so a workspace holding `out -> /var/tmp/x` and a commit
// writing `out/f` would write outside the world.
std::string OutwardSymlink(const fs::path& dir, const fs::path& workspace) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!it->is_symlink(ec)) continue;
    fs::path unused;
    std::string err;
    const std::string rel =
        it->path().lexically_relative(workspace).generic_string();
    if (util::ResolveBelow(
            {.root = workspace, .inside = "", .name = "the workspace"}, rel,
            &unused, &err) != util::ConfineError::kNone) {
      return err;
    }
  }
  return "";
}

class Builder {
 public:
  Builder(git_repository* repo, std::string* err) : repo_(repo), err_(err) {}

  bool Fail(const std::string& what) {
    *err_ = git::LastError(what);
    return false;
  }

  // Adds `content` at `path` (repository-relative, '/'-separated).
  bool AddBlob(git_index* index, const std::string& path,
               const std::string& content, uint32_t mode) {
    git_index_entry entry{};
    if (git_blob_create_from_buffer(&entry.id, repo_, content.data(),
                                    content.size()) != 0) {
      return Fail("write blob " + path);
    }
    entry.mode = mode;
    entry.path = path.c_str();
    if (git_index_add(index, &entry) != 0) return Fail("index add " + path);
    return true;
  }

  // Overlays every file below `dir` (recursively, symlinks kept as links).
  bool Overlay(git_index* index, const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      *err_ = "copy_from: not a directory: " + dir.string();
      return false;
    }
    fs::recursive_directory_iterator it(dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      const fs::path& p = it->path();
      std::string rel = p.lexically_relative(dir).generic_string();
      if (it->is_symlink(ec)) {
        if (!AddBlob(index, rel, fs::read_symlink(p, ec).string(),
                     GIT_FILEMODE_LINK)) {
          return false;
        }
      } else if (it->is_regular_file(ec)) {
        std::ifstream in(p, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        if (!in) {
          *err_ = "copy_from: cannot read " + p.string();
          return false;
        }
        struct stat st {};
        bool exec = ::stat(p.c_str(), &st) == 0 && (st.st_mode & S_IXUSR);
        if (!AddBlob(index, rel, ss.str(),
                     exec ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB)) {
          return false;
        }
      }
    }
    if (ec) {
      *err_ = "copy_from: " + dir.string() + ": " + ec.message();
      return false;
    }
    return true;
  }

  bool Remove(git_index* index, const std::string& path) {
    if (git_index_get_bypath(index, path.c_str(), 0) != nullptr) {
      if (git_index_remove(index, path.c_str(), 0) != 0) {
        return Fail("remove " + path);
      }
      return true;
    }
    size_t before = git_index_entrycount(index);
    if (git_index_remove_directory(index, path.c_str(), 0) != 0) {
      return Fail("remove " + path);
    }
    if (git_index_entrycount(index) == before) {
      *err_ = "remove: '" + path + "' is not in the tree";
      return false;
    }
    return true;
  }

  // The commit `ref` points to, or null when the ref does not exist.
  bool TipOf(const std::string& ref, git::Commit* out) {
    git_oid oid;
    int rc = git_reference_name_to_id(&oid, repo_, ref.c_str());
    if (rc == GIT_ENOTFOUND) {
      out->reset();
      return true;
    }
    if (rc != 0) return Fail("resolve " + ref);
    git_commit* c = nullptr;
    if (git_commit_lookup(&c, repo_, &oid) != 0) return Fail("lookup " + ref);
    out->reset(c);
    return true;
  }

  bool Apply(const CommitSpec& spec) {
    if (spec.branch.empty() ||
        git_reference_is_valid_name(("refs/heads/" + spec.branch).c_str()) !=
            1) {
      *err_ = "branch: invalid name '" + spec.branch + "'";
      return false;
    }
    std::string ref = "refs/heads/" + spec.branch;
    git::Commit parent;
    if (!TipOf(ref, &parent)) return false;
    // A missing branch starts at the commit HEAD was on (the previous
    // commit's branch), like `git switch -c` would.
    if (!parent && !head_.empty() && !TipOf(head_, &parent)) return false;

    git_index* raw_index = nullptr;
    if (git_index_new(&raw_index) != 0) return Fail("new index");
    git::Index index(raw_index);
    if (parent) {
      git_tree* t = nullptr;
      if (git_commit_tree(&t, parent.get()) != 0) return Fail("parent tree");
      git::Tree tree(t);
      if (git_index_read_tree(index.get(), tree.get()) != 0) {
        return Fail("read tree");
      }
    }
    if (!spec.copy_from.empty() && !Overlay(index.get(), spec.copy_from)) {
      return false;
    }
    std::string p, why;
    for (const auto& [path, content] : spec.write) {
      if (!InTree(path, &p, &why)) {
        *err_ = "write: " + why;
        return false;
      }
      if (!AddBlob(index.get(), p, content, GIT_FILEMODE_BLOB)) return false;
    }
    for (const auto& path : spec.remove) {
      if (!InTree(path, &p, &why)) {
        *err_ = "remove: " + why;
        return false;
      }
      if (!Remove(index.get(), p)) return false;
    }

    git_oid tree_id;
    if (git_index_write_tree_to(&tree_id, index.get(), repo_) != 0) {
      return Fail("write tree");
    }
    git_tree* t = nullptr;
    if (git_tree_lookup(&t, repo_, &tree_id) != 0) return Fail("lookup tree");
    git::Tree tree(t);

    std::string name, email;
    if (!ParseAuthor(spec.author, &name, &email)) {
      *err_ = "author: expected \"Name <email>\", got \"" + spec.author + "\"";
      return false;
    }
    git_signature* s = nullptr;
    if (git_signature_new(&s, name.c_str(), email.c_str(), spec.time, 0) != 0) {
      return Fail("signature");
    }
    git::Signature sig(s);
    std::string message = spec.message;
    if (message.empty() || message.back() != '\n') message += '\n';
    const git_commit* parents[] = {parent.get()};
    git_oid commit_id;
    if (git_commit_create(&commit_id, repo_, nullptr, sig.get(), sig.get(),
                          nullptr, message.c_str(), tree.get(), parent ? 1 : 0,
                          parents) != 0) {
      return Fail("commit");
    }
    git_reference* r = nullptr;
    if (git_reference_create(&r, repo_, ref.c_str(), &commit_id, 1,
                             "endstate build") != 0) {
      return Fail("update " + ref);
    }
    git::Reference ref_handle(r);
    for (const auto& tag : spec.tags) {
      git_object* obj = nullptr;
      if (git_object_lookup(&obj, repo_, &commit_id, GIT_OBJECT_COMMIT) != 0) {
        return Fail("lookup commit");
      }
      git::Object target(obj);
      git_oid tag_id;
      if (git_tag_create_lightweight(&tag_id, repo_, tag.c_str(), target.get(),
                                     0) != 0) {
        return Fail("tag " + tag);
      }
    }
    head_ = ref;
    return true;
  }

  bool Checkout(const std::string& branch) {
    std::string ref = "refs/heads/" + branch;
    git::Commit tip;
    if (!TipOf(ref, &tip)) return false;
    if (!tip) {
      *err_ = "checkout: branch '" + branch + "' has no commits";
      return false;
    }
    if (git_repository_set_head(repo_, ref.c_str()) != 0) {
      return Fail("set HEAD");
    }
    git_checkout_options opts = GIT_CHECKOUT_OPTIONS_INIT;
    // HEAD already names the target, so missing files must be recreated
    // explicitly.
    opts.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_RECREATE_MISSING;
    if (git_checkout_head(repo_, &opts) != 0) return Fail("checkout " + branch);
    return true;
  }

  bool CollectRefs(std::map<std::string, std::string>* refs) {
    git_reference_iterator* it = nullptr;
    if (git_reference_iterator_new(&it, repo_) != 0) return Fail("list refs");
    git::ReferenceIterator iter(it);
    git_reference* r = nullptr;
    while (git_reference_next(&r, iter.get()) == 0) {
      git::Reference ref(r);
      std::string name = git_reference_name(ref.get());
      if (name.rfind("refs/heads/", 0) != 0 &&
          name.rfind("refs/tags/", 0) != 0) {
        continue;
      }
      const git_oid* oid = git_reference_target(ref.get());
      if (oid != nullptr) (*refs)[name] = git::OidHex(*oid);
    }
    return true;
  }

 private:
  git_repository* repo_;
  std::string* err_;
  std::string head_;  // ref of the branch the previous commit went on
};

}  // namespace

bool BuildRepo(const std::filesystem::path& workspace,
               const tasks::RepoSpec& spec,
               std::map<std::string, std::string>* refs, std::string* err) {
  git::EnsureLibgit2();
  // The repository's folder, and every symlink already below it, must stay
  // in the workspace (task content may hold symlinks).
  fs::path dir;
  if (util::ResolveBelow(
          {.root = workspace, .inside = "", .name = "the workspace"}, spec.path,
          &dir, err) != util::ConfineError::kNone) {
    return false;
  }
  if (std::string link = OutwardSymlink(dir, fs::weakly_canonical(workspace));
      !link.empty()) {
    *err = link;
    return false;
  }
  if (spec.commits.empty()) {
    *err = "commits: expected at least one commit";
    return false;
  }
  git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  opts.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
  opts.initial_head = "main";
  git_repository* raw = nullptr;
  if (git_repository_init_ext(&raw, dir.c_str(), &opts) != 0) {
    *err = git::LastError("init " + dir.string());
    return false;
  }
  git::Repository repo(raw);
  Builder builder(repo.get(), err);
  for (size_t i = 0; i < spec.commits.size(); ++i) {
    if (!builder.Apply(spec.commits[i])) {
      *err = "commits[" + std::to_string(i) + "]: " + *err;
      return false;
    }
  }
  if (!builder.Checkout(spec.checkout)) return false;
  if (refs != nullptr) {
    refs->clear();
    if (!builder.CollectRefs(refs)) return false;
  }
  return true;
}

}  // namespace endstate::sandbox
