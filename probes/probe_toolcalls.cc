// The tool-call reliability probe (evaluator/probe.h): judging one reply
// (declared in probe_toolcall_cases.h) and the run over both modes.
#include <algorithm>
#include <map>

#include "models/factory.h"
#include "models/markup.h"
#include "probes/probe.h"
#include "probes/probe_toolcall_cases.h"

namespace endstate::probes {
namespace {

using nlohmann::json;

// Two unreachable requests before any answer means the endpoint is down (or
// the URL is wrong): each already went through its retries, so going on
// would only repeat the same failure 2n times.
constexpr int kStopAfterUnreachable = 2;
constexpr size_t kMaxStoredArguments = 4096;

std::string Excerpt(const std::string& s, size_t max = 120) {
  if (s.size() <= max) return s;
  // Back off to a UTF-8 boundary so the stored JSON stays valid text.
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "...";
}

std::string Subject(const std::string& where) {
  return where.empty() ? "arguments" : "field '" + where + "'";
}

std::string Join(const std::string& where, const std::string& key) {
  return where.empty() ? key : where + "." + key;
}

std::string Diff(const json& e, const json& g, const std::string& where) {
  auto differ = [&] {
    return Subject(where) + ": expected " + Excerpt(e.dump()) + ", got " +
           Excerpt(g.dump());
  };
  if (e.is_number() && g.is_number()) {
    // 3 and 3.0 are the same value; integers compare exactly when both are.
    const bool same = (e.is_number_float() || g.is_number_float())
                          ? e.get<double>() == g.get<double>()
                          : e == g;
    return same ? "" : differ();
  }
  if (e.type() != g.type()) return differ();
  if (e.is_object()) {
    for (const auto& [key, value] : e.items()) {
      auto it = g.find(key);
      if (it == g.end()) return "missing field '" + Join(where, key) + "'";
      std::string d = Diff(value, *it, Join(where, key));
      if (!d.empty()) return d;
    }
    for (const auto& [key, value] : g.items()) {
      if (!e.contains(key)) {
        return "unexpected field '" + Join(where, key) + "'";
      }
    }
    return "";
  }
  if (e.is_array()) {
    if (e.size() != g.size()) {
      return Subject(where) + ": expected " + std::to_string(e.size()) +
             " elements, got " + std::to_string(g.size());
    }
    for (size_t i = 0; i < e.size(); ++i) {
      std::string d = Diff(e[i], g[i], where + "[" + std::to_string(i) + "]");
      if (!d.empty()) return d;
    }
    return "";
  }
  return e == g ? "" : differ();
}

bool IsBlank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

std::string CompareArguments(const json& expected, const json& got) {
  return Diff(expected, got, "");
}

ToolCallVerdict JudgeToolCallReply(const ToolCallCase& c,
                                   const models::Message& reply) {
  const std::string markup = models::DetectLeakedMarkup(reply.content);
  if (reply.tool_calls.empty()) {
    if (!markup.empty()) {
      return {"leaked_markup",
              markup + " in content: " + Excerpt(reply.content)};
    }
    if (IsBlank(reply.content)) return {"no_call", "no tool call, no content"};
    return {"no_call", "no tool call; content: " + Excerpt(reply.content)};
  }

  const models::ToolCall& call = reply.tool_calls.front();
  auto offered = std::find_if(
      c.tools.begin(), c.tools.end(),
      [&](const models::ToolSchema& t) { return t.name == call.name; });
  if (offered == c.tools.end()) {
    return {"unknown_tool",
            "called '" + Excerpt(call.name) + "', which was not offered"};
  }
  if (call.name != c.expected_tool) {
    return {"wrong_tool",
            "called '" + call.name + "' instead of '" + c.expected_tool + "'"};
  }
  // Blank arguments are {} (many servers send "" for no arguments), as in
  // tools::Registry::Call; the schema then reports the missing fields.
  json args = json::object();
  if (!IsBlank(call.arguments)) {
    args = json::parse(call.arguments, nullptr, /*allow_exceptions=*/false);
    if (args.is_discarded()) {
      return {"invalid_json",
              "arguments are not valid JSON: " + Excerpt(call.arguments)};
    }
  }
  if (!args.is_object()) {
    return {"invalid_json", "arguments are a JSON " +
                                std::string(args.type_name()) +
                                ", not an object: " + Excerpt(call.arguments)};
  }
  std::string violation = models::ValidateArgs(offered->parameters, args);
  if (!violation.empty()) return {"schema_violation", violation};
  std::string diff = CompareArguments(c.expected_args, args);
  if (!diff.empty()) return {"wrong_values", diff};
  if (reply.tool_calls.size() > 1) {
    return {"extra_calls", std::to_string(reply.tool_calls.size()) +
                               " calls instead of one; the first was right"};
  }
  if (!markup.empty()) {
    return {"leaked_markup", markup + " in content beside a valid call: " +
                                 Excerpt(reply.content)};
  }
  return {};
}

ProbeResult RunToolCallProbe(const models::ModelConfig& model,
                             const ToolCallProbeOptions& options) {
  ProbeResult result;
  result.kind = "toolcalls";
  const std::vector<ToolCallCase>& cases = ToolCallCases();
  json case_ids = json::array();
  for (const ToolCallCase& c : cases) case_ids.push_back(c.id);
  result.settings = {{"n", options.n},
                     {"modes", {"stream", "no_stream"}},
                     {"cases", case_ids}};

  // Streaming first, then the same request without: pairs of requests a few
  // milliseconds apart see the same server state, so a difference between
  // the modes is the parser's, not the load's.
  struct Mode {
    const char* name;
    bool stream;
    std::unique_ptr<models::Client> client;
    int valid = 0, total = 0;
  };
  Mode modes[] = {{"stream", true, nullptr}, {"no_stream", false, nullptr}};
  for (Mode& mode : modes) {
    models::ModelConfig config = model;
    config.stream = mode.stream;
    mode.client = models::MakeEndpointClient(config, &result.error);
    if (!mode.client) return result;
  }

  json calls = json::array();
  std::map<std::string, int> errors;
  int valid = 0, unreachable = 0;
  bool reached = false;
  const int total = 2 * std::max(options.n, 0);
  for (int i = 0; i < options.n && result.error.empty(); ++i) {
    const ToolCallCase& c = cases[i % cases.size()];
    models::CompletionRequest req;
    req.messages.push_back(
        {.role = "system", .content = kToolCallSystemPrompt});
    req.messages.push_back({.role = "user", .content = ToolCallPrompt(c)});
    req.tools = c.tools;
    for (Mode& mode : modes) {
      models::CompletionResponse resp;
      models::ModelError merr;
      const bool ok = mode.client->Complete(req, &resp, &merr);
      ToolCallVerdict verdict;
      json call = {{"mode", mode.name}, {"case", c.id}};
      if (ok) {
        verdict = JudgeToolCallReply(c, resp.message);
        const auto& tc = resp.message.tool_calls;
        call["name"] = tc.empty() ? "" : tc.front().name;
        call["arguments"] =
            tc.empty() ? ""
                       : Excerpt(tc.front().arguments, kMaxStoredArguments);
        call["finish_reason"] = resp.finish_reason;
        call["duration_ms"] = resp.duration_ms;
      } else {
        verdict = {"model_error", merr.message};
        call["name"] = "";
        call["arguments"] = "";
        call["finish_reason"] = "error";
      }
      const bool is_valid = verdict.error_kind.empty();
      call["valid"] = is_valid;
      call["error_kind"] = verdict.error_kind;
      call["detail"] = verdict.detail;
      calls.push_back(std::move(call));
      ++mode.total;
      if (is_valid) {
        ++mode.valid;
        ++valid;
      } else {
        ++errors[verdict.error_kind];
      }
      if (options.progress) {
        options.progress("toolcalls " + std::to_string(calls.size()) + "/" +
                         std::to_string(total) + " " + mode.name + " " + c.id +
                         ": " +
                         (is_valid ? std::string("valid")
                                   : verdict.error_kind + " (" +
                                         Excerpt(verdict.detail, 80) + ")"));
      }
      reached = reached || ok || merr.http_status != 0;
      if (!reached && ++unreachable >= kStopAfterUnreachable) {
        result.error = "endpoint unreachable: " + merr.message +
                       "; stopped after " + std::to_string(calls.size()) +
                       " requests";
        break;
      }
    }
  }

  json by_mode = json::object();
  for (const Mode& mode : modes) {
    by_mode[mode.name] = {{"valid", mode.valid}, {"total", mode.total}};
  }
  result.measurements["summary"] = {{"valid", valid},
                                    {"total", static_cast<int>(calls.size())},
                                    {"by_mode", by_mode},
                                    {"errors", errors}};
  if (errors.empty()) result.measurements["summary"]["errors"] = json::object();
  result.measurements["calls"] = std::move(calls);
  return result;
}

}  // namespace endstate::probes
