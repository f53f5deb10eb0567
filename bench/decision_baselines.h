// -----------------------------------------------------------------------------
// File: bench/decision_baselines.h
// -----------------------------------------------------------------------------
//
// The two baselines that decision_bench.cc measures the engine against, built
// from the same generated center (bench_common.h):
//
//   ClassicPbx  the classic PBX queue: a std::mutex-protected std::vector of
//               agent records scanned on every decision, and a std::deque of
//               waiting contacts scanned when an agent frees up.
//   BareKernel  the floor: AND of per-(skill, level) bitsets with an
//               availability bitset, then longest-idle scoring from a dense
//               array; per-(queue, class) FIFOs when an agent frees up.
//
// Both choose exactly what the engine chooses (longest idle; best aged score
// `waited + 10 min × class`, ties to the earlier arrival), which
// decision_bench checks at start-up.
//
// Thread safety: ClassicPbx locks its mutex in every call (uncontended here,
// as in a PBX with one router); BareKernel is single-threaded.

#ifndef CCENGINE_BENCH_DECISION_BASELINES_H_
#define CCENGINE_BENCH_DECISION_BASELINES_H_

#include <array>
#include <bit>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "bench_common.h"

namespace ccbench {

inline constexpr double kClassWeightUs = 600.0 * 1e6;  // EngineOptions default: 10 min

// --- Baseline 1: the classic PBX queue ----------------------------------------

class ClassicPbx {
 public:
  enum State : int32_t { kNotReady = 1, kAvailable = 2, kRinging = 3 };
  // A PBX's agent record: what a member list entry typically carries.
  struct Agent {
    uint64_t id;
    std::string name;
    State state;
    Micros idle_since;
    uint64_t calls_taken;
    std::vector<SkillLevel> skills;  // sorted by skill id
  };
  struct Waiting {
    uint64_t id;
    int32_t queue;
    int32_t cls;
    Micros arrived;
    uint64_t seq;
    bool taken;
  };

  explicit ClassicPbx(const Population& pop) : queue_reqs_(pop.queue_reqs) {
    agents_.reserve(pop.agent_skills.size());
    for (size_t i = 0; i < pop.agent_skills.size(); ++i) {
      agents_.push_back(Agent{AgentIdOf(static_cast<int>(i)).value(),
                              "agent-" + std::to_string(i),
                              pop.ready[i] ? kAvailable : kNotReady,
                              LoginMicros(static_cast<int>(i)), 0, pop.agent_skills[i]});
    }
  }

  void SetAllNotReady() {
    for (Agent& a : agents_) a.state = kNotReady;
  }
  void AddWaiting(uint64_t id, int queue, int cls, Micros arrived, uint64_t seq) {
    waiting_.push_back(Waiting{id, queue, cls, arrived, seq, false});
  }

  // A contact arrives in `queue`: the longest-idle available agent that has
  // the skills rings. Returns its index or -1.
  int OfferContact(int queue, Micros now) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::vector<SkillRequirement>& need = queue_reqs_[queue];
    int best = -1;
    Micros best_idle = 0;
    for (size_t i = 0; i < agents_.size(); ++i) {
      const Agent& a = agents_[i];
      if (a.state != kAvailable) continue;
      if (!MeetsAll(a.skills, need)) continue;
      Micros idle = now - a.idle_since;
      if (best < 0 || idle > best_idle) {
        best = static_cast<int>(i);
        best_idle = idle;
      }
    }
    if (best >= 0) agents_[best].state = kRinging;
    return best;
  }
  void Unring(int agent) {
    std::lock_guard<std::mutex> lock(mu_);
    agents_[agent].state = kAvailable;
  }

  // Agent `agent` becomes ready: the waiting contact with the best aged score
  // among the queues it can serve rings it. Returns the contact's index in the
  // waiting list or -1.
  int64_t AgentFree(int agent, Micros now) {
    std::lock_guard<std::mutex> lock(mu_);
    Agent& a = agents_[agent];
    a.state = kAvailable;
    can_serve_.assign(queue_reqs_.size(), 0);
    for (size_t q = 0; q < queue_reqs_.size(); ++q) {
      can_serve_[q] = MeetsAll(a.skills, queue_reqs_[q]) ? 1 : 0;
    }
    int64_t best = -1;
    double best_score = 0;
    uint64_t best_seq = 0;
    for (size_t k = 0; k < waiting_.size(); ++k) {
      const Waiting& w = waiting_[k];
      if (w.taken || !can_serve_[w.queue]) continue;
      double score = static_cast<double>(now - w.arrived) + kClassWeightUs * w.cls;
      if (best < 0 || score > best_score || (score == best_score && w.seq < best_seq)) {
        best = static_cast<int64_t>(k);
        best_score = score;
        best_seq = w.seq;
      }
    }
    if (best >= 0) {
      waiting_[best].taken = true;
      a.state = kRinging;
    }
    return best;
  }
  void UndoAgentFree(int agent, int64_t taken) {
    std::lock_guard<std::mutex> lock(mu_);
    agents_[agent].state = kNotReady;
    if (taken >= 0) waiting_[taken].taken = false;
  }

