// The ticket desk without an engine: the state model, bad input, SLA clocks
// on business hours, dedupe, joint handling, retries against a failing store
// and reopening on a store that outlived the desk.

#include "ccengine/tickets/desk.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ccengine/core/clock.h"
#include "ccengine/tickets/store.h"
#include "gtest/gtest.h"
#include "ticket_test_util.h"

namespace ccengine::tickets {
namespace {

using S = TicketState;
using testing::Forwarding;
using testing::Local;

class DeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::shared_ptr<TicketStore>(NewMemoryTicketStore());
    clock_.Set(Local(2026, 12, 7, 10, 0));  // a Monday, 10:00 at UTC+8
    Reopen();
  }

  void Reopen() {
    TicketDeskOptions options;
    options.clock = &clock_;
    options.retry_backoff = absl::Microseconds(10);
    auto desk = TicketDesk::Open(std::make_unique<Forwarding>(store_), options);
    ASSERT_TRUE(desk.ok()) << desk.status();
    desk_ = *std::move(desk);
    desk_->Subscribe([this](const TicketEvent& e) { events_.push_back(e); });
    TicketCategory noise;
    noise.name = "noise";
    noise.department = "城管";
    noise.priority = 1;
    noise.first_response = absl::Hours(2);
    noise.resolution = absl::Hours(24);
    ASSERT_TRUE(desk_->AddCategory(noise).ok());
    TicketCategory road;
    road.name = "road_damage";
    road.department = "住建";
    road.hours = testing::OfficeHours();
    road.first_response = absl::Hours(4);
    road.resolution = absl::Hours(16);
    ASSERT_TRUE(desk_->AddCategory(road).ok());
  }

  Ticket Make(std::string text, std::string address = "", std::string customer = "",
              std::string category = "noise") {
    CreateRequest r;
    r.category = std::move(category);
    r.text = std::move(text);
    r.address = std::move(address);
    r.customer_id = std::move(customer);
    auto made = desk_->Create(r);
    EXPECT_TRUE(made.ok()) << made.status();
    return made.ok() ? made->ticket : Ticket{};
  }

  std::vector<std::string> Actions(TicketId id) {
    std::vector<std::string> out;
    const std::vector<HistoryEntry> history = desk_->History(id).value();
    for (const HistoryEntry& e : history) out.push_back(e.action);
    return out;
  }

  ManualClock clock_;
  std::shared_ptr<TicketStore> store_;
  std::unique_ptr<TicketDesk> desk_;
  std::vector<TicketEvent> events_;
};

TEST_F(DeskTest, TheWholeLifecycleIsRecorded) {
  Ticket t = Make("楼下烧烤店每晚噪音扰民", "朝阳区建国路88号", "c1");
  EXPECT_EQ(t.state, S::kNew);  // no engine: the dispatcher dispatches
  EXPECT_EQ(desk_->Dispatch(t.id, "dispatcher-1")->state, S::kQueued);
  EXPECT_EQ(desk_->SignFor(t.id, "agent-7")->state, S::kAssigned);
  EXPECT_EQ(desk_->Start(t.id, "agent-7")->state, S::kInProgress);
  EXPECT_EQ(desk_->Pend(t.id, "agent-7", "等待市场监管局回复")->state, S::kPending);
  EXPECT_EQ(desk_->Resume(t.id, "agent-7")->state, S::kQueued);
  EXPECT_EQ(desk_->SignFor(t.id, "agent-7")->state, S::kAssigned);
  EXPECT_EQ(desk_->Resolve(t.id, "agent-7", "已责令烧烤店22点后停止营业")->state,
            S::kResolved);
  Ticket closed = desk_->Close(t.id, "回访员", "市民确认已解决").value();
  EXPECT_EQ(closed.state, S::kClosed);
  EXPECT_EQ(closed.assignee, "agent-7");
  EXPECT_TRUE(closed.first_response.stopped);
  EXPECT_TRUE(closed.resolution.stopped);
  EXPECT_EQ(Actions(t.id),
            (std::vector<std::string>{"create", "dispatch", "sign_for", "start", "pend",
                                      "resume", "sign_for", "resolve", "close"}));
  const std::vector<HistoryEntry> h = desk_->History(t.id).value();
  EXPECT_EQ(h[4].reason, "等待市场监管局回复");
  EXPECT_EQ(h[4].from, S::kInProgress);
  EXPECT_EQ(h[4].to, S::kPending);
  EXPECT_EQ(h[8].actor, "回访员");
  // Reopened (重办): back in the queue, the resolution clock started again.
  Ticket again = desk_->Reopen(t.id, "回访员", "市民反映仍有噪音").value();
  EXPECT_EQ(again.state, S::kQueued);
  EXPECT_EQ(again.reopen_count, 1);
  EXPECT_FALSE(again.resolution.stopped);
  EXPECT_EQ(again.queued_since, t.queued_since);
  EXPECT_EQ(desk_->Counters().at("城管").reopened, 1);
  EXPECT_EQ(desk_->Counters().at("城管").resolved, 1);
}

