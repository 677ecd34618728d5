#include "report/probe_compare.h"

#include <map>
#include <set>

#include "report/stats_text.h"
#include "util/format.h"

namespace endstate::report {
namespace {

// A JSON value as text: strings as they are, numbers and others dumped
// (an expected answer may be stored as 42 or "42").
std::string Text(const nlohmann::json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_null()) return "";
  return j.dump();
}

std::string Field(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() ? "" : Text(*it);
}

// The problems of a model's reasoning probe, in stored order.
std::vector<std::pair<ReasoningPair, ProbeAnswer>> Problems(
    const results::ModelProbes& m) {
  std::vector<std::pair<ReasoningPair, ProbeAnswer>> out;
  auto it = m.by_kind.find("reasoning");
  if (it == m.by_kind.end()) return out;
  auto problems = it->second.measurements.find("problems");
  if (problems == it->second.measurements.end() || !problems->is_array()) {
    return out;
  }
  for (const nlohmann::json& p : *problems) {
    if (!p.is_object()) continue;
    auto correct = p.find("correct");
    out.push_back(
        {ReasoningPair{.id = Field(p, "id"), .expected = Field(p, "expected")},
         ProbeAnswer{.answer = Field(p, "answer"),
                     .correct = correct != p.end() && correct->is_boolean() &&
                                correct->get<bool>(),
                     .error = Field(p, "error")}});
  }
  return out;
}

std::string AnswerCell(const std::optional<ProbeAnswer>& a) {
  if (!a) return "-";
  if (!a->error.empty() && a->answer.empty()) return "(error)";
  std::string text = a->answer.empty() ? "(none)" : a->answer;
  for (char& ch : text) {
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
  }
  // Cut at 30 columns without splitting a UTF-8 sequence.
  if (DisplayWidth(text) > 30) {
    size_t cols = 0, i = 0;
    for (; i < text.size(); ++i) {
      if ((text[i] & 0xC0) != 0x80 && ++cols > 29) break;
    }
    text = text.substr(0, i) + "…";
  }
  return text + (a->correct ? " ✓" : " ✗");
}

std::optional<double> Fraction(const std::optional<ProbeCount>& c) {
  if (!c || c->total == 0) return std::nullopt;
  return c->Fraction();
}

std::optional<double> Rate(const ProbeRow& r) {
  if (!r.completion) return std::nullopt;
  return r.completion->rate;
}

std::string PointsText(const std::optional<double>& a,
                       const std::optional<double>& b) {
  if (!a || !b) return "-";
  return Points(*b - *a) + " pts";
}

std::optional<double> Ratio(const std::optional<double>& a,
                            const std::optional<double>& b) {
  if (!a || !b || *a == 0) return std::nullopt;
  return *b / *a;
}

nlohmann::json OrNull(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::string Table(const std::vector<std::vector<std::string>>& rows,
                  bool markdown) {
  if (!markdown) return AlignColumns(rows, false);
  std::string out;
  for (size_t r = 0; r < rows.size(); ++r) {
    out += "|";
    for (const auto& c : rows[r]) out += " " + MarkdownCell(c) + " |";
    out += "\n";
    if (r == 0) {
      out += "|";
      for (size_t c = 0; c < rows[r].size(); ++c) out += "---|";
      out += "\n";
    }
  }
  return out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

}  // namespace

std::vector<ReasoningPair> PairReasoning(const results::ModelProbes& a,
                                         const results::ModelProbes& b) {
  std::vector<ReasoningPair> out;
  std::map<std::string, size_t> index;
  for (auto& [pair, answer] : Problems(a)) {
    index[pair.id] = out.size();
    pair.a = answer;
    out.push_back(pair);
  }
  for (auto& [pair, answer] : Problems(b)) {
    auto it = index.find(pair.id);
    if (it == index.end()) {
      pair.b = answer;
      out.push_back(pair);
    } else {
      out[it->second].b = answer;
    }
  }
  return out;
}

std::string RatioText(const std::optional<double>& a,
                      const std::optional<double>& b) {
  auto r = Ratio(a, b);
  return r ? "x" + util::Fixed(*r, 2) : "-";
}

std::string CountDifferenceText(const std::optional<ProbeCount>& a,
                                const std::optional<ProbeCount>& b) {
  return PointsText(Fraction(a), Fraction(b));
}

std::string RenderProbeComparison(const ProbeComparison& c, bool markdown) {
  const ProbeRow& a = c.a;
  const ProbeRow& b = c.b;
  std::vector<std::vector<std::string>> rows = {
      {"probes", "A " + a.model, "B " + b.model, "B vs A"},
      {"generation tok/s", SpeedCell(a), SpeedCell(b),
       RatioText(a.decode_tok_s, b.decode_tok_s)},
      {"prefill ms (prompt)", PrefillCell(a), PrefillCell(b),
       RatioText(a.prefill_ms, b.prefill_ms)},
      {"tool calls valid", CountCell(a.tool_calls), CountCell(b.tool_calls),
       CountDifferenceText(a.tool_calls, b.tool_calls)}};
  std::set<std::string> modes;
  for (const ProbeRow* r : {&a, &b}) {
    for (const auto& [m, n] : r->tool_calls_by_mode) modes.insert(m);
  }
  for (const std::string& mode : modes) {
    auto get = [&](const ProbeRow& r) -> std::optional<ProbeCount> {
      auto it = r.tool_calls_by_mode.find(mode);
      if (it == r.tool_calls_by_mode.end()) return std::nullopt;
      return it->second;
    };
    rows.push_back({"  " + mode, CountCell(get(a)), CountCell(get(b)),
                    CountDifferenceText(get(a), get(b))});
  }
  rows.push_back({"reasoning correct", CountCell(a.reasoning),
                  CountCell(b.reasoning),
                  CountDifferenceText(a.reasoning, b.reasoning)});
  rows.push_back({"completion [95% CI]", CompletionCell(a), CompletionCell(b),
                  PointsText(Rate(a), Rate(b))});
  std::string out =
      (markdown ? "\n## Probes\n\n" : "\n") + Table(rows, markdown);
  for (const std::string& line : Lines(ProbeNotes({a}, c.run_a))) {
    out += (markdown ? "- A " : "  A ") + line + "\n";
  }
  for (const std::string& line : Lines(ProbeNotes({b}, c.run_b))) {
    out += (markdown ? "- B " : "  B ") + line + "\n";
  }
  if (!c.reasoning.empty()) {
    std::vector<std::vector<std::string>> answers = {
        {"reasoning answers", "expected", "A", "B"}};
    for (const ReasoningPair& p : c.reasoning) {
      answers.push_back({(markdown ? "" : "  ") + p.id, p.expected,
                         AnswerCell(p.a), AnswerCell(p.b)});
    }
    out += "\n" + Table(answers, markdown);
  }
  return out;
}

nlohmann::json ProbeComparisonJson(const ProbeComparison& c) {
  nlohmann::json reasoning = nlohmann::json::array();
  auto answer = [](const std::optional<ProbeAnswer>& a) {
    return a ? nlohmann::json{{"answer", a->answer},
                              {"correct", a->correct},
                              {"error", a->error}}
             : nlohmann::json(nullptr);
  };
  for (const ReasoningPair& p : c.reasoning) {
    reasoning.push_back({{"id", p.id},
                         {"expected", p.expected},
                         {"a", answer(p.a)},
                         {"b", answer(p.b)}});
  }
  auto diff = [](const std::optional<double>& a,
                 const std::optional<double>& b) {
    return a && b ? nlohmann::json(*b - *a) : nlohmann::json(nullptr);
  };
  return {
      {"a", ProbeRowJson(c.a)},
      {"b", ProbeRowJson(c.b)},
      {"ratios",
       {{"generation_tok_s", OrNull(Ratio(c.a.decode_tok_s, c.b.decode_tok_s))},
        {"prefill_ms", OrNull(Ratio(c.a.prefill_ms, c.b.prefill_ms))}}},
      {"differences",
       {{"tool_calls",
         diff(Fraction(c.a.tool_calls), Fraction(c.b.tool_calls))},
        {"reasoning", diff(Fraction(c.a.reasoning), Fraction(c.b.reasoning))},
        {"completion", diff(Rate(c.a), Rate(c.b))}}},
      {"reasoning", reasoning}};
}

}  // namespace endstate::report
