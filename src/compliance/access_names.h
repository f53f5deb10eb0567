// Names in an access policy and its actors: the checks both make, and the
// lookups of Debian's Abseil hash maps by std::string_view.

#ifndef CCENGINE_SRC_COMPLIANCE_ACCESS_NAMES_H_
#define CCENGINE_SRC_COMPLIANCE_ACCESS_NAMES_H_

#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ccengine::compliance::internal {

// InvalidArgument, naming `what`, unless `name` has 1..kMaxAccessNameBytes
// bytes and no control character.
absl::Status CheckAccessName(std::string_view what, std::string_view name);

// Debian's Abseil has its own string_view: the hash maps are looked up by it.
inline absl::string_view Key(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace ccengine::compliance::internal

#endif  // CCENGINE_SRC_COMPLIANCE_ACCESS_NAMES_H_
