// Ticket events in the audit trail: a ticket's life from intake to closing
// becomes entries the chain verifies, each with the actor, the actor's roles
// from the access control, the states before and after and the reason (its
// personal data masked); SLA warnings are left out; an append that fails is
// counted and kept without undoing the desk's change.
#include "ccengine/audit/ticket_audit.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "audit_test_util.h"
#include "ccengine/audit/keys.h"
#include "ccengine/core/clock.h"
#include "ccengine/tickets/store.h"
#include "gtest/gtest.h"
#include "sqlite/temp_dir.h"

namespace ccengine::audit {
namespace {

using tickets::TicketDesk;
using tickets::TicketEvent;
using tickets::TicketEventType;

// A desk in memory on `clock` with one category, "noise" (城管): ten hours
// to resolve, warned at half.
std::unique_ptr<TicketDesk> NoiseDesk(const ManualClock& clock) {
  tickets::TicketDeskOptions options;
  options.clock = &clock;
  std::unique_ptr<TicketDesk> desk =
      TicketDesk::Open(tickets::NewMemoryTicketStore(), options).value();
  tickets::TicketCategory noise;
  noise.name = "noise";
  noise.department = "城管";
  noise.resolution = absl::Hours(10);
  noise.warn_share = 0.5;
  EXPECT_TRUE(desk->AddCategory(noise).ok());
  return desk;
}

TEST(TicketAuditTest, ATicketsLifeBecomesVerifiedEntriesWithRolesAndMaskedReasons) {
  sqlite::TempDir dir;
  const std::string path = dir.File("audit.log");
  absl::StatusOr<SigningKey> key = SigningKey::Generate();
  ASSERT_TRUE(key.ok()) << key.status();
  const VerifyKey verify = key->verify_key();
  absl::StatusOr<std::unique_ptr<AuditLog>> log = testing::OpenTestLog(path, *key);
  ASSERT_TRUE(log.ok()) << log.status();

  compliance::AccessControl access(compliance::AccessPolicy::BuiltIn());
  compliance::ActorSpec boss;
  boss.id = "wang.li";
  boss.roles = {{"supervisor"}, {"auditor", absl::FromUnixSeconds(3600)}};
  ASSERT_TRUE(access.AddActor(boss).ok());

  ManualClock clock(absl::FromUnixSeconds(0));
  std::unique_ptr<TicketDesk> desk = NoiseDesk(clock);
  TicketAuditTrail trail(**log, &access);
  desk->Subscribe(trail.Callback());

  tickets::CreateRequest request;
  request.category = "noise";
  request.text = "楼下烧烤店噪音扰民";
  request.actor = "hotline";
  const tickets::TicketId id = desk->Create(request).value().ticket.id;
  ASSERT_TRUE(desk->Dispatch(id, "wang.li").ok());
  ASSERT_TRUE(desk->SignFor(id, "7").ok());
  clock.Set(
      absl::FromUnixSeconds(6 * 3600));  // past the warning share, and the auditor role
  ASSERT_TRUE(desk->Tick().ok());
  ASSERT_TRUE(desk->Escalate(id, "wang.li", "市民第三次来电").ok());
  ASSERT_TRUE(desk->Cancel(id, "wang.li", "市民撤回, 回电13912345678").ok());
  EXPECT_TRUE(trail.status().ok()) << trail.status();
  ASSERT_TRUE((*log)->Close().ok());

  absl::StatusOr<std::vector<AuditRecord>> verified =
      testing::VerifiedRecords(path, verify);
  ASSERT_TRUE(verified.ok()) << verified.status();
  const std::vector<AuditRecord>& records = *verified;
  std::vector<std::string> lines;
  for (const AuditRecord& r : records) {
    const AuditEvent& e = r.event;
    lines.push_back(absl::StrJoin(
        {e.actor, e.role, e.action, e.subject, e.before, e.after, e.reason}, "|"));
  }
  const std::string subject = absl::StrCat("ticket ", id, " (noise, 城管)");
  const std::vector<std::string> want = {
      "hotline|none|ticket.created|" + subject + "||new|",
      "wang.li|supervisor,auditor|ticket.state_changed|" + subject +
          "|new|queued|dispatched to 城管",
      "7|none|ticket.state_changed|" + subject + "|queued|assigned|signed for by hand",
      "wang.li|supervisor|ticket.escalated|" + subject + "|||市民第三次来电",
      "wang.li|supervisor|ticket.state_changed|" + subject +
          "|assigned|cancelled|市民撤回, 回电139****5678",
  };
  EXPECT_EQ(lines, want);
}

TEST(TicketAuditTest, EveryKindOfEventHasItsEntry) {
  TicketEvent e;
  e.ticket = 9;
  e.master = 4;
  e.category = "noise";
  e.department = "城管";
  e.actor = "sla";
  e.from = tickets::TicketState::kQueued;
  e.to = tickets::TicketState::kQueued;
  e.type = TicketEventType::kDuplicateLinked;
  e.detail = "similarity 0.91";
  AuditEvent a = TicketAuditEvent(e, "none");
  EXPECT_EQ(a.action, "ticket.duplicate_linked");
  EXPECT_EQ(a.subject, "ticket 9 (noise, 城管), duplicate of ticket 4");
  EXPECT_EQ(a.reason, "similarity 0.91");
  EXPECT_EQ(a.before, "");
  EXPECT_EQ(a.after, "");
  e.type = TicketEventType::kSlaBreached;
  e.detail = "resolution";
  a = TicketAuditEvent(e, "none");
  EXPECT_EQ(a.action, "ticket.sla_breached");
  EXPECT_EQ(a.subject, "ticket 9 (noise, 城管)");
  EXPECT_EQ(a.reason, "resolution");
  e.type = TicketEventType::kExtensionDecided;
  e.detail = "approved";
  EXPECT_EQ(TicketAuditEvent(e, "supervisor").action, "ticket.extension_decided");
}

TEST(TicketAuditTest, AFailedAppendIsCountedAndKeptAndTheDeskGoesOn) {
  sqlite::TempDir dir;
  const std::string path = dir.File("audit.log");
  absl::StatusOr<SigningKey> key = SigningKey::Generate();
  ASSERT_TRUE(key.ok()) << key.status();
  absl::StatusOr<std::unique_ptr<AuditLog>> log = testing::OpenTestLog(path, *key);
  ASSERT_TRUE(log.ok()) << log.status();
  ManualClock clock(absl::FromUnixSeconds(0));
  std::unique_ptr<TicketDesk> desk = NoiseDesk(clock);
  TicketAuditTrail trail(**log);  // no access control: role "none"
  desk->Subscribe(trail.Callback());
  tickets::CreateRequest request;
  request.category = "noise";
  request.text = "路灯不亮";
  const tickets::TicketId id = desk->Create(request).value().ticket.id;
  EXPECT_EQ(trail.failures(), 0);
  ASSERT_TRUE((*log)->Close().ok());
  ASSERT_TRUE(desk->Dispatch(id, "dispatcher").ok());
  ASSERT_TRUE(desk->Cancel(id, "dispatcher", "重复").ok());
  EXPECT_EQ(trail.failures(), 2);
  EXPECT_FALSE(trail.status().ok());
  EXPECT_EQ(desk->Get(id)->state, tickets::TicketState::kCancelled);
}

}  // namespace
}  // namespace ccengine::audit
