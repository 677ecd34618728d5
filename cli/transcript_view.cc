#include "cli/transcript_view.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <vector>

#include "report/stats_text.h"
#include "util/format.h"

namespace endstate::cli {
namespace {

using nlohmann::json;

// ANSI styles, applied only when color is on.
// report::Paint with the colour decided once per view.
struct Paint {
  bool on = false;
  std::string operator()(report::Color c, const std::string& s) const {
    return report::Paint(s, c, on);
  }
  std::string Bold(const std::string& s) const {
    return (*this)(report::Color::kBold, s);
  }
  std::string Dim(const std::string& s) const {
    return (*this)(report::Color::kDim, s);
  }
  std::string Red(const std::string& s) const {
    return (*this)(report::Color::kRed, s);
  }
  std::string Green(const std::string& s) const {
    return (*this)(report::Color::kGreen, s);
  }
  std::string Yellow(const std::string& s) const {
    return (*this)(report::Color::kYellow, s);
  }
  std::string Cyan(const std::string& s) const {
    return (*this)(report::Color::kCyan, s);
  }
};

std::string Ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

std::string Tokens(int64_t n) { return n < 0 ? "?" : std::to_string(n); }

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

std::string Indent(const std::string& text, const std::string& pad) {
  std::string out;
  for (const auto& line : Lines(text)) out += pad + line + "\n";
  return out;
}

// Cuts `text` at `max` bytes without splitting a UTF-8 sequence.
std::string Truncate(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  std::string out = text.substr(0, cut);
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out + "[... " + std::to_string(text.size() - cut) + " more bytes]";
}

std::string Fold(const std::string& text, const ViewOptions& o) {
  auto lines = Lines(text);
  if (o.full || static_cast<int>(lines.size()) <= o.max_reasoning_lines)
    return text;
  std::string out;
  for (int i = 0; i < o.folded_reasoning_lines; ++i) out += lines[i] + "\n";
  return out + "[... " +
         std::to_string(lines.size() - o.folded_reasoning_lines) +
         " more lines]";
}

// The arguments as written, pretty-printed when they are valid JSON.
std::string PrettyArguments(const std::string& raw) {
  json j = json::parse(raw, nullptr, false);
  if (j.is_discarded()) return raw.empty() ? "(no arguments)" : raw;
  return j.dump(2);
}

std::string VerdictTag(const std::string& verdict, const Paint& p) {
  if (verdict == "passed") return p.Green("PASS ");
  if (verdict == "failed") return p.Red("FAIL ");
  return p.Yellow("ERROR");
}

std::string OutcomeText(const std::string& outcome, const Paint& p) {
  if (outcome == "passed") return p.Green(outcome);
  if (outcome == "failed") return p.Red(outcome);
  if (outcome.empty()) return p.Yellow("(unfinished)");
  return p.Yellow(outcome);
}

json NullIfNegative(double v) { return v < 0 ? json(nullptr) : json(v); }
json NullIfNegative(int64_t v) { return v < 0 ? json(nullptr) : json(v); }

std::string RenderHeader(const results::AttemptHeader& a, const Paint& p) {
  std::string out = p.Bold("attempt " + std::to_string(a.id)) + "  (run " +
                    std::to_string(a.run_id) + ")\n";
  auto row = [&](const std::string& key, const std::string& value) {
    std::string k = key + ":";
    k.resize(std::max<size_t>(k.size() + 1, 14), ' ');
    out += "  " + p.Dim(k) + value + "\n";
  };
  row("model", a.model);
  row("task", a.task + (a.task_title.empty() ? "" : " (" + a.task_title + ")"));
  row("epoch", std::to_string(util::Ordinal(a.epoch)) + "   try " +
                   std::to_string(a.try_number));
  if (a.parent_attempt_id != 0)
    row("parent", "attempt " + std::to_string(a.parent_attempt_id));
  row("outcome", OutcomeText(a.outcome, p));
  row("termination", a.termination.empty() ? "-" : a.termination);
  if (!a.error.empty()) row("error", p.Yellow(a.error));
  row("turns", std::to_string(a.turns));
  row("tokens", std::to_string(a.prompt_tokens) + " prompt, " +
                    std::to_string(a.completion_tokens) + " completion");
  row("time", "wall " + Ms(a.wall_ms) + ", model " + Ms(a.model_ms) +
                  ", tools " + Ms(a.tool_ms) + ", grading " + Ms(a.grade_ms));
  row("started", a.started_at);
  row("finished", a.finished_at.empty() ? "-" : a.finished_at);
  return out;
}

std::string RenderCall(const results::ToolCallRecord& c, const ViewOptions& o,
                       const Paint& p) {
  if (c.error_kind == "leaked_markup") {
    // A call written as text in content (shown above): nothing ran; the
    // loop told the model so.
    return "  " + p.Bold("call " + std::to_string(util::Ordinal(c.index))) +
           ": not run  " + p.Yellow("error: leaked_markup") + "\n    " +
           p.Dim("told the model:") + "\n" + Indent(c.result, "      ");
  }
  std::string out = "  " +
                    p.Bold("call " + std::to_string(util::Ordinal(c.index))) +
                    ": " + p.Cyan(c.name.empty() ? "(no name)" : c.name);
  if (!c.call_id.empty()) out += p.Dim("  [" + c.call_id + "]");
  if (!c.error_kind.empty()) out += "  " + p.Yellow("error: " + c.error_kind);
  out += "\n";
  out += Indent(PrettyArguments(c.arguments_raw), "    ");
  std::string meta = Ms(c.duration_ms);
  if (c.exit_code >= 0)
    meta = "exit " + std::to_string(c.exit_code) + ", " + meta;
  out += "    " + (c.is_error ? p.Yellow("error result") : p.Dim("result")) +
         p.Dim(" (" + meta + ")") + ":\n";
  std::string result =
      o.full ? c.result : Truncate(c.result, o.max_result_bytes);
  out += result.empty() ? "      (empty)\n" : Indent(result, "      ");
  return out;
}

std::string RenderTurn(const results::TurnRecord& t, const ViewOptions& o,
                       const Paint& p) {
  std::string meta = t.finish_reason.empty() ? "-" : t.finish_reason;
  meta += " · " + Tokens(t.prompt_tokens) + "+" + Tokens(t.completion_tokens) +
          " tokens · " + Ms(t.duration_ms);
  if (t.ttft_ms >= 0) meta += " (ttft " + Ms(t.ttft_ms) + ")";
  if (t.retries > 0) meta += " · " + std::to_string(t.retries) + " retries";
  std::string out = p.Bold("turn " + std::to_string(util::Ordinal(t.index))) +
                    "  " + p.Dim(meta) + "\n";
  if (t.finish_reason == "error")
    out += "  " + p.Yellow("model call failed (no response)") + "\n";
  if (!t.reasoning.empty())
    out += "  " + p.Dim("reasoning:") + "\n" +
           Indent(Fold(t.reasoning, o), "    ");
  if (!t.content.empty()) {
    out += "  " + p.Dim("content:") + "\n" + Indent(t.content, "    ");
  }
  if (!t.leaked_markup.empty())
    out +=
        "  " + p.Yellow("leaked tool-call markup: " + t.leaked_markup) + "\n";
  for (const auto& c : t.tool_calls) out += RenderCall(c, o, p);
  return out;
}

}  // namespace

std::string RenderCheck(const results::CheckRecord& c, bool color) {
  Paint p{color};
  json spec = json::parse(c.spec_json, nullptr, false);
  std::string name;
  if (spec.is_object() && spec.contains("name") && spec["name"].is_string())
    name = spec["name"].get<std::string>();
  std::string line = "  " + VerdictTag(c.verdict, p) + "  " + c.kind;
  if (!name.empty()) line += "  " + name;
  if (!c.detail.empty()) line += ": " + c.detail;
  return line + "\n";
}

std::string RenderTranscript(const results::Transcript& t,
                             const ViewOptions& o) {
  Paint p{o.color};
  std::string out = RenderHeader(t.attempt, p);
  std::string instruction = results::RecordedInstruction(t);
  out += "\n" + p.Bold("instruction") + "\n";
  out += instruction.empty() ? "  (not recorded)\n" : Indent(instruction, "  ");
  for (const auto& turn : t.turns) out += "\n" + RenderTurn(turn, o, p);
  int passed = 0;
  for (const auto& c : t.checks) passed += c.verdict == "passed";
  out += "\n" + p.Bold("checks") + ": ";
  if (t.checks.empty()) return out + "none recorded\n";
  out += std::to_string(passed) + " of " + std::to_string(t.checks.size()) +
         " passed\n";
  for (const auto& c : t.checks) out += RenderCheck(c, o.color);
  return out;
}

json FailedChecksJson(const std::vector<results::FailedCheck>& checks) {
  json out = json::array();
  for (const results::FailedCheck& c : checks) {
    out.push_back({{"check", util::Ordinal(c.index)},
                   {"kind", c.kind},
                   {"name", c.name.empty() ? json(nullptr) : json(c.name)},
                   {"label", c.Label()},
                   {"verdict", c.verdict},
                   {"detail", c.detail}});
  }
  return out;
}

json AttemptHeaderJson(const results::AttemptHeader& a) {
  return {
      {"id", a.id},
      {"run_id", a.run_id},
      {"model", a.model},
      {"task", a.task},
      {"task_title", a.task_title},
      {"epoch", util::Ordinal(a.epoch)},
      {"try", a.try_number},
      {"parent_attempt_id",
       a.parent_attempt_id == 0 ? json(nullptr) : json(a.parent_attempt_id)},
      {"status", a.status},
      {"outcome", a.outcome.empty() ? json(nullptr) : json(a.outcome)},
      {"termination",
       a.termination.empty() ? json(nullptr) : json(a.termination)},
      {"error", a.error},
      {"turns", a.turns},
      {"prompt_tokens", a.prompt_tokens},
      {"completion_tokens", a.completion_tokens},
      {"wall_ms", a.wall_ms},
      {"model_ms", a.model_ms},
      {"tool_ms", a.tool_ms},
      {"grade_ms", a.grade_ms},
      {"started_at", a.started_at},
      {"finished_at",
       a.finished_at.empty() ? json(nullptr) : json(a.finished_at)}};
}

json TranscriptJson(const results::Transcript& t, bool raw) {
  json turns = json::array();
  for (const auto& turn : t.turns) {
    json calls = json::array();
    for (const auto& c : turn.tool_calls) {
      json args = json::parse(c.arguments_raw, nullptr, false);
      calls.push_back(
          {{"index", util::Ordinal(c.index)},
           {"call_id", c.call_id},
           {"name", c.name},
           {"arguments_raw", c.arguments_raw},
           {"arguments", args.is_discarded() ? json(nullptr) : args},
           {"error_kind",
            c.error_kind.empty() ? json(nullptr) : json(c.error_kind)},
           {"result", c.result},
           {"is_error", c.is_error},
           {"exit_code", c.exit_code < 0 ? json(nullptr) : json(c.exit_code)},
           {"duration_ms", c.duration_ms}});
    }
    json j = {
        {"index", util::Ordinal(turn.index)},
        {"content", turn.content},
        {"reasoning", turn.reasoning},
        {"finish_reason", turn.finish_reason},
        {"prompt_tokens", NullIfNegative(turn.prompt_tokens)},
        {"completion_tokens", NullIfNegative(turn.completion_tokens)},
        {"ttft_ms", NullIfNegative(turn.ttft_ms)},
        {"duration_ms", turn.duration_ms},
        {"retries", turn.retries},
        {"leaked_markup",
         turn.leaked_markup.empty() ? json(nullptr) : json(turn.leaked_markup)},
        {"tool_calls", calls}};
    if (raw) {
      j["raw_request"] = turn.raw_request;
      j["raw_response"] = turn.raw_response;
    }
    turns.push_back(std::move(j));
  }
  json checks = json::array();
  for (const auto& c : t.checks) {
    json spec = json::parse(c.spec_json, nullptr, false);
    checks.push_back({{"index", util::Ordinal(c.index)},
                      {"kind", c.kind},
                      {"spec", spec.is_discarded() ? json(nullptr) : spec},
                      {"verdict", c.verdict},
                      {"detail", c.detail},
                      {"duration_ms", c.duration_ms}});
  }
  std::string instruction = results::RecordedInstruction(t);
  return {
      {"attempt", AttemptHeaderJson(t.attempt)},
      {"instruction", instruction.empty() ? json(nullptr) : json(instruction)},
      {"turns", turns},
      {"checks", checks}};
}

}  // namespace endstate::cli
