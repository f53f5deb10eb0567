// EventBus: subscriptions and delivery (see ccengine/core/internal/event_bus.h).

#include "ccengine/core/internal/event_bus.h"

#include <utility>

namespace ccengine::internal {

EventBus::SubscriptionId EventBus::Subscribe(EventCallback callback, uint32_t types) {
  SubscriptionId id = next_++;
  subscribers_.push_back(Subscriber{id, types, std::move(callback)});
  wanted_ |= types;
  return id;
}

void EventBus::Unsubscribe(SubscriptionId id) {
  std::erase_if(subscribers_, [id](const Subscriber& s) { return s.id == id; });
  wanted_ = 0;
  for (const Subscriber& s : subscribers_) wanted_ |= s.types;
}

void EventBus::Deliver(const Event& event) const {
  const uint32_t bit = EventBit(event.type);
  for (const Subscriber& s : subscribers_) {
    if (s.types & bit) s.callback(event);
  }
}

}  // namespace ccengine::internal
