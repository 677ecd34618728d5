#include "tests/support/scripted_server.h"

#include <httplib.h>

#include <cctype>

namespace endstate::test {
namespace {

using nlohmann::json;

std::string SseData(const json& chunk) {
  return "data: " + chunk.dump() + "\n\n";
}

json Chunk(json choice_delta, const json& finish = nullptr) {
  return {{"id", "chatcmpl-scripted"},
          {"object", "chat.completion.chunk"},
          {"model", "scripted"},
          {"choices", json::array({{{"index", 0},
                                    {"delta", std::move(choice_delta)},
                                    {"finish_reason", finish}}})}};
}

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() &&
         s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The paths the pre-flight reads (evaluator/preflight.h).
bool IsInfoPath(const std::string& method, const std::string& path) {
  if (method == "GET") return EndsWith(path, "/models") || path == "/props";
  return method == "POST" && path == "/api/show";
}

std::string Lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

ScriptedResponse ScriptedResponse::Json(const json& body) {
  ScriptedResponse r;
  r.body = body.dump();
  return r;
}

ScriptedResponse ScriptedResponse::Sse(std::vector<std::string> chunks,
                                       std::chrono::milliseconds chunk_delay) {
  ScriptedResponse r;
  r.stream = true;
  r.content_type = "text/event-stream";
  r.chunks = std::move(chunks);
  r.chunk_delay = chunk_delay;
  return r;
}

ScriptedResponse ScriptedResponse::SseJson(
    const std::vector<json>& chunks, bool done,
    std::chrono::milliseconds chunk_delay) {
  std::vector<std::string> raw;
  for (const json& c : chunks) raw.push_back(SseData(c));
  if (done) raw.push_back("data: [DONE]\n\n");
  return Sse(std::move(raw), chunk_delay);
}

ScriptedResponse ScriptedResponse::Stream(
    const json& completion, std::chrono::milliseconds chunk_delay) {
  const json& choice = completion["choices"][0];
  const json& msg = choice["message"];
  std::vector<json> chunks;
  chunks.push_back(Chunk({{"role", "assistant"}, {"content", ""}}));
  if (msg.contains("reasoning_content") &&
      msg["reasoning_content"].is_string()) {
    chunks.push_back(Chunk({{"reasoning_content", msg["reasoning_content"]}}));
  }
  if (msg.contains("content") && msg["content"].is_string()) {
    std::string content = msg["content"];
    size_t half = content.size() / 2;
    if (half > 0)
      chunks.push_back(Chunk({{"content", content.substr(0, half)}}));
    if (half < content.size()) {
      chunks.push_back(Chunk({{"content", content.substr(half)}}));
    }
  }
  if (msg.contains("tool_calls") && msg["tool_calls"].is_array()) {
    int index = 0;
    for (const json& call : msg["tool_calls"]) {
      const json& fn = call["function"];
      std::string args = fn["arguments"].is_string()
                             ? fn["arguments"].get<std::string>()
                             : fn["arguments"].dump();
      chunks.push_back(Chunk(
          {{"tool_calls",
            json::array({{{"index", index},
                          {"id", call.value("id", "")},
                          {"type", "function"},
                          {"function",
                           {{"name", fn["name"]}, {"arguments", ""}}}}})}}));
      size_t half = args.size() / 2;
      for (const std::string& part :
           {args.substr(0, half), args.substr(half)}) {
        if (part.empty()) continue;
        chunks.push_back(
            Chunk({{"tool_calls",
                    json::array({{{"index", index},
                                  {"function", {{"arguments", part}}}}})}}));
      }
      ++index;
    }
  }
  chunks.push_back(Chunk(json::object(), choice["finish_reason"]));
  if (completion.contains("usage")) {
    chunks.push_back({{"id", "chatcmpl-scripted"},
                      {"object", "chat.completion.chunk"},
                      {"choices", json::array()},
                      {"usage", completion["usage"]}});
  }
  return SseJson(chunks, true, chunk_delay);
}

ScriptedResponse ScriptedResponse::Status(
    int status, std::string body, std::map<std::string, std::string> headers) {
  ScriptedResponse r;
  r.status = status;
  r.content_type = json::accept(body) ? "application/json" : "text/plain";
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

ScriptedResponse ScriptedResponse::Drop() {
  ScriptedResponse r;
  r.drop = true;
  return r;
}

json ChatCompletion(const std::string& content,
                    const std::vector<ScriptedCall>& calls,
                    const std::string& finish) {
  json message = {
      {"role", "assistant"},
      {"content",
       content.empty() && !calls.empty() ? json(nullptr) : json(content)}};
  if (!calls.empty()) {
    json arr = json::array();
    for (const ScriptedCall& c : calls) {
      arr.push_back(
          {{"id", c.id},
           {"type", "function"},
           {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
    }
    message["tool_calls"] = std::move(arr);
  }
  std::string reason =
      !finish.empty() ? finish : (calls.empty() ? "stop" : "tool_calls");
  return {{"id", "chatcmpl-scripted"},
          {"object", "chat.completion"},
          {"model", "scripted"},
          {"choices", json::array({{{"index", 0},
                                    {"message", std::move(message)},
                                    {"finish_reason", reason}}})},
          {"usage",
           {{"prompt_tokens", 100},
            {"completion_tokens", 20},
            {"total_tokens", 120}}}};
}

json RecordedRequest::json() const {
  return nlohmann::json::parse(body, nullptr, false);
}

ScriptedServer::ScriptedServer()
    : server_(std::make_unique<httplib::Server>()) {
  server_->set_tcp_nodelay(true);
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    ScriptedResponse r;
    bool have = false;
    std::function<ScriptedResponse(const RecordedRequest&)> responder;
    RecordedRequest rec{req.method, req.path, {}, req.body};
    for (const auto& [name, value] : req.headers)
      rec.headers[Lower(name)] = value;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (IsInfoPath(req.method, req.path)) {
        info_requests_.push_back(rec);
        auto it = info_.find(req.path);
        r = it != info_.end()
                ? it->second
                : ScriptedResponse::Status(404, R"({"error":"not found"})");
        have = true;
      } else {
        requests_.push_back(rec);
        if (!queue_.empty()) {
          r = std::move(queue_.front());
          queue_.erase(queue_.begin());
          have = true;
        } else {
          responder = responder_;
        }
      }
    }
    if (!have && responder) {
      r = responder(rec);
      have = true;
    }
    if (!have) {
      r = ScriptedResponse::Status(
          500,
          R"({"error":{"message":"scripted server: no response queued"}})");
    }
    if (r.delay.count() > 0) std::this_thread::sleep_for(r.delay);
    res.status = r.status;
    for (const auto& [name, value] : r.headers) res.set_header(name, value);
    if (r.drop) {
      res.set_content_provider(
          1024, r.content_type,
          [](size_t, size_t, httplib::DataSink&) { return false; });
      return;
    }
    if (!r.stream) {
      res.set_content(r.body, r.content_type);
      return;
    }
    auto state = std::make_shared<ScriptedResponse>(std::move(r));
    auto next = std::make_shared<size_t>(0);
    res.set_chunked_content_provider(
        state->content_type, [state, next](size_t, httplib::DataSink& sink) {
          if (*next >= state->chunks.size()) {
            if (state->cut) return false;  // no terminating chunk
            sink.done();
            return true;
          }
          if (*next > 0 && state->chunk_delay.count() > 0) {
            std::this_thread::sleep_for(state->chunk_delay);
          }
          const std::string& chunk = state->chunks[(*next)++];
          // An empty chunk would end the chunked body: skip it.
          return chunk.empty() || sink.write(chunk.data(), chunk.size());
        });
  };
  server_->Post(".*", handler);
  server_->Get(".*", handler);
  port_ = server_->bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() is a no-op until the accept loop runs: wait for it, so the
  // destructor can always stop the server.
  for (int i = 0; i < 5000 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

ScriptedServer::~ScriptedServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string ScriptedServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/v1";
}

void ScriptedServer::Push(ScriptedResponse response) {
  std::lock_guard<std::mutex> lock(mu_);
  queue_.push_back(std::move(response));
}

size_t ScriptedServer::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

void ScriptedServer::SetResponder(
    std::function<ScriptedResponse(const RecordedRequest&)> responder) {
  std::lock_guard<std::mutex> lock(mu_);
  responder_ = std::move(responder);
}

void ScriptedServer::ServeInfo(const std::string& path,
                               ScriptedResponse response) {
  std::lock_guard<std::mutex> lock(mu_);
  info_[path] = std::move(response);
}

void ScriptedServer::ServeModels(const std::vector<std::string>& ids,
                                 const json& extra) {
  json data = json::array();
  for (const std::string& id : ids) {
    json entry = {{"id", id}, {"object", "model"}, {"owned_by", "scripted"}};
    entry.update(extra);
    data.push_back(std::move(entry));
  }
  ServeInfo("/v1/models",
            ScriptedResponse::Json({{"object", "list"}, {"data", data}}));
}

std::vector<RecordedRequest> ScriptedServer::info_requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return info_requests_;
}

std::vector<RecordedRequest> ScriptedServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

}  // namespace endstate::test
