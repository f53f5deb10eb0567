// The routing file's agent capacity: how many contacts of each channel an
// agent of a profile takes at once (core/agent.h's Capacity).

#ifndef CCENGINE_SRC_CONFIG_CAPACITY_SECTION_H_
#define CCENGINE_SRC_CONFIG_CAPACITY_SECTION_H_

#include <string>

#include "ccengine/config/document.h"
#include "ccengine/core/agent.h"
#include "config/document_reader.h"

namespace ccengine::config::internal {

// Reads `node` at `pointer` into `*out`: the short form {"voice": 1,
// "chat": 3} (every other channel 0), or the full form {"max_per_channel":
// {…}, "load_per_contact": {…}, "load_budget": 100, "exclusive": {"voice":
// true}}, where each key left out keeps `*out`'s value. Unknown channels
// (with a did-you-mean) and values out of range are errors in `reader`.
void ReadCapacitySection(DocumentReader& reader, const config::Node& node,
                         const std::string& pointer, Capacity* out);

}  // namespace ccengine::config::internal

#endif  // CCENGINE_SRC_CONFIG_CAPACITY_SECTION_H_
