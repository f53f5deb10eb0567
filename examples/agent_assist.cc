// Agent assist and self-service answers with ccengine::knowledge: an
// in-memory knowledge base, an engine with one agent, and the assistant that
// suggests articles to the agent the moment a contact is offered.
//
//   build/release/examples/agent_assist

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "ccengine/ccengine.h"

namespace kb = ccengine::knowledge;

int main() {
  std::unique_ptr<kb::KnowledgeStore> store = kb::NewMemoryKnowledgeStore().value();
  const auto add = [&](const char* id, const char* title, const char* body) {
    kb::Article a;
    a.id = id;
    a.title = title;
    a.body = body;
    if (!store->Upsert(a).ok()) std::abort();
  };
  add("passport", "护照办理流程",
      "首次申请护照需要本人到出入境接待大厅，携带身份证，现场采集指纹。");
  add("noise", "夜间施工噪音投诉",
      "晚上十点以后工地仍在施工，可以拨打12345投诉，城管到场处理。");
  add("vpn", "Connecting to the VPN",
      "Install the VPN client, sign in with your company account.");

  // Suggestions arrive on the assistant's own thread.
  std::mutex print;
  auto assistant =
      kb::KnowledgeAssistant::Create(store.get(), [&](const kb::Suggestion& s) {
        std::lock_guard<std::mutex> lock(print);
        std::printf("contact %llu offered to agent %llu: \"%s\"\n",
                    static_cast<unsigned long long>(s.contact.value()),
                    static_cast<unsigned long long>(s.agent.value()), s.query.c_str());
        for (const kb::SearchHit& h : s.hits) {
          std::printf("  %-9s %5.2f  %s  %s\n", h.id.c_str(), h.score, h.title.c_str(),
                      h.snippet.c_str());
        }
      }).value();

  ccengine::EngineOptions options;
  options.start = absl::FromUnixSeconds(1'760'000'000);
  std::unique_ptr<ccengine::Engine> engine = ccengine::Engine::Create(options).value();
  ccengine::QueueConfig queue;
  queue.name = "12345";
  const ccengine::QueueId q = engine->AddQueue(queue).value();
  ccengine::AgentConfig agent;
  agent.id = ccengine::AgentId{7};
  if (!engine->AddAgent(agent).ok() || !engine->Login(agent.id).ok()) return 1;
  engine->Subscribe(assistant->EngineEventCallback(*engine),
                    ccengine::EventBit(ccengine::EventType::kOffered));

  ccengine::ContactSpec contact;
  contact.id = ccengine::ContactId{1};
  contact.queue = q;
  contact.attributes = {{"subject", "楼下工地半夜还在施工，太吵了"}};
  if (!engine->AddContact(contact).ok()) return 1;
  assistant->Flush();

  // Self-service: an answer only when the match is confident.
  for (const char* question : {"第一次办护照要带什么", "周末去哪里吃火锅"}) {
    const kb::AnswerResult r = kb::Answer(*store, question).value();
    std::lock_guard<std::mutex> lock(print);
    if (r.article.has_value()) {
      std::printf("%s -> %s\n", question, r.article->title.c_str());
    } else {
      std::printf("%s -> an agent (%s)\n", question, r.reason.c_str());
    }
  }
  return 0;
}
