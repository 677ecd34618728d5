#include "evaluator/server_fleet.h"

namespace endstate::evaluator {

ServerFleet::ServerFleet(
    const std::map<std::string, servers::ServeConfig>& serve,
    std::vector<models::ModelConfig>* models, servers::ServerOptions options,
    results::Store* store, int64_t run_id, std::vector<int64_t> model_ids)
    : models_(models),
      store_(store),
      run_id_(run_id),
      model_ids_(std::move(model_ids)),
      entries_(models->size()) {
  for (size_t i = 0; i < models->size(); ++i) {
    const models::ModelConfig& m = (*models)[i];
    auto it = serve.find(m.name);
    if (it == serve.end()) continue;
    serve_[m.name] = it->second;
    entries_[i].server = std::make_unique<servers::ManagedServer>(
        m.name, m.model, it->second, options);
  }
}

ServerFleet::~ServerFleet() {
  for (size_t i = 0; i < entries_.size(); ++i) Stop(i);
}

bool ServerFleet::Managed(size_t model) const {
  return model < entries_.size() && entries_[model].server != nullptr;
}

bool ServerFleet::AnyManaged() const {
  for (const auto& e : entries_) {
    if (e.server) return true;
  }
  return false;
}

servers::ManagedServer* ServerFleet::server(size_t model) const {
  return Managed(model) ? entries_[model].server.get() : nullptr;
}

void ServerFleet::Record(size_t model) {
  Entry& e = entries_[model];
  if (!store_ || model >= model_ids_.size()) return;
  std::string err;
  const nlohmann::json p = e.server->Provenance();
  if (e.row < 0) {
    e.row = store_->RecordServer(run_id_, model_ids_[model], p, &err);
  } else {
    store_->UpdateServer(e.row, p, &err);
  }
}

bool ServerFleet::Start(size_t model) {
  if (!Managed(model)) return true;
  Entry& e = entries_[model];
  e.row = -1;
  const bool ok = e.server->Start(&e.start_error);
  Record(model);
  if (!ok) return false;
  models::ModelConfig& m = (*models_)[model];
  m.base_url = e.server->base_url();
  servers::ManagedServer* s = e.server.get();
  m.endpoint_down = [s] { return s->DownReason(); };
  return true;
}

void ServerFleet::Stop(size_t model) {
  if (!Managed(model)) return;
  Entry& e = entries_[model];
  const bool was_running = e.server->Provenance().contains("started_at") &&
                           !e.server->Provenance().contains("stopped_at");
  e.server->Stop();
  if (was_running) Record(model);
}

std::string ServerFleet::Problem(size_t model,
                                 results::Termination* termination) const {
  if (!Managed(model)) return "";
  const Entry& e = entries_[model];
  if (!e.start_error.empty()) {
    *termination = results::Termination::kServerError;
    return e.start_error;
  }
  std::string down = e.server->DownReason();
  if (!down.empty()) *termination = results::Termination::kServerExited;
  return down;
}

ModelLifecycle ServerFleet::Lifecycle() {
  ModelLifecycle life;
  std::map<std::string, int> ids;
  for (size_t i = 0; i < entries_.size(); ++i) {
    int id = 0;
    if (Managed(i)) {
      const std::string& g = serve_.at((*models_)[i].name).exclusive;
      if (!g.empty())
        id = ids.emplace(g, static_cast<int>(ids.size()) + 1).first->second;
    }
    life.group.push_back(id);
  }
  life.start = [this](size_t m) { Start(m); };
  life.stop = [this](size_t m) { Stop(m); };
  return life;
}

}  // namespace endstate::evaluator
