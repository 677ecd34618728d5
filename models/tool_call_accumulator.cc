#include "models/tool_call_accumulator.h"

namespace endstate::models {
namespace {

std::string StringOr(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

// A whole call without id arriving at an index whose call is already
// complete (a name and arguments that parse): Ollama's parallel calls when
// the ids are missing.
bool StartsAnotherCall(const ToolCall& current,
                       const nlohmann::json& fragment) {
  auto fn = fragment.find("function");
  if (fn == fragment.end() || !fn->is_object()) return false;
  if (StringOr(*fn, "name").empty() || current.name.empty()) return false;
  return !current.arguments.empty() &&
         nlohmann::json::accept(current.arguments);
}

}  // namespace

ToolCallAccumulator::Entry* ToolCallAccumulator::Start(int index) {
  calls_.push_back(Entry{index, {}});
  return &calls_.back();
}

void ToolCallAccumulator::AppendName(Entry* e, const nlohmann::json& name) {
  if (!name.is_string()) return;
  const std::string& n = name.get_ref<const std::string&>();
  // Some servers repeat the name on every fragment; others split it.
  if (n.empty() || n == e->call.name) return;
  e->call.name += n;
}

void ToolCallAccumulator::AppendArguments(Entry* e,
                                          const nlohmann::json& args) {
  if (args.is_string()) {
    e->call.arguments += args.get_ref<const std::string&>();
  } else if (!args.is_null()) {
    // llama.cpp and Ollama may send the arguments as an object.
    e->call.arguments += args.dump();
  }
}

void ToolCallAccumulator::AddDelta(const nlohmann::json& fragment) {
  if (!fragment.is_object()) return;
  std::string id = StringOr(fragment, "id");
  // The entry this fragment continues: the latest one with the same index.
  // Without an index, the latest call overall (or index 0).
  int index = 0;
  Entry* current = nullptr;
  if (auto it = fragment.find("index");
      it != fragment.end() && it->is_number_integer()) {
    index = it->get<int>();
    for (auto e = calls_.rbegin(); e != calls_.rend(); ++e) {
      if (e->index == index) {
        current = &*e;
        break;
      }
    }
  } else if (!calls_.empty()) {
    current = &calls_.back();
    index = current->index;
  }
  if (current == nullptr ||
      (!id.empty() && !current->call.id.empty() && current->call.id != id) ||
      StartsAnotherCall(current->call, fragment)) {
    current = Start(index);
  }
  if (!id.empty() && current->call.id.empty()) current->call.id = id;
  if (auto fn = fragment.find("function");
      fn != fragment.end() && fn->is_object()) {
    if (auto n = fn->find("name"); n != fn->end()) AppendName(current, *n);
    if (auto a = fn->find("arguments"); a != fn->end()) {
      AppendArguments(current, *a);
    }
  }
}

void ToolCallAccumulator::AddWhole(const nlohmann::json& call) {
  if (!call.is_object()) return;
  Entry* e = Start(static_cast<int>(calls_.size()));
  e->call.id = StringOr(call, "id");
  if (auto fn = call.find("function"); fn != call.end() && fn->is_object()) {
    if (auto n = fn->find("name"); n != fn->end()) AppendName(e, *n);
    if (auto a = fn->find("arguments"); a != fn->end()) AppendArguments(e, *a);
  }
}

std::vector<ToolCall> ToolCallAccumulator::Finish(int turn) const {
  std::vector<ToolCall> out;
  for (const Entry& e : calls_) {
    if (e.call.name.empty() && e.call.arguments.empty()) continue;
    out.push_back(e.call);
    if (out.back().id.empty()) {
      out.back().id =
          "call_" + std::to_string(turn) + "_" + std::to_string(out.size() - 1);
    }
  }
  return out;
}

}  // namespace endstate::models
