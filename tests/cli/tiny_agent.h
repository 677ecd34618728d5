// A scripted agent for the tiny suite (tests/evaluator/tiny_suite.h) in CLI
// tests: its replies, and a config naming one scripted endpoint model.
#pragma once

#include <filesystem>
#include <string>

#include "tests/evaluator/tiny_suite.h"
#include "tests/support/scripted_server.h"
#include "util/files.h"

namespace endstate::test {

// The reply that fixes the tiny task's title (one edit_file call).
inline ScriptedResponse TinyFix() {
  return ScriptedResponse::Json(
      ChatCompletion("", {{"c1", "edit_file",
                           R"({"path":"about.html","old_text":"<title>)"
                           R"(Untitled</title>","new_text":"<title>About )"
                           R"(the Lab</title>"})"}}));
}

// The final reply: no tool call.
inline ScriptedResponse TinyDone() {
  return ScriptedResponse::Json(ChatCompletion("Done."));
}

// A config with one model "scripted" served at `base_url`, one try per
// model call (a 500 is an attempt error at once).
inline std::string ScriptedModelConfig(const std::string& base_url) {
  return "models:\n  - name: scripted\n    provider: openai\n    base_url: " +
         base_url + "\n    model: scripted\n    retries: {max_tries: 1}\n";
}

// A fresh temp folder `*root` (name starting with `prefix`) holding the
// tiny suite (`*suite`), the path of a database not yet created (`*db`)
// and ScriptedModelConfig(base_url) written to `*config`. False with *err
// when the folder cannot be made. The caller removes `*root`.
inline bool MakeTinyCliFolder(const std::string& prefix,
                              const std::string& base_url,
                              std::filesystem::path* root,
                              std::filesystem::path* suite, std::string* db,
                              std::string* config, std::string* err) {
  *root =
      util::MakeTempDir(std::filesystem::temp_directory_path(), prefix, err);
  if (root->empty()) return false;
  *suite = WriteTinySuite(*root / "suite");
  *db = (*root / "r.db").string();
  *config = (*root / "c.yaml").string();
  util::WriteFile(*config, ScriptedModelConfig(base_url));
  return true;
}

}  // namespace endstate::test
