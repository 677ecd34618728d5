// A one-task suite written to a temp folder for evaluator tests: the task
// asks to fix a page title; the end state is checked with file checks.
#pragma once

#include <filesystem>
#include <string>

#include "util/files.h"

namespace endstate::test {

inline constexpr char kTinyTaskYaml[] = R"(id: tiny-title
title: Fix a title
level: easy
instruction: about.html still says Untitled; make it "About the Lab".
world:
  workspace: workspace
checks:
  - kind: file_contains
    path: about.html
    text: "<title>About the Lab</title>"
  - kind: unchanged
    except: [about.html]
solution:
  - tool: edit_file
    args: {path: about.html, old_text: "<title>Untitled</title>", new_text: "<title>About the Lab</title>"}
  - say: Done.
)";

inline constexpr char kTinyPage[] =
    "<html><head><title>Untitled</title></head>\n<body><h1>About</h1></body></"
    "html>\n";

// Writes the suite below `root` (root/tiny-title/...). Returns root.
inline std::filesystem::path WriteTinySuite(const std::filesystem::path& root) {
  std::filesystem::create_directories(root / "tiny-title/workspace");
  util::WriteFile(root / "tiny-title/task.yaml", kTinyTaskYaml);
  util::WriteFile(root / "tiny-title/workspace/about.html", kTinyPage);
  util::WriteFile(root / "tiny-title/workspace/index.html", "<h1>Lab</h1>\n");
  return root;
}

}  // namespace endstate::test
