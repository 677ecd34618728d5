#include "probes/server_metrics.h"

#include <cctype>
#include <cstdlib>

#include "util/http.h"

namespace endstate::probes {
namespace {

using nlohmann::json;

bool IsNameStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}
bool IsNameChar(char c) {
  return IsNameStart(c) || std::isdigit(static_cast<unsigned char>(c));
}

void SkipSpaces(const std::string& s, size_t* i) {
  while (*i < s.size() && (s[*i] == ' ' || s[*i] == '\t')) ++*i;
}

bool ReadName(const std::string& s, size_t* i, std::string* out) {
  if (*i >= s.size() || !IsNameStart(s[*i])) return false;
  size_t b = *i;
  while (*i < s.size() && IsNameChar(s[*i])) ++*i;
  *out = s.substr(b, *i - b);
  return true;
}

// A quoted label value with the format's three escapes (\\, \", \n).
bool ReadQuoted(const std::string& s, size_t* i, std::string* out) {
  if (*i >= s.size() || s[*i] != '"') return false;
  ++*i;
  out->clear();
  while (*i < s.size()) {
    char c = s[(*i)++];
    if (c == '"') return true;
    if (c == '\\' && *i < s.size()) {
      char e = s[(*i)++];
      out->push_back(e == 'n' ? '\n' : e);
    } else {
      out->push_back(c);
    }
  }
  return false;  // unterminated
}

bool ParseLine(const std::string& line, PromSample* out) {
  size_t i = 0;
  SkipSpaces(line, &i);
  if (!ReadName(line, &i, &out->name)) return false;
  SkipSpaces(line, &i);
  if (i < line.size() && line[i] == '{') {
    ++i;
    for (;;) {
      SkipSpaces(line, &i);
      if (i < line.size() && line[i] == '}') {
        ++i;
        break;
      }
      std::string key, value;
      if (!ReadName(line, &i, &key)) return false;
      SkipSpaces(line, &i);
      if (i >= line.size() || line[i] != '=') return false;
      ++i;
      SkipSpaces(line, &i);
      if (!ReadQuoted(line, &i, &value)) return false;
      out->labels[key] = std::move(value);
      SkipSpaces(line, &i);
      if (i < line.size() && line[i] == ',') ++i;
    }
  }
  SkipSpaces(line, &i);
  size_t b = i;
  while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
  if (b == i) return false;
  const std::string number = line.substr(b, i - b);
  char* end = nullptr;
  out->value = std::strtod(number.c_str(), &end);
  // Whatever follows the value is the optional timestamp.
  return end == number.c_str() + number.size();
}

std::string Join(const std::string& root, const char* path) {
  return root + path;
}

// The numeric fields of `j` named in `keys`, copied under the same names.
void CopyNumbers(const json& j, std::initializer_list<const char*> keys,
                 json* out) {
  for (const char* k : keys) {
    auto it = j.find(k);
    if (it != j.end() && it->is_number()) (*out)[k] = *it;
  }
}

}  // namespace

std::string ServerRoot(const std::string& base_url) {
  std::string root = base_url;
  while (!root.empty() && root.back() == '/') root.pop_back();
  if (root.size() >= 3 && root.compare(root.size() - 3, 3, "/v1") == 0) {
    root.resize(root.size() - 3);
  }
  while (!root.empty() && root.back() == '/') root.pop_back();
  return root;
}

std::vector<PromSample> ParsePrometheusText(const std::string& text,
                                            int* skipped) {
  std::vector<PromSample> out;
  int bad = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    PromSample s;
    if (ParseLine(line, &s)) {
      out.push_back(std::move(s));
    } else {
      ++bad;
    }
  }
  if (skipped) *skipped = bad;
  return out;
}

bool SumSamples(const std::vector<PromSample>& samples, const std::string& name,
                double* sum) {
  bool found = false;
  double total = 0;
  for (const PromSample& s : samples) {
    if (s.name != name) continue;
    found = true;
    total += s.value;
  }
  if (found) *sum = total;
  return found;
}

const std::vector<std::string>& VllmMetricNames() {
  static const std::vector<std::string> kNames = {
      "vllm:spec_decode_num_drafts_total",
      "vllm:spec_decode_num_draft_tokens_total",
      "vllm:spec_decode_num_accepted_tokens_total",
      "vllm:time_to_first_token_seconds_sum",
      "vllm:time_to_first_token_seconds_count",
      "vllm:inter_token_latency_seconds_sum",
      "vllm:inter_token_latency_seconds_count",
  };
  return kNames;
}

bool ExtractVllmMetrics(const std::vector<PromSample>& samples,
                        VllmMetrics* out) {
  out->values.clear();
  for (const std::string& name : VllmMetricNames()) {
    double v = 0;
    if (SumSamples(samples, name, &v)) out->values[name] = v;
  }
  return !out->values.empty();
}

