// -----------------------------------------------------------------------------
// File: tests/testing/journey_fixture.h
// -----------------------------------------------------------------------------
//
// `JourneyFixture`: `EngineFixture` plus what the preferred-agent and callback
// tests need: contact specs with a preference, and a snapshot of the world
// that also covers preferences, callbacks, queue callback counts and customer
// histories, so that a refused call can be shown to change nothing.
//
// Thread safety: single-threaded, like the router thread it stands for.
//
// Example:
//   class PreferredAgentTest : public ccengine::test::JourneyFixture {};
//   AddContact(Preferring(10, q, {2}, 30));
//   auto before = FreezeAll();
//   CCENGINE_EXPECT_CODE(engine_->RequestCallback(C(99)), kNotFound);
//   ExpectAllUnchanged(before);

#ifndef CCENGINE_TESTS_TESTING_JOURNEY_FIXTURE_H_
#define CCENGINE_TESTS_TESTING_JOURNEY_FIXTURE_H_

#include <cstdint>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "ccengine/core/engine.h"
#include "gtest/gtest.h"
#include "testing/engine_fixture.h"

namespace ccengine::test {

class JourneyFixture : public EngineFixture {
 protected:
  // A contact that prefers `agents` for `wait_s` seconds.
  static ContactSpec Preferring(uint64_t id, QueueId queue, std::vector<uint64_t> agents,
                                double wait_s, Channel channel = Channel::kVoice) {
    ContactSpec c = ContactSpecFor(id, queue, channel);
    for (uint64_t a : agents) c.preferred_agents.push_back(AgentId{a});
    c.preferred_wait = absl::Seconds(wait_s);
    return c;
  }
  // A contact of `customer` that prefers its last agent for `wait_s`.
  static ContactSpec PreferringLast(uint64_t id, QueueId queue, std::string customer,
                                    double wait_s, Channel channel = Channel::kVoice) {
    ContactSpec c = ContactSpecFor(id, queue, channel);
    c.customer_id = std::move(customer);
    c.prefer_last_agent = true;
    c.preferred_wait = absl::Seconds(wait_s);
    return c;
  }

  void WatchCustomer(std::string customer) { customers_.insert(std::move(customer)); }
  void WatchContact(uint64_t id) {
    TrackContact(id);
    watched_.insert(id);
  }

  std::vector<uint64_t> PreferredOf(uint64_t contact) const {
    std::vector<uint64_t> out;
    auto s = engine_->GetContact(C(contact));
    if (!s.ok()) return out;
    for (AgentId a : s->preferred_agents) out.push_back(a.value());
    return out;
  }
  std::vector<uint64_t> HistoryAgents(const std::string& customer) const {
    std::vector<uint64_t> out;
    auto h = engine_->CustomerHistory(customer);
    EXPECT_TRUE(h.ok()) << h.status();
    for (const CustomerContact& c : h.value_or(std::vector<CustomerContact>{})) {
      out.push_back(c.agent.value());
    }
    return out;
  }

  // `World()` plus the journey state of the watched contacts and customers.
  std::string JourneyWorld() const {
    std::ostringstream o;
    o << World();
    for (uint32_t i = 0; i < engine_->queue_count(); ++i) {
      auto s = engine_->GetQueueStats(QueueId{i});
      if (s.ok()) o << "queue " << i << " callbacks=" << s->callbacks_requested << "\n";
    }
    for (uint64_t id : watched_) {
      auto c = engine_->GetContact(C(id));
      if (!c.ok()) continue;
      o << "contact " << id << " preferred=";
      for (AgentId a : c->preferred_agents) o << a.value() << ",";
      o << " until=" << (c->preferred_until ? absl::FormatTime(*c->preferred_until) : "-")
        << " callback="
        << (c->callback_requested_at ? absl::FormatTime(*c->callback_requested_at) : "-")
        << " original=" << ChannelName(c->original_channel) << "\n";
    }
    o << "history entries=" << engine_->customer_history_entries() << "\n";
    for (const std::string& customer : customers_) {
      o << "customer " << customer << ":";
      auto h = engine_->CustomerHistory(customer);
      for (const CustomerContact& c : h.value_or(std::vector<CustomerContact>{})) {
        o << " " << c.contact.value() << "/" << c.agent.value() << "/"
          << ChannelName(c.channel) << "/" << c.queue.value() << "/"
          << absl::FormatTime(c.ended_at);
      }
      o << "\n";
    }
    return o.str();
  }
  Frozen FreezeAll() const { return Frozen{JourneyWorld(), events_.size()}; }
  void ExpectAllUnchanged(const Frozen& before) const {
    EXPECT_EQ(JourneyWorld(), before.world);
    EXPECT_EQ(events_.size(), before.events) << "events:\n" << EventLog();
  }

 private:
  std::set<uint64_t> watched_;
  std::set<std::string> customers_;
};

}  // namespace ccengine::test

#endif  // CCENGINE_TESTS_TESTING_JOURNEY_FIXTURE_H_
