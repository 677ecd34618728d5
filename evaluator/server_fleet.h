// The managed servers of one command's models (docs/servers.md), as `run`,
// `run --probes` and `probe` use them: started before a model's first
// attempt or probe, stopped after its last, exclusive groups kept apart by
// the scheduler (evaluator/scheduler.h ModelLifecycle), every start
// recorded with its provenance in the `servers` table.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "evaluator/attempt.h"
#include "evaluator/scheduler.h"
#include "models/model_config.h"
#include "results/store.h"
#include "servers/managed_server.h"

namespace endstate::evaluator {

// Thread-safe for distinct models; one model's Start/Stop must not run
// concurrently (the scheduler guarantees it). The destructor stops every
// server still running.
class ServerFleet {
 public:
  // `models` (not owned, must outlive the fleet) gets, for each model with
  // an entry in `serve`, its base_url and endpoint_down set by Start.
  // `store` == nullptr records nothing; model_ids[i] is models[i]'s row.
  ServerFleet(const std::map<std::string, servers::ServeConfig>& serve,
              std::vector<models::ModelConfig>* models,
              servers::ServerOptions options, results::Store* store = nullptr,
              int64_t run_id = -1, std::vector<int64_t> model_ids = {});
  ~ServerFleet();

  bool Managed(size_t model) const;
  bool AnyManaged() const;

  // Starts model `model`'s server (a no-op returning true for models
  // without one) and records the start. Returns false when it did not get
  // ready; Problem() then says why.
  bool Start(size_t model);
  void Stop(size_t model);

  // "" when the model can be used; else why not: the start failure
  // (termination kServerError) or the server's death (kServerExited).
  std::string Problem(size_t model, results::Termination* termination) const;

  // Exclusive groups by name, Start and Stop, for RunScheduled.
  ModelLifecycle Lifecycle();

  servers::ManagedServer* server(size_t model) const;

 private:
  struct Entry {
    std::unique_ptr<servers::ManagedServer> server;
    std::string start_error;
    int64_t row = -1;  // servers table row of the latest start
  };
  void Record(size_t model);

  std::vector<models::ModelConfig>* models_;
  std::map<std::string, servers::ServeConfig> serve_;
  results::Store* store_;
  int64_t run_id_;
  std::vector<int64_t> model_ids_;
  std::vector<Entry> entries_;  // parallel to *models_
};

}  // namespace endstate::evaluator
