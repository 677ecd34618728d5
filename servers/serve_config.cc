#include "servers/serve_config.h"

namespace endstate::servers {
namespace {

constexpr struct {
  const char* name;
  int number;
} kSignals[] = {{"TERM", SIGTERM},
                {"INT", SIGINT},
                {"QUIT", SIGQUIT},
                {"HUP", SIGHUP},
                {"KILL", SIGKILL}};

}  // namespace

int SignalNumber(const std::string& name) {
  std::string n = name.rfind("SIG", 0) == 0 ? name.substr(3) : name;
  for (const auto& s : kSignals) {
    if (n == s.name) return s.number;
  }
  return 0;
}

std::string SignalName(int signal) {
  for (const auto& s : kSignals) {
    if (signal == s.number) return s.name;
  }
  return std::to_string(signal);
}

namespace {

std::string WithPort(std::string s, int port) {
  const std::string needle = "{port}";
  for (size_t at = s.find(needle); at != std::string::npos;
       at = s.find(needle, at)) {
    s.replace(at, needle.size(), std::to_string(port));
  }
  return s;
}

}  // namespace

std::vector<std::string> ExpandCommand(const ServeConfig& serve, int port) {
  std::vector<std::string> out;
  for (const std::string& arg : serve.command)
    out.push_back(WithPort(arg, port));
  return out;
}

std::map<std::string, std::string> ExpandEnv(const ServeConfig& serve,
                                             int port) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : serve.env) out[k] = WithPort(v, port);
  return out;
}

std::string ServedBaseUrl(const ServeConfig& serve, int port) {
  return "http://" + serve.host + ":" + std::to_string(port) + "/v1";
}

nlohmann::json ServeJson(const ServeConfig& s) {
  return {{"command", s.command},
          {"env", s.env},
          {"port", s.port},
          {"host", s.host},
          {"ready_path", s.ready_path},
          {"ready_timeout_s", s.ready_timeout.count()},
          {"stop_signal", SignalName(s.stop_signal)},
          {"stop_grace_s", s.stop_grace.count()},
          {"need_gb", s.need_gb},
          {"drop_caches", s.drop_caches},
          {"exclusive", s.exclusive},
          {"restart", s.restart}};
}

ServeConfig ParseServeJson(const nlohmann::json& j) {
  ServeConfig s;
  s.command = j.at("command").get<std::vector<std::string>>();
  if (j.contains("env")) j.at("env").get_to(s.env);
  if (j.contains("port")) s.port = j.at("port").get<int>();
  if (j.contains("host")) s.host = j.at("host").get<std::string>();
  if (j.contains("ready_path"))
    s.ready_path = j.at("ready_path").get<std::string>();
  if (j.contains("ready_timeout_s"))
    s.ready_timeout = std::chrono::seconds(j.at("ready_timeout_s").get<int>());
  if (j.contains("stop_signal")) {
    s.stop_signal = SignalNumber(j.at("stop_signal").get<std::string>());
    if (s.stop_signal == 0) s.stop_signal = SIGTERM;
  }
  if (j.contains("stop_grace_s"))
    s.stop_grace = std::chrono::seconds(j.at("stop_grace_s").get<int>());
  if (j.contains("need_gb")) s.need_gb = j.at("need_gb").get<double>();
  if (j.contains("drop_caches"))
    s.drop_caches = j.at("drop_caches").get<bool>();
  if (j.contains("exclusive"))
    s.exclusive = j.at("exclusive").get<std::string>();
  if (j.contains("restart")) s.restart = j.at("restart").get<int>();
  return s;
}

}  // namespace endstate::servers
