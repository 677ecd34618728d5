#include "models/openai_wire.h"

#include <cmath>

#include "models/reasoning.h"

namespace endstate::models {
namespace {

using nlohmann::json;

constexpr size_t kSnippetBytes = 300;

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

// `content` may be a string, null, or an array of {type:"text", text} parts.
std::string ContentText(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (content.is_array()) {
    for (const json& part : content) {
      if (part.is_object()) out += Str(part, "text");
      if (part.is_string()) out += part.get<std::string>();
    }
  }
  return out;
}

// vLLM and Ollama say "reasoning", llama.cpp and older vLLM
// "reasoning_content"; both are never parsed for calls.
std::string ReasoningText(const json& m) {
  std::string r = Str(m, "reasoning_content");
  return r.empty() ? Str(m, "reasoning") : r;
}

bool IsBlank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

// Qwen3 on llama-server sends content "\n\n" beside tool calls.
void DropBlankContentBesideCalls(Message* m) {
  if (!m->tool_calls.empty() && IsBlank(m->content)) m->content.clear();
}

// vLLM answers HTTP 400 to a conversation replaying a call whose arguments
// are not a JSON object (vLLM #47761), which would turn a model's mistake
// into an endpoint error. Such arguments are replayed as "{}"; the raw text
// stays in the record and the tool result tells the model what was wrong.
std::string ReplayArguments(const std::string& raw) {
  json j = json::parse(raw, nullptr, false);
  return j.is_object() ? raw : "{}";
}

// OpenAI's `refusal` text (with `content` null): kept as the content and
// named by finish_reason "refusal", which the agent loop ends on.
void MarkRefusal(const std::string& refusal, CompletionResponse* out) {
  if (refusal.empty()) return;
  if (out->message.content.empty()) out->message.content = refusal;
  out->finish_reason = "refusal";
}

}  // namespace

json MessageToJson(const Message& m) {
  json j = {{"role", m.role}};
  if (m.role == "assistant") {
    j["content"] = m.content.empty() && !m.tool_calls.empty() ? json(nullptr)
                                                              : json(m.content);
    if (!m.tool_calls.empty()) {
      json calls = json::array();
      for (const ToolCall& c : m.tool_calls) {
        calls.push_back({{"id", c.id},
                         {"type", "function"},
                         {"function",
                          {{"name", c.name},
                           {"arguments", ReplayArguments(c.arguments)}}}});
      }
      j["tool_calls"] = std::move(calls);
    }
  } else if (m.role == "tool") {
    j["tool_call_id"] = m.tool_call_id;
    j["content"] = m.content;
  } else {
    j["content"] = m.content;
  }
  return j;
}

json BuildRequestBody(const ModelConfig& config, const CompletionRequest& req,
                      bool stream) {
  json body = {{"model", config.model}};
  json messages = json::array();
  for (const Message& m : req.messages) messages.push_back(MessageToJson(m));
  body["messages"] = std::move(messages);
  if (!req.tools.empty()) {
    json tools = json::array();
    for (const ToolSchema& t : req.tools) {
      tools.push_back(
          {{"type", "function"},
           {"function",
            {{"name", t.name},
             {"description", t.description},
             {"parameters",
              t.parameters.is_null() ? json::object() : t.parameters}}}});
    }
    body["tools"] = std::move(tools);
    body["tool_choice"] = "auto";
  }
  body["stream"] = stream;
  if (stream) body["stream_options"] = {{"include_usage", true}};
  // A per-turn cap unless the config sets one (either spelling): a model
  // that never stops would otherwise write until a shared context is full.
  body["max_tokens"] = kDefaultMaxTokens;
  for (const json* extra : {&config.sampling, &config.extra}) {
    if (extra->is_object() && extra->contains("max_completion_tokens")) {
      body.erase("max_tokens");
    }
  }
  for (const json* extra : {&config.sampling, &config.extra}) {
    if (!extra->is_object()) continue;
    for (auto it = extra->begin(); it != extra->end(); ++it) {
      body[it.key()] = it.value();
    }
  }
  return body;
}

int TurnNumber(const CompletionRequest& req) {
  int n = 0;
  for (const Message& m : req.messages) n += m.role == "assistant";
  return n;
}

void ParseUsage(const json& usage, Usage* out) {
  if (!usage.is_object()) return;
  auto num = [&](const json& j, const char* key, int64_t* field) {
    auto it = j.find(key);
    if (it == j.end()) return;
    if (it->is_number_integer()) {
      *field = it->get<int64_t>();
    } else if (it->is_number_float()) {
      // Converting a double outside int64's range is undefined behaviour
      // (UBSan report in fuzz/tool_args_fuzz for "prompt_tokens": 1e300).
      double d = it->get<double>();
      if (std::isfinite(d) && std::fabs(d) < 9.0e18) {
        *field = static_cast<int64_t>(d);
      }
    }
  };
  num(usage, "prompt_tokens", &out->prompt_tokens);
  num(usage, "completion_tokens", &out->completion_tokens);
  if (auto d = usage.find("prompt_tokens_details");
      d != usage.end() && d->is_object()) {
    num(*d, "cached_tokens", &out->cached_tokens);
  }
  if (auto d = usage.find("completion_tokens_details");
      d != usage.end() && d->is_object()) {
    num(*d, "reasoning_tokens", &out->reasoning_tokens);
  }
}

std::string ErrorSnippet(const std::string& body) {
  std::string text = body;
  json j = json::parse(body, nullptr, false);
  if (j.is_object()) {
    const json* e = j.contains("error") ? &j["error"] : nullptr;
    if (e && e->is_object() && !Str(*e, "message").empty()) {
      text = Str(*e, "message");
    } else if (e && e->is_string()) {
      text = e->get<std::string>();
    } else if (!Str(j, "message").empty()) {
      text = Str(j, "message");
    } else if (!Str(j, "detail").empty()) {
      text = Str(j, "detail");
    }
  }
  size_t b = text.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  text = text.substr(b, text.find_last_not_of(" \t\r\n") - b + 1);
  if (text.size() > kSnippetBytes) {
    size_t cut = kSnippetBytes;
    // Do not split a UTF-8 sequence.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    text = text.substr(0, cut) + "...";
  }
  return text;
}

bool ParseCompletionBody(const std::string& body, int turn,
                         CompletionResponse* out, std::string* err) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_object()) {
    *err = "response is not JSON: " + ErrorSnippet(body);
    return false;
  }
  auto choices = j.find("choices");
  if (choices == j.end() || !choices->is_array() || choices->empty()) {
    *err = j.contains("error") ? ErrorSnippet(body)
                               : std::string("response has no choices");
    return false;
  }
  const json& choice = choices->front();
  const json empty = json::object();
  const json& m = choice.contains("message") && choice["message"].is_object()
                      ? choice["message"]
                      : empty;
  out->message = Message{};
  out->message.role = "assistant";
  if (m.contains("content")) out->message.content = ContentText(m["content"]);
  out->message.reasoning = ReasoningText(m);
  ToolCallAccumulator calls;
  if (auto tc = m.find("tool_calls"); tc != m.end() && tc->is_array()) {
    for (const json& c : *tc) calls.AddWhole(c);
  }
  if (auto fc = m.find("function_call"); fc != m.end() && fc->is_object()) {
    calls.AddWhole({{"function", *fc}});  // legacy single-call form
  }
  out->message.tool_calls = calls.Finish(turn);
  SplitThinkTags(&out->message);
  DropBlankContentBesideCalls(&out->message);
  out->finish_reason = Str(choice, "finish_reason");
  MarkRefusal(Str(m, "refusal"), out);
  out->usage = Usage{};
  if (j.contains("usage")) ParseUsage(j["usage"], &out->usage);
  out->server_timings = j.contains("timings") && j["timings"].is_object()
                            ? j["timings"]
                            : json(nullptr);
  return true;
}

