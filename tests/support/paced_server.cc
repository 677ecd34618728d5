#include "tests/support/paced_server.h"

#include <httplib.h>

#include <algorithm>
#include <cstdio>

namespace endstate::test {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string SseData(const json& chunk) {
  return "data: " + chunk.dump() + "\n\n";
}

json Chunk(const json& delta, const json& finish = nullptr) {
  return {{"id", "chatcmpl-paced"},
          {"object", "chat.completion.chunk"},
          {"model", "paced"},
          {"choices",
           json::array(
               {{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}})}};
}

// Tokens to send: the configured count capped by the request's limit.
int TokenCount(const PacedOptions& o, const json& body, const char* key,
               bool* capped) {
  int n = o.tokens_per_response;
  *capped = false;
  if (body.is_object() && body.contains(key) && body[key].is_number()) {
    int cap = body[key].get<int>();
    if (cap < n) {
      n = cap;
      *capped = true;
    }
  }
  return std::max(n, 1);
}

int PromptTokens(const json& body) {
  size_t bytes = 0;
  if (body.is_object() && body.contains("messages") &&
      body["messages"].is_array()) {
    for (const json& m : body["messages"]) {
      if (m.is_object() && m.contains("content") && m["content"].is_string()) {
        bytes += m["content"].get_ref<const std::string&>().size();
      }
    }
  }
  return static_cast<int>(bytes / 4);
}

std::string Tokens(int first, int last) {
  std::string s;
  for (int i = first; i <= last; ++i) s += "t" + std::to_string(i) + " ";
  return s;
}

std::string Number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// One streamed answer in progress (shared by the content provider calls).
struct StreamState {
  Clock::time_point t0;
  int n = 0;     // tokens to send
  int next = 0;  // next token index
  bool capped = false;
  int prompt_tokens = 0;
};

}  // namespace

