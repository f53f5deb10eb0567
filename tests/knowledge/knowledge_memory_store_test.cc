// The in-memory knowledge store passes the conformance suite.

#include "ccengine/knowledge/store.h"
#include "store_conformance.h"

namespace ccengine::knowledge::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Memory, KnowledgeStoreConformance,
                         ::testing::Values(KnowledgeStoreFactory{
                             "memory",
                             [](KnowledgeStoreOptions options) {
                               return NewMemoryKnowledgeStore(std::move(options));
                             }}),
                         KnowledgeStoreFactoryName);

}  // namespace
}  // namespace ccengine::knowledge::testing
