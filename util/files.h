// Small filesystem and hashing helpers shared by every folder.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace endstate::util {

// Reads a whole file. Returns nullopt (and sets *err when given) when the
// file cannot be opened or read.
std::optional<std::string> ReadFile(const std::filesystem::path& path,
                                    std::string* err = nullptr);

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
