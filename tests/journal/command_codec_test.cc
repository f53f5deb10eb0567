#include "ccengine/journal/command_codec.h"

#include <cstdint>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ccengine::journal {
namespace {

using ::testing::HasSubstr;

AgentConfig FullAgent() {
  AgentConfig a;
  a.id = AgentId{std::numeric_limits<uint64_t>::max()};
  a.name = std::string("王芳\0x", 8);
  a.skills = {{SkillId{3}, 10}, {SkillId{70000}, 1}};
  a.capacity.max_per_channel = {1, 2, 3, 4, 5, 6, 255};
  a.capacity.load_per_contact = {0, 1, 127, 128, 16384, 65535, 7};
  a.capacity.load_budget = 300;
  a.capacity.exclusive = {false, true, false, true, false, true, true};
  a.weight = -0.0;
  a.auto_accept = true;
  return a;
}

ContactSpec FullContact() {
  ContactSpec s;
  s.id = ContactId{42};
  s.queue = QueueId{std::numeric_limits<uint32_t>::max()};
  s.channel = Channel::kTicket;
  s.priority = -7;
  s.skills = {{SkillId{0}, 5}};
  s.customer_id = "13800138000";
  s.attributes = {{"intent", "个税"}, {"", ""}, {"tier", "vip"}};
  s.arrived_at = absl::FromUnixNanos(-1'234'567'891);
  s.preferred_agents = {AgentId{1}, AgentId{1u << 31}};
  s.prefer_last_agent = true;
  s.preferred_wait = absl::Nanoseconds(90'000'000'001);
  s.fallbacks = {
      {absl::Seconds(30), QueueId{1}, 2, {{SkillId{4}, 7}}},
      {absl::Nanoseconds(1), QueueId{std::numeric_limits<uint32_t>::max()}, -3, {}}};
  return s;
}

// One of each command, every field away from its default.
std::vector<Command> EveryCommand() {
  return {cmd::AddAgent{FullAgent()},
          cmd::RemoveAgent{AgentId{9}},
          cmd::Login{AgentId{9}, false, -1},
          cmd::Logout{AgentId{9}},
          cmd::SetReady{AgentId{9}},
          cmd::SetNotReady{AgentId{9}, std::numeric_limits<int32_t>::min()},
          cmd::AddContact{FullContact()},
          cmd::AcceptOffer{AgentId{9}, ContactId{10}},
          cmd::RejectOffer{AgentId{9}, ContactId{10}},
          cmd::CompleteContact{AgentId{9}, ContactId{10}, {4, false}},
          cmd::EndWrapUp{AgentId{9}},
          cmd::Abandon{ContactId{10}},
          cmd::RequestCallback{ContactId{10}},
          cmd::Transfer{ContactId{10}, QueueId{2}, false},
          cmd::Withdraw{ContactId{10}},
          cmd::SetPriority{ContactId{10}, std::numeric_limits<int>::max()},
          cmd::ForceAgentState{AgentId{9}, AgentState::kLoggedOut, 77},
          cmd::EraseCustomer{"13800138000"}};
}

TEST(CommandCodecTest, EveryCommandRoundTripsExactly) {
  const std::vector<Command> commands = EveryCommand();
  ASSERT_EQ(commands.size(), std::variant_size_v<Command>);
  for (size_t i = 0; i < commands.size(); ++i) {
    ASSERT_EQ(commands[i].index(), i);
    absl::StatusOr<std::string> bytes = EncodeCommand(commands[i]);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    EXPECT_EQ((*bytes)[0], kCommandCodecVersion);
    EXPECT_EQ(static_cast<size_t>((*bytes)[1]), i + 1);
    absl::StatusOr<Command> back = DecodeCommand(*bytes);
    ASSERT_TRUE(back.ok()) << CommandName(commands[i]) << ": " << back.status();
    EXPECT_EQ(back->index(), i);
    absl::StatusOr<std::string> again = EncodeCommand(*back);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *bytes) << CommandName(commands[i]);
  }
}

TEST(CommandCodecTest, TheFieldsComeBack) {
  absl::StatusOr<Command> agent =
      DecodeCommand(*EncodeCommand(cmd::AddAgent{FullAgent()}));
  ASSERT_TRUE(agent.ok());
  const AgentConfig& a = std::get<cmd::AddAgent>(*agent).config;
  const AgentConfig want = FullAgent();
  EXPECT_EQ(a.id, want.id);
  EXPECT_EQ(a.name, want.name);
  EXPECT_EQ(a.skills, want.skills);
  EXPECT_EQ(a.capacity.max_per_channel, want.capacity.max_per_channel);
  EXPECT_EQ(a.capacity.load_per_contact, want.capacity.load_per_contact);
  EXPECT_EQ(a.capacity.load_budget, want.capacity.load_budget);
  EXPECT_EQ(a.capacity.exclusive, want.capacity.exclusive);
  EXPECT_TRUE(std::signbit(a.weight)) << "a double's bits come back";
  EXPECT_TRUE(a.auto_accept);

  absl::StatusOr<Command> contact =
      DecodeCommand(*EncodeCommand(cmd::AddContact{FullContact()}));
  ASSERT_TRUE(contact.ok());
  const ContactSpec& s = std::get<cmd::AddContact>(*contact).spec;
  const ContactSpec want_s = FullContact();
  EXPECT_EQ(s.id, want_s.id);
  EXPECT_EQ(s.queue, want_s.queue);
  EXPECT_EQ(s.channel, want_s.channel);
  EXPECT_EQ(s.priority, want_s.priority);
  EXPECT_EQ(s.skills, want_s.skills);
  EXPECT_EQ(s.customer_id, want_s.customer_id);
  EXPECT_EQ(s.attributes, want_s.attributes);
  EXPECT_EQ(s.arrived_at, want_s.arrived_at);
  EXPECT_EQ(s.preferred_agents, want_s.preferred_agents);
  EXPECT_EQ(s.prefer_last_agent, want_s.prefer_last_agent);
  EXPECT_EQ(s.preferred_wait, want_s.preferred_wait);
  ASSERT_EQ(s.fallbacks.size(), want_s.fallbacks.size());
  for (size_t i = 0; i < s.fallbacks.size(); ++i) {
    EXPECT_EQ(s.fallbacks[i].after, want_s.fallbacks[i].after);
    EXPECT_EQ(s.fallbacks[i].queue, want_s.fallbacks[i].queue);
    EXPECT_EQ(s.fallbacks[i].priority, want_s.fallbacks[i].priority);
    EXPECT_EQ(s.fallbacks[i].skills, want_s.fallbacks[i].skills);
  }

  absl::StatusOr<Command> done = DecodeCommand(*EncodeCommand(
      cmd::CompleteContact{AgentId{1}, ContactId{2}, {std::nullopt, true}}));
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(std::get<cmd::CompleteContact>(*done).outcome.csat, std::nullopt);
  EXPECT_EQ(std::get<cmd::CompleteContact>(*done).outcome.resolved, true);
}

TEST(CommandCodecTest, AnAddContactOfVersionTwoIsReadWithoutFallbacks) {
  // Version 2 wrote the same fields up to the fallback list, which came in
  // version 3 as the last one.
  ContactSpec s = FullContact();
  s.fallbacks.clear();
  std::string bytes = *EncodeCommand(cmd::AddContact{s});
  ASSERT_EQ(bytes.back(), '\0');  // the empty list's count
  bytes.pop_back();
  bytes[0] = 2;
  absl::StatusOr<Command> back = DecodeCommand(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  const ContactSpec& got = std::get<cmd::AddContact>(*back).spec;
  EXPECT_EQ(got.id, s.id);
  EXPECT_EQ(got.preferred_wait, s.preferred_wait);
  EXPECT_TRUE(got.fallbacks.empty());
  EXPECT_EQ(*EncodeCommand(*back), *EncodeCommand(cmd::AddContact{s}));
}

TEST(CommandCodecTest, WhatCannotComeBackExactlyIsRefused) {
  ContactSpec s = FullContact();
  s.arrived_at = absl::InfiniteFuture();
  EXPECT_EQ(EncodeCommand(cmd::AddContact{s}).status().code(),
            absl::StatusCode::kInvalidArgument);
  s = FullContact();
  s.preferred_wait = absl::Nanoseconds(1) / 4;
  absl::StatusOr<std::string> bytes = EncodeCommand(cmd::AddContact{s});
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bytes.status().message(), HasSubstr("AddContact cannot be journaled"));
}

TEST(CommandCodecTest, TheOriginAndTheOfferComeBack) {
  std::string bytes;
  ASSERT_TRUE(EncodeCommandTo(cmd::AcceptOffer{AgentId{3}, ContactId{4}, 1234567},
                              CommandOrigin{77, 9000000000}, &bytes)
                  .ok());
  absl::StatusOr<JournaledCommand> back = DecodeJournaledCommand(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->origin, (CommandOrigin{77, 9000000000}));
  EXPECT_EQ(std::get<cmd::AcceptOffer>(back->command).offer, 1234567u);
  ASSERT_TRUE(
      EncodeCommandTo(cmd::RejectOffer{AgentId{3}, ContactId{4}, 5}, &bytes).ok());
  back = DecodeJournaledCommand(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->origin, CommandOrigin{});
  EXPECT_EQ(std::get<cmd::RejectOffer>(back->command).offer, 5u);
}

TEST(CommandCodecTest, VersionOneRecordsStillDecode) {
  // Version 1 had no origin and no offer ids: AcceptOffer{agent 3, contact 4}.
  absl::StatusOr<JournaledCommand> v1 = DecodeJournaledCommand("\x01\x08\x03\x04");
  ASSERT_TRUE(v1.ok()) << v1.status();
  EXPECT_EQ(v1->origin, CommandOrigin{});
  const auto& accept = std::get<cmd::AcceptOffer>(v1->command);
  EXPECT_EQ(accept.agent, AgentId{3});
  EXPECT_EQ(accept.contact, ContactId{4});
  EXPECT_EQ(accept.offer, 0u);
}

void ExpectInvalid(const std::string& bytes, const std::string& what) {
  absl::StatusOr<Command> c = DecodeCommand(bytes);
  ASSERT_FALSE(c.ok()) << what;
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << c.status();
  EXPECT_THAT(c.status().message(), HasSubstr(what));
}

TEST(CommandCodecTest, BadBytesAreRefusedWithTheOffset) {
  for (const Command& c : EveryCommand()) {
    const std::string bytes = *EncodeCommand(c);
    for (size_t n = 0; n < bytes.size(); ++n) {
      EXPECT_FALSE(DecodeCommand(bytes.substr(0, n)).ok())
          << CommandName(c) << " cut at " << n;
    }
    EXPECT_FALSE(DecodeCommand(bytes + "x").ok());
  }
  const std::string logout = *EncodeCommand(cmd::Logout{AgentId{5}});
  ExpectInvalid(logout + "x", "byte offset 5: bytes after the command");
  EXPECT_EQ(DecodeCommand("\x04\x04\x00\x00\x05").status().code(),
            absl::StatusCode::kFailedPrecondition);
  // The rest are version-1 bytes (no origin), which are still read.
  ExpectInvalid(std::string("\x01\x00", 2), "command tag 0");
  ExpectInvalid("\x01\x13", "command tag 19");
  ExpectInvalid(std::string("\x01\x04\x85\x00", 4), "not minimal");
  ExpectInvalid("\x01\x04\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f",
                "longer than 64 bits");
  ExpectInvalid(std::string("\x01\x03\x05\x02\x00", 5),
                "neither 0 nor 1");  // Login.ready
  ExpectInvalid(std::string("\x01\x11\x05\x06\x00", 5),
                "enumeration value 6 of 6");  // ForceAgentState
  // Transfer to a queue id beyond 32 bits.
  ExpectInvalid("\x01\x0e\x05\x80\x80\x80\x80\x10\x01", "out of range");
  // A list longer than the bytes left: AddAgent with 2^40 skills.
  ExpectInvalid(std::string("\x01\x01\x05\x00\x80\x80\x80\x80\x80\x20", 10),
                "a list of 1099511627776 items");
}

}  // namespace
}  // namespace ccengine::journal
