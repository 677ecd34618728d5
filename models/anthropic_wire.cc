#include "models/anthropic_wire.h"

#include <set>

#include "models/openai_wire.h"

namespace endstate::models {
namespace {

using nlohmann::json;

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

// Calls whose arguments are not a JSON object (a model's mistake) are
// replayed with an empty input: the API rejects a tool_use whose input is
// not an object, which would turn the model's mistake into an endpoint
// error. The raw text stays in the record and the tool result tells the
// model what was wrong.
json ReplayInput(const std::string& raw) {
  json j = json::parse(raw, nullptr, false);
  return j.is_object() ? j : json::object();
}

json AssistantToJson(const Message& m) {
  json blocks = json::array();
  // Thinking blocks go first, as the model produced them.
  if (!m.thinking_blocks.empty()) {
    json thinking = json::parse(m.thinking_blocks, nullptr, false);
    if (thinking.is_array()) {
      for (json& b : thinking) blocks.push_back(std::move(b));
    }
  }
  if (!m.content.empty()) {
    blocks.push_back({{"type", "text"}, {"text", m.content}});
  }
  for (const ToolCall& c : m.tool_calls) {
    blocks.push_back({{"type", "tool_use"},
                      {"id", c.id},
                      {"name", c.name},
                      {"input", ReplayInput(c.arguments)}});
  }
  return {{"role", "assistant"}, {"content", std::move(blocks)}};
}

json ToolResultBlock(const Message& m) {
  return {{"type", "tool_result"},
          {"tool_use_id", m.tool_call_id},
          {"content", m.content},
          {"is_error", m.is_error}};
}

// A user message made of tool results (only BuildAnthropicBody makes
// array-content user messages).
bool IsToolResults(const json& message) {
  return message["role"] == "user" && message["content"].is_array();
}

// OpenAI sampling keys the Messages API rejects ("Extra inputs are not
// permitted"); configs written for an OpenAI server often carry them.
const std::set<std::string>& DroppedKeys() {
  static const std::set<std::string> keys = {"stream_options",
                                             "n",
                                             "seed",
                                             "presence_penalty",
                                             "frequency_penalty",
                                             "logprobs",
                                             "top_logprobs",
                                             "logit_bias",
                                             "response_format",
                                             "parallel_tool_calls",
                                             "user",
                                             "min_p",
                                             "repetition_penalty"};
  return keys;
}

void MergeParameters(const json& params, json* body) {
  if (!params.is_object()) return;
  for (auto it = params.begin(); it != params.end(); ++it) {
    const std::string& key = it.key();
    if (DroppedKeys().count(key)) continue;
    if (key == "max_completion_tokens") {
      (*body)["max_tokens"] = it.value();
    } else if (key == "stop") {
      (*body)["stop_sequences"] =
          it->is_array() ? it.value() : json::array({it.value()});
    } else {
      (*body)[key] = it.value();
    }
  }
}

void AddToolCall(const std::string& id, const std::string& name,
                 std::string arguments, int turn, Message* m) {
  ToolCall c;
  c.id = id.empty() ? "call_" + std::to_string(turn) + "_" +
                          std::to_string(m->tool_calls.size())
                    : id;
  c.name = name;
  c.arguments = arguments.empty() ? "{}" : std::move(arguments);
  m->tool_calls.push_back(std::move(c));
}

}  // namespace

json BuildAnthropicBody(const ModelConfig& config, const CompletionRequest& req,
                        bool stream) {
  json body = {{"model", config.model},
               {"max_tokens", kAnthropicDefaultMaxTokens}};
  std::string system;
  json messages = json::array();
  for (const Message& m : req.messages) {
    if (m.role == "system") {
      if (!system.empty()) system += "\n\n";
      system += m.content;
    } else if (m.role == "assistant") {
      if (m.content.empty() && m.tool_calls.empty()) continue;
      messages.push_back(AssistantToJson(m));
    } else if (m.role == "tool") {
      // All results of one assistant turn go back in a single user message.
      if (!messages.empty() && IsToolResults(messages.back())) {
        messages.back()["content"].push_back(ToolResultBlock(m));
      } else {
        messages.push_back(
            {{"role", "user"}, {"content", json::array({ToolResultBlock(m)})}});
      }
    } else {
      messages.push_back({{"role", "user"}, {"content", m.content}});
    }
  }
  if (!system.empty()) body["system"] = system;
  body["messages"] = std::move(messages);
  if (!req.tools.empty()) {
    json tools = json::array();
    for (const ToolSchema& t : req.tools) {
      tools.push_back(
          {{"name", t.name},
           {"description", t.description},
           {"input_schema",
            t.parameters.is_null() ? json{{"type", "object"}} : t.parameters}});
    }
    body["tools"] = std::move(tools);
    body["tool_choice"] = {{"type", "auto"}};
  }
  body["stream"] = stream;
  MergeParameters(config.sampling, &body);
  MergeParameters(config.extra, &body);
  return body;
}

std::string AnthropicFinishReason(const std::string& stop_reason) {
  if (stop_reason == "tool_use") return "tool_calls";
  if (stop_reason == "end_turn" || stop_reason == "stop_sequence") {
    return "stop";
  }
  if (stop_reason == "max_tokens") return "length";
  return stop_reason;
}

void ParseAnthropicUsage(const json& usage, Usage* out) {
  if (!usage.is_object()) return;
  // Counts are taken when they are non-negative numbers below 2^60, so the
  // sum below cannot overflow (a double out of int64 range would be
  // undefined behaviour to convert).
  auto num = [&](const char* key) -> int64_t {
    auto it = usage.find(key);
    if (it == usage.end() || !it->is_number()) return -1;
    const double d = it->get<double>();
    if (!(d >= 0 && d < 1.15e18)) return -1;
    return it->is_number_integer() ? it->get<int64_t>()
                                   : static_cast<int64_t>(d);
  };
  const int64_t input = num("input_tokens");
  const int64_t read = num("cache_read_input_tokens");
  const int64_t created = num("cache_creation_input_tokens");
  if (input >= 0) {
    out->prompt_tokens =
        input + (read > 0 ? read : 0) + (created > 0 ? created : 0);
  }
  if (read >= 0) out->cached_tokens = read;
  if (int64_t output = num("output_tokens"); output >= 0) {
    out->completion_tokens = output;
  }
}

std::string AnthropicErrorText(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const std::string type = Str(j["error"], "type");
    const std::string message = Str(j["error"], "message");
    if (!type.empty() && !message.empty()) {
      return ErrorSnippet(json{{"message", type + ": " + message}}.dump());
    }
  }
  return ErrorSnippet(body);
}

