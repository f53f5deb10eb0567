// -----------------------------------------------------------------------------
// File: ccengine/core/internal/event_bus.h
// -----------------------------------------------------------------------------
//
// `EventBus`: the engine's subscribers and the union of the event types they
// want. `Wants(type)` is one AND, so the engine builds an event only when
// someone will receive it; `Emit` calls every subscriber whose mask names the
// event's type, in subscription order.
//
// Thread safety: none; the router thread owns it, and callbacks run on that
// thread inside `Emit`. A callback must not subscribe or unsubscribe.
//
// Example:
//   EventBus bus;
//   auto id = bus.Subscribe(callback, EventBit(EventType::kOffered));
//   if (bus.Wants(EventType::kOffered)) bus.Emit(MakeOfferEvent());
//   bus.Unsubscribe(id);

#ifndef CCENGINE_CORE_INTERNAL_EVENT_BUS_H_
#define CCENGINE_CORE_INTERNAL_EVENT_BUS_H_

#include <cstdint>
#include <vector>

#include "ccengine/core/events.h"

namespace ccengine::internal {

class EventBus {
 public:
  using SubscriptionId = uint64_t;

  // Ids start at 1 and are never reused.
  SubscriptionId Subscribe(EventCallback callback, uint32_t types);
  // Unknown ids are ignored.
  void Unsubscribe(SubscriptionId id);

  bool Wants(EventType type) const { return (wanted_ & EventBit(type)) != 0; }
  uint32_t wanted() const { return wanted_; }
  size_t size() const { return subscribers_.size(); }

  void Emit(const Event& event) const {
    if (Wants(event.type)) Deliver(event);
  }

 private:
  struct Subscriber {
    SubscriptionId id;
    uint32_t types;
    EventCallback callback;
  };
  void Deliver(const Event& event) const;

  std::vector<Subscriber> subscribers_;
  uint32_t wanted_ = 0;  // union of the subscribers' masks
  SubscriptionId next_ = 1;
};

}  // namespace ccengine::internal

#endif  // CCENGINE_CORE_INTERNAL_EVENT_BUS_H_
