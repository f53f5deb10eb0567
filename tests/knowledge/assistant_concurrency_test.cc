// Agent assist (ccengine/knowledge/assistant.h): suggestions for offers from a
// real engine, off the router thread; a full queue drops and counts; feedback
// re-ranks; many producers and feedback writers at once (TSan: label
// concurrency).

#include "ccengine/knowledge/assistant.h"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "ccengine/knowledge/store.h"
#include "gtest/gtest.h"

namespace ccengine::knowledge {
namespace {

std::unique_ptr<KnowledgeStore> Hotline() {
  std::unique_ptr<KnowledgeStore> store = *NewMemoryKnowledgeStore();
  const auto put = [&](const char* id, const char* title, const char* body) {
    Article a;
    a.id = id;
    a.title = title;
    a.body = body;
    EXPECT_TRUE(store->Upsert(a).ok());
  };
  put("passport", "护照办理流程", "首次申请护照需要本人到出入境接待大厅，携带身份证。");
  put("outpatient", "医保门诊报销",
      "门诊费用在定点医院直接结算，个人支付部分按比例报销。");
  put("inpatient", "医保住院报销",
      "住院费用在定点医院直接结算，个人支付部分按比例报销。");
  put("noise", "夜间施工噪音投诉", "晚上十点以后施工，可以拨打12345投诉。");
  return store;
}

// Collects suggestions from the assistant's thread.
struct Inbox {
  std::mutex mu;
  std::vector<Suggestion> got;
  std::thread::id thread;
  void operator()(const Suggestion& s) {
    std::lock_guard<std::mutex> lock(mu);
    got.push_back(s);
    thread = std::this_thread::get_id();
  }
};

TEST(AssistantTest, SuggestsForEngineOffersOffTheRouterThread) {
  std::unique_ptr<KnowledgeStore> store = Hotline();
  Inbox inbox;
  auto assistant =
      KnowledgeAssistant::Create(store.get(), [&](const Suggestion& s) { inbox(s); });
  ASSERT_TRUE(assistant.ok()) << assistant.status();

  EngineOptions options;
  options.start = absl::FromUnixSeconds(1'760'000'000);
  std::unique_ptr<Engine> engine = Engine::Create(options).value();
  QueueConfig q;
  q.name = "出入境";
  const QueueId queue = engine->AddQueue(q).value();
  AgentConfig agent;
  agent.id = AgentId{7};
  ASSERT_TRUE(engine->AddAgent(agent).ok());
  ASSERT_TRUE(engine->Login(AgentId{7}).ok());
  engine->Subscribe((*assistant)->EngineEventCallback(*engine),
                    EventBit(EventType::kOffered));

  ContactSpec contact;
  contact.id = ContactId{42};
  contact.queue = queue;
  contact.attributes = {{"ivr_choice", "出入境证件"},
                        {"subject", "第一次办护照要带什么"}};
  ASSERT_TRUE(engine->AddContact(contact).ok());
  ASSERT_TRUE(engine->Poll(options.start + absl::Seconds(1)).ok());
  (*assistant)->Flush();

  std::lock_guard<std::mutex> lock(inbox.mu);
  ASSERT_EQ(inbox.got.size(), 1u);
  const Suggestion& s = inbox.got[0];
  EXPECT_EQ(s.contact, ContactId{42});
  EXPECT_EQ(s.agent, AgentId{7});
  EXPECT_EQ(s.queue, queue);
  EXPECT_EQ(s.query, "第一次办护照要带什么 出入境证件");  // text_attributes order
  ASSERT_FALSE(s.hits.empty());
  EXPECT_EQ(s.hits[0].id, "passport");
  EXPECT_LE(s.hits.size(), 3u);
  EXPECT_NE(inbox.thread, std::this_thread::get_id());
  EXPECT_EQ((*assistant)->stats().delivered, 1u);
}

TEST(AssistantTest, AFullQueueDropsAndCounts) {
  std::unique_ptr<KnowledgeStore> store = Hotline();
  std::mutex gate_mu;
  std::condition_variable gate_cv;
  bool open = false;
  AssistantOptions options;
  options.queue_capacity = 2;
  auto assistant = KnowledgeAssistant::Create(
      store.get(),
      [&](const Suggestion&) {
        std::unique_lock<std::mutex> lock(gate_mu);
        gate_cv.wait(lock, [&] { return open; });
      },
      options);
  ASSERT_TRUE(assistant.ok());
  int refused = 0;
  for (int i = 0; i < 10; ++i) {
    const absl::Status s = (*assistant)
                               ->Submit(ContactId{static_cast<uint64_t>(i)}, AgentId{1},
                                        QueueId{}, "护照", {}, absl::Now());
    if (!s.ok()) {
      EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
      ++refused;
    }
  }
  EXPECT_GE(refused, 7);  // one in service, two queued
  EXPECT_TRUE((*assistant)
                  ->Submit(ContactId{99}, AgentId{1}, QueueId{}, "  ", {}, absl::Now())
                  .ok());
  {
    std::lock_guard<std::mutex> lock(gate_mu);
    open = true;
  }
  gate_cv.notify_all();
  (*assistant)->Flush();
  const KnowledgeAssistant::Stats st = (*assistant)->stats();
  EXPECT_EQ(st.offers, 11u);
  EXPECT_EQ(st.no_text, 1u);
  EXPECT_EQ(st.dropped, static_cast<uint64_t>(refused));
  EXPECT_EQ(st.delivered + st.dropped + st.no_text, st.offers);
}

TEST(AssistantTest, FeedbackLiftsArticlesThatResolveContacts) {
  std::unique_ptr<KnowledgeStore> store = Hotline();
  Inbox inbox;
  AssistantOptions options;
  options.k = 2;
  options.min_votes = 3;
  options.max_lift = 0.5;
  auto assistant = KnowledgeAssistant::Create(
      store.get(), [&](const Suggestion& s) { inbox(s); }, options);
  ASSERT_TRUE(assistant.ok());
  const auto ask = [&] {
    EXPECT_TRUE(
        (*assistant)
            ->Submit(ContactId{1}, AgentId{1}, QueueId{}, "医保报销", {}, absl::Now())
            .ok());
    (*assistant)->Flush();
    std::lock_guard<std::mutex> lock(inbox.mu);
    return inbox.got.back().hits;
  };
  std::vector<SearchHit> before = ask();
  ASSERT_EQ(before.size(), 2u);
  const std::string first = before[0].id;
  const std::string second = before[1].id;
  for (int i = 0; i < 2; ++i) {  // below min_votes: no effect yet
    ASSERT_TRUE(
        (*assistant)
            ->RecordFeedback({second, "c", "a", FeedbackKind::kHelpful, absl::Now()})
            .ok());
  }
  EXPECT_EQ(ask()[0].id, first);
  ASSERT_TRUE(
      (*assistant)
          ->RecordFeedback({second, "c", "a", FeedbackKind::kHelpful, absl::Now()})
          .ok());
  ASSERT_TRUE(
      (*assistant)
          ->RecordFeedback({first, "c", "a", FeedbackKind::kNotHelpful, absl::Now()})
          .ok());
  std::vector<SearchHit> after = ask();
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].id, second);
  EXPECT_EQ(FeedbackLift({second, 0, 3, 0}, 3, 0.5), 1.5);
  EXPECT_EQ(FeedbackLift({second, 0, 1, 3}, 3, 0.5), 0.75);
  EXPECT_EQ(FeedbackLift({second, 9, 1, 1}, 3, 0.5), 1.0);
}

TEST(AssistantTest, ManyProducersAndFeedbackAtOnce) {
  std::unique_ptr<KnowledgeStore> store = Hotline();
  std::atomic<int> delivered{0};
  AssistantOptions options;
  options.queue_capacity = 64;
  auto assistant = KnowledgeAssistant::Create(
      store.get(), [&](const Suggestion&) { delivered.fetch_add(1); }, options);
  ASSERT_TRUE(assistant.ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        (void)(*assistant)
            ->Submit(ContactId{static_cast<uint64_t>(t * 1000 + i)}, AgentId{1},
                     QueueId{}, i % 2 ? "医保报销" : "护照", {}, absl::Now());
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 200; ++i) {
      ASSERT_TRUE(
          (*assistant)
              ->RecordFeedback({"passport", "c", "a", FeedbackKind::kUsed, absl::Now()})
              .ok());
    }
  });
  for (std::thread& t : threads) t.join();
  (*assistant)->Flush();
  const KnowledgeAssistant::Stats st = (*assistant)->stats();
  EXPECT_EQ(st.offers, 800u);
  EXPECT_EQ(st.delivered + st.dropped, 800u);
  EXPECT_EQ(static_cast<uint64_t>(delivered.load()), st.delivered);
  EXPECT_EQ(st.failed, 0u);
  EXPECT_EQ(store->Tallies({"passport"})->front().used, 200);
}

TEST(AssistantTest, BadOptionsAreRefused) {
  std::unique_ptr<KnowledgeStore> store = Hotline();
  const auto noop = [](const Suggestion&) {};
  EXPECT_FALSE(KnowledgeAssistant::Create(nullptr, noop).ok());
  EXPECT_FALSE(KnowledgeAssistant::Create(store.get(), nullptr).ok());
  AssistantOptions bad;
  bad.k = 0;
  EXPECT_EQ(KnowledgeAssistant::Create(store.get(), noop, bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad = AssistantOptions{};
  bad.max_lift = 2;
  EXPECT_FALSE(KnowledgeAssistant::Create(store.get(), noop, bad).ok());
  bad = AssistantOptions{};
  bad.text_attributes.clear();
  EXPECT_FALSE(KnowledgeAssistant::Create(store.get(), noop, bad).ok());
}

}  // namespace
}  // namespace ccengine::knowledge
