// The kill -9 harness: the router runs in a child process, journaling every
// command (fsync=always) and writing a checkpoint now and then; the test is
// its producer. The producer sends random commands of the day center
// (testing/engine_day.h), each with its own sequence number, and keeps its
// own ledger: a mirror engine fed every command the router acknowledged, in
// the same order at the same times. Every life of the router ends in SIGKILL
// at a random moment — while a command is appended and synced, applied,
// acknowledged, or a snapshot is written — and the next life recovers from
// the folder (the newest snapshot and the journal after it). On every
// restart the recovered router must hold every acknowledged command and at
// most the one in flight (its producer sequence says which); its state bytes
// (the state digest) must equal the mirror's; its invariants must hold; its
// books must balance and count every contact the producer saw accepted. A
// command whose answer the crash swallowed is sent again, and is applied once.
//
// CCENGINE_KILLS sets the number of kills (default 60), CCENGINE_KILL_SEED the
// producer's seed (default 1); bench/kill_nine.sh runs 1,000.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <variant>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "ccengine/journal/command_codec.h"
#include "ccengine/journal/engine_journal.h"
#include "ccengine/journal/file_journal.h"
#include "ccengine/journal/snapshot.h"
#include "common/byte_io.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "sqlite/temp_dir.h"
#include "testing/engine_day.h"

