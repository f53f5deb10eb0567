// The conformance suite every `KnowledgeStore` passes: the contract of
// ccengine/knowledge/store.h, as tests. A store's test instantiates it with a
// factory that opens a fresh, empty store with the given options:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, KnowledgeStoreConformance,
//       ::testing::Values(KnowledgeStoreFactory{"sqlite", OpenFresh}),
//       KnowledgeStoreFactoryName);

#ifndef CCENGINE_TESTS_KNOWLEDGE_STORE_CONFORMANCE_H_
#define CCENGINE_TESTS_KNOWLEDGE_STORE_CONFORMANCE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ccengine/knowledge/store.h"
#include "gtest/gtest.h"

namespace ccengine::knowledge::testing {

struct KnowledgeStoreFactory {
  std::string name;
  std::function<absl::StatusOr<std::unique_ptr<KnowledgeStore>>(KnowledgeStoreOptions)>
      open;
};

inline std::string KnowledgeStoreFactoryName(
    const ::testing::TestParamInfo<KnowledgeStoreFactory>& info) {
  return info.param.name;
}

class KnowledgeStoreConformance : public ::testing::TestWithParam<KnowledgeStoreFactory> {
 protected:
  void SetUp() override { Open({}); }

  void Open(KnowledgeStoreOptions options) {
    store_.reset();
    absl::StatusOr<std::unique_ptr<KnowledgeStore>> store =
        GetParam().open(std::move(options));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // Upserts, asserting success.
  void Put(const Article& a);
  // Searches, expecting success (an empty list on failure).
  std::vector<SearchHit> Find(const std::string& query, SearchFilters filters = {},
                              size_t k = 10);
  // Five articles of a hotline: noise, tax, vat, pwd (English), park.
  void PutHotline();

  std::unique_ptr<KnowledgeStore> store_;
};

}  // namespace ccengine::knowledge::testing

#endif  // CCENGINE_TESTS_KNOWLEDGE_STORE_CONFORMANCE_H_
