// Small filesystem and hashing helpers shared by every folder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace endstate::util {

struct ReadOptions {
  bool follow_symlinks = true;  // false: O_NOFOLLOW, a symlink is refused
  size_t max_bytes = SIZE_MAX;  // a larger file is refused, never cut
};

// Reads a whole regular file. Never blocks on what the path names: it is
// opened with O_NONBLOCK and fstat must say regular file, so a FIFO,
// socket or device is refused at once. Returns false and sets *why (the
// reason without the path: "No such file or directory", "is a fifo, not a
// regular file", "is a symlink", "is a directory, not a regular file",
// "is 70000000 bytes, over the 67108864-byte limit") on failure; errno is
// the open's on an open failure, else 0. Thread-safe.
bool ReadRegularFile(const std::filesystem::path& path,
                     const ReadOptions& options, std::string* content,
                     std::string* why);

// ReadRegularFile with the path in the message: "cannot open PATH: No such
// file or directory", "cannot read PATH: is a fifo, not a regular file".
std::optional<std::string> ReadFile(const std::filesystem::path& path,
                                    std::string* err = nullptr,
                                    const ReadOptions& options = {});

// Writes `content` to `path`, replacing it; creates no directories.
// Returns false and sets *err on failure.
bool WriteFile(const std::filesystem::path& path, std::string_view content,
               std::string* err = nullptr);

// Writes `content` to "<path>.tmp", then renames it over `path`, so a reader
// never sees half a file. Returns false and sets *err ("cannot write
// /x/h.html: No such file or directory"), removing the temporary file.
bool WriteFileAtomic(const std::filesystem::path& path,
                     std::string_view content, std::string* err = nullptr);

// Copies the directory tree `from` into `to` (created if missing), keeping
// symlinks as symlinks and file modes. Returns false and sets *err on failure.
bool CopyTree(const std::filesystem::path& from,
              const std::filesystem::path& to, std::string* err);

// Creates a fresh, uniquely named directory below `base` (created with mode
// 0755 if missing) whose name starts with `prefix`. Returns an empty path and
// sets *err on failure.
std::filesystem::path MakeTempDir(const std::filesystem::path& base,
                                  std::string_view prefix, std::string* err);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace endstate::util
