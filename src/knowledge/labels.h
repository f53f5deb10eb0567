// The label and language checks shared by articles and search filters.

#ifndef CCENGINE_SRC_KNOWLEDGE_LABELS_H_
#define CCENGINE_SRC_KNOWLEDGE_LABELS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace ccengine::knowledge {

// A language tag as article.h describes it; InvalidArgument otherwise.
absl::Status ValidateLanguageTag(std::string_view tag);

// At most kMaxLabels labels of 1..kMaxLabelBytes bytes of UTF-8 without control
// characters; InvalidArgument naming `field` otherwise.
absl::Status ValidateLabels(std::string_view field,
                            const std::vector<std::string>& labels);

}  // namespace ccengine::knowledge

#endif  // CCENGINE_SRC_KNOWLEDGE_LABELS_H_
