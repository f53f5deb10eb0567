// EventBus: masks, delivery order, unsubscribe recomputing the wanted set.

#include "ccengine/core/internal/event_bus.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ccengine::internal {
namespace {

Event Of(EventType type) {
  Event e;
  e.type = type;
  return e;
}

TEST(EventBusTest, WantsNothingUntilSomeoneSubscribes) {
  EventBus bus;
  EXPECT_FALSE(bus.Wants(EventType::kOffered));
  EXPECT_EQ(bus.wanted(), 0u);
  bus.Emit(Of(EventType::kOffered));  // no subscriber: nothing happens
}

TEST(EventBusTest, DeliversOnlyTheMaskedTypesInSubscriptionOrder) {
  EventBus bus;
  std::vector<std::string> log;
  bus.Subscribe(
      [&](const Event& e) { log.push_back("a:" + std::string(EventTypeName(e.type))); },
      EventBit(EventType::kOffered));
  bus.Subscribe(
      [&](const Event& e) { log.push_back("b:" + std::string(EventTypeName(e.type))); },
      kAllEvents);
  EXPECT_TRUE(bus.Wants(EventType::kOffered));
  EXPECT_TRUE(bus.Wants(EventType::kCompleted));
  EXPECT_FALSE(bus.Wants(EventType::kDecisionExplained));  // only when named
  bus.Emit(Of(EventType::kOffered));
  bus.Emit(Of(EventType::kCompleted));
  bus.Emit(Of(EventType::kDecisionExplained));
  EXPECT_EQ(log, (std::vector<std::string>{"a:offered", "b:offered", "b:completed"}));
}

TEST(EventBusTest, UnsubscribeRecomputesTheWantedTypes) {
  EventBus bus;
  int a = 0, b = 0;
  auto ida = bus.Subscribe([&](const Event&) { ++a; }, EventBit(EventType::kOffered));
  auto idb =
      bus.Subscribe([&](const Event&) { ++b; },
                    EventBit(EventType::kOffered) | EventBit(EventType::kAccepted));
  EXPECT_NE(ida, idb);
  bus.Unsubscribe(idb);
  EXPECT_TRUE(bus.Wants(EventType::kOffered));
  EXPECT_FALSE(bus.Wants(EventType::kAccepted));
  bus.Emit(Of(EventType::kOffered));
  bus.Emit(Of(EventType::kAccepted));
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 0);
  bus.Unsubscribe(12345);  // unknown: ignored
  EXPECT_EQ(bus.size(), 1u);
  bus.Unsubscribe(ida);
  EXPECT_EQ(bus.wanted(), 0u);
  EXPECT_EQ(bus.size(), 0u);
}

TEST(EventBusTest, IdsAreNeverReused) {
  EventBus bus;
  auto first = bus.Subscribe([](const Event&) {}, kAllEvents);
  bus.Unsubscribe(first);
  auto second = bus.Subscribe([](const Event&) {}, kAllEvents);
  EXPECT_GT(second, first);
}

}  // namespace
}  // namespace ccengine::internal
