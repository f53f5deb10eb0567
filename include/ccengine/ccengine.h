// -----------------------------------------------------------------------------
// File: ccengine/ccengine.h
// -----------------------------------------------------------------------------
//
// The umbrella header: everything a product needs to embed ccengine.
//
//   types.h        ids, channels, skill levels, time conversions
//   agent.h        agents: skills, capacity, lifecycle
//   contact.h      contacts: channel, skills, priority, states
//   queue.h        queues: requirements, relaxation, limits, guards, stats
//   quality.h      outcomes (CSAT, resolution) and learned quality
//   calendar.h     hours of operation: weekly windows, holidays, UTC offset
//   strategy.h     agent-selection strategies, built-in and pluggable
//   events.h       the typed events every decision emits
//   commands.h     the commands producers submit
//   engine.h       the router itself
//   wait_estimate.h  estimated wait with an interval (the Erlang model)
//   clock.h        real and manual clocks
//   router_loop.h  a thread that drives an engine
//   erlang.h       Erlang B / C / A analytics and staffing
//
// Thread safety: see each header.

#ifndef CCENGINE_CCENGINE_H_
#define CCENGINE_CCENGINE_H_

#include "ccengine/agent.h"
#include "ccengine/calendar.h"
#include "ccengine/clock.h"
#include "ccengine/commands.h"
#include "ccengine/contact.h"
#include "ccengine/engine.h"
#include "ccengine/erlang.h"
#include "ccengine/events.h"
#include "ccengine/quality.h"
#include "ccengine/queue.h"
#include "ccengine/router_loop.h"
#include "ccengine/strategy.h"
#include "ccengine/types.h"
#include "ccengine/version.h"
#include "ccengine/wait_estimate.h"

#endif  // CCENGINE_CCENGINE_H_
