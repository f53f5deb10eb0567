// Tests of ccengine/kamailio/evapi.h: netstring framing and message
// validation, without Kamailio.
#include "ccengine/kamailio/evapi.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/clock.h"

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace ccengine::kamailio {
namespace {

TEST(NetstringTest, EncodesLengthPayloadComma) {
  EXPECT_EQ(EncodeNetstring("hello"), "5:hello,");
  EXPECT_EQ(EncodeNetstring(""), "0:,");
}

TEST(NetstringTest, DecodesFramesSplitAtEveryByte) {
  std::string stream =
      EncodeNetstring("{\"a\":1}") + EncodeNetstring("") + EncodeNetstring("x,y:z");
  NetstringDecoder d;
  std::vector<std::string> frames;
  for (char c : stream) {
    ASSERT_TRUE(d.Feed(std::string_view(&c, 1), &frames).ok());
  }
  EXPECT_EQ(frames, (std::vector<std::string>{"{\"a\":1}", "", "x,y:z"}));
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(NetstringTest, TruncatedFrameWaitsForMoreBytes) {
  NetstringDecoder d;
  std::vector<std::string> frames;
  ASSERT_TRUE(d.Feed("10:abc", &frames).ok());
  EXPECT_TRUE(frames.empty());
  EXPECT_EQ(d.buffered(), 6u);
  ASSERT_TRUE(d.Feed("defghij,", &frames).ok());
  EXPECT_EQ(frames, (std::vector<std::string>{"abcdefghij"}));
}

TEST(NetstringTest, BadFramesAreRejectedWithAReasonAndDiscarded) {
  struct Case {
    std::string bytes, reason;
  };
  for (const Case& c : std::vector<Case>{
           {"x5:hello,", "not a decimal"},
           {"5:hello;", "not followed by ','"},
           {":hello,", "empty length"},
           {"9999999999:", "too many digits"},
           {"70000:", "over the"},
       }) {
    NetstringDecoder d;
    std::vector<std::string> frames;
    absl::Status st = d.Feed(c.bytes, &frames);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << c.bytes;
    EXPECT_NE(std::string(st.message()).find(c.reason), std::string::npos)
        << c.bytes << ": " << st;
    EXPECT_TRUE(frames.empty());
    EXPECT_EQ(d.buffered(), 0u);
    // The decoder carries on with the next well-formed frame.
    ASSERT_TRUE(d.Feed("2:ok,", &frames).ok());
    EXPECT_EQ(frames, (std::vector<std::string>{"ok"}));
  }
}

TEST(NetstringTest, FramesBeforeAnErrorAreKept) {
  NetstringDecoder d;
  std::vector<std::string> frames;
  EXPECT_FALSE(d.Feed("1:a,1:bX", &frames).ok());
  EXPECT_EQ(frames, (std::vector<std::string>{"a"}));
}

TEST(EvapiMessageTest, ParsesEveryEvent) {
  auto invite =
      ParseEvent(R"({"event":"invite","callid":"c1","tindex":"12","tlabel":345,)"
                 R"("queue":"sales","from_tag":"ft"})");
  ASSERT_TRUE(invite.ok()) << invite.status();
  EXPECT_EQ(invite->kind, EvapiEvent::Kind::kInvite);
  EXPECT_EQ(invite->call_id, "c1");
  EXPECT_EQ(invite->tindex, 12);
  EXPECT_EQ(invite->tlabel, 345);
  EXPECT_EQ(invite->queue, "sales");
  EXPECT_EQ(invite->from_tag, "ft");

  auto failed = ParseEvent(
      R"({"event":"failed","callid":"c1","code":"486","tindex":1,"tlabel":2})");
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ(failed->code, 486);

  EXPECT_TRUE(ParseEvent(R"({"event":"answered","callid":"c1"})").ok());
  EXPECT_TRUE(ParseEvent(R"({"event":"cancel","callid":"c1"})").ok());
  EXPECT_TRUE(ParseEvent(R"({"event":"bye","callid":"c1","from_tag":"x"})").ok());

  // Kamailio's wait limit passed: it answered the caller itself.
  auto expired = ParseEvent(R"({"event":"expired","callid":"c1"})");
  ASSERT_TRUE(expired.ok()) << expired.status();
  EXPECT_EQ(expired->kind, EvapiEvent::Kind::kExpired);
  EXPECT_EQ(expired->call_id, "c1");
}

TEST(EvapiMessageTest, RejectsBadMessagesWithAReason) {
  struct Case {
    std::string json, reason;
  };
  for (const Case& c : std::vector<Case>{
           {"", "not valid JSON"},
           {R"({"event":"invite","callid":"c1")", "not valid JSON"},
           {"[1,2]", "not a JSON object"},
           {R"({"callid":"c1"})", "'event' missing"},
           {R"({"event":7,"callid":"c1"})", "'event' not a string"},
           {R"({"event":"answered"})", "'callid' missing"},
           {R"({"event":"answered","callid":""})", "'callid' empty"},
           {R"({"event":"expired"})", "'callid' missing"},
           {R"({"event":"expired","callid":7})", "'callid' not a string"},
           {R"({"event":"expired","callid":"c","callid":"d"})", "field 'callid' twice"},
           {R"({"event":"dance","callid":"c1"})", "unknown event"},
           {R"({"event":"invite","callid":"c","tindex":1,"tlabel":2})",
            "'queue' missing"},
           {R"({"event":"invite","callid":"c","tindex":-1,"tlabel":2,)"
            R"("queue":"q","from_tag":""})",
            "out of range"},
           {R"({"event":"invite","callid":"c","tindex":"1x","tlabel":2,)"
            R"("queue":"q","from_tag":""})",
            "not an integer"},
           {R"({"event":"failed","callid":"c","code":200,"tindex":1,)"
            R"("tlabel":2})",
            "out of range"},
           {R"({"event":"failed","callid":"c","code":1.5,"tindex":1,)"
            R"("tlabel":2})",
            "not an integer"},
           // A Call-ID pasted raw into a JSON literal could append a second
           // "event": a field named twice is refused, at any depth.
           {R"({"event":"invite","callid":"x","event":"bye","tindex":1,"tlabel":2,)"
            R"("queue":"q","from_tag":""})",
            "field 'event' twice"},
           {R"({"event":"bye","callid":"c","from_tag":"a","from_tag":"b"})",
            "field 'from_tag' twice"},
           {R"({"event":"bye","callid":"c","from_tag":"a","x":{"k":1,"k":2}})",
            "field 'k' twice"},
       }) {
    auto e = ParseEvent(c.json);
    ASSERT_FALSE(e.ok()) << c.json;
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(e.status().message()).find(c.reason), std::string::npos)
        << c.json << ": " << e.status();
  }
}

TEST(EvapiMessageTest, FactsHeaderPairs) {
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(ParseFactsHeader("ivr.choice=9; customer.tier = gold ;note=;").value(),
            (Pairs{{"ivr.choice", "9"}, {"customer.tier", "gold"}, {"note", ""}}));
  EXPECT_EQ(ParseFactsHeader("").value(), Pairs{});
  EXPECT_EQ(ParseFactsHeader("text=语音 导航").value(), (Pairs{{"text", "语音 导航"}}));
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"ivr.choice", "X-CC-Facts: 'ivr.choice' is not name=value"},
      {"=9", "X-CC-Facts: '' is not a name"},
      {"a b=9", "X-CC-Facts: 'a b' is not a name"},
      {"a=1;a=2", "X-CC-Facts: 'a' twice"},
      {"a=x\x01y", "X-CC-Facts: the value of 'a' holds a control character"},
  };
  for (const auto& [header, message] : refused) {
    auto parsed = ParseFactsHeader(header);
    ASSERT_FALSE(parsed.ok()) << header;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(parsed.status().message()).substr(0, message.size()), message)
        << parsed.status();
  }
  std::string many;
  for (size_t i = 0; i <= kMaxFacts; ++i) many += "f" + std::to_string(i) + "=1;";
  EXPECT_FALSE(ParseFactsHeader(many).ok());
  EXPECT_FALSE(ParseFactsHeader(std::string(kMaxFactsBytes + 1, ' ')).ok());
}

