// The conformance suite every `TicketStore` passes: the contract of
// ccengine/tickets/store.h, as tests. A store's test file instantiates it with
// a factory that returns a fresh, empty store:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, TicketStoreConformance,
//       ::testing::Values(StoreFactory{"sqlite", [] { return OpenFreshStore(); }}),
//       StoreFactoryName);

#ifndef CCENGINE_TESTS_TICKETS_STORE_CONFORMANCE_H_
#define CCENGINE_TESTS_TICKETS_STORE_CONFORMANCE_H_

#include <functional>
#include <memory>
#include <string>

#include "ccengine/tickets/store.h"
#include "gtest/gtest.h"

namespace ccengine::tickets::testing {

struct StoreFactory {
  std::string name;
  std::function<std::unique_ptr<TicketStore>()> open;
};

inline std::string StoreFactoryName(const ::testing::TestParamInfo<StoreFactory>& info) {
  return info.param.name;
}

class TicketStoreConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    store_ = GetParam().open();
    ASSERT_NE(store_, nullptr);
  }
  std::unique_ptr<TicketStore> store_;
};

}  // namespace ccengine::tickets::testing

#endif  // CCENGINE_TESTS_TICKETS_STORE_CONFORMANCE_H_
