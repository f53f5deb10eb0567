// The routing file's "access" section: the departments (groups of the file's
// queues in tenants) and the roles an access policy adds to or replaces among
// the built-in ones (compliance/access.h).

#ifndef CCENGINE_SRC_CONFIG_ACCESS_SECTION_H_
#define CCENGINE_SRC_CONFIG_ACCESS_SECTION_H_

#include <functional>
#include <string>
#include <string_view>

#include "ccengine/compliance/access.h"
#include "ccengine/config/document.h"
#include "config/document_reader.h"

namespace ccengine::config::internal {

// Resolves a queue's name to the file's queue index (recording an error with
// a did-you-mean when it is unknown).
using QueueRefFn = std::function<bool(const Node*, std::string_view, QueueId*)>;

// Reads `node` ({"departments": […], "roles": […]}) at `pointer`; every error
// goes to `reader`. The policy holds the built-in roles whatever the errors.
compliance::AccessPolicy ReadAccessSection(DocumentReader& reader, const Node& node,
                                           const std::string& pointer,
                                           const QueueRefFn& queue_ref);

}  // namespace ccengine::config::internal

#endif  // CCENGINE_SRC_CONFIG_ACCESS_SECTION_H_