TEST(EvapiMessageTest, AnInviteCarriesItsFactsInBase64) {
  const std::string invite =
      R"({"event":"invite","callid":"c1","tindex":1,"tlabel":2,"queue":"hotline",)"
      R"("from_tag":"t",)";
  // base64 of "ivr.choice=9; tier=gold"
  auto e = ParseEvent(invite + R"("facts":"aXZyLmNob2ljZT05OyB0aWVyPWdvbGQ="})").value();
  EXPECT_EQ(e.facts.size(), 2u);
  EXPECT_EQ(e.facts[0].first, "ivr.choice");
  EXPECT_EQ(e.facts[0].second, "9");
  EXPECT_TRUE(e.facts_error.empty());
  // No header, or an empty one: no facts.
  EXPECT_TRUE(ParseEvent(invite + R"("facts":""})").value().facts.empty());
  EXPECT_TRUE(
      ParseEvent(invite.substr(0, invite.size() - 1) + "}").value().facts.empty());
  // A field that is not base64, or a header that does not parse: the
  // invite still stands, without facts, saying why.
  auto bad64 = ParseEvent(invite + R"("facts":"*not base64*"})").value();
  EXPECT_TRUE(bad64.facts.empty());
  EXPECT_EQ(bad64.facts_error, "X-CC-Facts: the \"facts\" field is not base64");
  auto bad = ParseEvent(invite + R"("facts":"bm9wZQ=="})").value();  // "nope"
  EXPECT_TRUE(bad.facts.empty());
  EXPECT_EQ(bad.facts_error, "X-CC-Facts: 'nope' is not name=value");
  for (const char* not_text : {"7", "null", "[]"}) {
    auto odd = ParseEvent(invite + R"("facts":)" + not_text + "}").value();
    EXPECT_TRUE(odd.facts.empty());
    EXPECT_EQ(odd.facts_error, "X-CC-Facts: the \"facts\" field is not a string");
  }
  // The same key in two objects is not a repeat.
  EXPECT_TRUE(
      ParseEvent(R"({"event":"bye","callid":"c","from_tag":"a","x":{"event":1}})").ok());
}

