// CustomerHistoryStore: the three bounds (per customer, in all, by age), the
// order of entries, stale references after a per-customer eviction, and a
// randomized comparison with a plain model after every step.

#include "ccengine/core/internal/customer_history.h"

#include <deque>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace ccengine::internal {
namespace {

CustomerContact Entry(uint64_t contact, uint64_t agent, Micros ended) {
  CustomerContact c;
  c.contact = ContactId{contact};
  c.agent = AgentId{agent};
  c.ended_at = TimeFromMicros(ended);
  return c;
}

constexpr Micros kSecond = 1'000'000;

TEST(CustomerHistoryTest, KeepsTheNewestPerCustomerNewestFirst) {
  CustomerHistoryStore h({2, absl::Hours(1), 100});
  h.Record("alice", Entry(1, 7, 0), 0);
  h.Record("alice", Entry(2, 8, kSecond), kSecond);
  h.Record("alice", Entry(3, 9, 2 * kSecond), 2 * kSecond);
  std::vector<CustomerContact> got = h.Get("alice");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].contact, ContactId{3});
  EXPECT_EQ(got[1].contact, ContactId{2});
  EXPECT_EQ(h.Last("alice"), AgentId{9});
  EXPECT_EQ(h.entries(), 2u);
  EXPECT_TRUE(h.Check(2 * kSecond).ok());
  EXPECT_TRUE(h.Get("bob").empty());
  EXPECT_EQ(h.Last("bob"), std::nullopt);
}

TEST(CustomerHistoryTest, TheGlobalBoundDropsTheOldestRecorded) {
  CustomerHistoryStore h({4, absl::Hours(1), 3});
  h.Record("a", Entry(1, 1, 0), 0);
  h.Record("b", Entry(2, 1, 1), 1);
  h.Record("a", Entry(3, 1, 2), 2);
  h.Record("c", Entry(4, 1, 3), 3);  // drops a's first entry
  EXPECT_EQ(h.entries(), 3u);
  ASSERT_EQ(h.Get("a").size(), 1u);
  EXPECT_EQ(h.Get("a")[0].contact, ContactId{3});
  h.Record("c", Entry(5, 1, 4), 4);  // drops b's only entry, and b
  EXPECT_EQ(h.customers(), 2u);
  EXPECT_TRUE(h.Get("b").empty());
  EXPECT_TRUE(h.Check(4).ok());
}

TEST(CustomerHistoryTest, EntriesExpireAfterTheRetention) {
  CustomerHistoryStore h({4, absl::Seconds(10), 100});
  h.Record("a", Entry(1, 1, 0), 0);
  h.Record("a", Entry(2, 1, 5 * kSecond), 5 * kSecond);
  EXPECT_FALSE(h.empty());
  h.Expire(10 * kSecond - 1);
  EXPECT_EQ(h.entries(), 2u);
  h.Expire(10 * kSecond);  // the first ended exactly 10 s ago: gone
  EXPECT_EQ(h.entries(), 1u);
  h.Expire(15 * kSecond);
  EXPECT_EQ(h.entries(), 0u);
  EXPECT_EQ(h.customers(), 0u);
  EXPECT_TRUE(h.empty());
}

TEST(CustomerHistoryTest, ErasureForgetsTheCustomerAndItsStaleReferences) {
  CustomerHistoryStore h({2, absl::Seconds(100), 5});
  h.Record("a", Entry(1, 7, 0), 0);
  h.Record("b", Entry(2, 8, kSecond), kSecond);
  h.Record("a", Entry(3, 7, 2 * kSecond), 2 * kSecond);
  h.Record("a", Entry(4, 9, 3 * kSecond),
           3 * kSecond);  // contact 1's reference goes stale
  EXPECT_EQ(h.Erase("a"), 2u);
  EXPECT_TRUE(h.Get("a").empty());
  EXPECT_EQ(h.Last("a"), std::nullopt);
  EXPECT_EQ(h.entries(), 1u);
  EXPECT_EQ(h.customers(), 1u);
  EXPECT_TRUE(h.Check(3 * kSecond).ok()) << h.Check(3 * kSecond);
  EXPECT_EQ(h.Erase("a"), 0u);
  EXPECT_EQ(h.Erase("nobody"), 0u);
  // Its references went with it: the global bound now counts only b's, so
  // four more recordings of "a" fit before b's entry is pushed out.
  for (uint64_t i = 0; i < 4; ++i) {
    h.Record("a", Entry(10 + i, 7, 4 * kSecond), 4 * kSecond);
  }
  ASSERT_EQ(h.Get("b").size(), 1u);
  h.Record("a", Entry(20, 7, 4 * kSecond), 4 * kSecond);
  EXPECT_TRUE(h.Get("b").empty());
  // And expiry after an erasure pops no reference to a forgotten record.
  EXPECT_EQ(h.Erase("a"), 2u);
  h.Expire(200 * kSecond);
  EXPECT_EQ(h.entries(), 0u);
  EXPECT_TRUE(h.Check(200 * kSecond).ok()) << h.Check(200 * kSecond);
}