PacedServer::PacedServer(PacedOptions options)
    : options_(options), server_(std::make_unique<httplib::Server>()) {
  server_->set_tcp_nodelay(true);
  auto record = [this](const httplib::Request& req) {
    json body = json::parse(req.body, nullptr, false);
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back({req.method, req.path, body});
    return body;
  };
  server_->Post(".*/chat/completions", [this, record](
                                           const httplib::Request& req,
                                           httplib::Response& res) {
    auto st = std::make_shared<StreamState>();
    st->t0 = Clock::now();
    json body = record(req);
    st->n = TokenCount(options_, body, "max_tokens", &st->capped);
    st->prompt_tokens = PromptTokens(body);
    res.set_chunked_content_provider(
        "text/event-stream", [this, st](size_t, httplib::DataSink& sink) {
          const PacedOptions& o = options_;
          if (st->next < st->n) {
            const int first = st->next;
            const int last =
                first == 0 ? 0
                           : std::min(first + o.tokens_per_chunk, st->n) - 1;
            const auto due =
                st->t0 + o.ttft +
                std::chrono::duration_cast<Clock::duration>(
                    std::chrono::duration<double>(last / o.tokens_per_second));
            std::this_thread::sleep_until(due);
            json delta = {{"content", Tokens(first, last)}};
            if (first == 0) delta["role"] = "assistant";
            st->next = last + 1;
            const std::string data = SseData(Chunk(delta));
            return sink.write(data.data(), data.size());
          }
          json finish = Chunk(json::object(), st->capped ? "length" : "stop");
          const double decode_s = (st->n - 1) / o.tokens_per_second;
          if (o.llamacpp_timings) {
            const double predicted_ms = st->n / o.tokens_per_second * 1000;
            finish["timings"] = {
                {"prompt_n", st->prompt_tokens},
                {"prompt_ms", static_cast<double>(o.ttft.count())},
                {"predicted_n", st->n},
                {"predicted_ms", predicted_ms},
                {"predicted_per_second", o.tokens_per_second},
                {"cache_n", 0}};
          }
          std::string tail = SseData(finish);
          if (o.send_usage) {
            tail += SseData({{"id", "chatcmpl-paced"},
                             {"object", "chat.completion.chunk"},
                             {"choices", json::array()},
                             {"usage",
                              {{"prompt_tokens", st->prompt_tokens},
                               {"completion_tokens", st->n},
                               {"total_tokens", st->prompt_tokens + st->n}}}});
          }
          {
            std::lock_guard<std::mutex> lock(mu_);
            ++finished_;
            ttft_sum_s_ += std::chrono::duration<double>(o.ttft).count();
            itl_sum_s_ += decode_s;
            itl_count_ += st->n - 1;
          }
          tail += "data: [DONE]\n\n";
          if (!sink.write(tail.data(), tail.size())) return false;
          sink.done();
          return true;
        });
  });
  server_->Get("/metrics", [this, record](const httplib::Request& req,
                                          httplib::Response& res) {
    record(req);
    if (!options_.vllm_metrics) {
      res.status = 404;
      return;
    }
    res.set_content(MetricsText(), "text/plain; version=0.0.4");
  });
  server_->Get("/api/version", [this, record](const httplib::Request& req,
                                              httplib::Response& res) {
    record(req);
    if (!options_.ollama) {
      res.status = 404;
      return;
    }
    res.set_content(R"({"version":"0.12.3"})", "application/json");
  });
  server_->Post("/api/chat", [this, record](const httplib::Request& req,
                                            httplib::Response& res) {
    json body = record(req);
    if (!options_.ollama) {
      res.status = 404;
      return;
    }
    bool capped = false;
    json opts = body.is_object() ? body.value("options", json::object())
                                 : json::object();
    const int n = TokenCount(options_, opts, "num_predict", &capped);
    const double ttft_ns =
        std::chrono::duration<double, std::nano>(options_.ttft).count();
    const double eval_ns = n / options_.tokens_per_second * 1e9;
    json out = {
        {"model", body.value("model", "")},
        {"message", {{"role", "assistant"}, {"content", Tokens(0, n - 1)}}},
        {"done", true},
        {"done_reason", capped ? "length" : "stop"},
        {"total_duration", static_cast<int64_t>(ttft_ns + eval_ns)},
        {"load_duration", 1000},
        {"prompt_eval_count", PromptTokens(body)},
        {"prompt_eval_duration", static_cast<int64_t>(ttft_ns)},
        {"eval_count", n},
        {"eval_duration", static_cast<int64_t>(eval_ns)}};
    res.set_content(out.dump(), "application/json");
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() is a no-op until the accept loop runs: wait for it.
  for (int i = 0; i < 5000 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

PacedServer::~PacedServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string PacedServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/v1";
}

std::vector<PacedRequest> PacedServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

int PacedServer::chat_requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return finished_;
}

std::string PacedServer::MetricsText() const {
  std::lock_guard<std::mutex> lock(mu_);
  const double n = finished_;
  std::string out;
  // Each series split 1/4 + 3/4 over two engines, as a multi-engine server
  // labels them; the reader must sum over label sets.
  auto series = [&](const std::string& name, const char* type, double v) {
    out += "# HELP " + name + " paced test double\n";
    out += "# TYPE " + name + " " + type + "\n";
    out += name + "{engine=\"0\",model_name=\"paced\"} " + Number(v / 4) + "\n";
    out += name + "{engine=\"1\",model_name=\"pa\\\"ced\"} " +
           Number(v - v / 4) + "\n";
  };
  series("vllm:spec_decode_num_drafts_total", "counter",
         n * options_.drafts_per_request);
  series("vllm:spec_decode_num_draft_tokens_total", "counter",
         n * options_.draft_tokens_per_request);
  series("vllm:spec_decode_num_accepted_tokens_total", "counter",
         n * options_.accepted_per_request);
  out += "vllm:spec_decode_num_drafts_created{engine=\"0\"} 1.76e+09\n";
  struct Histogram {
    const char* base;
    double sum, count;
  };
  const Histogram histograms[] = {
      {"vllm:time_to_first_token_seconds", ttft_sum_s_, n},
      {"vllm:inter_token_latency_seconds", itl_sum_s_,
       static_cast<double>(itl_count_)}};
  for (const auto& [name, sum, count] : histograms) {
    const std::string base = name;
    out += "# TYPE " + base + " histogram\n";
    out += base + "_bucket{engine=\"0\",le=\"+Inf\"} " + Number(count) + "\n";
    out += base + "_sum{engine=\"0\",model_name=\"paced\"} " + Number(sum / 4) +
           "\n";
    out += base + "_sum{engine=\"1\",model_name=\"paced\"} " +
           Number(sum - sum / 4) + "\n";
    out += base + "_count{engine=\"0\",model_name=\"paced\"} " +
           Number(count / 4) + "\n";
    out += base + "_count{engine=\"1\",model_name=\"paced\"} " +
           Number(count - count / 4) + "\n";
  }
  out += "vllm:num_requests_running{model_name=\"paced\"} 0 1700000000000\n";
  return out;
}

}  // namespace endstate::test
