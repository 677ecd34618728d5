// The speed probe (evaluator/probe.h; every number is defined in
// docs/probes.md "Speed").
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>

#include "models/factory.h"
#include "models/sse_parser.h"
#include "probes/probe.h"
#include "probes/probe_workloads.h"
#include "probes/server_metrics.h"

namespace endstate::probes {
namespace {

using nlohmann::json;

// vLLM records the stats of an engine step just after handing its outputs to
// the request streams, so the last step of a request may reach /metrics
// slightly after the client saw [DONE]: wait this long before a scrape that
// closes (or opens, after warm-ups) a window.
constexpr std::chrono::milliseconds kMetricsSettle{250};

json Stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  double median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return {{"median", median}, {"min", v.front()}, {"max", v.back()}};
}

// Values of `key` over the measured (non-warm-up) repetitions that have it.
std::vector<double> Column(const json& reps, const char* key) {
  std::vector<double> out;
  for (const json& r : reps) {
    if (r.value("warmup", false)) continue;
    auto it = r.find(key);
    if (it != r.end() && it->is_number()) out.push_back(it->get<double>());
  }
  return out;
}

bool CarriesText(const json& delta) {
  if (!delta.is_object()) return false;
  for (const char* k : {"content", "reasoning_content", "reasoning"}) {
    auto it = delta.find(k);
    if (it != delta.end() && it->is_string() &&
        !it->get_ref<const std::string&>().empty()) {
      return true;
    }
  }
  auto tc = delta.find("tool_calls");
  return tc != delta.end() && tc->is_array() && !tc->empty();
}

// Streamed chunks whose first choice carries generated text: the token count
// when the server sends no usage (one token per chunk, which speculative
// decoding breaks; hence tokens_source "chunks" is flagged).
int CountTextChunks(const std::string& sse) {
  models::SseParser parser;
  std::vector<models::SseEvent> events;
  parser.Feed(sse, &events);
  parser.Finish(&events);
  int n = 0;
  for (const models::SseEvent& e : events) {
    json j = json::parse(e.data, nullptr, false);
    if (!j.is_object() || !j.contains("choices") || !j["choices"].is_array() ||
        j["choices"].empty() || !j["choices"][0].is_object()) {
      continue;
    }
    n += CarriesText(j["choices"][0].value("delta", json()));
  }
  return n;
}

std::vector<std::string> AuthHeaders(const models::ModelConfig& model) {
  if (model.api_key_env.empty()) return {};
  const char* key = std::getenv(model.api_key_env.c_str());
  if (key == nullptr || *key == '\0') return {};
  return {std::string("Authorization: Bearer ") + key};
}

// One finished request as a repetition record (docs/probes.md "Speed").
json RepRecord(const char* workload, int index, bool warmup,
               const models::CompletionResponse& r) {
  json rep = {{"workload", workload},
              {"index", index},
              {"warmup", warmup},
              {"choice_chunks", r.choice_chunks},
              {"finish_reason", r.finish_reason},
              {"retries", r.retries}};
  if (r.ttft_ms < 0) {
    // The server answered stream:true with one JSON body: no timing.
    rep["streamed"] = false;
    return rep;
  }
  rep["ttft_ms"] = r.ttft_ms;
  rep["e2e_ms"] = r.e2e_ms;
  int text_chunks = CountTextChunks(r.raw_response);
  rep["text_chunks"] = text_chunks;
  int64_t tokens = r.usage.completion_tokens;
  rep["tokens_source"] = tokens >= 0 ? "usage" : "chunks";
  if (tokens < 0) tokens = text_chunks > 0 ? text_chunks : r.choice_chunks;
  rep["output_tokens"] = tokens;
  const double decode_ms = r.e2e_ms - r.ttft_ms;
  if (tokens >= 2 && decode_ms > 0) {
    rep["tpot_ms"] = decode_ms / static_cast<double>(tokens - 1);
    rep["decode_tok_s"] = static_cast<double>(tokens - 1) / decode_ms * 1000;
  }
  if (r.usage.prompt_tokens >= 0) rep["prompt_tokens"] = r.usage.prompt_tokens;
  if (r.usage.cached_tokens >= 0) rep["cached_tokens"] = r.usage.cached_tokens;
  if (json t = LlamaCppTimings(r.server_timings); !t.is_null()) {
    rep["llamacpp"] = std::move(t);
  }
  return rep;
}

std::string ProgressLine(const json& rep, int total_reps) {
  char buf[256];
  const std::string what = rep["workload"].get<std::string>() +
                           (rep["warmup"].get<bool>() ? " warm-up " : " ") +
                           std::to_string(rep["index"].get<int>()) + "/" +
                           std::to_string(total_reps);
  if (!rep.contains("ttft_ms")) return "speed " + what + ": not streamed";
  std::snprintf(buf, sizeof buf,
                "speed %s: ttft %.0f ms, %lld tokens, %.1f tok/s", what.c_str(),
                rep["ttft_ms"].get<double>(),
                static_cast<long long>(rep["output_tokens"].get<int64_t>()),
                rep.value("decode_tok_s", 0.0));
  return buf;
}

class SpeedProbe {
 public:
  SpeedProbe(const models::ModelConfig& model, const SpeedProbeOptions& options,
             ProbeResult* result)
      : model_(model),
        options_(options),
        result_(result),
        root_(ServerRoot(model.base_url)),
        headers_(AuthHeaders(model)) {}

