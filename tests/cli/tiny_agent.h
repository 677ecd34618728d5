// A scripted agent for the tiny suite (tests/evaluator/tiny_suite.h) in CLI
// tests: its replies, and a config naming one scripted endpoint model.
#pragma once

#include <string>

#include "tests/support/scripted_server.h"

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

}  // namespace endstate::test