TEST(EvapiMessageTest, RepliesAreRtjsonDocuments) {
  auto route = nlohmann::json::parse(RouteReply(3, 4, "sip:a@127.0.0.1:5080"));
  EXPECT_EQ(route["tindex"], 3);
  EXPECT_EQ(route["tlabel"], 4);
  EXPECT_EQ(route["action"], "route");
  EXPECT_EQ(route["version"], "1.0");
  EXPECT_EQ(route["routing"], "serial");
  EXPECT_EQ(route["routes"][0]["uri"], "sip:a@127.0.0.1:5080");
  auto reject = nlohmann::json::parse(RejectReply(3, 4, 480, "No Agent"));
  EXPECT_EQ(reject["action"], "reply");
  EXPECT_EQ(reject["code"], 480);
  EXPECT_EQ(reject["reason"], "No Agent");
}

TEST(EvapiClientTest, RefusesNonLoopbackHosts) {
  EXPECT_FALSE(EvapiClient::Create({.host = "10.0.0.1"}, {}).ok());
  EXPECT_FALSE(EvapiClient::Create({.host = "localhost"}, {}).ok());
  EXPECT_TRUE(EvapiClient::Create({.host = "127.0.0.1"}, {}).ok());
}

TEST(EvapiClientTest, SendWithoutConnectionFails) {
  auto c = EvapiClient::Create({.host = "127.0.0.1", .port = 1}, {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->Send("{}").code(), absl::StatusCode::kFailedPrecondition);
}

// A loopback server plays Kamailio: the client gets good frames, reports a
// bad one, sends framed replies, and reconnects after the server hangs up.
TEST(EvapiClientTest, ReceivesRejectsAndReconnects) {
  int srv = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(srv, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(srv, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
  ASSERT_EQ(::listen(srv, 4), 0);
  socklen_t len = sizeof(sa);
  ::getsockname(srv, reinterpret_cast<sockaddr*>(&sa), &len);

  std::mutex mu;
  std::vector<std::string> messages, errors;
  std::atomic<int> connects{0}, disconnects{0};
  EvapiCallbacks cb;
  cb.on_connected = [&] { ++connects; };
  cb.on_disconnected = [&] { ++disconnects; };
  cb.on_message = [&](std::string m) {
    std::lock_guard<std::mutex> l(mu);
    messages.push_back(std::move(m));
  };
  cb.on_error = [&](std::string e) {
    std::lock_guard<std::mutex> l(mu);
    errors.push_back(std::move(e));
  };
  auto client = EvapiClient::Create({.host = "127.0.0.1",
                                     .port = ntohs(sa.sin_port),
                                     .min_backoff = absl::Milliseconds(10)},
                                    cb);
  ASSERT_TRUE(client.ok());
  (*client)->Start();
  auto wait_for = [&](auto pred) {
    for (int i = 0; i < 300 && !pred(); ++i) absl::SleepFor(absl::Milliseconds(10));
    return pred();
  };
  int conn = ::accept(srv, nullptr, nullptr);
  ASSERT_GE(conn, 0);
  ASSERT_TRUE(wait_for([&] { return (*client)->connected(); }));
  std::string wire = "2:{},x:oops,3:[1],";
  ASSERT_EQ(::send(conn, wire.data(), wire.size(), 0), static_cast<ssize_t>(wire.size()));
  ASSERT_TRUE(wait_for([&] {
    std::lock_guard<std::mutex> l(mu);
    return !errors.empty();
  }));
  ASSERT_TRUE((*client)->Send("{\"a\":1}").ok());
  char buf[64] = {};
  ssize_t n = ::recv(conn, buf, sizeof(buf), 0);
  EXPECT_EQ(std::string(buf, n > 0 ? n : 0), "7:{\"a\":1},");
  ::close(conn);  // Kamailio goes away …
  ASSERT_TRUE(wait_for([&] { return disconnects.load() == 1; }));
  conn = ::accept(srv, nullptr, nullptr);  // … and comes back
  ASSERT_GE(conn, 0);
  ASSERT_TRUE(wait_for([&] { return connects.load() == 2; }));
  (*client)->Stop();
  ::close(conn);
  ::close(srv);
  std::lock_guard<std::mutex> l(mu);
  EXPECT_EQ(messages, (std::vector<std::string>{"{}"}));
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].find("not a decimal"), std::string::npos) << errors[0];
}

}  // namespace
}  // namespace ccengine::kamailio
