#include "report/server_text.h"

#include "report/html_escape.h"
#include "report/stats_text.h"
#include "util/format.h"

namespace endstate::report {
namespace {

using results::ServerRow;

std::string Num(double v) { return util::Fixed(v, 1); }

// The last start of `model` in `rows`, or nullptr.
const ServerRow* Latest(const std::vector<ServerRow>& rows,
                        const std::string& model) {
  const ServerRow* found = nullptr;
  for (const auto& r : rows) {
    if (r.model == model) found = &r;
  }
  return found;
}

std::string Available(const nlohmann::json& mem) {
  if (!mem.is_object()) return "";
  if (mem.contains("gpu_free_gb") && mem["gpu_free_gb"].is_array()) {
    double sum = 0;
    for (const auto& g : mem["gpu_free_gb"])
      sum += g.is_number() ? g.get<double>() : 0;
    return Num(sum) + " GB GPU";
  }
  if (mem.contains("mem_available_gb") && mem["mem_available_gb"].is_number())
    return Num(mem["mem_available_gb"].get<double>()) + " GB";
  return "";
}

std::string EnvText(const nlohmann::json& env) {
  std::string out;
  if (!env.is_object()) return out;
  for (const auto& [k, v] : env.items()) {
    out += (out.empty() ? "" : " ") + k + "=" +
           (v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out;
}

}  // namespace

std::string ServerSummary(const ServerRow& row) {
  if (!row.error.empty()) return "start failed: " + row.error;
  const nlohmann::json& p = row.provenance;
  std::string out;
  const nlohmann::json id = p.value("identity", nlohmann::json::object());
  out += id.value("kind", "unknown");
  if (id.contains("version")) out += " " + id["version"].dump();
  if (id.contains("build_info")) out += " " + id["build_info"].dump();
  if (id.contains("n_ctx")) out += ", n_ctx " + id["n_ctx"].dump();
  const nlohmann::json served = p.value("served_model", nlohmann::json());
  if (served.is_object() && served.contains("max_model_len"))
    out += ", max_model_len " + served["max_model_len"].dump();
  if (p.contains("startup_s") && p["startup_s"].is_number())
    out += ", ready in " + Num(p["startup_s"].get<double>()) + " s";
  std::string before =
      Available(p.value("memory_before_start", nlohmann::json()));
  std::string after =
      Available(p.value("memory_after_ready", nlohmann::json()));
  if (!before.empty()) out += ", " + before + " available before start";
  if (!after.empty()) out += ", " + after + " after ready";
  if (p.value("restarts", 0) > 0)
    out += ", " + std::to_string(p.value("restarts", 0)) + " restart(s)";
  // Quotes from dump() around strings read badly in a summary.
  std::string clean;
  for (char c : out) {
    if (c != '"') clean += c;
  }
  return clean;
}

std::string ServerCommand(const ServerRow& row) {
  std::string out;
  const nlohmann::json cmd = row.provenance.value("command", nlohmann::json());
  if (!cmd.is_array()) return out;
  for (const auto& a : cmd) {
    out += (out.empty() ? "" : " ") +
           (a.is_string() ? a.get<std::string>() : a.dump());
  }
  return out;
}

std::string RenderServerTable(const std::vector<ServerRow>& rows) {
  if (rows.empty()) return "";
  std::string out = "managed servers\n";
  for (const auto& r : rows) {
    out += "  " + r.model + ": " + ServerSummary(r) + "\n";
    std::string cmd = ServerCommand(r);
    if (!cmd.empty()) out += "    command: " + cmd + "\n";
    std::string env = EnvText(r.provenance.value("env", nlohmann::json()));
    if (!env.empty()) out += "    env: " + env + "\n";
  }
  return out;
}

std::string RenderServerMarkdown(const std::vector<ServerRow>& rows) {
  if (rows.empty()) return "";
  auto cell = [](std::string s) {
    std::string out;
    for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
  };
  std::string out =
      "\n## Managed servers\n\n| model | server | command |\n|---|---|---|\n";
  for (const auto& r : rows) {
    out += "| " + cell(r.model) + " | " + cell(ServerSummary(r)) + " | `" +
           cell(ServerCommand(r)) + "` |\n";
  }
  return out;
}

std::string RenderServerHtml(const std::vector<ServerRow>& rows) {
  if (rows.empty()) return "";
  std::string out =
      "<section id=\"servers\"><h2>Managed servers</h2><table><thead><tr>"
      "<th>model</th><th>server</th><th>command</th></tr></thead><tbody>\n";
  for (const auto& r : rows) {
    out += "<tr><td>" + EscapeHtml(r.model) + "</td><td>" +
           EscapeHtml(ServerSummary(r)) + "</td><td><code>" +
           EscapeHtml(ServerCommand(r)) + "</code></td></tr>\n";
  }
  return out + "</tbody></table></section>\n";
}

nlohmann::json ServerRowJson(const ServerRow& r) {
  auto opt = [](const std::string& s) {
    return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
  };
  return {{"model", r.model},
          {"started_at", opt(r.started_at)},
          {"ready_at", opt(r.ready_at)},
          {"stopped_at", opt(r.stopped_at)},
          {"error", opt(r.error)},
          {"provenance", r.provenance}};
}

std::string AddServerCsvColumns(const std::string& csv,
                                const std::vector<std::string>& models,
                                const std::vector<ServerRow>& rows) {
  if (rows.empty()) return csv;
  std::string out;
  size_t line = 0, at = 0;
  while (at < csv.size()) {
    size_t end = csv.find("\r\n", at);
    if (end == std::string::npos) end = csv.size();
    out += csv.substr(at, end - at);
    if (line == 0) {
      out += ",server,server_command";
    } else if (line - 1 < models.size()) {
      const ServerRow* r = Latest(rows, models[line - 1]);
      out += "," + (r ? CsvField(ServerSummary(*r)) : "") + "," +
             (r ? CsvField(ServerCommand(*r)) : "");
    }
    out += "\r\n";
    at = end + 2;
    ++line;
  }
  return out;
}

std::string AddServerJUnitProperties(const std::string& xml,
                                     const std::vector<ServerRow>& rows) {
  std::string out = xml;
  std::vector<std::string> done;
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    bool seen = false;
    for (const auto& d : done) seen = seen || d == it->model;
    if (seen) continue;  // the latest start of each model
    done.push_back(it->model);
    size_t suite =
        out.find("  <testsuite name=\"" + XmlEscape(it->model) + "\"");
    if (suite == std::string::npos) continue;
    size_t close = out.find("    </properties>\n", suite);
    if (close == std::string::npos) continue;
    out.insert(close, "      <property name=\"server\" value=\"" +
                          XmlEscape(ServerSummary(*it)) +
                          "\"/>\n      <property name=\"server_command\" "
                          "value=\"" +
                          XmlEscape(ServerCommand(*it)) + "\"/>\n");
  }
  return out;
}

}  // namespace endstate::report
