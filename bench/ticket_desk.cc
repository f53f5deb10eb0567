// -----------------------------------------------------------------------------
// File: bench/ticket_desk.cc
// -----------------------------------------------------------------------------
//
// The ticket desk's costs, printed as the tables of bench/README.md:
//
//   ticket_desk dedupe [open...]   duplicate lookup latency (p50, p99, max) and
//                                  the index's bytes per open ticket, with
//                                  10 000 and 100 000 open tickets by default
//   ticket_desk store DIR [n]      create + dispatch throughput of the desk on
//                                  SQLite against a bare INSERT of the same rows
//                                  in the same process and run (adapters/sqlite)
//   ticket_desk pgstore DSN [n]    the same on PostgreSQL (adapters/postgres)
//
// The open tickets are shaped like a city hotline's: a few dozen problem
// phrasings in Chinese and English, streets and buildings with skewed
// popularity (a Zipf-like draw: some estates call all day), customers who call
// more than once. A lookup is the new ticket's: a third repeat an open ticket
// (the same customer and place, another phrasing), the rest are new problems
// at drawn places.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ccengine/tickets/dedupe.h"
#include "ccengine/tickets/ticket.h"
#include "fmt/format.h"

#ifdef CCENGINE_BENCH_HAVE_SQLITE
#include "ticket_desk_store.h"
#endif
#ifdef CCENGINE_BENCH_HAVE_POSTGRES
#include "ticket_desk_pg.h"
#endif

namespace {

using ccengine::tickets::DedupeOptions;
using ccengine::tickets::DuplicateIndex;
using ccengine::tickets::Ticket;
using ccengine::tickets::TicketId;

const char* const kProblems[] = {
    "楼下烧烤店每晚噪音扰民，凌晨还在营业",
    "小区路灯坏了好几天，晚上一片漆黑",
    "垃圾桶满了三天没人清运，气味很大",
    "道路中间有个大坑，车辆经过很危险",
    "自来水发黄有铁锈味，不敢饮用",
    "暖气不热，室温只有十五度",
    "有人在绿地上违章搭建彩钢房",
    "楼道里堆满杂物，存在消防隐患",
    "小区门口积水很深，行人无法通过",
    "夜间施工噪音很大，影响休息",
    "共享单车乱停乱放堵住了人行道",
    "公交站牌被撤，车也不停了",
    "The street light outside the building has been off for a week",
    "Bins have not been emptied for ten days and the smell is bad",
    "Deep pothole near the crossing, cars swerve into the other lane",
    "Loud music from the bar until three in the morning every weekend",
    "Water pressure is very low on the upper floors since Monday",
    "Illegal parking blocks the fire lane at the entrance",
};
const char* const kStreets[] = {"建国路",      "解放路",     "人民路",   "中山路",
                                "和平大街",    "滨河路",     "新华里",   "锦华苑",
                                "泉城路",      "Elm Street", "Oak Lane", "Maple Avenue",
                                "Church Road", "Mill Road"};

struct Generator {
  std::mt19937_64 rng{12345};
  // Skewed place popularity: place k with weight 1 / (k + 1).
  std::discrete_distribution<int> place{[] {
    std::vector<double> w(5000);
    for (size_t k = 0; k < w.size(); ++k) w[k] = 1.0 / static_cast<double>(k + 1);
    return std::discrete_distribution<int>(w.begin(), w.end());
  }()};

  std::string Address(int p) {
    const char* street = kStreets[p % (sizeof(kStreets) / sizeof(kStreets[0]))];
    const int number = 1 + p / 14;
    const int building = 1 + p % 9;
    if (street[0] < 'A' || street[0] > 'Z')
      return fmt::format("{}{}号{}号楼", street, number, building);
    return fmt::format("{} {}, Block {}", number, street, building);
  }

  Ticket Make(TicketId id, absl::Time created) {
    Ticket t;
    t.id = id;
    const size_t n = sizeof(kProblems) / sizeof(kProblems[0]);
    const size_t problem = rng() % n;
    t.text = kProblems[problem];
    t.category = fmt::format("c{}", problem % 6);
    t.address = Address(place(rng));
    t.customer_id = fmt::format("cust{}", rng() % 200000);
    t.created_at = created;
    return t;
  }
};

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

int Dedupe(const std::vector<size_t>& sizes) {
  std::printf(
      "| open tickets | lookups | linked | p50 µs | p99 µs | max µs | index bytes per "
      "open ticket |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (size_t open : sizes) {
    Generator g;
    DuplicateIndex index{DedupeOptions{}};
    const absl::Time t0 = absl::FromUnixSeconds(1796000000);
    std::vector<Ticket> made;
    made.reserve(open);
    for (size_t i = 0; i < open; ++i) {
      made.push_back(g.Make(static_cast<TicketId>(i + 1), t0 + absl::Seconds(i)));
      if (!index.Add(made.back()).ok()) return 1;
    }
    const size_t lookups = 20000;
    std::vector<double> us;
    us.reserve(lookups);
    size_t linked = 0;
    const absl::Time since = t0;
    for (size_t q = 0; q < lookups; ++q) {
      Ticket t;
      if (q % 3 == 0) {  // a repeat caller
        const Ticket& old = made[g.rng() % made.size()];
        t = old;
        t.text = "又打电话了，" + old.text + "，还是没人处理";
      } else {
        t = g.Make(0, t0);
      }
      t.id = static_cast<TicketId>(open + q + 1);
      const auto start = std::chrono::steady_clock::now();
      auto found = index.Find(t, since);
      const auto end = std::chrono::steady_clock::now();
      if (!found.ok()) return 1;
      linked += found->has_value();
      us.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
    std::printf("| %zu | %zu | %zu | %.1f | %.1f | %.1f | %.0f |\n", open, lookups,
                linked, Percentile(us, 0.5), Percentile(us, 0.99), Percentile(us, 1.0),
                static_cast<double>(index.MemoryBytes()) / static_cast<double>(open));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "dedupe";
  if (what == "dedupe") {
    std::vector<size_t> sizes;
    for (int i = 2; i < argc; ++i) sizes.push_back(std::strtoul(argv[i], nullptr, 10));
    if (sizes.empty()) sizes = {10000, 100000};
    return Dedupe(sizes);
  }
#ifdef CCENGINE_BENCH_HAVE_SQLITE
  if (what == "store" && argc > 2) {
    return ccbench::StoreThroughput(argv[2], argc > 3 ? std::atoi(argv[3]) : 2000);
  }
#endif
#ifdef CCENGINE_BENCH_HAVE_POSTGRES
  if (what == "pgstore" && argc > 2) {
    return ccbench::PgStoreThroughput(argv[2], argc > 3 ? std::atoi(argv[3]) : 2000);
  }
#endif
  std::fprintf(stderr,
               "usage: ticket_desk dedupe [open...] | store DIR [n] | pgstore DSN [n]\n");
  return 2;
}
