// The hash chain shared by the writer (AuditLog) and the verifier
// (VerifyAuditLog, chain.cc): the link of a line.
#ifndef CCENGINE_ADAPTERS_AUDIT_CHAIN_H_
#define CCENGINE_ADAPTERS_AUDIT_CHAIN_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "ccengine/audit/audit_log.h"
#include "ccengine/audit/keys.h"

namespace ccengine::audit::internal {

// SHA-256(previous ‖ body): 32 raw bytes. `previous` is 32 zero bytes for
// the header. Internal when libcrypto fails (it cannot allocate).
absl::StatusOr<std::string> Link(std::string_view previous, std::string_view body);

std::string DefaultHeadPath(const std::string& log_path);

}  // namespace ccengine::audit::internal

#endif  // CCENGINE_ADAPTERS_AUDIT_CHAIN_H_