TEST(CustomerHistoryTest, ZeroLimitsKeepNothing) {
  for (CustomerHistoryStore::Limits limits :
       {CustomerHistoryStore::Limits{0, absl::Hours(1), 10},
        CustomerHistoryStore::Limits{4, absl::ZeroDuration(), 10},
        CustomerHistoryStore::Limits{4, absl::Hours(1), 0}}) {
    CustomerHistoryStore h(limits);
    EXPECT_FALSE(h.enabled());
    h.Record("a", Entry(1, 1, 0), 0);
    EXPECT_EQ(h.entries(), 0u);
    EXPECT_TRUE(h.empty());
  }
  CustomerHistoryStore h({4, absl::Hours(1), 10});
  h.Record("", Entry(1, 1, 0), 0);  // no customer id: not recorded
  EXPECT_EQ(h.entries(), 0u);
}

// The model: every recording in order with a live flag. A customer's
// record beyond `per` kills its oldest live entry; the reference list is the
// recordings not yet popped, popped from the front past `max` or once
// expired, killing the entry if it still lives.
TEST(CustomerHistoryTest, RandomRecordsExpiryAndErasureMatchAModel) {
  std::mt19937_64 rng(3);
  const size_t per = 3, max = 25;
  const Micros keep = 40 * kSecond;
  CustomerHistoryStore h({per, absl::Seconds(40), max});
  struct M {
    std::string customer;
    uint64_t contact;
    Micros at;
    bool alive;
  };
  std::deque<M> refs;
  auto pop = [&] {
    refs.pop_front();  // a live front entry is its customer's oldest: it dies
  };
  Micros now = 0;
  for (int step = 0; step < 20000; ++step) {
    const uint64_t action = rng() % 20;
    if (action == 0) {
      // An erasure request: every entry of the customer, stale ones too.
      const std::string customer = "c" + std::to_string(rng() % 12);
      size_t alive = 0;
      for (const M& m : refs) alive += m.alive && m.customer == customer;
      ASSERT_EQ(h.Erase(customer), alive) << "step " << step;
      std::erase_if(refs, [&](const M& m) { return m.customer == customer; });
    } else if (action < 10) {
      now += static_cast<Micros>(rng() % (4 * kSecond));
      h.Expire(now);  // as the engine does at every clock step
      while (!refs.empty() && refs.front().at + keep <= now) pop();
    } else {
      std::string customer = "c" + std::to_string(rng() % 12);
      const uint64_t id = static_cast<uint64_t>(step);
      h.Record(customer, Entry(id, rng() % 50, now), now);
      refs.push_back({customer, id, now, true});
      size_t mine = 0;
      for (const M& m : refs) mine += m.alive && m.customer == customer;
      if (mine > per) {
        for (M& m : refs) {
          if (m.alive && m.customer == customer) {
            m.alive = false;
            break;
          }
        }
      }
      while (refs.size() > max) pop();
    }
    ASSERT_TRUE(h.Check(now).ok()) << h.Check(now) << " step " << step;
    std::map<std::string, std::vector<uint64_t>> expect;  // newest first
    size_t live = 0;
    for (auto it = refs.rbegin(); it != refs.rend(); ++it) {
      if (!it->alive) continue;
      expect[it->customer].push_back(it->contact);
      ++live;
    }
    ASSERT_EQ(h.entries(), live) << "step " << step;
    ASSERT_EQ(h.customers(), expect.size()) << "step " << step;
    for (const auto& [customer, contacts] : expect) {
      std::vector<CustomerContact> got = h.Get(customer);
      ASSERT_EQ(got.size(), contacts.size()) << customer << " step " << step;
      for (size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(got[i].contact.value(), contacts[i]) << customer << " step " << step;
      }
    }
  }
}

}  // namespace
}  // namespace ccengine::internal
