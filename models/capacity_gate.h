// Concurrency of one model's requests, lowered for the rest of a run when
// the server's shared capacity overflows (llama.cpp's "Context size has
// been exceeded." with several slots sharing one KV cache: load, not the
// model). One CapacityGate per model per run, shared by all its attempts;
// GatedClient wraps each attempt's client with it.
//
// The rule (docs/models.md, "How a turn can end"): a request that overflows
// while N requests are in flight halves the limit (min(limit, N) / 2, at
// least 1) once per overflow wave (requests sent before a lowering only
// retry), backs off (the model's retry policy), and is sent again; when it
// overflows while alone at limit 1, or its tries (RetryPolicy::max_tries)
// run out, the turn fails with ModelError::error_class kServerCapacity.
//
// Thread-safe. The gate must outlive every GatedClient using it.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "models/client.h"
#include "models/model_config.h"
#include "models/retry.h"

namespace endstate::models {

struct CapacityLowering {
  std::string model;   // ModelConfig::name
  int from = 0;        // previous limit; 0 = unlimited
  int to = 1;          // new limit (>= 1)
  int in_flight = 0;   // requests in flight during the overflowed one
  std::string reason;  // the server's error text
};

class CapacityGate {
 public:
  // `limit` 0 = unlimited (the scheduler's caps still apply). `on_lower` is
  // called (under no lock, from the thread that saw the overflow) once per
  // lowering, e.g. to say so on stderr and in the record; may be empty.
  CapacityGate(std::string model, int limit,
               std::function<void(const CapacityLowering&)> on_lower = {});

  int limit() const;      // 0 = unlimited
  int in_flight() const;  // requests holding a ticket

  // Permission to send one request; released by the destructor.
  class Ticket {
   public:
    Ticket(Ticket&& other) noexcept;
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket();

   private:
    friend class CapacityGate;
    Ticket(CapacityGate* gate, int generation, int in_flight_at_grant,
           long grants_before)
        : gate_(gate),
          generation_(generation),
          in_flight_at_grant_(in_flight_at_grant),
          grants_before_(grants_before) {}
    CapacityGate* gate_;
    int generation_;          // lowerings before this ticket was granted
    int in_flight_at_grant_;  // requests in flight with this one at grant
    long grants_before_;      // tickets granted before this one
  };
  // Blocks while limit() requests are in flight.
  Ticket Acquire();

  // Reports an overflow of the request holding `ticket` (still held).
  // Returns true when it is worth sending again: the limit was lowered now
  // or since the ticket was granted. False when it was alone at limit 1.
  // "Alone" counts every request that was in flight at any moment of this
  // one's life (those in flight when it was granted plus those granted
  // since), not only those still in flight when the error arrives: the
  // server judged its capacity while the others were still running.
  bool Overflowed(const Ticket& ticket, const std::string& reason);

 private:
  void Release();

  const std::string model_;
  const std::function<void(const CapacityLowering&)> on_lower_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int limit_;
  int in_flight_ = 0;
  int generation_ = 0;
  long grants_ = 0;  // tickets granted so far
};

// A client whose requests pass through a CapacityGate and are sent again
// (after the backoff of config.retry, on `clock`) when they overflow the
// server's capacity. Retries add to CompletionResponse::retries and
// ModelError::tries. Not owned: `gate`, `clock` (nullptr = system clock).
class GatedClient final : public Client {
 public:
  GatedClient(std::unique_ptr<Client> inner, CapacityGate* gate,
              RetryPolicy policy, RetryClock* clock = nullptr);
  bool Complete(const CompletionRequest& req, CompletionResponse* out,
                ModelError* err) override;

 private:
  std::unique_ptr<Client> inner_;
  CapacityGate* gate_;
  RetryPolicy policy_;
  RetryClock* clock_;
};

}  // namespace endstate::models
