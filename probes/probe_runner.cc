#include "probes/probe_runner.h"

#include <mutex>

#include "util/format.h"

namespace endstate::probes {
namespace {

// The options the probe ran with; the probe's own settings win (they may
// say more, e.g. the effective prompt size).
nlohmann::json OptionSettings(const std::string& kind,
                              const ProbeRunOptions& o) {
  if (kind == "speed") {
    return {{"reps", o.speed.reps},
            {"warmup", o.speed.warmup},
            {"max_tokens", o.speed.max_tokens},
            {"prefill_tokens", o.speed.prefill_tokens}};
  }
  if (kind == "toolcalls") return {{"n", o.toolcalls.n}};
  return {{"max_tokens", o.reasoning.max_tokens}};
}

std::string Median(const nlohmann::json& summary, const char* key,
                   int decimals) {
  auto it = summary.find(key);
  if (it == summary.end() || !it->is_object()) return "";
  auto m = it->find("median");
  if (m == it->end() || !m->is_number()) return "";
  return util::Fixed(m->get<double>(), decimals);
}

std::string Count(const nlohmann::json& summary, const char* ok) {
  auto a = summary.find(ok);
  auto b = summary.find("total");
  if (a == summary.end() || b == summary.end()) return "";
  return a->dump() + "/" + b->dump();
}

}  // namespace

bool HasEndpoint(const models::ModelConfig& model) {
  return model.provider != "builtin";
}

std::string ProbeResultLine(const ProbeResult& r) {
  const nlohmann::json empty = nlohmann::json::object();
  auto it = r.measurements.find("summary");
  const nlohmann::json& s =
      it != r.measurements.end() && it->is_object() ? *it : empty;
  std::string line = r.kind;
  if (r.kind == "speed") {
    std::string tok_s = Median(s, "decode_tok_s", 1);
    std::string prefill = Median(s, "prefill_ms", 1);
    std::string tokens;
    if (auto t = s.find("prefill_prompt_tokens");
        t != s.end() && t->is_object() && t->contains("median") &&
        (*t)["median"].is_number()) {
      tokens = util::TokensText((*t)["median"].get<double>());
    }
    if (!tok_s.empty()) line += " " + tok_s + " tok/s";
    if (!prefill.empty()) {
      line += std::string(tok_s.empty() ? " " : ", ") + "prefill " + prefill +
              " ms" + (tokens.empty() ? "" : " (" + tokens + " tokens)");
    }
  } else if (r.kind == "toolcalls") {
    if (std::string c = Count(s, "valid"); !c.empty())
      line += " " + c + " valid";
  } else if (r.kind == "reasoning") {
    if (std::string c = Count(s, "correct"); !c.empty()) {
      line += " " + c + " correct";
    }
  }
  if (!r.error.empty()) line += ": error: " + r.error;
  return line;
}

bool RunProbes(results::Store& store, int64_t run_id,
               const std::vector<models::ModelConfig>& models,
               const std::vector<int64_t>& model_ids,
               const ProbeRunOptions& options, ProbeRunSummary* summary,
               std::string* err) {
  // Probes may report progress from their own threads.
  std::mutex log_mu;
  auto log = [&](const std::string& line) {
    if (options.log == nullptr) return;
    std::lock_guard<std::mutex> lock(log_mu);
    *options.log << line << '\n' << std::flush;
  };
  for (size_t i = 0; i < models.size(); ++i) {
    const models::ModelConfig& model = models[i];
    if (!HasEndpoint(model)) {
      summary->skipped.push_back(model.name);
      log("endstate: probes skipped for " + model.name +
          ": builtin models have no endpoint to probe");
      continue;
    }
    for (const std::string& kind : options.kinds) {
      const std::string prefix = "endstate: probe " + model.name + " " + kind;
      ProbeProgress progress = [&](const std::string& line) {
        log(prefix + ": " + line);
      };
      log(prefix + ": started");
      ProbeResult r;
      if (kind == "speed") {
        SpeedProbeOptions o = options.speed;
        o.progress = progress;
        r = options.functions.speed(model, o);
      } else if (kind == "toolcalls") {
        ToolCallProbeOptions o = options.toolcalls;
        o.progress = progress;
        r = options.functions.toolcalls(model, o);
      } else if (kind == "reasoning") {
        ReasoningProbeOptions o = options.reasoning;
        o.progress = progress;
        r = options.functions.reasoning(model, o);
      } else {
        *err = "unknown probe kind '" + kind + "'";
        return false;
      }
      if (r.kind.empty()) r.kind = kind;
      nlohmann::json settings = OptionSettings(kind, options);
      if (r.settings.is_object()) settings.update(r.settings);
      nlohmann::json measurements = r.measurements.is_object()
                                        ? r.measurements
                                        : nlohmann::json::object();
      if (!r.error.empty()) measurements["error"] = r.error;
      if (store.RecordProbe(run_id, model_ids[i], kind, settings, measurements,
                            err) < 0) {
        return false;
      }
      ++summary->recorded;
      if (!r.error.empty()) {
        ++summary->failed;
        summary->errors.push_back(model.name + " " + kind + ": " + r.error);
      }
      log("endstate: probe " + model.name + ": " + ProbeResultLine(r));
    }
  }
  return true;
}

}  // namespace endstate::probes