namespace ccengine::journal {
namespace {

using test::DayDriver;
using test::NewDayCenter;
using test::SavedState;

// Small segments, so that segments roll and checkpoints drop them while the
// router is killed.
constexpr size_t kSegmentBytes = 16 << 10;
// How long the producer waits for an answer before it calls the router hung.
constexpr int kAnswerTimeoutMs = 120'000;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v == nullptr || *v == '\0' ? fallback : std::atoi(v);
}

// --- Frames over pipes: a 4-byte length, then the payload. --------------------

bool WriteFull(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool SendFrame(int fd, std::string_view payload) {
  std::string frame(4, '\0');
  const auto n = static_cast<uint32_t>(payload.size());
  std::memcpy(frame.data(), &n, 4);
  frame.append(payload);
  return WriteFull(fd, frame.data(), frame.size());
}

enum class Read { kFrame, kEnd, kTimeout };

// timeout_ms < 0: wait for ever.
Read ReadFull(int fd, char* p, size_t n, int timeout_ms) {
  while (n > 0) {
    pollfd pfd{fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, timeout_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) return Read::kTimeout;
    const ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return Read::kEnd;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return Read::kFrame;
}

Read ReadFrame(int fd, std::string* payload, int timeout_ms) {
  uint32_t n = 0;
  const Read r = ReadFull(fd, reinterpret_cast<char*>(&n), 4, timeout_ms);
  if (r != Read::kFrame) return r;
  payload->assign(n, '\0');
  return ReadFull(fd, payload->data(), n, timeout_ms) == Read::kFrame ? Read::kFrame
                                                                      : Read::kEnd;
}

// The router's answer to one command.
struct Answer {
  uint64_t sequence = 0;
  int32_t code = 0;
  std::string message;
};

// An 'A' frame: the tag, then the answer's fields.
std::string EncodeAnswer(uint64_t sequence, const absl::Status& status) {
  std::string frame;
  internal::ByteWriter w(&frame);
  w.Byte('A');
  w.Unsigned(sequence);
  w.Signed(static_cast<int32_t>(status.code()));
  w.String(std::string(status.message()));
  w.Finish();
  return frame;
}

absl::StatusOr<Answer> DecodeAnswer(std::string_view frame) {
  internal::ByteReader r(frame, "an answer");
  Answer a;
  if (r.Byte() != 'A') return absl::InvalidArgumentError("not an answer frame");
  r.Unsigned(a.sequence);
  r.Signed(a.code);
  r.String(a.message);
  if (r.ok() && !r.done()) r.Fail(r.at(), "bytes after the answer");
  if (!r.ok()) return r.status();
  return a;
}

// --- The router: the child process. -------------------------------------------

struct Folder {
  std::string journal;
  std::string snapshots;
};

// Frames the router sends: 'H' after recovery (its producer sequence, books,
// invariants and state bytes), 'A' per command (sequence, status), 'E' on a
// fault of its own before it exits.
[[noreturn]] void RunRouter(const Folder& folder, int in_fd, int out_fd) {
  const auto fail = [out_fd](std::string_view what, const absl::Status& s) {
    (void)SendFrame(out_fd, fmt::format("E{}: {}", what, s.ToString()));
    ::_exit(1);
  };
  auto log = FileJournal::Open({.dir = folder.journal,
                                .fsync = FsyncPolicy::kAlways,
                                .segment_bytes = kSegmentBytes});
  if (!log.ok()) fail("open the journal", log.status());
  std::unique_ptr<Engine> engine = NewDayCenter();
  absl::StatusOr<RecoveryReport> recovered = Recover(**log, folder.snapshots, *engine);
  if (!recovered.ok()) fail("recover", recovered.status());

  std::string hello;
  internal::ByteWriter w(&hello);
  w.Byte('H');
  w.Unsigned(engine->ProducerSequence(1));
  const Accounting books = engine->GetAccounting();
  w.Unsigned(books.entered);
  w.Bool(books.Balanced());
  w.Time(engine->Now());
  const absl::Status invariants = engine->CheckInvariants();
  w.String(invariants.ok() ? "" : invariants.ToString());
  w.String(SavedState(*engine));
  w.Finish();
  if (!w.status().ok() || !SendFrame(out_fd, hello)) ::_exit(1);

  EngineJournal journal(*engine, **log);
  std::string frame;
  while (ReadFrame(in_fd, &frame, -1) == Read::kFrame) {
    internal::ByteReader r(frame, "a producer frame");
    absl::Time at;
    bool checkpoint = false;
    std::string command;
    r.Time(at);
    r.Bool(checkpoint);
    r.String(command);
    if (!r.ok()) fail("a frame from the producer", r.status());
    absl::StatusOr<JournaledCommand> c = DecodeJournaledCommand(command);
    if (!c.ok()) fail("a frame from the producer", c.status());
    if (absl::Status s = engine->AdvanceTo(at); !s.ok()) fail("advance", s);
    const absl::Status applied = engine->Apply(c->command, c->origin);
    if (checkpoint) {
      absl::StatusOr<SnapshotInfo> taken = Checkpoint(*engine, **log, folder.snapshots);
      if (!taken.ok()) fail("checkpoint", taken.status());
    }
    if (!SendFrame(out_fd, EncodeAnswer(c->origin.sequence, applied))) ::_exit(1);
  }
  ::_exit(0);  // the producer closed the pipe
}

struct Router {
  pid_t pid = -1;
  int to = -1;    // the router's commands
  int from = -1;  // its answers
};

Router StartRouter(const Folder& folder) {
  int down[2];
  int up[2];
  Router r;
  if (::pipe2(down, O_CLOEXEC) != 0 || ::pipe2(up, O_CLOEXEC) != 0) return r;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(down[1]);
    ::close(up[0]);
    RunRouter(folder, down[0], up[1]);
  }
  ::close(down[0]);
  ::close(up[1]);
  if (pid < 0) {
    ::close(down[1]);
    ::close(up[0]);
    return r;
  }
  return {pid, down[1], up[0]};
}

// --- The producer. ------------------------------------------------------------

struct Sent {
  absl::Time at;
  Command command;
  CommandOrigin origin;
  bool checkpoint = false;
};

struct Tally {
  int kills = 0;
  uint64_t commands = 0;         // acknowledged, or recovered from the journal
  int answered_before_kill = 0;  // the killed command's answer had arrived
  int in_flight_recovered = 0;   // journaled, unanswered: found on restart
  int in_flight_resent = 0;      // not journaled: sent again
  int during_snapshot = 0;       // a snapshot's temporary file was left
  int duplicates_refused = 0;    // recovered commands sent again, refused
};

class Producer {
 public:
  explicit Producer(uint64_t seed) : driver_(seed), mirror_(NewDayCenter()) {
    clock_ = mirror_->Now();
  }

  // The command to send next: the one in flight when the router died, else a
  // new one, followed by a checkpoint with the chance given.
  const Sent& Next(double checkpoint_chance = 0.04) {
    if (!in_flight_.has_value()) {
      clock_ +=
          absl::Milliseconds(driver_.Uniform(0, driver_.Chance(0.1) ? 20'000 : 1'500));
      in_flight_ = Sent{clock_,
                        driver_.Pick(*mirror_),
                        {1, next_sequence_++},
                        driver_.Chance(checkpoint_chance)};
    }
    return *in_flight_;
  }

  // The router answered the command in flight: the mirror applies it and must
  // answer the same.
  void Answered(uint64_t sequence, int32_t code, std::string_view message) {
    ASSERT_TRUE(in_flight_.has_value()) << "an answer for nothing in flight";
    ASSERT_EQ(sequence, in_flight_->origin.sequence);
    const absl::Status mine = ApplyInFlight();
    EXPECT_EQ(code, static_cast<int32_t>(mine.code()))
        << "command " << sequence << ": the router said " << message << ", the mirror "
        << mine;
    EXPECT_EQ(message, std::string(mine.message())) << "command " << sequence;
  }

  // The router's first frame after a restart (the 'H' frame, whole).
  void Recovered(std::string_view hello) {
    internal::ByteReader r(hello, "the router's hello");
    ASSERT_EQ(r.Byte(), 'H');
    uint64_t sequence = 0;
    uint64_t entered = 0;
    bool balanced = false;
    absl::Time now;
    std::string invariants;
    std::string state;
    r.Unsigned(sequence);
    r.Unsigned(entered);
    r.Bool(balanced);
    r.Time(now);
    r.String(invariants);
    r.String(state);
    ASSERT_TRUE(r.ok() && r.done()) << r.status();
    const uint64_t acknowledged = next_sequence_ - 1 - (in_flight_.has_value() ? 1 : 0);
    ASSERT_GE(sequence, acknowledged) << "an acknowledged command was lost";
    ASSERT_LE(sequence, next_sequence_ - 1) << "the router holds a command never sent";
    if (in_flight_.has_value()) {
      if (sequence == in_flight_->origin.sequence) {
        ++tally_.in_flight_recovered;
        if (driver_.Chance(0.5)) duplicate_ = *in_flight_;
        (void)ApplyInFlight();
      } else {
        ++tally_.in_flight_resent;
      }
    }
    EXPECT_EQ(invariants, "");
    EXPECT_TRUE(balanced) << "the recovered books do not balance";
    EXPECT_EQ(entered, mirror_->GetAccounting().entered);
    EXPECT_EQ(entered, contacts_accepted_)
        << "contacts the producer saw accepted against the recovered books";
    // The mirror's clock is at its last command; the router's at its last
    // journaled one (or its snapshot's): the same.
    EXPECT_EQ(now, mirror_->Now());
    const std::string mirror_state = SavedState(*mirror_);
    ASSERT_EQ(state.size(), mirror_state.size()) << "state sizes differ";
    ASSERT_TRUE(state == mirror_state) << "the recovered state differs from the mirror's";
  }

  // A command the router recovered without answering it is, now and then,
  // sent again as a producer that does not ask would: it must be refused as
  // applied already.
  std::optional<Sent> TakeDuplicate() {
    std::optional<Sent> d = std::move(duplicate_);
    duplicate_.reset();
    return d;
  }

  DayDriver& driver() { return driver_; }
  Tally& tally() { return tally_; }

 private:
  absl::Status ApplyInFlight() {
    Sent s = std::move(*in_flight_);
    in_flight_.reset();
    ++tally_.commands;
    EXPECT_TRUE(mirror_->AdvanceTo(s.at).ok());
    const bool adds = std::holds_alternative<cmd::AddContact>(s.command);
    absl::Status st = mirror_->Apply(s.command, s.origin);
    if (adds && st.ok()) ++contacts_accepted_;
    return st;
  }

  DayDriver driver_;
  std::unique_ptr<Engine> mirror_;
  absl::Time clock_;
  uint64_t next_sequence_ = 1;
  uint64_t contacts_accepted_ = 0;
  std::optional<Sent> in_flight_;
  std::optional<Sent> duplicate_;
  Tally tally_;
};

std::string Encode(const Sent& s) {
  std::string command;
  const absl::Status st = EncodeCommandTo(s.command, s.origin, &command);
  EXPECT_TRUE(st.ok()) << st;
  std::string frame;
  internal::ByteWriter w(&frame);
  w.Time(s.at);
  w.Bool(s.checkpoint);
  w.String(command);
  w.Finish();
  return frame;
}

// A snapshot's temporary file in `dir`: a kill during its write.
bool TemporaryFileIn(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".tmp") return true;
  }
  return false;
}

