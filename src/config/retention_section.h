// The routing file's "retention" section: how many days each kind of personal
// data is kept, and the audit trail (compliance/retention.h).

#ifndef CCENGINE_SRC_CONFIG_RETENTION_SECTION_H_
#define CCENGINE_SRC_CONFIG_RETENTION_SECTION_H_

#include <string>

#include "ccengine/compliance/retention.h"
#include "ccengine/config/document.h"
#include "config/document_reader.h"

namespace ccengine::config::internal {

// Reads `node` ({"customer_history_days": 30, …, "audit_days": 2190}; a
// document node, not the expression program's `internal::Node`) at
// `pointer`: each key optional (the policy's default), each a number of days
// above 0 and at most 100 years; then the policy's own checks (the audit
// period outlives the rest and is at least 180 days), reported at the audit
// key. Every error goes to `reader`.
compliance::RetentionPolicy ReadRetentionSection(DocumentReader& reader,
                                                 const config::Node& node,
                                                 const std::string& pointer);

}  // namespace ccengine::config::internal

#endif  // CCENGINE_SRC_CONFIG_RETENTION_SECTION_H_
