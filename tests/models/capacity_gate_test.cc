#include "models/capacity_gate.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace endstate::models {
namespace {

// The server judged its capacity while another request was still in flight;
// that request may have finished before the error reached the client. The
// overflow still counts the other request, so the gate lowers the limit
// instead of calling the request alone.
TEST(CapacityGateTest, CountsRequestsThatFinishedBeforeTheErrorArrived) {
  std::vector<CapacityLowering> lowerings;
  CapacityGate gate("q", 2,
                    [&](const CapacityLowering& l) { lowerings.push_back(l); });
  std::optional<CapacityGate::Ticket> first(gate.Acquire());
  CapacityGate::Ticket second = gate.Acquire();
  first.reset();  // finished before `second`'s error arrived
  EXPECT_EQ(1, gate.in_flight());
  EXPECT_TRUE(gate.Overflowed(second, "Context size has been exceeded."));
  EXPECT_EQ(1, gate.limit());
  ASSERT_EQ(1u, lowerings.size());
  EXPECT_EQ(2, lowerings[0].from);
  EXPECT_EQ(1, lowerings[0].to);
  EXPECT_EQ(2, lowerings[0].in_flight);
}

// Granted later: a request that started while this one ran counts too.
TEST(CapacityGateTest, CountsRequestsGrantedDuringItsLife) {
  CapacityGate gate("q", 0);
  CapacityGate::Ticket first = gate.Acquire();
  std::optional<CapacityGate::Ticket> later(gate.Acquire());
  std::optional<CapacityGate::Ticket> third(gate.Acquire());
  later.reset();
  third.reset();
  EXPECT_TRUE(gate.Overflowed(first, "full"));
  EXPECT_EQ(1, gate.limit());  // min(unlimited, 3) / 2
}

// Alone at limit 1 (nothing else in flight during its life): lowering
// cannot help, so the overflow is final.
TEST(CapacityGateTest, AloneAtLimitOneIsFinal) {
  CapacityGate gate("q", 1);
  { CapacityGate::Ticket before = gate.Acquire(); }  // ended before
  CapacityGate::Ticket t = gate.Acquire();
  EXPECT_FALSE(gate.Overflowed(t, "full"));
  EXPECT_EQ(1, gate.limit());
}

}  // namespace
}  // namespace endstate::models
