// -----------------------------------------------------------------------------
// File: adapters/postgres/pg_pool.h
// -----------------------------------------------------------------------------
//
// The connection pool of ccengine's PostgreSQL stores (tickets, knowledge),
// and `WithTransaction`: a call's transaction on a leased connection, tried
// again when the server gives it up. Private to adapters/postgres.
//
// Thread safety: thread-safe; a leased connection is used by one thread.

#ifndef CCENGINE_ADAPTERS_POSTGRES_PG_POOL_H_
#define CCENGINE_ADAPTERS_POSTGRES_PG_POOL_H_

#include <functional>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "pg_conn.h"

namespace ccengine::postgres {

// The outcome of one try of a transaction's work (`WithTransaction`): `retry`
// when another try may succeed where this one failed (the server gave the
// transaction up, or it lost a race that a new try wins).
template <typename T>
struct Attempt {
  absl::StatusOr<T> result;
  bool retry = false;
};

// Up to `size` connections, made when calls need them. A call leases one for
// its transaction; a connection that was lost is dropped on its return (and
// with it the idle ones, which the same outage has most likely ended), and
// the next call connects anew.
class ConnectionPool {
 public:
  using Setup = std::function<absl::Status(Connection&)>;

  // Hands a connection back to the pool when it goes out of scope.
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (connection_ != nullptr) pool_->Release(std::move(connection_));
    }

    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  ConnectionPool(ConnectOptions options, int size, Setup setup)
      : options_(std::move(options)), size_(size), setup_(std::move(setup)) {}

  // Adds a connection made (and set up) elsewhere: the one that opened the
  // store.
  void Adopt(std::unique_ptr<Connection> connection) {
    absl::MutexLock lock(&mu_);
    ++open_;
    idle_.push_back(std::move(connection));
  }

  // An idle connection that still works, or a new one when fewer than `size`
  // are open; waits while all `size` are leased.
  absl::StatusOr<Lease> Acquire() {
    std::unique_ptr<Connection> connection;
    std::vector<std::unique_ptr<Connection>> dropped;  // closed outside the lock
    mu_.LockWhen(absl::Condition(this, &ConnectionPool::CanLease));
    while (!idle_.empty() && connection == nullptr) {
      std::unique_ptr<Connection> candidate = std::move(idle_.back());
      idle_.pop_back();
      if (candidate->CheckIdle()) {
        connection = std::move(candidate);
      } else {
        dropped.push_back(std::move(candidate));
        --open_;
      }
    }
    if (connection == nullptr) ++open_;  // the slot of the one made below
    mu_.Unlock();
    dropped.clear();
    if (connection != nullptr) return Lease(this, std::move(connection));

    absl::StatusOr<std::unique_ptr<Connection>> made = Connection::Connect(options_);
    if (made.ok()) {
      if (absl::Status s = setup_(**made); !s.ok()) made = s;  // closes it
    }
    if (!made.ok()) {
      absl::MutexLock lock(&mu_);
      --open_;
      return made.status();
    }
    return Lease(this, *std::move(made));
  }

  // Leases a connection and runs `once(connection)`, which returns an
  // `Attempt<T>`, in a transaction on it (READ COMMITTED), committed when the
  // attempt's result is OK. While an attempt asks to be retried, and the
  // connection is not lost, it runs again in a new transaction, up to
  // `max_attempts` tries in all, each pausing 2 ms longer than the one before.
  // A failure to lease, to BEGIN or to COMMIT is annotated with `what`; a
  // failed BEGIN or COMMIT is retried when the server gave the transaction up
  // (Aborted: 40001, 40P01).
  template <typename T, typename Once>
  absl::StatusOr<T> WithTransaction(std::string_view what, int max_attempts,
                                    const Once& once) {
    absl::StatusOr<Lease> connection = Acquire();
    if (!connection.ok()) return Annotate(connection.status(), what);
    Attempt<T> attempt;
    for (int i = 0; i < max_attempts; ++i) {
      if (i > 0) absl::SleepFor(absl::Milliseconds(2 * i));
      attempt = InTransaction<T>(**connection, what, once);
      if (!attempt.retry || (*connection)->lost()) break;
    }
    return std::move(attempt.result);
  }

 private:
  // One try of `WithTransaction`.
  template <typename T, typename Once>
  static Attempt<T> InTransaction(Connection& connection, std::string_view what,
                                  const Once& once) {
    const auto failed = [what](const absl::Status& s) {
      return Attempt<T>{Annotate(s, what), s.code() == absl::StatusCode::kAborted};
    };
    Transaction txn(connection);
    if (absl::Status s = txn.Begin(); !s.ok()) return failed(s);
    Attempt<T> attempt = once(connection);
    if (!attempt.result.ok()) return attempt;  // rolled back
    if (absl::Status s = txn.Commit(); !s.ok()) return failed(s);
    return attempt;
  }

  void Release(std::unique_ptr<Connection> connection) {
    std::vector<std::unique_ptr<Connection>> dropped;  // closed outside the lock
    {
      absl::MutexLock lock(&mu_);
      if (!connection->lost() && !connection->InTransaction()) {
        idle_.push_back(std::move(connection));
        return;
      }
      --open_;
      open_ -= static_cast<int>(idle_.size());
      dropped.swap(idle_);
    }
    connection.reset();
  }

  bool CanLease() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !idle_.empty() || open_ < size_;
  }

  const ConnectOptions options_;
  const int size_;
  const Setup setup_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle, leased, and being made
};

}  // namespace ccengine::postgres

#endif  // CCENGINE_ADAPTERS_POSTGRES_PG_POOL_H_
