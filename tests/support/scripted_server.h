// A scripted OpenAI-compatible chat-completions server for tests: real HTTP
// on 127.0.0.1 (port chosen by the kernel), served from a thread. Each
// request, whatever its path, takes the next response from a FIFO queue and
// is recorded so tests can assert on what the client sent.
//
//   test::ScriptedServer server;
//   server.Push(test::ScriptedResponse::Json(
//       test::ChatCompletion("", {{"call_1", "read_file",
//       R"({"path":"a"})"}})));
//   server.Push(test::ScriptedResponse::Stream(test::ChatCompletion("Done.")));
//   server.Push(test::ScriptedResponse::Status(503, "busy"));
//   config.base_url = server.base_url();  // "http://127.0.0.1:PORT/v1"
//   ... run ...
//   EXPECT_EQ(2u, server.requests().size());
//   server.requests()[0].json()["messages"] ...
//
// With the queue empty, the server asks the responder (SetResponder) or
// answers HTTP 500 with the JSON error "scripted server: no response
// queued".
//
// The endpoint-information paths the pre-flight reads (GET .../models,
// GET /props, POST /api/show) never take from the queue: they are answered
// from ServeInfo (HTTP 404 by default) and recorded in info_requests(), not
// requests(). Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace endstate::test {

struct ScriptedResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::map<std::string, std::string> headers;  // extra response headers
  std::chrono::milliseconds delay{0};          // before answering at all
  std::string body;                            // sent whole when !stream

  // Streaming: each chunk is written as-is (raw bytes, so a test may split
  // an SSE event anywhere), `chunk_delay` apart, with chunked encoding.
  bool stream = false;
  std::vector<std::string> chunks;
  std::chrono::milliseconds chunk_delay{0};
  bool cut = false;   // stream: close the connection after the last chunk
                      // without ending the chunked body (a cut stream)
  bool drop = false;  // send headers (Content-Length 1024) then close with
                      // no body: the client sees a transport error

  // 200 with a JSON body.
  static ScriptedResponse Json(const nlohmann::json& body);
  // 200 text/event-stream with these raw chunks.
  static ScriptedResponse Sse(std::vector<std::string> chunks,
                              std::chrono::milliseconds chunk_delay = {});
  // 200 text/event-stream: one "data: <json>\n\n" chunk per element, then
  // "data: [DONE]\n\n" when `done`.
  static ScriptedResponse SseJson(const std::vector<nlohmann::json>& chunks,
                                  bool done = true,
                                  std::chrono::milliseconds chunk_delay = {});
  // A whole chat.completion body (see ChatCompletion) streamed the way vLLM
  // does: role chunk, content in pieces, each tool call as id+name then its
  // arguments in two fragments, the finish chunk, a usage chunk with
  // choices [], then [DONE].
  static ScriptedResponse Stream(const nlohmann::json& completion,
                                 std::chrono::milliseconds chunk_delay = {});
  // Any status with a raw body (JSON content type when it parses).
  static ScriptedResponse Status(
      int status, std::string body,
      std::map<std::string, std::string> headers = {});
  static ScriptedResponse Drop();
};

struct ScriptedCall {
  std::string id;
  std::string name;
  std::string arguments;  // raw text, sent as the JSON string `arguments`
};

// A chat.completion body with one choice: content (null when empty and
// calls are given), tool_calls, finish_reason ("tool_calls" when calls are
// given, else "stop", unless `finish` is set) and usage
// {prompt_tokens: 100, completion_tokens: 20}.
nlohmann::json ChatCompletion(const std::string& content,
                              const std::vector<ScriptedCall>& calls = {},
                              const std::string& finish = "");

struct RecordedRequest {
  std::string method;
  std::string path;                            // "/v1/chat/completions"
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  nlohmann::json json() const;  // body parsed (discarded value if not JSON)
};

class ScriptedServer {
 public:
  ScriptedServer();  // listening when constructed
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  int port() const { return port_; }
  std::string base_url() const;  // "http://127.0.0.1:PORT/v1"

  void Push(ScriptedResponse response);
  size_t pending() const;                         // responses not yet served
  std::vector<RecordedRequest> requests() const;  // in arrival order

  // Answers every request that finds the queue empty; called on the
  // server's threads (concurrently when requests overlap).
  void SetResponder(
      std::function<ScriptedResponse(const RecordedRequest&)> responder);
  // The answer to an endpoint-information path: "/v1/models", "/props" or
  // "/api/show" (the path as requested).
  void ServeInfo(const std::string& path, ScriptedResponse response);
  // GET /v1/models listing these ids (OpenAI shape; `extra` is merged into
  // each entry, e.g. {"max_model_len": 4096}).
  void ServeModels(const std::vector<std::string>& ids,
                   const nlohmann::json& extra = nlohmann::json::object());
  std::vector<RecordedRequest> info_requests() const;  // in arrival order

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::vector<ScriptedResponse> queue_;  // front = next
  std::vector<RecordedRequest> requests_, info_requests_;
  std::map<std::string, ScriptedResponse> info_;
  std::function<ScriptedResponse(const RecordedRequest&)> responder_;
};

}  // namespace endstate::test