TEST_F(DeskTest, ATransitionTheStateDoesNotAllowChangesNothing) {
  Ticket t = Make("路灯不亮", "", "", "road_damage");
  const Ticket before = desk_->Get(t.id).value();
  const size_t history = desk_->History(t.id)->size();
  absl::StatusOr<Ticket> r = desk_->Resolve(t.id, "agent-1", "修好了");
  ASSERT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(std::string(r.status().message()),
            "ticket 1 is new; resolve needs assigned or in_progress");
  EXPECT_EQ(desk_->Close(t.id, "x", "").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(desk_->Start(t.id, "x").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(desk_->Resume(t.id, "x").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(desk_->Reopen(t.id, "x", "y").status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(desk_->Cancel(t.id, "dispatcher", "市民撤诉").ok());
  for (auto op :
       {+[](TicketDesk&d, TicketId id) { return d.Dispatch(id, "x").status(); },
        +[](TicketDesk&d, TicketId id) { return d.Cancel(id, "x", "y").status(); },
        +[](TicketDesk&d, TicketId id) { return d.Escalate(id, "x", "y").status(); },
        +[](TicketDesk&d, TicketId id) { return d.Merge(id, 1, "x", "").status(); }}) {
    EXPECT_EQ(op(*desk_, t.id).code(), absl::StatusCode::kFailedPrecondition);
  }
  EXPECT_EQ(desk_->History(t.id)->size(), history + 1);
  EXPECT_EQ(desk_->Get(t.id)->version, before.version + 1);
  EXPECT_EQ(desk_->Get(42).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(desk_->Start(42, "x").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(DeskTest, BadInputIsRefusedWithNothingWritten) {
  CreateRequest r;
  r.category = "unknown";
  r.text = "text";
  absl::StatusOr<CreateResult> made = desk_->Create(r);
  EXPECT_EQ(made.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(made.status().message()), "unknown ticket category \"unknown\"");
  r.category = "noise";
  r.text = std::string(kMaxTicketTextBytes + 1, 'x');
  EXPECT_EQ(desk_->Create(r).status().code(), absl::StatusCode::kInvalidArgument);
  r.text = "噪音\xe5\x99";  // truncated UTF-8
  made = desk_->Create(r);
  EXPECT_EQ(made.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(made.status().message()).find("invalid UTF-8"),
            std::string::npos);
  EXPECT_TRUE(desk_->Query(TicketQuery{})->empty());
  EXPECT_TRUE(events_.empty());

  Ticket t = Make("噪音");
  ASSERT_TRUE(desk_->Dispatch(t.id, "d").ok());
  EXPECT_EQ(desk_->Return(t.id, "agent", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(desk_->SignFor(t.id, "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(desk_->RequestExtension(t.id, "a", absl::ZeroDuration(), "r").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(desk_->Merge(t.id, t.id, "a", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(desk_->Merge(t.id, 99, "a", "").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(desk_->Dispatch(t.id, "d", "nope").status().code(),
            absl::StatusCode::kFailedPrecondition);  // queued: the state is checked first
  EXPECT_EQ(desk_->History(t.id)->size(), 2u);

  TicketCategory bad;
  bad.name = "x";
  EXPECT_EQ(desk_->AddCategory(bad).code(),
            absl::StatusCode::kInvalidArgument);  // department
  bad.department = "d";
  bad.warn_share = 0;
  EXPECT_EQ(desk_->AddCategory(bad).code(), absl::StatusCode::kInvalidArgument);
  bad.warn_share = 0.8;
  bad.resolution = absl::Hours(-1);
  EXPECT_EQ(desk_->AddCategory(bad).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(desk_->Categories().size(), 2u);
}

TEST_F(DeskTest, ClocksRunOnBusinessHoursWarnPauseAndBreach) {
  // Friday 16:00 local; office hours Mon–Fri 09:00–12:00, 13:00–18:00.
  clock_.Set(Local(2026, 12, 11, 16, 0));
  Ticket t = Make("人行道塌陷一个大坑", "", "", "road_damage");
  // First response 4 business hours: 2 h on Friday, then 09:00–11:00 Monday.
  EXPECT_EQ(*t.first_response.due, Local(2026, 12, 14, 11, 0));
  // Warning at 80% = 3 h 12 min: Friday 2 h, Monday 1 h 12 min.
  EXPECT_EQ(*t.first_response.warn_at, Local(2026, 12, 14, 10, 12));
  // Resolution 16 business hours: Fri 2 + Mon 8 + Tue 6 -> Tue 16:00.
  EXPECT_EQ(*t.resolution.due, Local(2026, 12, 15, 16, 0));
  EXPECT_EQ(t.next_check, Local(2026, 12, 14, 10, 12));

  clock_.Set(Local(2026, 12, 14, 10, 30));
  ASSERT_TRUE(desk_->Tick().ok());
  Ticket warned = desk_->Get(t.id).value();
  EXPECT_TRUE(warned.first_response.warned);
  EXPECT_FALSE(warned.first_response.breached);
  EXPECT_EQ(warned.priority, t.priority + 1);
  ASSERT_FALSE(events_.empty());
  EXPECT_EQ(events_.back().type, TicketEventType::kSlaWarning);
  EXPECT_EQ(events_.back().detail, "first_response");
  ASSERT_TRUE(desk_->Tick().ok());  // nothing more is due: no second warning
  EXPECT_EQ(desk_->History(t.id)->size(), 2u);

  clock_.Set(Local(2026, 12, 14, 11, 0));
  ASSERT_TRUE(desk_->Tick().ok());
  Ticket breached = desk_->Get(t.id).value();
  EXPECT_TRUE(breached.first_response.breached);
  EXPECT_EQ(breached.escalation_level, 1);
  EXPECT_EQ(events_.back().type, TicketEventType::kSlaBreached);
  EXPECT_EQ(desk_->Counters().at("住建").first_response_breaches, 1);

  // Signed for at 11:30, in progress; pending from Monday 14:00 to Wednesday
  // 09:00 leaves the resolution clock with what it had at 14:00.
  clock_.Set(Local(2026, 12, 14, 11, 30));
  ASSERT_TRUE(desk_->Dispatch(t.id, "dispatcher").ok());
  ASSERT_TRUE(desk_->SignFor(t.id, "agent-3").ok());
  ASSERT_TRUE(desk_->Start(t.id, "agent-3").ok());
  clock_.Set(Local(2026, 12, 14, 14, 0));
  Ticket pending = desk_->Pend(t.id, "agent-3", "等待燃气公司勘察").value();
  // Due Tue 16:00; from Mon 14:00 that is Mon 4 h + Tue 09–12, 13–16 = 10 h.
  EXPECT_EQ(pending.resolution.remaining, absl::Hours(10));
  EXPECT_FALSE(pending.resolution.due.has_value());
  EXPECT_EQ(pending.next_check, absl::InfiniteFuture());
  clock_.Set(Local(2026, 12, 16, 9, 0));
  ASSERT_TRUE(desk_->Tick().ok());
  EXPECT_FALSE(desk_->Get(t.id)->resolution.breached);
  Ticket resumed = desk_->Resume(t.id, "agent-3").value();
  // 10 business hours from Wednesday 09:00: Wed 8 h, Thu 09:00–11:00.
  EXPECT_EQ(*resumed.resolution.due, Local(2026, 12, 17, 11, 0));
  // 80% of 16 h = 12 h 48 min spent; the warning comes 3 h 12 min before due.
  EXPECT_EQ(*resumed.resolution.warn_at, Local(2026, 12, 16, 16, 48));

  // 延期: one more business day, approved by a supervisor.
  ASSERT_TRUE(
      desk_->RequestExtension(t.id, "agent-3", absl::Hours(8), "需要协调三个部门").ok());
  EXPECT_EQ(
      desk_->RequestExtension(t.id, "agent-3", absl::Hours(8), "again").status().code(),
      absl::StatusCode::kFailedPrecondition);
  Ticket extended = desk_->DecideExtension(t.id, "supervisor-1", true, "同意").value();
  EXPECT_EQ(*extended.resolution.due, Local(2026, 12, 18, 11, 0));
  EXPECT_FALSE(extended.extension_requested.has_value());

  ASSERT_TRUE(desk_->SignFor(t.id, "agent-3").ok());
  clock_.Set(Local(2026, 12, 18, 10, 0));
  ASSERT_TRUE(desk_->Resolve(t.id, "agent-3", "已修复").ok());
  EXPECT_EQ(desk_->Counters().at("住建").resolved_within_sla, 1);
}

TEST_F(DeskTest, AnOpenDuplicateIsLinkedNotDispatched) {
  Ticket first = Make("建国路88号楼下烧烤店每晚噪音扰民，凌晨两点还在营业",
                      "朝阳区建国路88号", "c1");
  CreateRequest again;
  again.category = "noise";
  again.text = "又是建国路88号那家烧烤店，半夜噪音扰民，吵得睡不着";
  again.address = "建国路88号";
  again.customer_id = "c1";
  CreateResult dup = desk_->Create(again).value();
  EXPECT_EQ(dup.duplicate_of, first.id);
  EXPECT_EQ(dup.ticket.state, S::kMerged);
  EXPECT_EQ(dup.ticket.duplicate_of, first.id);
  EXPECT_EQ(events_.back().type, TicketEventType::kDuplicateLinked);
  EXPECT_EQ(desk_->Counters().at("城管").duplicates, 1);

  // Another building (86 vs 88) is another problem, and is filed.
  again.address = "建国路86号";
  again.text = "建国路86号楼下烧烤店每晚噪音扰民，凌晨两点还在营业";
  again.customer_id = "c2";
  EXPECT_EQ(desk_->Create(again)->duplicate_of, 0);
  // Once the first ticket is closed, a new report is a new ticket.
  ASSERT_TRUE(desk_->Cancel(first.id, "d", "已处理").ok());
  again.address = "朝阳区建国路88号";
  again.text = "建国路88号楼下烧烤店每晚噪音扰民，凌晨两点还在营业";
  again.customer_id = "c1";
  EXPECT_EQ(desk_->Create(again)->duplicate_of, 0);
  // Dedupe can be declined by the caller.
  again.dedupe = false;
  EXPECT_EQ(desk_->Create(again)->duplicate_of, 0);
}

TEST_F(DeskTest, AMasterResolvesWhenItsLastChildDoes) {
  Ticket master = Make("小区门口道路塌陷，燃气管道可能受损", "", "", "road_damage");
  CreateRequest child;
  child.category = "road_damage";
  child.text = "道路修复";
  Ticket roads = desk_->AddChild(master.id, child).value();
  child.category = "noise";
  child.text = "夜间施工噪音管控";
  Ticket noise = desk_->AddChild(master.id, child).value();
  EXPECT_EQ(roads.parent, master.id);
  EXPECT_EQ(desk_->Get(master.id)->state, S::kInProgress);
  EXPECT_TRUE(desk_->Get(master.id)->is_master);
  EXPECT_EQ(desk_->AddChild(roads.id, child).status().code(),
            absl::StatusCode::kFailedPrecondition);

  for (const Ticket& c : {roads, noise}) {
    ASSERT_TRUE(desk_->Dispatch(c.id, "d").ok());
    ASSERT_TRUE(desk_->SignFor(c.id, "agent-" + c.department).ok());
  }
  ASSERT_TRUE(desk_->Resolve(roads.id, "agent-住建", "已修复").ok());
  EXPECT_EQ(desk_->Get(master.id)->state, S::kInProgress);
  ASSERT_TRUE(desk_->Resolve(noise.id, "agent-城管", "已告知施工方").ok());
  Ticket done = desk_->Get(master.id).value();
  EXPECT_EQ(done.state, S::kResolved);
  EXPECT_EQ(desk_->History(master.id)->back().reason, "all 2 children done");
}

TEST_F(DeskTest, AChildThatCannotBeFiledLeavesItsMasterAlone) {
  Ticket master = Make("小区门口道路塌陷", "", "", "road_damage");
  CreateRequest child;
  child.category = "road_damage";
  child.text = "坏\xff";
  EXPECT_EQ(desk_->AddChild(master.id, child).status().code(),
            absl::StatusCode::kInvalidArgument);
  child.category = "nope";
  child.text = "ok";
  EXPECT_EQ(desk_->AddChild(master.id, child).status().code(),
            absl::StatusCode::kInvalidArgument);
  const Ticket after = desk_->Get(master.id).value();
  EXPECT_EQ(after.version, 1);
  EXPECT_EQ(after.state, S::kNew);
  EXPECT_FALSE(after.is_master);
}

TEST_F(DeskTest, AJointJobEndsWhenNoChildIsLeftOpen) {
  Ticket master = Make("小区门口道路塌陷，燃气管道可能受损", "", "", "road_damage");
  CreateRequest child;
  child.category = "road_damage";
  child.text = "道路修复";
  Ticket roads = desk_->AddChild(master.id, child).value();
  child.text = "燃气检修";
  Ticket gas = desk_->AddChild(master.id, child).value();
  // The master is being worked: its first response was given, no 督办 for it.
  EXPECT_TRUE(desk_->Get(master.id)->first_response.stopped);
  ASSERT_TRUE(desk_->Dispatch(roads.id, "d").ok());
  ASSERT_TRUE(desk_->SignFor(roads.id, "agent-1").ok());
  ASSERT_TRUE(desk_->Resolve(roads.id, "agent-1", "已修复").ok());
  EXPECT_EQ(desk_->Get(master.id)->state, S::kInProgress);
  // The other part turns out not to be needed: cancelling it ends the job.
  Ticket cancelled = desk_->Cancel(gas.id, "d", "燃气公司确认无泄漏").value();
  EXPECT_TRUE(cancelled.first_response.stopped && cancelled.resolution.stopped);
  EXPECT_FALSE(cancelled.resolution.breached);
  EXPECT_EQ(desk_->Get(master.id)->state, S::kResolved);

  // A master whose every child was cancelled stays with its dispatcher.
  Ticket other = Make("另一处塌陷", "", "", "road_damage");
  Ticket only = desk_->AddChild(other.id, child).value();
  ASSERT_TRUE(desk_->Cancel(only.id, "d", "重复").ok());
  EXPECT_EQ(desk_->Get(other.id)->state, S::kInProgress);
}

TEST_F(DeskTest, AFailingStoreIsRetriedThenReportedWithNothingChanged) {
  Ticket t = Make("噪音");
  auto flaky = std::make_unique<testing::Flaky>(store_);
  testing::Flaky* f = flaky.get();
  TicketDeskOptions options;
  options.clock = &clock_;
  options.retry_backoff = absl::Microseconds(10);
  auto desk = TicketDesk::Open(std::move(flaky), options).value();
  TicketCategory noise;
  noise.name = "noise";
  noise.department = "城管";
  ASSERT_TRUE(desk->AddCategory(noise).ok());

  f->fail_next = 2;  // two Unavailable, then it works
  EXPECT_EQ(desk->Dispatch(t.id, "d")->state, S::kQueued);
  f->fail_next = 100;
  absl::StatusOr<Ticket> r = desk->SignFor(t.id, "agent");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  f->fail_next = 0;
  EXPECT_EQ(desk->Get(t.id)->state, S::kQueued);
  EXPECT_EQ(desk->History(t.id)->size(), 2u);
  // A writer elsewhere wins the version race once: the desk reads again.
  f->conflict_next = 1;
  EXPECT_EQ(desk->SignFor(t.id, "agent")->state, S::kAssigned);
}

TEST_F(DeskTest, ReopeningFindsTheOpenTicketsAgain) {
  Ticket open = Make("建国路88号楼下烧烤店每晚噪音扰民", "朝阳区建国路88号", "c1");
  Ticket closed = Make("路面塌陷", "", "", "road_damage");
  ASSERT_TRUE(desk_->Cancel(closed.id, "d", "重复").ok());
  const DepartmentCounters before = desk_->Counters().at("城管");
  EXPECT_EQ(before.created, 1);
  Reopen();
  EXPECT_EQ(desk_->OpenTickets(), 1u);
  CreateRequest again;
  again.category = "noise";
  again.text = "建国路88号烧烤店噪音扰民又来了";
  again.address = "建国路88号";
  again.customer_id = "c1";
  EXPECT_EQ(desk_->Create(again)->duplicate_of, open.id);
}

TEST_F(DeskTest, AnErasureRequestWaitsForOpenTicketsThenErasesTheCustomer) {
  Ticket closed = Make("王芳反映楼下烧烤店噪音, 电话13912345678", "和平里7号", "c-wang");
  ASSERT_TRUE(desk_->Dispatch(closed.id, "dispatcher-1").ok());
  ASSERT_TRUE(desk_->SignFor(closed.id, "agent-7").ok());
  ASSERT_TRUE(desk_->Resolve(closed.id, "agent-7", "已联系王芳, 烧烤店已整改").ok());
  ASSERT_TRUE(desk_->Close(closed.id, "回访员", "王芳确认").ok());
  Ticket open = Make("王芳反映小区路面塌陷", "和平里7号", "c-wang", "road_damage");
  Ticket other = Make("李雷反映噪音", "建国路1号", "c-li", "road_damage");

  // The open ticket holds the request back; nothing changes.
  absl::StatusOr<std::vector<TicketId>> erased =
      desk_->EraseCustomer("c-wang", "dpo-1", "删除请求 2026-0042");
  EXPECT_EQ(erased.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(erased.status().message().find(std::to_string(open.id)), std::string::npos)
      << erased.status();
  EXPECT_FALSE(desk_->Get(closed.id)->anonymized);

  ASSERT_TRUE(desk_->Cancel(open.id, "dispatcher-1", "市民撤回").ok());
  erased = desk_->EraseCustomer("c-wang", "dpo-1", "删除请求 2026-0042");
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(*erased, (std::vector<TicketId>{closed.id, open.id}));
  for (TicketId id : *erased) {
    const Ticket t = desk_->Get(id).value();
    EXPECT_TRUE(t.anonymized);
    EXPECT_EQ(t.text, "");
    EXPECT_EQ(t.customer_id, "");
    EXPECT_EQ(t.address, "");
    const std::vector<HistoryEntry> h = desk_->History(id).value();
    for (size_t i = 0; i + 1 < h.size(); ++i) EXPECT_EQ(h[i].reason, "") << i;
    EXPECT_EQ(h.back().action, "erase");
    EXPECT_EQ(h.back().actor, "dpo-1");
    EXPECT_EQ(h.back().reason, "删除请求 2026-0042");
    EXPECT_EQ(h.back().at, clock_.Now());
  }
  EXPECT_FALSE(desk_->Get(other.id)->anonymized);
  // An erased ticket is not reopened: its content is gone.
  EXPECT_EQ(desk_->Reopen(closed.id, "回访员", "王芳再次来电").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(desk_->EraseCustomer("c-wang", "dpo-1", "删除请求 2026-0042")->empty());

  EXPECT_EQ(desk_->EraseCustomer("c-li", "dpo-1", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(desk_->EraseCustomer("", "dpo-1", "删除请求 7").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(desk_->EraseCustomer("c-li", "", "删除请求 7").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(DeskTest, RetentionExpiresFinishedTicketsByTheirLastUpdate) {
  Ticket early = Make("噪音扰民", "建国路1号", "c1");
  ASSERT_TRUE(desk_->Cancel(early.id, "dispatcher-1", "重复来电").ok());
  clock_.Advance(absl::Hours(24 * 10));
  Ticket late = Make("噪音扰民又来了", "建国路2号", "c2");
  ASSERT_TRUE(desk_->Cancel(late.id, "dispatcher-1", "重复来电").ok());
  Ticket still_open = Make("路面塌陷", "建国路3号", "c3", "road_damage");
  clock_.Advance(absl::Hours(24 * 5));

  // Kept a week: only the ticket cancelled fifteen days ago goes.
  absl::StatusOr<size_t> expired =
      desk_->ExpireFinished(absl::Hours(24 * 7), "retention");
  ASSERT_TRUE(expired.ok()) << expired.status();
  EXPECT_EQ(*expired, 1u);
  EXPECT_TRUE(desk_->Get(early.id)->anonymized);
  EXPECT_EQ(desk_->History(early.id)->back().action, "expire");
  EXPECT_FALSE(desk_->Get(late.id)->anonymized);
  EXPECT_FALSE(desk_->Get(still_open.id)->anonymized);
  EXPECT_EQ(*desk_->ExpireFinished(absl::Hours(24 * 7), "retention"), 0u);
  // A day: the other finished one too (at most one per call here), never the
  // open one.
  EXPECT_EQ(desk_->ExpireFinished(absl::Hours(24), "retention", 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*desk_->ExpireFinished(absl::Hours(24), "retention", 1), 1u);
  EXPECT_EQ(*desk_->ExpireFinished(absl::Hours(24), "retention", 1), 0u);
  EXPECT_FALSE(desk_->Get(still_open.id)->anonymized);

  for (absl::Duration bad :
       {absl::ZeroDuration(), -absl::Hours(1), absl::InfiniteDuration()}) {
    EXPECT_EQ(desk_->ExpireFinished(bad, "retention").status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace ccengine::tickets