bool ParseAnthropicBody(const std::string& body, int turn,
                        CompletionResponse* out, std::string* err) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_object()) {
    *err = "response is not JSON: " + ErrorSnippet(body);
    return false;
  }
  if (Str(j, "type") == "error") {
    *err = AnthropicErrorText(body);
    return false;
  }
  auto content = j.find("content");
  if (content == j.end() || !content->is_array()) {
    *err = "response has no content";
    return false;
  }
  out->message = Message{};
  out->message.role = "assistant";
  json thinking = json::array();
  for (const json& block : *content) {
    if (!block.is_object()) continue;
    const std::string type = Str(block, "type");
    if (type == "text") {
      out->message.content += Str(block, "text");
    } else if (type == "thinking") {
      out->message.reasoning += Str(block, "thinking");
      thinking.push_back(block);
    } else if (type == "redacted_thinking") {
      thinking.push_back(block);
    } else if (type == "tool_use") {
      auto input = block.find("input");
      AddToolCall(Str(block, "id"), Str(block, "name"),
                  input == block.end() ? "" : input->dump(), turn,
                  &out->message);
    }
  }
  if (!thinking.empty()) out->message.thinking_blocks = thinking.dump();
  out->finish_reason = AnthropicFinishReason(Str(j, "stop_reason"));
  out->usage = Usage{};
  if (j.contains("usage")) ParseAnthropicUsage(j["usage"], &out->usage);
  out->server_timings = nullptr;
  return true;
}

