#include "report/probe_table.h"

#include <algorithm>

#include "report/stats_text.h"
#include "util/format.h"

namespace endstate::report {
namespace {

// summary[key]["median"] when it is a number.
std::optional<double> Median(const nlohmann::json& summary, const char* key) {
  auto it = summary.find(key);
  if (it == summary.end() || !it->is_object()) return std::nullopt;
  auto m = it->find("median");
  if (m == it->end() || !m->is_number()) return std::nullopt;
  return m->get<double>();
}

// {ok_key, "total"} of `j` when both are integers.
std::optional<ProbeCount> Count(const nlohmann::json& j, const char* ok_key) {
  if (!j.is_object()) return std::nullopt;
  auto ok = j.find(ok_key);
  auto total = j.find("total");
  if (ok == j.end() || total == j.end() || !ok->is_number_integer() ||
      !total->is_number_integer()) {
    return std::nullopt;
  }
  return ProbeCount{ok->get<int>(), total->get<int>()};
}

// A probe that ran but measured nothing shows "error", one never run "-".
std::string Missing(const ProbeRow& r, const char* kind) {
  return r.errors.count(kind) ? "error" : "-";
}

}  // namespace

size_t DisplayWidth(std::string_view s) {
  // UTF-8 continuation bytes (10xxxxxx) add no column: "✓" is one.
  return std::count_if(s.begin(), s.end(),
                       [](char c) { return (c & 0xC0) != 0x80; });
}

std::string AlignColumns(const std::vector<std::vector<std::string>>& rows,
                         bool numbers_right) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (size_t c = 0; c < row.size(); ++c) {
      width[c] = std::max(width[c], DisplayWidth(row[c]));
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      std::string pad(width[c] - DisplayWidth(row[c]), ' ');
      if (c > 0) line += "  ";
      if (c > 0 && numbers_right) {
        line += pad + row[c];
      } else {
        line += row[c] + (c + 1 == row.size() ? "" : pad);
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + '\n';
  }
  return out;
}

ProbeRow MakeProbeRow(const results::ModelProbes& probes,
                      const ModelStats* stats) {
  ProbeRow row{.model = probes.model};
  for (const auto& [kind, p] : probes.by_kind) {
    row.runs[kind] = p.run_id;
    if (std::string e = p.Error(); !e.empty()) row.errors[kind] = e;
    const nlohmann::json& s = p.Summary();
    if (kind == "speed") {
      row.decode_tok_s = Median(s, "decode_tok_s");
      row.prefill_ms = Median(s, "prefill_ms");
      row.prefill_tokens = Median(s, "prefill_prompt_tokens");
    } else if (kind == "toolcalls") {
      row.tool_calls = Count(s, "valid");
      auto modes = s.find("by_mode");
      if (modes != s.end() && modes->is_object()) {
        for (const auto& [mode, v] : modes->items()) {
          if (auto c = Count(v, "valid")) row.tool_calls_by_mode[mode] = *c;
        }
      }
    } else if (kind == "reasoning") {
      row.reasoning = Count(s, "correct");
    }
  }
  if (stats != nullptr && stats->rate.attempts > 0) {
    row.completion = stats->rate;
  }
  return row;
}

std::vector<ProbeRow> MakeProbeRows(
    const std::vector<results::ModelProbes>& probes,
    const std::vector<ModelStats>& stats) {
  const bool any =
      std::any_of(probes.begin(), probes.end(),
                  [](const results::ModelProbes& p) { return !p.empty(); });
  std::vector<ProbeRow> rows;
  if (!any) return rows;
  for (const results::ModelProbes& p : probes) {
    auto s = std::find_if(stats.begin(), stats.end(), [&](const ModelStats& m) {
      return m.name == p.model;
    });
    rows.push_back(MakeProbeRow(p, s == stats.end() ? nullptr : &*s));
  }
  return rows;
}

std::string SpeedCell(const ProbeRow& r) {
  return r.decode_tok_s ? util::Fixed(*r.decode_tok_s, 1) : Missing(r, "speed");
}

std::string PrefillCell(const ProbeRow& r) {
  if (!r.prefill_ms) return Missing(r, "speed");
  std::string s = util::Fixed(*r.prefill_ms, 1);
  if (r.prefill_tokens) s += " (" + util::TokensText(*r.prefill_tokens) + ")";
  return s;
}

std::string CountCell(const std::optional<ProbeCount>& c) {
  if (!c) return "-";
  return std::to_string(c->ok) + "/" + std::to_string(c->total);
}

std::string ToolCallsCell(const ProbeRow& r) {
  if (!r.tool_calls) return Missing(r, "toolcalls");
  std::string s = CountCell(r.tool_calls), modes;
  for (const auto& [mode, c] : r.tool_calls_by_mode) {
    modes += (modes.empty() ? "" : ", ") + mode + " " + CountCell(c);
  }
  return modes.empty() ? s : s + " (" + modes + ")";
}

std::string CompletionCell(const ProbeRow& r) {
  return r.completion ? RateText(*r.completion) : "-";
}

std::string ProbeNotes(const std::vector<ProbeRow>& rows, int64_t run) {
  std::string out;
  for (const ProbeRow& r : rows) {
    std::vector<int64_t> others;
    for (const auto& [kind, id] : r.runs) {
      if (id != run &&
          std::find(others.begin(), others.end(), id) == others.end()) {
        others.push_back(id);
      }
    }
    std::sort(others.begin(), others.end());
    if (!others.empty()) {
      std::string list;
      for (int64_t id : others) {
        list += (list.empty() ? "" : ", ") + std::to_string(id);
      }
      out += r.model + ": probes from run" + (others.size() > 1 ? "s " : " ") +
             list + " (not probed in run " + std::to_string(run) + ")\n";
    }
    for (const auto& [kind, e] : r.errors) {
      out += r.model + " " + kind + ": error: " + e + "\n";
    }
  }
  return out;
}

namespace {

std::vector<std::string> Cells(const ProbeRow& r) {
  return {r.model,
          SpeedCell(r),
          PrefillCell(r),
          ToolCallsCell(r),
          r.reasoning ? CountCell(r.reasoning) : Missing(r, "reasoning"),
          CompletionCell(r)};
}

const std::vector<std::string> kHeader = {"model",
                                          "gen tok/s",
                                          "prefill ms (prompt)",
                                          "tool calls valid",
                                          "reasoning correct",
                                          "completion [95% CI]"};

}  // namespace

std::string RenderProbeTable(const std::vector<ProbeRow>& rows, int64_t run) {
  std::vector<std::vector<std::string>> table = {kHeader};
  for (const ProbeRow& r : rows) table.push_back(Cells(r));
  std::string out = "probes\n" + AlignColumns(table, true);
  std::string notes = ProbeNotes(rows, run);
  size_t pos = 0;
  while (pos < notes.size()) {
    size_t nl = notes.find('\n', pos);
    out += "  " + notes.substr(pos, nl + 1 - pos);
    pos = nl + 1;
  }
  return out;
}

std::string RenderProbeMarkdown(const std::vector<ProbeRow>& rows,
                                int64_t run) {
  std::string out = "\n## Probes\n\n|";
  for (const auto& h : kHeader) out += " " + h + " |";
  out += "\n|---|---:|---:|---:|---:|---:|\n";
  for (const ProbeRow& r : rows) {
    out += "|";
    for (const auto& c : Cells(r)) out += " " + MarkdownCell(c) + " |";
    out += "\n";
  }
  std::string notes = ProbeNotes(rows, run);
  if (!notes.empty()) out += "\n";
  size_t pos = 0;
  while (pos < notes.size()) {
    size_t nl = notes.find('\n', pos);
    out += "- " + MarkdownCell(notes.substr(pos, nl - pos)) + "\n";
    pos = nl + 1;
  }
  return out;
}

nlohmann::json ProbeRowJson(const ProbeRow& r) {
  auto opt = [](const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  auto count = [](const std::optional<ProbeCount>& c, const char* ok) {
    return c ? nlohmann::json{{ok, c->ok}, {"total", c->total}}
             : nlohmann::json(nullptr);
  };
  nlohmann::json tools = count(r.tool_calls, "valid");
  if (r.tool_calls) {
    tools["by_mode"] = nlohmann::json::object();
    for (const auto& [mode, c] : r.tool_calls_by_mode) {
      tools["by_mode"][mode] = count(c, "valid");
    }
  }
  nlohmann::json completion = nullptr;
  if (r.completion) {
    const RateEstimate& e = *r.completion;
    completion = {
        {"rate", e.rate},
        {"passed", e.passed},
        {"graded", e.attempts},
        {"tasks", e.tasks},
        {"interval", e.interval ? nlohmann::json{{"low", e.interval->low},
                                                 {"high", e.interval->high},
                                                 {"method", e.method}}
                                : nlohmann::json(nullptr)}};
  }
  return {{"model", r.model},
          {"generation_tok_s", opt(r.decode_tok_s)},
          {"prefill_ms", opt(r.prefill_ms)},
          {"prefill_prompt_tokens", opt(r.prefill_tokens)},
          {"tool_calls", tools},
          {"reasoning", count(r.reasoning, "correct")},
          {"completion", completion},
          {"errors", r.errors},
          {"runs", r.runs}};
}

}  // namespace endstate::report
