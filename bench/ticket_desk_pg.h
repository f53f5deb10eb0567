// -----------------------------------------------------------------------------
// File: bench/ticket_desk_pg.h
// -----------------------------------------------------------------------------
//
// `ticket_desk pgstore DSN [n]`: n tickets created and dispatched by the desk
// on the PostgreSQL store (one connection, an engine polled every 256 tickets,
// duplicate lookup on) against the baseline: the same two rows per ticket (the
// ticket and its first history entry) written by bare prepared INSERTs in one
// transaction each through libpq directly, into the tables the store created,
// on the same server, in the same process. The DSN names a database the run
// may fill (each round uses a fresh schema of its own: `search_path`). Rounds
// alternate desk and baseline; the figure is the best round of each.

#ifndef CCENGINE_BENCH_TICKET_DESK_PG_H_
#define CCENGINE_BENCH_TICKET_DESK_PG_H_

#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "ccengine/postgres/ticket_store.h"
#include "ccengine/tickets/desk.h"
#include "fmt/format.h"

namespace ccbench {

inline const char* const kPgTexts[] = {
    "楼下烧烤店每晚噪音扰民，凌晨还在营业",
    "小区路灯坏了好几天，晚上一片漆黑",
    "垃圾桶满了三天没人清运，气味很大",
    "The street light outside has been off for a week",
    "道路中间有个大坑，车辆经过很危险",
    "Bins have not been emptied for ten days",
};

// `dsn` with the round's own schema first on the search path.
inline std::string WithSchema(const std::string& dsn, const std::string& schema) {
  const char* sep = dsn.find('?') == std::string::npos ? "?" : "&";
  return fmt::format("{}{}options=-csearch_path%3D{}", dsn, sep, schema);
}

inline bool PgExec(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  const bool ok =
      PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  if (!ok) std::fprintf(stderr, "%s: %s", sql.c_str(), PQerrorMessage(c));
  PQclear(r);
  return ok;
}

inline double PgDeskRound(const std::string& dsn, int n) {
  namespace tk = ccengine::tickets;
  ccengine::postgres::PostgresTicketStoreOptions so;
  so.dsn = dsn;
  so.pool_size = 1;
  auto store = ccengine::postgres::OpenPostgresTicketStore(so);
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
    r.text = kPgTexts[i % 6];
    r.address = fmt::format("建国路{}号{}号楼", i, i % 7);
    r.customer_id = fmt::format("cust{}", i);
    if (auto made = desk->Create(r); !made.ok()) {
      std::fprintf(stderr, "%s\n", std::string(made.status().message()).c_str());
      return -1;
    }
    if (i % 256 == 255 && !engine->Poll(engine->Now()).ok()) return -1;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

inline double PgBareRound(const std::string& dsn, int n) {
  std::unique_ptr<PGconn, void (*)(PGconn*)> conn(PQconnectdb(dsn.c_str()), PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    std::fprintf(stderr, "%s", PQerrorMessage(conn.get()));
    return -1;
  }
  PGconn* c = conn.get();
  const char* ticket_sql =
      "INSERT INTO tickets (version, history_seq, category, department, state, priority, "
      "text, "
      "customer_id, address, created_at, updated_at, queued_since, assignee, "
      "duplicate_of, "
      "parent, is_master, escalation_level, reopen_count, first_response_due, "
      "first_response_warn_at, first_response_remaining, first_response_paused, "
      "first_response_warned, first_response_breached, first_response_stopped, "
      "resolution_due, "
      "resolution_warn_at, resolution_remaining, resolution_paused, resolution_warned, "
      "resolution_breached, resolution_stopped, next_check, field_names, field_values) "
      "VALUES "
      "(1, 1, 'noise', '城管', 'queued', 0, $1, $2, $3, $4, $4, $4, '', 0, 0, false, 0, "
      "0, $5, "
      "$6, 0, false, false, false, false, $7, $8, 0, false, false, false, false, $6, "
      "'{}', '{}') "
      "RETURNING id";
  const char* history_sql =
      "INSERT INTO ticket_history (ticket, seq, at, actor, action, from_state, to_state, "
      "reason) "
      "VALUES ($1, 1, $2, 'desk', 'create', 'new', 'queued', 'dispatched to 城管')";
  PGresult* p1 = PQprepare(c, "t", ticket_sql, 0, nullptr);
  PGresult* p2 = PQprepare(c, "h", history_sql, 0, nullptr);
  const bool prepared =
      PQresultStatus(p1) == PGRES_COMMAND_OK && PQresultStatus(p2) == PGRES_COMMAND_OK;
  PQclear(p1);
  PQclear(p2);
  if (!prepared) {
    std::fprintf(stderr, "prepare: %s", PQerrorMessage(c));
    return -1;
  }
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    const int64_t now = absl::ToUnixMicros(absl::Now());
    const std::string text = kPgTexts[i % 6];
    const std::string customer = fmt::format("cust{}", i);
    const std::string address = fmt::format("建国路{}号{}号楼", i, i % 7);
    const std::string t0 = std::to_string(now), t1 = std::to_string(now + 7200000000),
                      t2 = std::to_string(now + 5760000000),
                      t3 = std::to_string(now + 259200000000),
                      t4 = std::to_string(now + 207360000000);
    const char* values[] = {text.c_str(), customer.c_str(), address.c_str(), t0.c_str(),
                            t1.c_str(),   t2.c_str(),       t3.c_str(),      t4.c_str()};
    if (!PgExec(c, "BEGIN")) return -1;
    PGresult* r = PQexecPrepared(c, "t", 8, values, nullptr, nullptr, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      std::fprintf(stderr, "insert: %s", PQerrorMessage(c));
      PQclear(r);
      return -1;
    }
    const std::string id = PQgetvalue(r, 0, 0);
    PQclear(r);
    const char* hv[] = {id.c_str(), t0.c_str()};
    r = PQexecPrepared(c, "h", 2, hv, nullptr, nullptr, 0);
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok || !PgExec(c, "COMMIT")) return -1;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

inline int PgStoreThroughput(const std::string& dsn, int n) {
  std::unique_ptr<PGconn, void (*)(PGconn*)> admin(PQconnectdb(dsn.c_str()), PQfinish);
  if (PQstatus(admin.get()) != CONNECTION_OK) {
    std::fprintf(stderr, "%s", PQerrorMessage(admin.get()));
    return 1;
  }
  double desk_best = 1e30, bare_best = 1e30;
  for (int round = 0; round < 3; ++round) {
    const std::string desk_schema = fmt::format("bench_desk_{}", round);
    const std::string bare_schema = fmt::format("bench_bare_{}", round);
    for (const std::string& s : {desk_schema, bare_schema}) {
      if (!PgExec(
              admin.get(),
              fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", s))) {
        return 1;
      }
    }
    {  // The baseline's tables: the store creates them.
      ccengine::postgres::PostgresTicketStoreOptions so;
      so.dsn = WithSchema(dsn, bare_schema);
      if (!ccengine::postgres::OpenPostgresTicketStore(so).ok()) return 1;
    }
    const double d = PgDeskRound(WithSchema(dsn, desk_schema), n);
    const double b = PgBareRound(WithSchema(dsn, bare_schema), n);
    if (d < 0 || b < 0) return 1;
    desk_best = std::min(desk_best, d);
    bare_best = std::min(bare_best, b);
  }
  std::printf(
      "| server | tickets per round | desk: tickets/s | bare INSERT: rows/s | ratio "
      "(desk / bare) |\n");
  std::printf("|---|---|---|---|---|\n");
  std::printf("| PostgreSQL 15, Unix socket | %d | %.0f | %.0f | %.2f |\n", n,
              n / desk_best, n / bare_best, bare_best / desk_best);
  return 0;
}

}  // namespace ccbench

#endif  // CCENGINE_BENCH_TICKET_DESK_PG_H_
