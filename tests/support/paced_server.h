// A paced OpenAI-compatible chat-completions server for speed tests: real
// HTTP on 127.0.0.1 (port chosen by the kernel), served from threads, that
// streams tokens at a set rate after a set time to first token, so a test
// knows the truth the speed probe must measure.
//
// Every POST .../chat/completions is answered with an SSE stream whatever
// the body asks, except that the request's max_tokens caps the tokens sent:
//   t0 = when the request was read (the handler starts)
//   token i (0-based) is due at t0 + ttft + i / tokens_per_second;
//   chunk 0 carries token 0 (with role "assistant"), each later chunk the
//   next `tokens_per_chunk` tokens (the last one fewer), and is written when
//   its LAST token is due. Deadlines are absolute (sleep_until), so sleep
//   overshoot does not accumulate;
//   then, at once, the finish chunk (finish_reason "length" when capped by
//   max_tokens, else "stop"; llama.cpp `timings` on it when asked), the
//   usage chunk (choices [], completion_tokens = tokens sent, prompt_tokens
//   = message content bytes / 4) when send_usage, and data: [DONE].
// Each token's text is "t<i> ".
//
// GET /metrics (when vllm_metrics): Prometheus text with the vLLM series the
// probe reads, advancing per finished chat request (just before its [DONE])
// by the set amounts, each series split over two label sets (to test
// summing over labels); the TTFT and inter-token histograms get the nominal
// ttft and 1 / tokens_per_second.
// GET /api/version and POST /api/chat (when ollama): Ollama's native API,
// answering immediately with durations computed from the pacing options.
// Any other request: HTTP 404. Thread-safe.
#pragma once

#include <chrono>
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

struct PacedOptions {
  std::chrono::milliseconds ttft{200};  // request read -> first token chunk
  double tokens_per_second = 50;        // after the first token
  int tokens_per_response = 64;         // before the request's max_tokens cap
  int tokens_per_chunk = 1;             // after chunk 0 (speculative decoding)
  bool send_usage = true;               // the usage chunk
  bool llamacpp_timings = false;        // `timings` on the finish chunk
  bool vllm_metrics = false;            // serve GET /metrics
  bool ollama = false;                  // serve /api/version and /api/chat
  // vLLM counters added per finished chat request (vllm_metrics).
  double drafts_per_request = 10;
  double draft_tokens_per_request = 30;
  double accepted_per_request = 24;
};

struct PacedRequest {
  std::string method;
  std::string path;
  nlohmann::json body;  // parsed (discarded value when not JSON)
};

class PacedServer {
 public:
  explicit PacedServer(PacedOptions options);  // listening when constructed
  ~PacedServer();
  PacedServer(const PacedServer&) = delete;
  PacedServer& operator=(const PacedServer&) = delete;

  std::string base_url() const;                // "http://127.0.0.1:PORT/v1"
  std::vector<PacedRequest> requests() const;  // in arrival order
  int chat_requests() const;                   // finished streamed answers

 private:
  std::string MetricsText() const;

  const PacedOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::vector<PacedRequest> requests_;
  int finished_ = 0;  // chat answers fully written
  // Nominal (set, not measured) values, so tests can assert exact means.
  double ttft_sum_s_ = 0;  // options_.ttft per finished answer
  double itl_sum_s_ = 0;   // (tokens - 1) / rate per finished answer
  int itl_count_ = 0;
};

}  // namespace endstate::test