  uint64_t AgentId(int i) const { return agents_[i].id; }
  uint64_t WaitingId(int64_t k) const { return waiting_[k].id; }
  size_t agent_bytes() const { return sizeof(Agent); }

 private:
  std::mutex mu_;
  std::vector<Agent> agents_;
  std::vector<std::vector<SkillRequirement>> queue_reqs_;
  std::deque<Waiting> waiting_;
  std::vector<char> can_serve_;
};

// --- Baseline 2: the bare matching kernel --------------------------------------

class BareKernel {
 public:
  explicit BareKernel(const Population& pop)
      : n_(pop.agent_skills.size()), words_((n_ + 63) / 64) {
    avail_.assign(words_, 0);
    idle_since_.resize(n_);
    fat_.resize(n_);
    for (size_t i = 0; i < n_; ++i) {
      idle_since_[i] = LoginMicros(static_cast<int>(i));
      fat_[i].idle_since = idle_since_[i];
      if (pop.ready[i]) avail_[i >> 6] |= uint64_t{1} << (i & 63);
    }
    // One bitset per (skill, min level) that a queue uses.
    std::map<std::pair<uint32_t, int>, size_t> index;
    for (const auto& reqs : pop.queue_reqs) {
      std::vector<size_t> ids;
      for (const SkillRequirement& r : reqs) {
        auto key = std::make_pair(r.skill.value(), static_cast<int>(r.level));
        auto it = index.find(key);
        if (it == index.end()) {
          std::vector<uint64_t> set(words_, 0);
          for (size_t i = 0; i < n_; ++i) {
            for (const SkillLevel& s : pop.agent_skills[i]) {
              if (s.skill == r.skill && s.level >= r.level) {
                set[i >> 6] |= uint64_t{1} << (i & 63);
              }
            }
          }
          it = index.emplace(key, sets_.size()).first;
          sets_.push_back(std::move(set));
        }
        ids.push_back(it->second);
      }
      queue_set_ids_.push_back(std::move(ids));
    }
    for (const auto& ids : queue_set_ids_) {
      std::array<const uint64_t*, 3> ptrs{};
      for (size_t k = 0; k < ids.size() && k < 3; ++k) ptrs[k] = sets_[ids[k]].data();
      queue_sets_.push_back(ptrs);
      queue_reqs_.push_back(static_cast<int>(ids.size()));
    }
    // Agent-frees side: the queues each agent serves, per-(queue, class) FIFOs.
    served_.resize(n_);
    for (size_t i = 0; i < n_; ++i) {
      for (size_t q = 0; q < pop.queue_reqs.size(); ++q) {
        if (MeetsAll(pop.agent_skills[i], pop.queue_reqs[q])) {
          served_[i].push_back(static_cast<int>(q));
        }
      }
    }
    fifos_.resize(pop.queue_reqs.size());
  }

  void SetAllUnavailable() { std::fill(avail_.begin(), avail_.end(), 0); }

  // Contact arrives in `queue`: AND, score (longest idle), take. -1: none.
  // `fat`: read each candidate's idle time from a 240-byte agent record (the
  // size of the engine's AgentRec) instead of a dense array — the same
  // kernel with the engine's memory layout (BM_ContactArrives_KernelFatRecord).
  int Decide(int queue, Micros now, bool fat = false) {
    switch (queue_reqs_[queue] + (fat ? 3 : 0)) {
      case 1: return DecideR<1, false>(queue, now);
      case 2: return DecideR<2, false>(queue, now);
      case 3: return DecideR<3, false>(queue, now);
      case 4: return DecideR<1, true>(queue, now);
      case 5: return DecideR<2, true>(queue, now);
      default: return DecideR<3, true>(queue, now);
    }
  }
  void Release(int slot) { avail_[slot >> 6] |= uint64_t{1} << (slot & 63); }