// Reads the router's next frame; fails the test on a timeout or a fault the
// router reported.
Read Expect(const Router& r, std::string* frame) {
  const Read got = ReadFrame(r.from, frame, kAnswerTimeoutMs);
  EXPECT_NE(got, Read::kTimeout) << "the router did not answer";
  if (got == Read::kFrame && !frame->empty() && (*frame)[0] == 'E') {
    ADD_FAILURE() << "the router failed: " << frame->substr(1);
    return Read::kEnd;
  }
  return got;
}

void HandleAnswer(Producer& p, std::string_view frame) {
  absl::StatusOr<Answer> a = DecodeAnswer(frame);
  ASSERT_TRUE(a.ok()) << a.status();
  p.Answered(a->sequence, a->code, a->message);
}

TEST(KillNineTest, NothingAcknowledgedIsLostAndNothingIsAppliedTwice) {
  ::signal(SIGPIPE, SIG_IGN);  // a write to a killed router fails instead
  const int kills = EnvInt("CCENGINE_KILLS", 60);
  const int seed = EnvInt("CCENGINE_KILL_SEED", 1);
  sqlite::TempDir dir;
  const Folder folder{dir.File("journal"), dir.File("snapshots")};
  std::filesystem::create_directories(folder.snapshots);
  Producer producer(static_cast<uint64_t>(seed));
  const auto started = std::chrono::steady_clock::now();

  for (int life = 0; life <= kills; ++life) {
    if (TemporaryFileIn(folder.snapshots)) ++producer.tally().during_snapshot;
    Router router = StartRouter(folder);
    ASSERT_GT(router.pid, 0) << "fork or pipe failed";
    std::string frame;
    ASSERT_EQ(Expect(router, &frame), Read::kFrame) << "no hello, life " << life;
    ASSERT_EQ(frame[0], 'H') << "life " << life;
    producer.Recovered(frame);
    if (::testing::Test::HasFatalFailure() || ::testing::Test::HasFailure()) {
      ::kill(router.pid, SIGKILL);
      ::waitpid(router.pid, nullptr, 0);
      FAIL() << "life " << life << " of seed " << seed;
    }
    if (life == kills) {  // the last life ends by the producer's leave
      ::close(router.to);
      int status = 0;
      ASSERT_EQ(::waitpid(router.pid, &status, 0), router.pid);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
      ::close(router.from);
      break;
    }
    if (std::optional<Sent> d = producer.TakeDuplicate()) {
      ASSERT_TRUE(SendFrame(router.to, Encode(*d)));
      ASSERT_EQ(Expect(router, &frame), Read::kFrame) << "life " << life;
      absl::StatusOr<Answer> a = DecodeAnswer(frame);
      ASSERT_TRUE(a.ok()) << a.status();
      EXPECT_EQ(a->sequence, d->origin.sequence);
      EXPECT_EQ(a->code, static_cast<int32_t>(absl::StatusCode::kAlreadyExists))
          << "a command the router had applied was applied again: " << a->message;
      ++producer.tally().duplicates_refused;
    }
    // Commands answered in full, then one during which the router dies.
    const int answered = producer.driver().Uniform(0, 80);
    for (int i = 0; i < answered; ++i) {
      ASSERT_TRUE(SendFrame(router.to, Encode(producer.Next())));
      ASSERT_EQ(Expect(router, &frame), Read::kFrame) << "life " << life;
      HandleAnswer(producer, frame);
      ASSERT_FALSE(::testing::Test::HasFatalFailure());
    }
    // The kill lands before, during or after the append and its sync, the
    // apply, the answer; a third of the time the command is followed by a
    // checkpoint, which the kill may cut.
    const Sent& last = producer.Next(0.33);
    const int delay_us =
        producer.driver().Chance(0.25)
            ? 0
            : producer.driver().Uniform(0, last.checkpoint ? 3'000 : 400);
    ASSERT_TRUE(SendFrame(router.to, Encode(last)));
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
    ASSERT_EQ(::kill(router.pid, SIGKILL), 0);
    ++producer.tally().kills;
    ::close(router.to);
    int status = 0;
    ASSERT_EQ(::waitpid(router.pid, &status, 0), router.pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the router stopped on its own: " << status;
    // An answer that left before the kill counts.
    while (ReadFrame(router.from, &frame, kAnswerTimeoutMs) == Read::kFrame) {
      HandleAnswer(producer, frame);
      ++producer.tally().answered_before_kill;
    }
    ::close(router.from);
    ASSERT_FALSE(::testing::Test::HasFailure()) << "life " << life;
  }

  const Tally& t = producer.tally();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(t.kills, kills);
  EXPECT_EQ(t.answered_before_kill + t.in_flight_recovered + t.in_flight_resent, kills);
  // The kills reached each moment that matters (a snapshot write is reported,
  // not required: on a fast disk its window is short).
  if (kills >= 50) {
    EXPECT_GT(t.answered_before_kill, 0) << "no kill after an answer";
    EXPECT_GT(t.in_flight_recovered, 0) << "no kill between the append and the answer";
    EXPECT_GT(t.in_flight_resent, 0) << "no kill before the append";
    EXPECT_GT(t.duplicates_refused, 0) << "no resend of a recovered command";
  }
  std::cout << fmt::format(
      "kill_nine: seed {}, {} kills, {} commands in {:.1f} s; the killed command: "
      "answered "
      "{}, journaled and recovered unanswered {} (sent again and refused {}), lost and "
      "resent {}; killed during a snapshot write {}\n",
      seed, t.kills, t.commands, seconds, t.answered_before_kill, t.in_flight_recovered,
      t.duplicates_refused, t.in_flight_resent, t.during_snapshot);
}

}  // namespace
}  // namespace ccengine::journal
