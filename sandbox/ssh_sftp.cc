// SshSession's file operations over SFTP (blocking mode, bounded by the
// session timeout). The server side is sftp-server inside the host's
// sandbox, so paths outside /srv are read-only or absent.
#include <algorithm>
#include <cstring>
#include <filesystem>

#include "sandbox/ssh_session_impl.h"

namespace endstate::sandbox {
namespace {

// The parent of an absolute remote path ("/srv/www/a.html" -> "/srv/www");
// "" for a relative path without a slash.
std::string Parent(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return "";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string Join(const std::string& dir, const std::string& name) {
  if (!dir.empty() && dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

RemoteEntry ToEntry(const std::string& path,
                    const LIBSSH2_SFTP_ATTRIBUTES& attrs) {
  RemoteEntry e;
  e.path = path;
  e.is_dir = (attrs.flags & LIBSSH2_SFTP_ATTR_PERMISSIONS) &&
             LIBSSH2_SFTP_S_ISDIR(attrs.permissions);
  if (attrs.flags & LIBSSH2_SFTP_ATTR_SIZE) e.size = attrs.filesize;
  return e;
}

}  // namespace

LIBSSH2_SFTP* SshSessionImpl::Sftp(std::string* err) {
  if (!sftp_) {
    sftp_.reset(libssh2_sftp_init(session_.get()));
    if (!sftp_) {
      *err = "cannot start sftp on " + target_.host_name + ": " + LastError();
    }
  }
  return sftp_.get();
}

bool SshSessionImpl::LastWasNoSuchFile() const {
  return sftp_ &&
         libssh2_session_last_errno(session_.get()) ==
             LIBSSH2_ERROR_SFTP_PROTOCOL &&
         libssh2_sftp_last_error(sftp_.get()) == LIBSSH2_FX_NO_SUCH_FILE;
}

std::string SshSessionImpl::SftpError(const std::string& what,
                                      const std::string& path) {
  if (!sftp_ || libssh2_session_last_errno(session_.get()) !=
                    LIBSSH2_ERROR_SFTP_PROTOCOL) {
    return what + " " + path + ": " + LastError();
  }
  switch (libssh2_sftp_last_error(sftp_.get())) {
    case LIBSSH2_FX_NO_SUCH_FILE:
      return what + " " + path + ": no such file";
    case LIBSSH2_FX_PERMISSION_DENIED:
      return what + " " + path + ": permission denied";
    case LIBSSH2_FX_FAILURE:
      // OpenSSH's SFTP v3 reports EROFS, EISDIR, EFBIG... all as "failure".
      return what + " " + path + ": failed (read-only, a directory, or full)";
    case LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM:
      return what + " " + path + ": no space left";
    default:
      return what + " " + path + ": sftp error " +
             std::to_string(libssh2_sftp_last_error(sftp_.get()));
  }
}

std::optional<RemoteEntry> SshSessionImpl::Stat(const std::string& remote_path,
                                                std::string* err) {
  LIBSSH2_SFTP* sftp = Sftp(err);
  if (!sftp) return std::nullopt;
  LIBSSH2_SFTP_ATTRIBUTES attrs{};
  if (libssh2_sftp_stat_ex(sftp, remote_path.data(), remote_path.size(),
                           LIBSSH2_SFTP_STAT, &attrs) != 0) {
    if (LastWasNoSuchFile()) {
      err->clear();
    } else {
      *err = SftpError("stat", remote_path);
    }
    return std::nullopt;
  }
  return ToEntry(remote_path, attrs);
}

bool SshSessionImpl::MakeDirs(const std::string& dir, std::string* err) {
  // Each prefix of `dir` in turn: "/srv", "/srv/www", "/srv/www/docs".
  for (size_t end = dir.find('/', 1);; end = dir.find('/', end + 1)) {
    const std::string prefix = dir.substr(0, end);
    if (!prefix.empty() && prefix != "/") {
      std::optional<RemoteEntry> e = Stat(prefix, err);
      if (!e && !err->empty()) return false;
      if (e && !e->is_dir) {
        *err = "not a directory: " + prefix;
        return false;
      }
      if (!e && libssh2_sftp_mkdir_ex(sftp_.get(), prefix.data(), prefix.size(),
                                      0755) != 0) {
        *err = SftpError("mkdir", prefix);
        return false;
      }
    }
    if (end == std::string::npos) return true;
  }
}

bool SshSessionImpl::WriteFile(const std::string& remote_path,
                               const std::string& content, int mode,
                               bool make_parents, std::string* err) {
  LIBSSH2_SFTP* sftp = Sftp(err);
  if (!sftp) return false;
  const std::string parent = Parent(remote_path);
  if (!parent.empty()) {
    if (make_parents) {
      if (!MakeDirs(parent, err)) return false;
    } else {
      std::optional<RemoteEntry> e = Stat(parent, err);
      if (!e) {
        if (err->empty()) *err = "no such directory: " + parent;
        return false;
      }
      if (!e->is_dir) {
        *err = "not a directory: " + parent;
        return false;
      }
    }
  }
  std::optional<RemoteEntry> existing = Stat(remote_path, err);
  if (existing && existing->is_dir) {
    *err = "is a directory: " + remote_path;
    return false;
  }
  if (existing && libssh2_sftp_unlink_ex(sftp, remote_path.data(),
                                         remote_path.size()) != 0) {
    *err = SftpError("cannot replace", remote_path);
    return false;
  }
  ssh2::SftpHandle file(libssh2_sftp_open_ex(
      sftp, remote_path.data(), remote_path.size(),
      LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC, mode,
      LIBSSH2_SFTP_OPENFILE));
  if (!file) {
    *err = SftpError("cannot create", remote_path);
    return false;
  }
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = libssh2_sftp_write(file.get(), content.data() + done,
                                   content.size() - done);
    if (n < 0) {
      *err = SftpError("cannot write", remote_path);
      return false;
    }
    done += static_cast<size_t>(n);
  }
  if (libssh2_sftp_close_handle(file.release()) != 0) {
    *err = SftpError("cannot write", remote_path);
    return false;
  }
  return true;
}

std::optional<std::string> SshSessionImpl::ReadFile(
    const std::string& remote_path, std::string* err) {
  LIBSSH2_SFTP* sftp = Sftp(err);
  if (!sftp) return std::nullopt;
  ssh2::SftpHandle file(
      libssh2_sftp_open_ex(sftp, remote_path.data(), remote_path.size(),
                           LIBSSH2_FXF_READ, 0, LIBSSH2_SFTP_OPENFILE));
  if (!file) {
    *err = LastWasNoSuchFile() ? "no such file: " + remote_path
                               : SftpError("cannot read", remote_path);
    return std::nullopt;
  }
  std::string content;
  char buf[32 * 1024];
  while (true) {
    ssize_t n = libssh2_sftp_read(file.get(), buf, sizeof buf);
    if (n == 0) return content;
    if (n < 0) {
      *err = SftpError("cannot read", remote_path);
      return std::nullopt;
    }
    content.append(buf, n);
  }
}

bool SshSessionImpl::ListInto(const std::string& dir,
                              std::vector<RemoteEntry>* out, std::string* err) {
  ssh2::SftpHandle handle(libssh2_sftp_open_ex(
      sftp_.get(), dir.data(), dir.size(), 0, 0, LIBSSH2_SFTP_OPENDIR));
  if (!handle) {
    *err = LastWasNoSuchFile() ? "no such directory: " + dir
                               : SftpError("cannot list", dir);
    return false;
  }
  std::vector<std::string> subdirs;
  char name[4096];
  while (true) {
    LIBSSH2_SFTP_ATTRIBUTES attrs{};
    int n = libssh2_sftp_readdir_ex(handle.get(), name, sizeof name, nullptr, 0,
                                    &attrs);
    if (n == 0) break;
    if (n < 0) {
      *err = SftpError("cannot list", dir);
      return false;
    }
    const std::string entry(name, n);
    if (entry == "." || entry == "..") continue;
    // readdir reports lstat attributes: symlinks are neither, and skipped.
    if (!(attrs.flags & LIBSSH2_SFTP_ATTR_PERMISSIONS)) continue;
    if (LIBSSH2_SFTP_S_ISDIR(attrs.permissions)) {
      subdirs.push_back(Join(dir, entry));
    } else if (LIBSSH2_SFTP_S_ISREG(attrs.permissions)) {
      out->push_back(ToEntry(Join(dir, entry), attrs));
    }
  }
  handle.reset();
  for (const std::string& sub : subdirs) {
    if (!ListInto(sub, out, err)) return false;
  }
  return true;
}

std::optional<std::vector<RemoteEntry>> SshSessionImpl::ListTree(
    const std::string& remote_dir, std::string* err) {
  if (!Sftp(err)) return std::nullopt;
  std::vector<RemoteEntry> out;
  if (!ListInto(remote_dir, &out, err)) return std::nullopt;
  std::sort(out.begin(), out.end(),
            [](const RemoteEntry& a, const RemoteEntry& b) {
              return a.path < b.path;
            });
  return out;
}

}  // namespace endstate::sandbox