bool FetchVllmMetrics(const std::string& root,
                      const std::vector<std::string>& headers, VllmMetrics* out,
                      std::string* why) {
  util::HttpRequest req;
  req.url = Join(root, "/metrics");
  req.headers = headers;
  req.connect_timeout = std::chrono::milliseconds(5'000);
  req.total_timeout = std::chrono::milliseconds(15'000);
  util::HttpResponse resp = util::Fetch(req);
  if (!resp.ok) {
    *why = "GET " + req.url + ": " + resp.error;
    return false;
  }
  if (resp.status < 200 || resp.status >= 300) {
    *why = "GET " + req.url + ": HTTP " + std::to_string(resp.status);
    return false;
  }
  if (!ExtractVllmMetrics(ParsePrometheusText(resp.body), out)) {
    *why = "GET " + req.url + ": no vllm: metrics";
    return false;
  }
  return true;
}

json VllmDelta(const VllmMetrics& before, const VllmMetrics& after) {
  json out = json::object();
  auto delta = [&](const std::string& name, double* d) {
    auto b = before.values.find(name);
    auto a = after.values.find(name);
    if (b == before.values.end() || a == after.values.end()) return false;
    *d = a->second - b->second;
    return true;
  };
  double drafts = 0, draft_tokens = 0, accepted = 0;
  bool have_drafts = delta("vllm:spec_decode_num_drafts_total", &drafts);
  bool have_draft_tokens =
      delta("vllm:spec_decode_num_draft_tokens_total", &draft_tokens);
  bool have_accepted =
      delta("vllm:spec_decode_num_accepted_tokens_total", &accepted);
  if (have_drafts) out["spec_decode_drafts"] = drafts;
  if (have_draft_tokens) out["spec_decode_draft_tokens"] = draft_tokens;
  if (have_accepted) out["spec_decode_accepted_tokens"] = accepted;
  if (have_accepted && have_draft_tokens && draft_tokens > 0) {
    out["spec_acceptance_rate"] = accepted / draft_tokens;
  }
  if (have_accepted && have_drafts && drafts > 0) {
    out["spec_mean_acceptance_length"] = 1 + accepted / drafts;
  }
  double sum = 0, count = 0;
  if (delta("vllm:time_to_first_token_seconds_sum", &sum) &&
      delta("vllm:time_to_first_token_seconds_count", &count)) {
    out["requests"] = count;
    if (count > 0) out["mean_ttft_ms"] = sum / count * 1000;
  }
  if (delta("vllm:inter_token_latency_seconds_sum", &sum) &&
      delta("vllm:inter_token_latency_seconds_count", &count)) {
    out["itl_count"] = count;
    if (count > 0) out["mean_itl_ms"] = sum / count * 1000;
  }
  return out;
}

json LlamaCppTimings(const json& timings) {
  if (!timings.is_object()) return nullptr;
  json out = json::object();
  CopyNumbers(timings,
              {"prompt_n", "prompt_ms", "prompt_per_second", "predicted_n",
               "predicted_ms", "predicted_per_second", "cache_n"},
              &out);
  if (out.empty()) return nullptr;
  return out;
}

bool DetectOllama(const std::string& root,
                  const std::vector<std::string>& headers,
                  std::string* version) {
  util::HttpRequest req;
  req.url = Join(root, "/api/version");
  req.headers = headers;
  req.connect_timeout = std::chrono::milliseconds(5'000);
  req.total_timeout = std::chrono::milliseconds(10'000);
  util::HttpResponse resp = util::Fetch(req);
  if (!resp.ok || resp.status != 200) return false;
  json j = json::parse(resp.body, nullptr, false);
  if (!j.is_object() || !j.contains("version") || !j["version"].is_string()) {
    return false;
  }
  *version = j["version"].get<std::string>();
  return true;
}

json OllamaTimings(const json& body) {
  if (!body.is_object() || !body.contains("eval_count") ||
      !body.contains("eval_duration")) {
    return nullptr;
  }
  json out = json::object();
  CopyNumbers(body, {"prompt_eval_count", "eval_count"}, &out);
  // Ollama reports durations in nanoseconds; the suffix keeps that visible.
  for (const char* k : {"prompt_eval_duration", "eval_duration",
                        "total_duration", "load_duration"}) {
    auto it = body.find(k);
    if (it != body.end() && it->is_number()) {
      out[std::string(k) + "_ns"] = *it;
    }
  }
  double eval_ns = body.value("eval_duration", 0.0);
  double eval_count = body.value("eval_count", 0.0);
  if (eval_ns > 0) out["eval_tok_s"] = eval_count / eval_ns * 1e9;
  double prompt_ns = body.value("prompt_eval_duration", 0.0);
  if (prompt_ns > 0) out["prompt_eval_ms"] = prompt_ns / 1e6;
  return out;
}

bool OllamaNativeChat(const std::string& root,
                      const std::vector<std::string>& headers,
                      const std::string& model, const std::string& prompt,
                      int max_tokens, std::chrono::milliseconds timeout,
                      json* timings, std::string* err) {
  util::HttpRequest req;
  req.method = "POST";
  req.url = Join(root, "/api/chat");
  req.headers = headers;
  req.headers.push_back("Content-Type: application/json");
  req.total_timeout = timeout;
  req.body =
      json{{"model", model},
           {"messages", json::array({{{"role", "user"}, {"content", prompt}}})},
           {"stream", false},
           {"options", {{"num_predict", max_tokens}}}}
          .dump();
  util::HttpResponse resp = util::Fetch(req);
  if (!resp.ok) {
    *err = "POST " + req.url + ": " + resp.error;
    return false;
  }
  if (resp.status != 200) {
    *err = "POST " + req.url + ": HTTP " + std::to_string(resp.status);
    return false;
  }
  *timings = OllamaTimings(json::parse(resp.body, nullptr, false));
  if (timings->is_null()) {
    *err = "POST " + req.url + ": no eval_count/eval_duration in the reply";
    return false;
  }
  return true;
}

}  // namespace endstate::probes
