// -----------------------------------------------------------------------------
// File: adapters/kamailio/daemon_output.h
// -----------------------------------------------------------------------------
//
// ccengine-kamailio's standard output, one line at a time: "RING …" and
// "END …" for the layer to act on, "EV …" for each engine event, "LOG …"
// for the daemon's diagnostics, "SUMMARY …" at exit. A LOG or EV line may
// quote what a caller's IVR or Kamailio sent (a header that did not parse,
// a rejected frame, a refused command's message): personal data in it is
// masked (compliance::MaskPii). RING and END lines carry the call's
// reference and the agent's address only, and are written as they are.
//
// Thread safety: both functions may be called from any thread; each line is
// written whole and flushed.

#ifndef CCENGINE_ADAPTERS_KAMAILIO_DAEMON_OUTPUT_H_
#define CCENGINE_ADAPTERS_KAMAILIO_DAEMON_OUTPUT_H_

#include <string>
#include <string_view>

namespace ccengine::kamailio {

void Line(const std::string& line);
// Each line of a multi-line message, as "LOG <prefix><line>".
void LogLines(const std::string& prefix, std::string_view text);

}  // namespace ccengine::kamailio

#endif  // CCENGINE_ADAPTERS_KAMAILIO_DAEMON_OUTPUT_H_
