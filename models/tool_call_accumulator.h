// Assembles tool calls from OpenAI-compatible responses, tolerating what
// servers really send (see NOTES.md "Model servers"):
//  - streamed fragments `{index, id?, function:{name?, arguments}}` where
//    id/name come only on the first fragment and arguments are concatenated;
//  - Ollama sending every call whole at index 0 (a new id at an index that
//    already holds a call with another id starts a new call);
//  - `arguments` as a JSON string or as an object (serialized with dump());
//  - missing or empty ids (synthesized as "call_<turn>_<i>").
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/message.h"

namespace endstate::models {

class ToolCallAccumulator {
 public:
  // One element of a streamed `delta.tool_calls` array.
  void AddDelta(const nlohmann::json& fragment);

  // One element of a non-streamed `message.tool_calls` array: always a call
  // of its own, whatever its index.
  void AddWhole(const nlohmann::json& call);

  bool empty() const { return calls_.empty(); }

  // The calls in order of first appearance. Calls with neither a name nor
  // arguments are dropped; empty ids become "call_<turn>_<i>" (i = position
  // in the returned list).
  std::vector<ToolCall> Finish(int turn) const;

 private:
  struct Entry {
    int index = 0;
    ToolCall call;
  };
  Entry* Start(int index);
  static void AppendName(Entry* e, const nlohmann::json& name);
  static void AppendArguments(Entry* e, const nlohmann::json& args);

  std::vector<Entry> calls_;
};

}  // namespace endstate::models
