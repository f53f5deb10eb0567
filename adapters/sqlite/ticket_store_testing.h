// -----------------------------------------------------------------------------
// File: adapters/sqlite/ticket_store_testing.h
// -----------------------------------------------------------------------------
//
// A test hook of the SQLite ticket store: reads a PRAGMA on a store's own
// connection. The settings `OpenSqliteTicketStore` applies (synchronous,
// busy_timeout, foreign_keys, max_page_count) belong to the connection and
// cannot be seen from another one; tests/sqlite/ checks them through this.
// Private to adapters/sqlite and its tests (the header is not installed).
//
// Thread safety: thread-safe (runs under the store's mutex).

#ifndef CCENGINE_ADAPTERS_SQLITE_TICKET_STORE_TESTING_H_
#define CCENGINE_ADAPTERS_SQLITE_TICKET_STORE_TESTING_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "ccengine/tickets/store.h"

namespace ccengine::sqlite {

// The first column of `PRAGMA <name>` on the connection of `store`, as text
// ("2", "wal"). InvalidArgument when `store` is not an SQLite ticket store or
// `name` is not a plain pragma name ([a-z_]+).
absl::StatusOr<std::string> PragmaForTesting(tickets::TicketStore& store,
                                             std::string_view name);

}  // namespace ccengine::sqlite

#endif  // CCENGINE_ADAPTERS_SQLITE_TICKET_STORE_TESTING_H_
