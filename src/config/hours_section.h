// The routing file's dates and hours of operation: a calendar's holidays, a
// queue's or a ticket category's "hours" (core/calendar.h).

#ifndef CCENGINE_SRC_CONFIG_HOURS_SECTION_H_
#define CCENGINE_SRC_CONFIG_HOURS_SECTION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "ccengine/config/document.h"
#include "ccengine/core/calendar.h"
#include "config/document_reader.h"

namespace ccengine::config::internal {

// Reads `n` (["2026-10-01", …]; null reads as none) at `pointer`: the dates
// that parse, in the file's order; every other item is an error in `reader`.
std::vector<absl::CivilDay> ReadDates(DocumentReader& reader, const config::Node* n,
                                      const std::string& pointer);

// Reads `node` ({"utc_offset_s": 28800, "weekly": {"mon": [["08:00",
// "20:00"]], …}, "holidays": […], "special": {"2026-10-01": […]}}) at
// `pointer`. An absent "utc_offset_s" is `default_utc_offset_s` (the file's
// calendar). Errors go to `reader`; what read cleanly is kept, the checks of
// HoursOfOperation::Validate are the caller's.
HoursOfOperation ReadHoursSection(DocumentReader& reader, const config::Node& node,
                                  const std::string& pointer,
                                  int32_t default_utc_offset_s);

}  // namespace ccengine::config::internal

#endif  // CCENGINE_SRC_CONFIG_HOURS_SECTION_H_
