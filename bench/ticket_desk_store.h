// -----------------------------------------------------------------------------
// File: bench/ticket_desk_store.h
// -----------------------------------------------------------------------------
//
// `ticket_desk store DIR [n]`: n tickets created and dispatched by the desk on
// the SQLite store (with an engine, polled every 256 tickets; duplicate lookup
// on) against the baseline: the same rows — the ticket and its first history
// entry — written by bare prepared INSERTs in one transaction each, through
// sqlite3 directly, into a file with the same schema, indexes, WAL and
// synchronous setting, in the same process. Rounds alternate desk and baseline
// so drift hits both; the figure is the best round of each. For both sync
// modes: FULL (every commit synced) and NORMAL (synced at checkpoints).

#ifndef CCENGINE_BENCH_TICKET_DESK_STORE_H_
#define CCENGINE_BENCH_TICKET_DESK_STORE_H_

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "ccengine/sqlite/ticket_store.h"
#include "ccengine/tickets/desk.h"
#include "fmt/format.h"

namespace ccbench {

inline const char* const kTicketTexts[] = {
    "楼下烧烤店每晚噪音扰民，凌晨还在营业",
    "小区路灯坏了好几天，晚上一片漆黑",
    "垃圾桶满了三天没人清运，气味很大",
    "The street light outside has been off for a week",
    "道路中间有个大坑，车辆经过很危险",
    "Bins have not been emptied for ten days",
};

// Seconds for n desk creates (engine polled every 256), or < 0 on error.
inline double DeskRound(const std::string& path,
                        ccengine::sqlite::SqliteTicketStoreOptions::Sync sync, int n) {
  namespace tk = ccengine::tickets;
  ccengine::sqlite::SqliteTicketStoreOptions so;
  so.path = path;
  so.sync = sync;
  auto store = ccengine::sqlite::OpenSqliteTicketStore(so);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", std::string(store.status().message()).c_str());
    return -1;
  }
  auto engine = ccengine::Engine::Create().value();
  ccengine::QueueConfig q;
  q.name = "城管";
  const ccengine::QueueId queue = engine->AddQueue(q).value();
  tk::TicketDeskOptions options;
  options.engine = engine.get();
  auto desk = tk::TicketDesk::Open(*std::move(store), options).value();
  tk::TicketCategory c;
  c.name = "noise";
  c.department = "城管";
  c.queue = queue;
  c.first_response = absl::Hours(2);
  c.resolution = absl::Hours(72);
  if (!desk->AddCategory(c).ok()) return -1;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    tk::CreateRequest r;
    r.category = "noise";
    r.text = kTicketTexts[i % 6];
    r.address = fmt::format("建国路{}号{}号楼", i, i % 7);
    r.customer_id = fmt::format("cust{}", i);
    if (!desk->Create(r).ok()) return -1;
    if (i % 256 == 255 && !engine->Poll(engine->Now()).ok()) return -1;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Seconds for n bare inserts (ticket row + history row per transaction).
inline double BareRound(const std::string& path, const char* sync, int n) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return -1;
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> guard(db, sqlite3_close);
  sqlite3_exec(
      db, fmt::format("PRAGMA journal_mode=WAL; PRAGMA synchronous={};", sync).c_str(),
      nullptr, nullptr, nullptr);
  const char* ticket_sql =
      "INSERT INTO tickets (version, category, department, state, priority, text, "
      "customer_id, "
      "address, created_at, updated_at, queued_since, assignee, duplicate_of, parent, "
      "is_master, "
      "escalation_level, reopen_count, first_response_due, first_response_warn_at, "
      "first_response_remaining, first_response_paused, first_response_warned, "
      "first_response_breached, first_response_stopped, resolution_due, "
      "resolution_warn_at, "
      "resolution_remaining, resolution_paused, resolution_warned, resolution_breached, "
      "resolution_stopped, next_check) VALUES (1, 'noise', '城管', 'queued', 0, ?1, ?2, "
      "?3, ?4, "
      "?4, ?4, '', 0, 0, 0, 0, 0, ?5, ?6, 0, 0, 0, 0, 0, ?7, ?8, 0, 0, 0, 0, 0, ?6)";
  const char* history_sql =
      "INSERT INTO ticket_history (ticket, seq, at, actor, action, from_state, to_state, "
      "reason) "
      "VALUES (?1, 1, ?2, 'desk', 'create', 'new', 'queued', 'dispatched to 城管')";
  sqlite3_stmt* ticket = nullptr;
  sqlite3_stmt* history = nullptr;
  if (sqlite3_prepare_v2(db, ticket_sql, -1, &ticket, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, history_sql, -1, &history, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "%s\n", sqlite3_errmsg(db));
    return -1;
  }
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    const std::string address = fmt::format("建国路{}号{}号楼", i, i % 7);
    const std::string customer = fmt::format("cust{}", i);
    const int64_t now = absl::ToUnixMicros(absl::Now());
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    sqlite3_bind_text(ticket, 1, kTicketTexts[i % 6], -1, SQLITE_STATIC);
    sqlite3_bind_text(ticket, 2, customer.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ticket, 3, address.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(ticket, 4, now);
    sqlite3_bind_int64(ticket, 5, now + 7200000000);
    sqlite3_bind_int64(ticket, 6, now + 5760000000);
    sqlite3_bind_int64(ticket, 7, now + 259200000000);
    sqlite3_bind_int64(ticket, 8, now + 207360000000);
    if (sqlite3_step(ticket) != SQLITE_DONE) return -1;
    sqlite3_reset(ticket);
    sqlite3_bind_int64(history, 1, sqlite3_last_insert_rowid(db));
    sqlite3_bind_int64(history, 2, now);
    if (sqlite3_step(history) != SQLITE_DONE) return -1;
    sqlite3_reset(history);
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return -1;
  }
  const double s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  sqlite3_finalize(ticket);
  sqlite3_finalize(history);
  return s;
}

inline int StoreThroughput(const std::string& dir, int n) {
  using Sync = ccengine::sqlite::SqliteTicketStoreOptions::Sync;
  std::printf(
      "| sync | tickets per round | desk: tickets/s | bare INSERT: rows/s | ratio (desk "
      "/ bare) |\n");
  std::printf("|---|---|---|---|---|\n");
  for (const auto& [sync, name] :
       {std::pair{Sync::kFull, "FULL"}, std::pair{Sync::kNormal, "NORMAL"}}) {
    double desk_best = 1e30, bare_best = 1e30;
    for (int round = 0; round < 3; ++round) {
      const std::string desk_path = fmt::format("{}/desk-{}-{}.db", dir, name, round);
      const std::string bare_path = fmt::format("{}/bare-{}-{}.db", dir, name, round);
      // The baseline writes into a file the store created: the same schema.
      {
        ccengine::sqlite::SqliteTicketStoreOptions so;
        so.path = bare_path;
        if (!ccengine::sqlite::OpenSqliteTicketStore(so).ok()) return 1;
      }
      const double d = DeskRound(desk_path, sync, n);
      const double b = BareRound(bare_path, name, n);
      if (d < 0 || b < 0) return 1;
      desk_best = std::min(desk_best, d);
      bare_best = std::min(bare_best, b);
    }
    std::printf("| %s | %d | %.0f | %.0f | %.2f |\n", name, n, n / desk_best,
                n / bare_best, bare_best / desk_best);
  }
  return 0;
}

}  // namespace ccbench

#endif  // CCENGINE_BENCH_TICKET_DESK_STORE_H_
