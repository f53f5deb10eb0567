// -----------------------------------------------------------------------------
// File: ccengine/ccengine.h
// -----------------------------------------------------------------------------
//
// The umbrella header: every module's public API (link ccengine::ccengine).
// A product that needs one module includes its headers and links its target.
//
// core/ (ccengine::core) — the router
//   types.h          ids, channels, skill levels, time conversions
//   agent.h          agents: skills, capacity, lifecycle
//   contact.h        contacts: channel, skills, priority, states
//   queue.h          queues: requirements, relaxation, limits, guards, stats
//   kpi.h            the figures' formulas; service level definitions
//   quality.h        outcomes (CSAT, resolution) and learned quality
//   calendar.h       hours of operation: weekly windows, holidays, UTC offset
//   strategy.h       agent-selection strategies, built-in and pluggable
//   events.h         the typed events every decision emits
//   commands.h       the commands producers submit
//   engine.h         the router itself
//   wait_estimate.h  estimated wait with an interval (the Erlang model)
//   clock.h          real and manual clocks
//   router_loop.h    a thread that drives an engine
// erlang/ (ccengine::erlang)
//   erlang.h         Erlang B / C / A analytics and staffing
// sim/ (ccengine::sim)
//   sim.h            discrete-event simulation over the real engine
// telephony/ (ccengine::telephony)
//   telephony.h      the bridge between call control and the engine
// text/ (ccengine::text)
//   tokenizer.h      the Chinese/English tokenizer (search, duplicates)
//   synonyms.h       query-time synonym groups
// config/ (ccengine::config)
//   expression.h     the filter expression language of entry flows
// tickets/ (ccengine::tickets)
//   ticket.h         tickets, states, history entries, categories
//   store.h          the TicketStore port and the in-memory store
//   desk.h           the ticket desk: transitions, SLA clocks, dispatch
//   dedupe.h         duplicate detection
//   sla.h            business time on a calendar
//   row_codec.h      tickets as SQL-style rows (for store implementers)
// knowledge/ (ccengine::knowledge)
//   article.h        knowledge articles and their limits
//   store.h          the KnowledgeStore port, feedback, the in-memory store
//   query.h          query text to terms, FTS5 MATCH strings
//   ranking.h        BM25 as FTS5 computes it
//   snippet.h        coverage and highlighted snippets
//   answer.h         self-service answers with a confidence policy
//   assistant.h      agent assist: suggestions for offered contacts
//   row_codec.h      articles as SQL-style rows (for store implementers)
// metrics/ (ccengine::metrics)
//   collector.h      live figures: calendar intervals, sliding windows
// compliance/ (ccengine::compliance)
//   pii.h            personal data found and masked in free text
//   access.h         roles and scopes on every command
//   retention.h      how long each kind of personal data is kept
// version.h          the library's version
//
// Thread safety: see each header.

#ifndef CCENGINE_H_
#define CCENGINE_H_

#include "ccengine/compliance/access.h"
#include "ccengine/compliance/pii.h"
#include "ccengine/compliance/retention.h"
#include "ccengine/config/document.h"
#include "ccengine/config/expression.h"
#include "ccengine/config/routing_file.h"
#include "ccengine/config/routing_shadow.h"
#include "ccengine/config/routing_versions.h"
#include "ccengine/core/agent.h"
#include "ccengine/core/calendar.h"
#include "ccengine/core/clock.h"
#include "ccengine/core/commands.h"
#include "ccengine/core/contact.h"
#include "ccengine/core/engine.h"
#include "ccengine/core/events.h"
#include "ccengine/core/kpi.h"
#include "ccengine/core/quality.h"
#include "ccengine/core/queue.h"
#include "ccengine/core/router_loop.h"
#include "ccengine/core/strategy.h"
#include "ccengine/core/types.h"
#include "ccengine/core/wait_estimate.h"
#include "ccengine/erlang/erlang.h"
#include "ccengine/knowledge/answer.h"
#include "ccengine/knowledge/article.h"
#include "ccengine/knowledge/assistant.h"
#include "ccengine/knowledge/query.h"
#include "ccengine/knowledge/ranking.h"
#include "ccengine/knowledge/row_codec.h"
#include "ccengine/knowledge/snippet.h"
#include "ccengine/knowledge/store.h"
#include "ccengine/metrics/collector.h"
#include "ccengine/metrics/intervals.h"
#include "ccengine/metrics/prometheus.h"
#include "ccengine/sim/sim.h"
#include "ccengine/telephony/telephony.h"
#include "ccengine/text/synonyms.h"
#include "ccengine/text/tokenizer.h"
#include "ccengine/tickets/dedupe.h"
#include "ccengine/tickets/desk.h"
#include "ccengine/tickets/row_codec.h"
#include "ccengine/tickets/sla.h"
#include "ccengine/tickets/store.h"
#include "ccengine/tickets/ticket.h"
#include "ccengine/version.h"

#endif  // CCENGINE_H_
