// Nothing acknowledged is lost: a child process runs a ticket desk on an
// SQLite file (synchronous FULL) under load — creating, dispatching, signing
// for, resolving, returning tickets as fast as it can — and reports every
// operation the desk acknowledged through a pipe; the parent kills it with
// SIGKILL at a random moment. After each kill the file must hold every
// acknowledged ticket with at least the acknowledged history, gapless and
// consistent with the ticket's state; and a desk opened again with a fresh
// engine must dispatch each queued ticket exactly once, with its original age.
// Then the next child carries on on the same file.

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "ccengine/sqlite/ticket_store.h"
#include "ccengine/tickets/desk.h"
#include "gtest/gtest.h"

namespace ccengine::tickets {
namespace {

TicketCategory Noise(std::optional<QueueId> queue) {
  TicketCategory c;
  c.name = "noise";
  c.department = "城管";
  c.queue = queue;
  c.first_response = absl::Hours(2);
  c.resolution = absl::Hours(72);
  return c;
}

std::unique_ptr<TicketStore> OpenStore(const std::string& path) {
  sqlite::SqliteTicketStoreOptions o;
  o.path = path;
  o.sync = sqlite::SqliteTicketStoreOptions::Sync::kFull;
  auto store = sqlite::OpenSqliteTicketStore(o);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", std::string(store.status().message()).c_str());
    return nullptr;
  }
  return *std::move(store);
}

// The child: works the desk until killed; writes "id version\n" to `fd` after
// every acknowledged operation (a write of a few bytes to a pipe is atomic).
[[noreturn]] void Child(const std::string& path, int fd, uint64_t seed) {
  std::unique_ptr<TicketStore> store = OpenStore(path);
  if (store == nullptr) _exit(3);
  auto desk = TicketDesk::Open(std::move(store), {});
  if (!desk.ok() || !(*desk)->AddCategory(Noise(std::nullopt)).ok()) _exit(4);
  std::mt19937_64 rng(seed);
  std::vector<TicketId> ids;
  auto ack = [&](const Ticket& t) {
    char line[64];
    const int n =
        std::snprintf(line, sizeof(line), "%lld %lld\n", static_cast<long long>(t.id),
                      static_cast<long long>(t.version));
    if (write(fd, line, static_cast<size_t>(n)) != n) _exit(5);
  };
  for (;;) {
    const int op = static_cast<int>(rng() % 6);
    if (op == 0 || ids.empty()) {
      CreateRequest r;
      r.category = "noise";
      r.text = "楼下烧烤店噪音扰民 " + std::to_string(rng() % 100000);
      r.address = "建国路" + std::to_string(rng() % 1000) + "号";
      r.received_at = absl::Now() - absl::Minutes(static_cast<int64_t>(rng() % 600));
      r.dedupe = false;
      auto made = (*desk)->Create(r);
      if (!made.ok()) _exit(6);
      ids.push_back(made->ticket.id);
      ack(made->ticket);
      continue;
    }
    const TicketId id = ids[rng() % ids.size()];
    absl::StatusOr<Ticket> r = absl::UnknownError("");
    switch (op) {
      case 1: r = (*desk)->Dispatch(id, "dispatcher"); break;
      case 2: r = (*desk)->SignFor(id, "agent-" + std::to_string(rng() % 5)); break;
      case 3: r = (*desk)->Resolve(id, "agent", "已处理"); break;
      case 4: r = (*desk)->Return(id, "agent", "不属于本部门"); break;
      default: r = (*desk)->Escalate(id, "supervisor", "督办"); break;
    }
    if (r.ok()) ack(*r);
  }
}

TEST(DeskCrashTest, AcknowledgedTicketsSurviveKillNineAndQueuedOnesAreDispatchedOnce) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("ccengine-crash-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "tickets.db").string();
  std::mt19937_64 rng(20261204);
  std::map<TicketId, int64_t> acked;  // the highest version acknowledged
  size_t acks = 0;
  for (int round = 0; round < 6; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      Child(path, fds[1], rng());
    }
    close(fds[1]);
    // Let it run 50–400 ms, reading its acknowledgements, then kill it.
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(50 + rng() % 350);
    std::string pending;
    bool killed = false;
    for (;;) {
      if (!killed && std::chrono::steady_clock::now() >= deadline) {
        ASSERT_EQ(kill(pid, SIGKILL), 0);
        killed = true;
      }
      char buf[4096];
      const ssize_t n = read(fds[0], buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // the child is gone and the pipe drained
      pending.append(buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        long long id = 0, version = 0;
        ASSERT_EQ(std::sscanf(pending.c_str(), "%lld %lld", &id, &version), 2);
        acked[id] = std::max<int64_t>(acked[id], version);
        ++acks;
        pending.erase(0, nl + 1);
      }
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the child stopped by itself: status " << status;

    // Every acknowledged ticket is there, at least as far as acknowledged.
    std::unique_ptr<TicketStore> store = OpenStore(path);
    ASSERT_NE(store, nullptr);
    for (const auto& [id, version] : acked) {
      absl::StatusOr<Ticket> t = store->Get(id);
      ASSERT_TRUE(t.ok()) << "ticket " << id << ": " << t.status();
      EXPECT_GE(t->version, version) << "ticket " << id;
      absl::StatusOr<std::vector<HistoryEntry>> h = store->History(id);
      ASSERT_TRUE(h.ok());
      ASSERT_EQ(static_cast<int64_t>(h->size()), t->version) << "ticket " << id;
      for (size_t i = 0; i < h->size(); ++i)
        EXPECT_EQ((*h)[i].seq, static_cast<int64_t>(i + 1));
      EXPECT_EQ(h->back().to, t->state) << "ticket " << id;
    }

    // A desk opened again with a fresh engine dispatches each queued ticket
    // once, with its age; a second Tick sends nothing more.
    TicketQuery queued;
    queued.states = {TicketState::kQueued};
    queued.limit = 100000;
    const std::vector<Ticket> waiting = store->Query(queued).value();
    EngineOptions engine_options;
    engine_options.start = absl::Now();  // the tickets' ages are wall-clock times
    auto engine = Engine::Create(engine_options).value();
    QueueConfig q;
    q.name = "城管";
    const QueueId queue = engine->AddQueue(q).value();
    std::map<uint64_t, int> queued_events;
    engine->Subscribe(
        [&](const Event& e) {
          if (e.type == EventType::kContactQueued) ++queued_events[e.contact.value()];
        },
        EventBit(EventType::kContactQueued));
    TicketDeskOptions options;
    options.engine = engine.get();
    auto desk = TicketDesk::Open(std::move(store), options).value();
    ASSERT_TRUE(desk->AddCategory(Noise(queue)).ok());
    ASSERT_TRUE(desk->Tick().ok());
    ASSERT_TRUE(engine->Poll(engine->Now()).ok());
    ASSERT_TRUE(desk->Tick().ok());
    ASSERT_TRUE(engine->Poll(engine->Now()).ok());
    std::printf("round %d: %zu operations acknowledged so far, %zu tickets, %zu queued\n",
                round, acks, acked.size(), waiting.size());
    EXPECT_EQ(queued_events.size(), waiting.size());
    for (const Ticket& t : waiting) {
      const ContactId contact{options.contact_id_base + static_cast<uint64_t>(t.id)};
      EXPECT_EQ(queued_events[contact.value()], 1) << "ticket " << t.id;
      absl::StatusOr<ContactSnapshot> c = engine->GetContact(contact);
      ASSERT_TRUE(c.ok()) << "ticket " << t.id << ": " << c.status();
      EXPECT_EQ(c->arrived_at, t.queued_since) << "ticket " << t.id;
    }
  }
  EXPECT_GT(acks, 100u) << "the children did too little work to test anything";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ccengine::tickets