StreamAssembler::Chunk StreamAssembler::Add(const std::string& data) {
  size_t b = data.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return Chunk::kIgnored;
  if (data.compare(b, 6, "[DONE]") == 0) {
    done_ = true;
    return Chunk::kDone;
  }
  json j = json::parse(data, nullptr, false);
  if (!j.is_object()) return Chunk::kIgnored;
  if (j.contains("error") && !j["error"].is_null()) {
    error_ = ErrorSnippet(data);
    error_data_ = data.substr(0, 64 * 1024);
    const json& e = j["error"];
    if (e.is_object() && e.contains("code") && e["code"].is_number_integer()) {
      error_code_ = e["code"].get<long>();
    }
    return Chunk::kError;
  }
  if (j.contains("usage")) ParseUsage(j["usage"], &usage_);
  if (j.contains("timings") && j["timings"].is_object()) {
    timings_ = j["timings"];
  }
  auto choices = j.find("choices");
  if (choices == j.end() || !choices->is_array() || choices->empty()) {
    return Chunk::kNoChoices;
  }
  any_choice_ = true;
  for (const json& choice : *choices) {
    if (!choice.is_object()) continue;
    // Only the first choice (n=1); servers number it 0 or omit the index.
    if (auto idx = choice.find("index");
        idx != choice.end() && idx->is_number() && idx->get<double>() != 0) {
      continue;
    }
    bool whole = !choice.contains("delta") && choice.contains("message");
    const json& d = whole ? choice["message"] : choice.value("delta", json());
    if (d.is_object()) {
      if (d.contains("content")) content_ += ContentText(d["content"]);
      reasoning_ += ReasoningText(d);
      refusal_ += Str(d, "refusal");
      if (auto tc = d.find("tool_calls"); tc != d.end() && tc->is_array()) {
        for (const json& c : *tc) {
          if (whole) {
            calls_.AddWhole(c);
          } else {
            calls_.AddDelta(c);
          }
        }
      }
    }
    std::string finish = Str(choice, "finish_reason");
    if (!finish.empty()) finish_reason_ = finish;
  }
  return Chunk::kChoices;
}

void StreamAssembler::Finish(int turn, CompletionResponse* out) const {
  out->message = Message{};
  out->message.role = "assistant";
  out->message.content = content_;
  out->message.reasoning = reasoning_;
  out->message.tool_calls = calls_.Finish(turn);
  SplitThinkTags(&out->message);
  DropBlankContentBesideCalls(&out->message);
  out->finish_reason = finish_reason_;
  MarkRefusal(refusal_, out);
  out->usage = usage_;
  out->server_timings = timings_;
}

}  // namespace endstate::models
