// The in-memory ticket store passes the store conformance suite.

#include <memory>

#include "ccengine/tickets/store.h"
#include "gtest/gtest.h"
#include "store_conformance.h"

namespace ccengine::tickets::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Memory, TicketStoreConformance,
                         ::testing::Values(StoreFactory{
                             "memory", [] { return NewMemoryTicketStore(); }}),
                         StoreFactoryName);

}  // namespace
}  // namespace ccengine::tickets::testing
