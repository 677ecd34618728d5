#include "models/capacity_gate.h"

#include <algorithm>

namespace endstate::models {

CapacityGate::CapacityGate(
    std::string model, int limit,
    std::function<void(const CapacityLowering&)> on_lower)
    : model_(std::move(model)),
      on_lower_(std::move(on_lower)),
      limit_(std::max(0, limit)) {}

int CapacityGate::limit() const {
  std::lock_guard<std::mutex> lock(mu_);
  return limit_;
}

int CapacityGate::in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_;
}

CapacityGate::Ticket::Ticket(Ticket&& other) noexcept
    : gate_(other.gate_),
      generation_(other.generation_),
      in_flight_at_grant_(other.in_flight_at_grant_),
      grants_before_(other.grants_before_) {
  other.gate_ = nullptr;
}

CapacityGate::Ticket::~Ticket() {
  if (gate_) gate_->Release();
}

CapacityGate::Ticket CapacityGate::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return limit_ == 0 || in_flight_ < limit_; });
  ++in_flight_;
  return Ticket(this, generation_, in_flight_, grants_++);
}

void CapacityGate::Release() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    --in_flight_;
  }
  cv_.notify_all();
}

bool CapacityGate::Overflowed(const Ticket& ticket, const std::string& reason) {
  CapacityLowering lowering;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Sent before a lowering: that lowering already answered this wave.
    if (ticket.generation_ != generation_) return true;
    // Requests that shared the server with this one during its life.
    const long shared =
        ticket.in_flight_at_grant_ + (grants_ - ticket.grants_before_ - 1);
    const int overlapping = static_cast<int>(std::min<long>(shared, 1L << 20));
    const int effective =
        limit_ == 0 ? overlapping : std::min(limit_, overlapping);
    if (effective <= 1) return false;  // alone: lowering cannot help
    lowering = {.model = model_,
                .from = limit_,
                .to = std::max(1, effective / 2),
                .in_flight = overlapping,
                .reason = reason};
    limit_ = lowering.to;
    ++generation_;
  }
  if (on_lower_) on_lower_(lowering);
  return true;
}

GatedClient::GatedClient(std::unique_ptr<Client> inner, CapacityGate* gate,
                         RetryPolicy policy, RetryClock* clock)
    : inner_(std::move(inner)),
      gate_(gate),
      policy_(policy),
      clock_(clock ? clock : SystemRetryClock()) {}

bool GatedClient::Complete(const CompletionRequest& req,
                           CompletionResponse* out, ModelError* err) {
  int tries_before = 0;  // tries of earlier overflowed sends
  for (int overflow = 1;; ++overflow) {
    bool ok, again;
    {
      CapacityGate::Ticket ticket = gate_->Acquire();
      ok = inner_->Complete(req, out, err);
      if (ok) {
        out->retries += tries_before;
        return true;
      }
      if (err->error_class != ErrorClass::kServerCapacity) {
        err->tries += tries_before;
        return false;
      }
      again = gate_->Overflowed(ticket, err->message);
    }
    tries_before += std::max(1, err->tries);
    if (!again || overflow >= std::max(1, policy_.max_tries)) {
      err->tries = tries_before;
      err->message = "server capacity overflowed (" + err->message + ") " +
                     (again ? "after " + std::to_string(tries_before) + " tries"
                            : "with this request alone at concurrency 1");
      return false;
    }
    clock_->Sleep(BackoffFor(policy_, overflow));
  }
}

}  // namespace endstate::models
