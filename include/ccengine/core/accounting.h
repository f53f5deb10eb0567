// -----------------------------------------------------------------------------
// File: ccengine/core/accounting.h
// -----------------------------------------------------------------------------
//
// `Accounting`: where every contact that ever entered an engine is now
// (`Engine::GetAccounting`). The books always balance: a contact is counted
// once, in the state it is in, from the moment it enters until forever.
//
// Thread safety: plain values; thread-compatible.
//
// Example:
//   ccengine::Accounting books = engine->GetAccounting();
//   assert(books.Balanced());

#ifndef CCENGINE_CORE_ACCOUNTING_H_
#define CCENGINE_CORE_ACCOUNTING_H_

#include <cstdint>

namespace ccengine {

// entered == waiting + offered + in_service + completed + abandoned +
//            overflowed + withdrawn.
struct Accounting {
  uint64_t entered = 0;
  uint64_t waiting = 0;
  uint64_t offered = 0;
  uint64_t in_service = 0;
  uint64_t completed = 0;
  uint64_t abandoned = 0;
  uint64_t overflowed = 0;
  uint64_t withdrawn = 0;
  bool Balanced() const {
    return entered == waiting + offered + in_service + completed + abandoned +
                          overflowed + withdrawn;
  }
};

}  // namespace ccengine

#endif  // CCENGINE_CORE_ACCOUNTING_H_