  void Run() {
    json& server = result_->measurements["server"];
    server = json::object();
    std::string ollama_version;
    const bool ollama = DetectOllama(root_, headers_, &ollama_version);
    VllmMetrics ignored;
    std::string why;
    metrics_offered_ = FetchVllmMetrics(root_, headers_, &ignored, &why);
    if (!metrics_offered_) server["vllm_not_offered"] = why;

    json decode_extra = {{"max_tokens", options_.max_tokens}};
    bool ok =
        RunWorkload("decode", decode_extra, [](int) { return DecodePrompt(); });
    // llama-server is recognised by the `timings` it attaches to its
    // answers; only it gets cache_prompt:false, because other servers (some
    // vLLM versions) reject unknown request fields. The unique first line of
    // every prefill prompt defeats prefix caches on all servers anyway.
    json prefill_extra = {{"max_tokens", 1}};
    if (llamacpp_seen_) prefill_extra["cache_prompt"] = false;
    const uint64_t nonce =
        std::random_device{}() * 0x100000000ull ^
        static_cast<uint64_t>(
            std::chrono::system_clock::now().time_since_epoch().count());
    if (ok) {
      ok = RunWorkload("prefill", prefill_extra, [&](int i) {
        return PrefillPrompt(options_.prefill_tokens, nonce, i);
      });
    }
    if (ok && ollama) {
      json o = {{"version", ollama_version}};
      json timings;
      std::string err;
      if (OllamaNativeChat(root_, headers_, model_.model, DecodePrompt(),
                           options_.max_tokens, model_.request_timeout,
                           &timings, &err)) {
        o["decode"] = std::move(timings);
      } else {
        o["error"] = err;
      }
      server["ollama"] = std::move(o);
    }
    if (!vllm_.empty()) server["vllm"] = vllm_;
    Summarize();
  }

