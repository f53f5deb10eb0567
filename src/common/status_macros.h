// -----------------------------------------------------------------------------
// File: src/common/status_macros.h
// -----------------------------------------------------------------------------
//
// The two propagation helpers Debian's Abseil 20220623 does not ship.
//
// Thread safety: macros; no state.

#ifndef CCENGINE_SRC_COMMON_STATUS_MACROS_H_
#define CCENGINE_SRC_COMMON_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CCENGINE_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    ::absl::Status ccengine_status_ = (expr);            \
    if (!ccengine_status_.ok()) return ccengine_status_; \
  } while (0)

#define CCENGINE_INTERNAL_CONCAT_(a, b) a##b
#define CCENGINE_INTERNAL_CONCAT(a, b) CCENGINE_INTERNAL_CONCAT_(a, b)
#define CCENGINE_ASSIGN_OR_RETURN(lhs, expr) \
  CCENGINE_INTERNAL_ASSIGN_OR_RETURN_(       \
      CCENGINE_INTERNAL_CONCAT(ccengine_statusor_, __LINE__), lhs, expr)
// `lhs` may be a declaration (`uint32_t slot`), so it cannot be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define CCENGINE_INTERNAL_ASSIGN_OR_RETURN_(tmp, lhs, expr) \
  auto tmp = (expr);                                        \
  if (!tmp.ok()) return tmp.status();                       \
  lhs = std::move(*tmp)
// NOLINTEND(bugprone-macro-parentheses)

#endif  // CCENGINE_SRC_COMMON_STATUS_MACROS_H_
