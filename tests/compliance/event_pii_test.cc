// What a C++ subscriber is given carries no personal data: a randomized day
// whose every customer id is a mobile number, resident id or e-mail and whose
// contacts carry a customer's name and e-mail among their attributes, run
// under access control (refusals included, each with its subject) and with
// decision explanations on. Every event's description, every refusal's
// message and every explanation's words are scanned with FindPii and for each
// seeded value as it was written: none is found. The engine's events name
// contacts, agents and queues by number; the Python dicts and the exports,
// which add names, are masked on their own (docs/compliance.md).

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/compliance/access.h"
#include "ccengine/compliance/pii.h"
#include "ccengine/core/engine.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "testing/engine_day.h"

namespace ccengine::compliance {
namespace {

// The customer's values, by the day's customer number n (1..40).
std::string Mobile(int n) { return fmt::format("138{:04}{:04}", n, 5678); }
std::string Email(int n) { return fmt::format("customer{}@example.com", n); }
std::string Name(int n) { return fmt::format("张{}伟", n); }
// An 18-digit resident id with its check digit (ISO 7064 MOD 11-2).
std::string ResidentId(int n) {
  std::string id = fmt::format("11010519{:02}0307{:03}", 80 + n % 20, 100 + n);
  static constexpr int kWeights[17] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                       3, 7, 9,  10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (id[static_cast<size_t>(i)] - '0') * kWeights[i];
  id += "10X98765432"[sum % 11];
  return id;
}
std::string CustomerId(int n) {
  switch (n % 3) {
    case 0: return Mobile(n);
    case 1: return ResidentId(n);
    default: return Email(n);
  }
}

// The day's customer number in "c<n>", the driver's customer ids.
int CustomerNumber(const std::string& id) { return std::stoi(id.substr(1)); }

// Every string a subscriber receives with the event.
std::string Words(const Event& e) {
  std::string out = DescribeEvent(e);
  out += '\n';
  out += std::string(e.status.message());
  if (e.explanation != nullptr) {
    const Explanation& x = *e.explanation;
    out += fmt::format("\n{} {}", x.strategy, x.rule);
    for (const ExplainedCandidate& c : x.candidates) {
      // Scores as a log writes them (a double's 17 digits read like a card).
      out += fmt::format("\n{} {} {:.4g} {}", c.agent.value(), c.contact.value(), c.score,
                         c.verdict);
      for (const ScoreTerm& t : c.terms)
        out += fmt::format(" {}={:.4g}", t.name, t.value);
    }
  }
  return out;
}

TEST(EventPiiTest, NoSubscriberSeesTheCustomersData) {
  std::vector<std::string> seeded;
  for (int n = 1; n <= 40; ++n) {
    for (const std::string& v : {CustomerId(n), Email(n), Name(n)}) seeded.push_back(v);
    // The scan would find them: the test can fail.
    ASSERT_FALSE(FindPii(CustomerId(n)).empty()) << CustomerId(n);
    ASSERT_FALSE(FindPii(Email(n)).empty()) << Email(n);
  }

  std::unique_ptr<Engine> engine = test::NewDayCenter();
  auto policy = AccessPolicy::Create({}, {{"D1", "t1", {QueueId(0), QueueId(1)}},
                                          {"D2", "t1", {QueueId(2), QueueId(3)}}});
  ASSERT_TRUE(policy.ok()) << policy.status();
  AccessControl access(*std::move(policy));
  ActorSpec bridge;
  bridge.id = "bridge";
  bridge.roles = {{"system"}};
  const uint32_t system = access.AddActor(bridge).value();
  ActorSpec lead;
  lead.id = "lead.wang";
  lead.tenant = "t1";
  lead.departments = {"D1"};
  lead.roles = {{"team_lead"}};
  const uint32_t team_lead = access.AddActor(lead).value();
  access.Attach(*engine);

  std::vector<std::string> words;
  size_t failed = 0, explained = 0;
  engine->Subscribe(
      [&](const Event& e) {
        words.push_back(Words(e));
        failed += e.type == EventType::kCommandFailed;
        explained += e.type == EventType::kDecisionExplained;
      },
      kAllEvents | EventBit(EventType::kDecisionExplained));

  test::DayDriver driver(11);
  for (int step = 0; step < 4000; ++step) {
    if (driver.Chance(0.15)) {
      ASSERT_TRUE(
          engine->AdvanceTo(engine->Now() + absl::Seconds(driver.Uniform(0, 20))).ok());
      continue;
    }
    Command command = driver.Pick(*engine);
    if (auto* add = std::get_if<cmd::AddContact>(&command)) {
      const int n = CustomerNumber(add->spec.customer_id);
      add->spec.customer_id = CustomerId(n);
      add->spec.attributes.push_back({"customer.name", Name(n)});
      add->spec.attributes.push_back({"customer.email", Email(n)});
    } else if (auto* erase = std::get_if<cmd::EraseCustomer>(&command)) {
      erase->customer_id = CustomerId(CustomerNumber(erase->customer_id));
    }
    // Most commands come from the bridge; some from a team lead whose role
    // grants little, refused with the command's subject in the message.
    const uint32_t actor = driver.Chance(0.2) ? team_lead : system;
    ASSERT_TRUE(engine->Submit(std::move(command), {.actor = actor}).ok());
    ASSERT_TRUE(engine->Poll(engine->Now()).ok());
  }
  AccessControl::Detach(*engine);

  EXPECT_GT(words.size(), 5000u);
  EXPECT_GT(failed, 200u) << "refusals, with their messages, were scanned";
  EXPECT_GT(explained, 100u) << "explanations were scanned";
  for (const std::string& w : words) {
    EXPECT_TRUE(FindPii(w).empty()) << w;
    for (const std::string& v : seeded) {
      ASSERT_EQ(w.find(v), std::string::npos) << v << " in: " << w;
    }
  }
}

}  // namespace
}  // namespace ccengine::compliance