 private:
  // Runs warm-ups then measured repetitions of one workload, recording each
  // in measurements[name]. Returns false (and sets the error) when a
  // request failed.
  template <class PromptFn>
  bool RunWorkload(const char* name, const json& extra, PromptFn prompt) {
    models::ModelConfig config = model_;
    config.stream = true;
    if (!config.extra.is_object()) config.extra = json::object();
    for (auto it = extra.begin(); it != extra.end(); ++it) {
      config.extra[it.key()] = it.value();
    }
    result_->settings[std::string(name) + "_extra"] = extra;
    std::string err;
    std::unique_ptr<models::Client> client =
        models::MakeEndpointClient(config, &err);
    if (!client) {
      result_->error = err;
      return false;
    }
    json& reps = result_->measurements[name];
    reps = json::array();
    const int total = options_.warmup + options_.reps;
    VllmMetrics before;
    bool have_before = false;
    for (int i = 0; i < total; ++i) {
      const bool warmup = i < options_.warmup;
      if (i == options_.warmup) have_before = Scrape(&before);
      models::CompletionRequest req;
      req.messages.push_back({.role = "user", .content = prompt(i)});
      models::CompletionResponse resp;
      models::ModelError merr;
      const int index = warmup ? i + 1 : i - options_.warmup + 1;
      if (!client->Complete(req, &resp, &merr)) {
        result_->error = std::string("speed probe: ") + name +
                         (warmup ? " warm-up " : " repetition ") +
                         std::to_string(index) + ": " + merr.message;
        return false;
      }
      json rep = RepRecord(name, index, warmup, resp);
      if (rep.contains("llamacpp")) llamacpp_seen_ = true;
      if (options_.progress) {
        options_.progress(
            ProgressLine(rep, warmup ? options_.warmup : options_.reps));
      }
      reps.push_back(std::move(rep));
    }
    VllmMetrics after;
    if (have_before && Scrape(&after)) {
      vllm_[name] = VllmDelta(before, after);
    }
    return true;
  }

  // One /metrics snapshot, when the server offers them (Run checks once
  // up front, so servers without them cost one GET and no waiting).
  bool Scrape(VllmMetrics* out) {
    if (!metrics_offered_) return false;
    std::this_thread::sleep_for(kMetricsSettle);
    std::string why;
    return FetchVllmMetrics(root_, headers_, out, &why);
  }

  void Summarize() {
    json summary = json::object();
    const json& decode = result_->measurements.value("decode", json::array());
    const json& prefill = result_->measurements.value("prefill", json::array());
    for (const char* key :
         {"decode_tok_s", "tpot_ms", "ttft_ms", "e2e_ms", "output_tokens"}) {
      std::vector<double> v = Column(decode, key);
      if (!v.empty()) summary[key] = Stats(std::move(v));
    }
    std::vector<double> v = Column(prefill, "ttft_ms");
    if (!v.empty()) summary["prefill_ms"] = Stats(std::move(v));
    v = Column(prefill, "prompt_tokens");
    if (!v.empty()) summary["prefill_prompt_tokens"] = Stats(std::move(v));
    bool any = false, chunks = false;
    for (const json& r : decode) {
      if (r.value("warmup", false) || !r.contains("tokens_source")) continue;
      any = true;
      chunks |= r["tokens_source"] == "chunks";
    }
    if (any) summary["tokens_source"] = chunks ? "chunks" : "usage";
    if (vllm_.contains("decode")) {
      for (const char* key :
           {"spec_acceptance_rate", "spec_mean_acceptance_length"}) {
        if (vllm_["decode"].contains(key)) summary[key] = vllm_["decode"][key];
      }
    }
    result_->measurements["summary"] = std::move(summary);
  }

  const models::ModelConfig& model_;
  const SpeedProbeOptions& options_;
  ProbeResult* result_;
  const std::string root_;
  const std::vector<std::string> headers_;
  bool llamacpp_seen_ = false;
  bool metrics_offered_ = false;  // GET /metrics answered vLLM metrics
  json vllm_ = json::object();    // workload -> VllmDelta
};

}  // namespace

ProbeResult RunSpeedProbe(const models::ModelConfig& model,
                          const SpeedProbeOptions& options) {
  ProbeResult result;
  result.kind = "speed";
  result.settings = {{"reps", options.reps},
                     {"warmup", options.warmup},
                     {"max_tokens", options.max_tokens},
                     {"prefill_tokens", options.prefill_tokens}};
  std::string err;
  if (!models::MakeEndpointClient(model, &err)) {
    result.error = err;
    return result;
  }
  if (options.reps < 1 || options.warmup < 0 || options.max_tokens < 2 ||
      options.prefill_tokens < 1) {
    result.error =
        "speed probe: needs reps >= 1, warmup >= 0, max_tokens >= 2 and "
        "prefill_tokens >= 1";
    return result;
  }
  SpeedProbe(model, options, &result).Run();
  return result;
}

}  // namespace endstate::probes