  struct Entry {
    Micros arrived;
    uint64_t seq;
    int64_t j;
  };
  void AddWaiting(int queue, int cls, Micros arrived, uint64_t seq, int64_t j) {
    fifos_[queue][cls].push_back(Entry{arrived, seq, j});
  }
  // Agent frees up: best head among its queues and classes; popped. -1: none.
  int64_t AgentFree(int agent, Micros now) {
    int best_q = -1, best_c = 0;
    double best_score = 0;
    uint64_t best_seq = 0;
    for (int q : served_[agent]) {
      for (int c = 0; c < 2; ++c) {
        const auto& fifo = fifos_[q][c];
        if (fifo.empty()) continue;
        const Entry& e = fifo.front();
        double score = static_cast<double>(now - e.arrived) + kClassWeightUs * c;
        if (best_q < 0 || score > best_score ||
            (score == best_score && e.seq < best_seq)) {
          best_q = q;
          best_c = c;
          best_score = score;
          best_seq = e.seq;
        }
      }
    }
    if (best_q < 0) return -1;
    last_taken_ = fifos_[best_q][best_c].front();
    last_q_ = best_q;
    last_c_ = best_c;
    fifos_[best_q][best_c].pop_front();
    return last_taken_.j;
  }
  void UndoAgentFree() { fifos_[last_q_][last_c_].push_front(last_taken_); }

  size_t words() const { return words_; }

  // Not timed; what decision_bench reports beside the rows. The agents
  // available and eligible for `queue` now:
  int Eligible(int queue) const {
    const std::array<const uint64_t*, 3>& s = queue_sets_[queue];
    int n = 0;
    for (size_t w = 0; w < words_; ++w) {
      uint64_t bits = avail_[w];
      for (int k = 0; k < queue_reqs_[queue]; ++k) bits &= s[k][w];
      n += std::popcount(bits);
    }
    return n;
  }
  // The queues `agent` serves, and the contacts waiting in them.
  int QueuesServed(int agent) const { return static_cast<int>(served_[agent].size()); }
  int64_t EligibleWaiting(int agent) const {
    int64_t n = 0;
    for (int q : served_[agent])
      n += static_cast<int64_t>(fifos_[q][0].size() + fifos_[q][1].size());
    return n;
  }

 private:
  // An agent record of the engine's size with the idle time where the
  // engine's AgentRec keeps it (offset 184 of 240 bytes).
  struct FatRecord {
    char before[184];
    Micros idle_since;
    char after[48];
  };
  static_assert(sizeof(FatRecord) == 240);

  template <int R, bool kFat>
  int DecideR(int queue, Micros now) {
    const std::array<const uint64_t*, 3>& s = queue_sets_[queue];
    const uint64_t* a = avail_.data();
    int best = -1;
    Micros best_score = 0;
    for (size_t w = 0; w < words_; ++w) {
      uint64_t bits = a[w] & s[0][w];
      if constexpr (R >= 2) bits &= s[1][w];
      if constexpr (R >= 3) bits &= s[2][w];
      while (bits != 0) {
        int slot = static_cast<int>(w * 64 + std::countr_zero(bits));
        bits &= bits - 1;
        Micros score;
        if constexpr (kFat) {
          score = now - fat_[slot].idle_since;
        } else {
          score = now - idle_since_[slot];
        }
        if (best < 0 || score > best_score) {
          best = slot;
          best_score = score;
        }
      }
    }
    if (best >= 0) avail_[best >> 6] &= ~(uint64_t{1} << (best & 63));
    return best;
  }

  size_t n_;
  size_t words_;
  std::vector<uint64_t> avail_;
  std::vector<Micros> idle_since_;
  std::vector<FatRecord> fat_;
  std::vector<std::vector<uint64_t>> sets_;
  std::vector<std::vector<size_t>> queue_set_ids_;
  std::vector<std::array<const uint64_t*, 3>> queue_sets_;
  std::vector<int> queue_reqs_;
  std::vector<std::vector<int>> served_;
  std::vector<std::array<std::deque<Entry>, 2>> fifos_;
  Entry last_taken_{};
  int last_q_ = 0, last_c_ = 0;
};

}  // namespace ccbench

#endif  // CCENGINE_BENCH_DECISION_BASELINES_H_