AnthropicStreamAssembler::Event AnthropicStreamAssembler::Add(
    const SseEvent& e) {
  json j = json::parse(e.data, nullptr, false);
  if (!j.is_object()) return Event::kIgnored;
  // The event name and the payload's "type" agree; servers that omit the
  // `event:` line are still understood.
  const std::string type = e.event.empty() ? Str(j, "type") : e.event;
  if (type == "error") {
    error_ = AnthropicErrorText(e.data);
    return Event::kError;
  }
  if (type == "message_start") {
    if (j.contains("message") && j["message"].is_object() &&
        j["message"].contains("usage")) {
      ParseAnthropicUsage(j["message"]["usage"], &usage_);
    }
    return Event::kOther;
  }
  // value() would throw on a non-numeric index; such a block is index -1.
  const int64_t index = j.contains("index") && j["index"].is_number_integer()
                            ? j["index"].get<int64_t>()
                            : -1;
  if (type == "content_block_start") {
    const json block = j.value("content_block", json::object());
    Block& b = blocks_[index];
    b.type = Str(block, "type");
    if (b.type == "text") {
      content_ += Str(block, "text");
      return Str(block, "text").empty() ? Event::kOther : Event::kContentStart;
    }
    if (b.type == "redacted_thinking") {
      b.text = Str(block, "data");
      return Event::kOther;
    }
    if (b.type == "thinking") {
      b.text = Str(block, "thinking");
      b.signature = Str(block, "signature");
      reasoning_ += Str(block, "thinking");
      return Str(block, "thinking").empty() ? Event::kOther
                                            : Event::kContentStart;
    }
    if (b.type == "tool_use") {
      b.id = Str(block, "id");
      b.name = Str(block, "name");
      // The input arrives as input_json_delta; a non-empty start input
      // (not sent by the API today) is kept when no delta follows.
      if (auto in = block.find("input");
          in != block.end() && in->is_object() && !in->empty()) {
        b.start_input = in->dump();
      }
      return Event::kContentStart;
    }
    return Event::kOther;
  }
  if (type == "content_block_delta") {
    const json delta = j.value("delta", json::object());
    const std::string kind = Str(delta, "type");
    if (kind == "text_delta") {
      content_ += Str(delta, "text");
    } else if (kind == "thinking_delta") {
      reasoning_ += Str(delta, "thinking");
      blocks_[index].text += Str(delta, "thinking");
    } else if (kind == "signature_delta") {
      blocks_[index].signature += Str(delta, "signature");
    } else if (kind == "input_json_delta") {
      blocks_[index].input_json += Str(delta, "partial_json");
    }
    return Event::kDelta;
  }
  if (type == "message_delta") {
    if (j.contains("delta") && j["delta"].is_object()) {
      std::string reason = Str(j["delta"], "stop_reason");
      if (!reason.empty()) stop_reason_ = reason;
    }
    if (j.contains("usage")) ParseAnthropicUsage(j["usage"], &usage_);
    return Event::kOther;
  }
  if (type == "message_stop") {
    stopped_ = true;
    return Event::kOther;
  }
  if (type == "content_block_stop") return Event::kOther;
  return Event::kIgnored;  // ping and events added to the API later
}

void AnthropicStreamAssembler::Finish(int turn, CompletionResponse* out) const {
  out->message = Message{};
  out->message.role = "assistant";
  out->message.content = content_;
  out->message.reasoning = reasoning_;
  json thinking = json::array();
  for (const auto& [index, b] : blocks_) {
    if (b.type == "thinking") {
      thinking.push_back({{"type", "thinking"},
                          {"thinking", b.text},
                          {"signature", b.signature}});
    } else if (b.type == "redacted_thinking") {
      thinking.push_back({{"type", "redacted_thinking"}, {"data", b.text}});
    }
  }
  if (!thinking.empty()) out->message.thinking_blocks = thinking.dump();
  for (const auto& [index, b] : blocks_) {
    if (b.type != "tool_use") continue;
    AddToolCall(b.id, b.name,
                b.input_json.empty() ? b.start_input : b.input_json, turn,
                &out->message);
  }
  out->finish_reason = AnthropicFinishReason(stop_reason_);
  out->usage = usage_;
  out->server_timings = nullptr;
}

}  // namespace endstate::models
