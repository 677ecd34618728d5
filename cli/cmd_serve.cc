// `endstate serve NAME --config FILE`: starts one configured model's managed
// server exactly as `run` would (pre-flight, own process group, ready check,
// provenance), prints its base URL and provenance, and keeps it up until
// SIGINT/SIGTERM, for debugging a `serve:` block (docs/servers.md).
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/cli.h"
#include "cli/commands.h"
#include "evaluator/config.h"
#include "servers/managed_server.h"

namespace endstate::cli {
namespace {

constexpr const char* kWho = "endstate serve: ";

struct ServeOptions {
  std::string name;
  std::string config_path;
  std::string server_logs = "/var/tmp/endstate-servers";
};

int Serve(const ServeOptions& o) {
  evaluator::Config config;
  std::string err;
  if (!evaluator::LoadConfig(o.config_path, &config, &err)) {
    std::cerr << kWho << err << '\n';
    return kExitUsage;
  }
  auto serve = config.serve.find(o.name);
  if (serve == config.serve.end()) {
    std::string names;
    for (const auto& [n, s] : config.serve)
      names += (names.empty() ? "" : ", ") + n;
    std::cerr << kWho << "no model '" << o.name << "' with a serve: block in "
              << o.config_path
              << " (models with one: " << (names.empty() ? "none" : names)
              << ")\n";
    return kExitUsage;
  }
  std::string model_id;
  for (const auto& m : config.models) {
    if (m.name == o.name) model_id = m.model;
  }
  // SIGINT and SIGTERM are taken with sigtimedwait; blocked before any
  // thread starts, so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  servers::ManagedServer server(
      o.name, model_id, serve->second,
      {.log_dir = o.server_logs, .log = [](const std::string& line) {
         std::cerr << "endstate: " + line + "\n";
       }});
  // The start-up (minutes for a large model) runs on its own thread; this
  // one takes the signals. A signal before the server is ready ends
  // endstate at once: the server's supervisor sees its control socket close
  // and stops the group (servers/server_process.h).
  std::atomic<bool> start_done{false};
  bool started = false;
  std::thread starter([&] {
    started = server.Start(&err);
    start_done = true;
  });
  auto next_signal = [&] {
    timespec tick{0, 100'000'000};
    return sigtimedwait(&stop_signals, nullptr, &tick);
  };
  while (!start_done) {
    int sig = next_signal();
    if (sig == SIGINT || sig == SIGTERM) {
      std::cerr << kWho
                << "interrupted while starting; the server is "
                   "stopped by its supervisor\n";
      std::_Exit(kExitInfra);
    }
  }
  starter.join();
  if (!started) {
    std::cerr << kWho << err << '\n';
    return kExitInfra;
  }
  std::cout << "ready: " << server.base_url() << '\n'
            << server.Provenance().dump(2) << std::endl;
  std::cerr << kWho << "serving " << o.name << "; stop with Ctrl-C\n";
  for (;;) {
    int sig = next_signal();
    if (sig == SIGINT || sig == SIGTERM) break;
    std::string down = server.DownReason();  // restarts when allowed
    if (!down.empty()) {
      std::cerr << kWho << down << '\n';
      return kExitInfra;
    }
  }
  server.Stop();
  std::cerr << kWho << "stopped " << o.name << " ("
            << server.Provenance().value("exit", "") << ")\n";
  return kExitOk;
}

}  // namespace

Command AddServeCommand(CLI::App& root) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* app = root.add_subcommand(
      "serve",
      "Start one configured model's managed server (its serve: block) and "
      "keep it up until Ctrl-C (docs/servers.md)");
  app->add_option("NAME", o->name, "Model name from the config")->required();
  app->add_option("--config", o->config_path,
                  "YAML config file (docs/config.md)")
      ->required()
      ->check(CLI::ExistingFile);
  app->add_option("--server-logs", o->server_logs,
                  "Folder for the server's log (default "
                  "/var/tmp/endstate-servers)")
      ->type_name("DIR");
  return {app, [o] { return Serve(*o); }};
}

}  // namespace endstate::cli
