"""ccengine: a contact-center routing (ACD) engine, Erlang analytics and a
staffing simulator, from Python.

The compiled core lives in ``ccengine._ccengine``; this package re-exports it
and adds what is easier in Python: a progress bar for long simulations,
conversion of results to pandas / numpy, and plots.

Routing, scripted step by step (times are float seconds; the engine never
reads the wall clock)::

    import ccengine
    e = ccengine.Engine()
    e.add_skill("tax")
    e.add_queue(name="tax", skills={"tax": 5})
    e.add_agent(7, skills={"tax": 8})
    e.login(7)
    e.add_contact(1001, "tax")          # offered to agent 7 at once
    e.accept_offer(7, 1001)
    e.advance_to(120.0)
    e.complete_contact(7, 1001)
    e.drain_events()                    # every decision, as dicts
    e.queue_stats("tax")["aht"]         # 120.0

Staffing analytics (rates per second, times in seconds)::

    ccengine.agents_for_service_level(100 / 1800, 180, 0.8, 20)   # 14
    ccengine.erlang_a_metrics(100 / 1800, 180, 300, 14, 20)["service_level"]

Simulation of a plain-data scenario (see :func:`simulate`), and many at once,
each replication a task in a process pool or on a Dask cluster (see
:func:`sweep`)::

    result = ccengine.simulate(scenario)
    ccengine.to_dataframe(result, "queue_intervals")
    ccengine.plot(result, "staffing.png")
    results = ccengine.sweep([scenario_a, scenario_b])   # == [simulate(a), simulate(b)]

Staffing from the simulation rather than the formulas: the fewest agents per
interval and group that meet the targets through the real routing (see
:func:`optimize_staffing`)::

    plan = ccengine.optimize_staffing(scenario, {"general": {"service_level": 0.8}})
    plan["groups"], plan["agent_hours"], plan["erlang_agent_hours"]

Tickets (工单): a desk that links duplicates, dispatches through an engine and
runs SLA clocks (see :class:`TicketDesk`)::

    desk = ccengine.TicketDesk("tickets.db", start_s=0)      # SQLite file
    desk.add_category("noise", "城管", resolution_s=3 * 86400)
    t = desk.create("noise", "楼下烧烤店噪音扰民", address="建国路88号")
    desk.dispatch(t["id"], "dispatcher")

A customer's erasure request (个保法 删除权) carried out wherever ccengine keeps
their data — the ticket store, the knowledge base's feedback, the engine's
memory — judged and recorded without the erased data (see
:func:`erase_customer`)::

    ccengine.erase_customer("13800138000", actor="admin", reference="DEL-2026-0042",
                            engine=e, desk=desk, knowledge=kb)

A knowledge base (知识库) of FAQ and policy articles, searched in Chinese,
English or both (see :class:`KnowledgeBase`)::

    kb = ccengine.KnowledgeBase("kb.db", synonyms=pathlib.Path("synonyms.txt"))
    kb.add("faq-1", "异地就医备案办理", "通过国家医保服务平台App……", tags=["医保"])
    kb.load_jsonl("articles.jsonl")               # one JSON object per line
    kb.search("医保异地备案怎么办", k=3)[0]["id"]     # best first: id, score, snippet…

Routing as configuration: queues, skills and entry flows from one routing file
(see :class:`RoutingFile`)::

    routing = ccengine.RoutingFile.load("hotline.json")   # ValueError: every error
    e = ccengine.Engine.from_config(routing)
    e.add_contact(1001, **routing.route("hotline", {"contact.language": "en"}))

Errors: ``ValueError`` for malformed input, ``KeyError`` for an unknown id or
name, :class:`CcengineError` (a ``RuntimeError``) for a state that does not
allow the call. The message is the engine's; ``exc.code`` holds the status
code name (e.g. ``"FAILED_PRECONDITION"``).
"""

from __future__ import annotations

import math
import sys
import threading
import time
from typing import Any, Callable, Dict, List, Mapping, Union

from ._ccengine import (
    AccessControl,
    CcengineError,
    Engine,
    IntervalRows,
    KnowledgeBase,
    RoutingFile,
    RoutingShadow,
    TicketDesk,
    __version__,
    agents_for_service_level,
    erlang_a_metrics,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
    find_pii,
    mask_pii,
    optimize_staffing,
)

# The audit trail, when the module was built with adapters/audit (libcrypto).
try:
    from ._ccengine import AuditLog, audit_keygen, verify_audit_log
except ImportError:
    _AUDIT: List[str] = []
else:
    _AUDIT = ["AuditLog", "audit_keygen", "verify_audit_log"]
from ._ccengine import simulate as _simulate
from .compliance import apply_retention, erase_customer
from .knowledge_jsonl import load_jsonl as _load_jsonl
from .plot import plot
from .sweep import sweep

__all__ = [
    "AccessControl",
    "CcengineError",
    "Engine",
    "IntervalRows",
    "KnowledgeBase",
    "RoutingFile",
    "RoutingShadow",
    "TicketDesk",
    "__version__",
    "agents_for_service_level",
    "apply_retention",
    "compare_routing",
    "erlang_a_metrics",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
    "erase_customer",
    "expected_contacts",
    "find_pii",
    "mask_pii",
    "metrics_frame",
    "optimize_staffing",
    "plot",
    "simulate",
    "sweep",
    "to_dataframe",
] + _AUDIT

# A run is "long" (worth a progress bar) with several replications or more
# expected contacts than this.
LONG_RUN_CONTACTS = 200_000

METRICS = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "overflowed",
    "p_wait",
    "p_abandon",
    "asa",
    "service_level",
    "aht",
    "occupancy",
    "agents",
    "csat_mean",
    "fcr_rate",
    "occupancy_spread",
)


def expected_contacts(scenario: Mapping[str, Any]) -> float:
    """Rough number of contacts a scenario will simulate, over all replications.

    Counts ``rate_per_s`` x horizon, the per-interval rates (the last one
    holding to the horizon) and trace lengths. Used to decide whether a run
    deserves a progress bar; malformed input counts as 0 (``simulate`` reports
    the real error).
    """
    try:
        horizon = float(scenario.get("horizon_s", 3600))
        interval = float(scenario.get("interval_s", 1800))
        reps = int(scenario.get("replications", 1))
        total = 0.0
        for a in scenario.get("arrivals") or []:
            if a.get("trace") is not None:
                total += len(a["trace"])
            elif a.get("rates_per_interval"):
                rates = [float(r) for r in a["rates_per_interval"]]
                n = int(math.ceil(horizon / interval)) if interval > 0 else 0
                for i in range(n):
                    span = min(interval, horizon - i * interval)
                    total += rates[min(i, len(rates) - 1)] * span
            else:
                total += float(a.get("rate_per_s") or 0) * horizon
        return max(total, 0.0) * max(reps, 1)
    except (TypeError, ValueError, AttributeError, KeyError, IndexError):
        return 0.0


class _ProgressBar:
    """A one-line text bar on a stream: replications done and elapsed time.

    A ticker thread redraws it while the simulation runs without the GIL, so
    even a single long replication shows that it is alive.
    """

    def __init__(self, total: int, stream: Any = None, width: int = 30) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.start = time.monotonic()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._tick, daemon=True)

    def __enter__(self) -> "_ProgressBar":
        self._draw()
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self._draw(final=True)

    def update(self, done: int, total: int) -> None:
        with self._lock:
            self.done, self.total = done, max(total, 1)
        self._draw()

    def _tick(self) -> None:
        while not self._stop.wait(0.25):
            self._draw()

    def _draw(self, final: bool = False) -> None:
        with self._lock:
            filled = int(self.width * self.done / self.total)
            bar = "#" * filled + "." * (self.width - filled)
            line = "\rsimulate [{}] {}/{} replications  {:.1f} s".format(
                bar, self.done, self.total, time.monotonic() - self.start
            )
            try:
                self.stream.write(line + ("\n" if final else ""))
                self.stream.flush()
            except (OSError, ValueError):
                pass


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def simulate(
    scenario: Mapping[str, Any],
    progress: Union[None, bool, Callable[[int, int], None]] = None,
    routing: Any = None,
) -> Dict[str, Any]:
    """Runs a staffing scenario through the real routing engine.

    A discrete-event simulation on a virtual clock whose router is the
    production ``Engine`` (same queues, skills, relaxation, strategies,
    wrap-up and overflow). The same scenario and seed give the same result.

    Args:
        scenario: plain data (JSON-able), e.g.::

            {"seed": 7, "horizon_s": 36000, "warmup_s": 3600,
             "interval_s": 1800, "replications": 1,
             "skills": ["general"],
             "queues": [{"name": "general", "skills": {"general": 1},
                         "sl_seconds": 20}],
             "agents": [{"count": 14, "skills": {"general": 5}}],
             "arrivals": [{"queue": "general", "rate_per_s": 0.2,
                           "handle_time": {"dist": "exponential", "mean": 60},
                           "patience": {"dist": "exponential", "mean": 120}}]}

            Queues take ``name, skills, relaxation [{after_s, skills}],
            priority, sl_seconds, sl_target, max_size, max_wait_s,
            overflow_to, wrap_up_s, strategy, aging_weight``. Agent groups
            take ``name, skills, capacity`` ({channel: max concurrent}) and
            one of ``count``, ``counts`` (per interval) or ``shifts``
            ([{start_s, end_s, count, breaks: [{start_s, duration_s}]}]).
            Arrivals take ``queue, channel, skills, priority,
            priority_fraction``, one of ``rate_per_s``,
            ``rates_per_interval`` or ``trace`` (arrival times), and
            ``handle_time`` / ``patience`` distributions
            ``{"dist": "exponential" | "lognormal" | "deterministic" |
            "empirical" | "none", "mean", "sd", "samples"}`` (no patience:
            never abandons), and ``callback: {"after_s": 60}`` (voice and
            video: a caller still waiting after 60 s asks for a callback
            instead of abandoning; the agents need callback capacity).
            ``max_expected_contacts`` (default 1e8, per replication) and
            ``max_backlog`` (default 1e6 contacts waiting at once) bound the
            run: a scenario beyond them is refused before it runs, and the
            run stops once more than ``max_backlog`` wait.
            ``report_start`` (an RFC 3339 time on a quarter hour, e.g.
            ``"2026-12-07T00:00:00+08:00"``) places the run on the calendar
            and keeps the first replication's 15-minute rows for day, week
            and month reports (``result["interval_rows"]``), at most
            ``max_report_rows`` of them (default 2e6; (agents + queues) ×
            quarter hours run).
            ``routing`` (a routing file's path, or a
            :class:`ccengine.RoutingFile`) takes the skills, queues and
            strategies from the file (the scenario lists none); agent groups
            may then name a ``profile`` of the file instead of skills and
            capacity, and arrivals a ``flow`` with the ``facts`` their
            contacts carry (``{"ivr.choice": "2", "customer.tier": "vip"}``)
            instead of a queue: each contact goes where the flow sends it at
            its arrival (docs/routing-config.md); ``survey_rates`` ({queue:
            share of answered contacts surveyed}) sets the file's queues'
            survey rates. The file's roles judge the day: every command
            of its agents and customers is sent as the actor
            ``"ccengine-sim"`` holding ``"system"``, and a file whose
            ``system`` role grants less stops the run (``CcengineError``,
            code ``PERMISSION_DENIED``, naming the permission). The engine's clock starts
            at ``report_start``, so queue hours and time rules see that
            calendar. Two files run on the same seed meet the same customers.
            Unknown keys raise ValueError.
        progress: None shows a text progress bar on stderr for long runs
            (several replications or more than 200,000 expected contacts)
            when stderr is a terminal; True always shows it; False never; a
            callable(done, total) is called after each replication instead.
        routing: the scenario's ``routing`` key, given here instead.

    Returns:
        ``{"summary": {"queues": {name: metrics}, "groups": {name: metrics}},
        "intervals": {"start_s": [...], "queues": {name: [metrics, ...]},
        "groups": {...}}, "half_width": {...} (only when replications > 1),
        "replications", "contacts", "events", "wall_seconds",
        "contacts_per_second", "invariants_ok", "interval_rows" (only with
        ``report_start``: a :class:`ccengine.IntervalRows`, whose
        ``report(of, granularity, time_zone, format)`` gives rows, CSV, JSON
        or an SVG chart)}``, where ``metrics`` is a dict
        of offered, answered, abandoned, overflowed, p_wait, p_abandon, asa,
        service_level, aht, occupancy, agents (mean agents logged in),
        csat_mean, fcr_rate (NaN without outcomes) and occupancy_spread (max -
        min agent occupancy; summary rows only, NaN per interval).

    Raises:
        ValueError: a malformed scenario; the message names the field, e.g.
            ``"arrivals[0].handle_time: unknown dist 'expo' ..."``.
        CcengineError: code ``RESOURCE_EXHAUSTED``, the scenario is beyond
            its bounds; the message names the stream or queue and the
            estimate.
        KeyboardInterrupt: Ctrl-C (checked every 50 ms of the run).
        FileNotFoundError, PermissionError: the routing file cannot be read.
    """
    if routing is not None:
        scenario = dict(scenario, routing=routing)
    if callable(progress) and not isinstance(progress, bool):
        return _simulate(scenario, progress)
    if progress is None:
        show = _isatty(sys.stderr) and (
            _replications(scenario) > 1
            or expected_contacts(scenario) > LONG_RUN_CONTACTS
        )
    else:
        show = bool(progress)
    if not show:
        return _simulate(scenario, None)
    with _ProgressBar(_replications(scenario)) as bar:
        return _simulate(scenario, bar.update)


# The figures compare_routing sets side by side, per queue and for all queues.
COMPARED = ("offered", "answered", "abandoned", "p_abandon", "service_level", "asa",
            "occupancy", "csat_mean")
COMPARED_ALL = ("offered", "answered", "abandoned", "p_abandon", "service_level", "asa",
                "csat_mean")


def _day_totals(queues: Mapping[str, Mapping[str, float]],
               surveys: Mapping[str, float]) -> Dict[str, float]:
    """All queues together: abandonment over offered, ASA over answered, the
    service level as answered within the threshold over offered (each queue's
    own figure times its offered: exact for the default definition), and CSAT
    over the surveys expected (answered times the queue's survey rate)."""
    offered = sum(q["offered"] for q in queues.values())
    answered = sum(q["answered"] for q in queues.values())
    abandoned = sum(q["abandoned"] for q in queues.values())
    within = sum(q["service_level"] * q["offered"] for q in queues.values() if q["offered"])
    waited = sum(q["asa"] * q["answered"] for q in queues.values() if q["answered"])
    rated = [(q["csat_mean"], q["answered"] * surveys.get(name, 0.0))
             for name, q in queues.items() if q["csat_mean"] == q["csat_mean"]]
    rated = [(c, n) for c, n in rated if n > 0]
    nan = float("nan")
    return {
        "offered": offered, "answered": answered, "abandoned": abandoned,
        "p_abandon": abandoned / offered if offered else nan,
        "service_level": within / offered if offered else nan,
        "asa": waited / answered if answered else nan,
        "csat_mean": (sum(c * n for c, n in rated) / sum(n for _, n in rated)
                      if rated else nan),
    }


def compare_routing(
    scenario: Mapping[str, Any],
    live: Any,
    candidate: Any,
    progress: Union[None, bool, Callable[[int, int], None]] = None,
) -> Dict[str, Any]:
    """Runs one scenario under two routing versions and sets their figures side
    by side: what a candidate would do to a day before it goes live.

    Both runs use the scenario's seed, and a stream's arrivals, handle times
    and patience do not depend on the routing (common random numbers), so the
    two days have the same customers and the differences are the routing's.

    Args:
        scenario: as for ``simulate`` with ``routing``: agent groups by
            ``profile``, arrivals by ``flow`` and ``facts``; no skills or
            queues (they come from each file). Each profile, flow and fact
            it names must exist in both files.
        live, candidate: the two versions (paths or ``RoutingFile``).
        progress: as for ``simulate``, for each of the two runs.

    Returns:
        ``{"live": summary, "candidate": summary, "queues": {name: {figure:
        {"live", "candidate", "delta"}}}, "all": {figure: {"live",
        "candidate", "delta"}}, "contacts"}`` where a summary is
        ``simulate``'s ``result["summary"]``, the figures are offered,
        answered, abandoned, p_abandon, service_level, asa, occupancy and
        csat_mean (delta = candidate - live; a queue only one version has
        shows None on the other side; CSAT needs the scenario's
        ``survey_rates`` and the agent groups' ``csat_mean``, else NaN), and
        "all" is every queue together without occupancy (service level and
        abandonment over offered, ASA over answered, CSAT over the surveys).

    Raises:
        ValueError, FileNotFoundError: as ``simulate``, naming the version.
    """
    runs = {}
    for name, routing in (("live", live), ("candidate", candidate)):
        try:
            runs[name] = simulate(scenario, progress=progress, routing=routing)
        except ValueError as e:
            raise ValueError(f"{name} version: {e}") from None
    a, b = runs["live"]["summary"]["queues"], runs["candidate"]["summary"]["queues"]
    surveys = scenario.get("survey_rates") or {}

    def side_by_side(x: Any, y: Any, figures=COMPARED) -> Dict[str, Any]:
        out = {}
        for figure in figures:
            u = None if x is None else x.get(figure)
            v = None if y is None else y.get(figure)
            out[figure] = {"live": u, "candidate": v,
                           "delta": None if u is None or v is None else v - u}
        return out

    names = list(a) + [q for q in b if q not in a]
    return {
        "live": runs["live"]["summary"],
        "candidate": runs["candidate"]["summary"],
        "queues": {q: side_by_side(a.get(q), b.get(q)) for q in names},
        "all": side_by_side(_day_totals(a, surveys), _day_totals(b, surveys), COMPARED_ALL),
        "contacts": runs["live"]["contacts"],
    }


def _replications(scenario: Mapping[str, Any]) -> int:
    try:
        return int(scenario.get("replications", 1))
    except (TypeError, ValueError, AttributeError):
        return 1


# --- tables --------------------------------------------------------------------

_KINDS = ("queues", "groups", "queue_intervals", "group_intervals", "events")


def _table(result: Any, kind: str) -> "tuple[List[str], List[List[Any]]]":
    if kind not in _KINDS:
        raise ValueError(
            "to_dataframe: unknown kind {!r} (known: {})".format(kind, ", ".join(_KINDS))
        )
    if kind == "events":
        if not isinstance(result, list):
            raise ValueError("to_dataframe: kind 'events' needs a list of event dicts")
        columns: List[str] = []
        for event in result:
            for key in event:
                if key not in columns:
                    columns.append(key)
        return columns, [[e.get(c) for c in columns] for e in result]
    if not isinstance(result, Mapping) or "summary" not in result:
        raise ValueError("to_dataframe: expected a result of ccengine.simulate()")
    half = result.get("half_width")
    side = "queues" if kind.startswith("queue") else "groups"
    label = "queue" if side == "queues" else "group"
    if kind in ("queues", "groups"):
        columns = [label] + list(METRICS)
        if half:
            columns += [m + "_hw" for m in METRICS]
        rows = []
        for name, metrics in result["summary"][side].items():
            row = [name] + [metrics.get(m) for m in METRICS]
            if half:
                row += [half[side][name].get(m) for m in METRICS]
            rows.append(row)
        return columns, rows
    intervals = result["intervals"]
    starts = intervals["start_s"]
    half_series = half["intervals"][side] if half and "intervals" in half else None
    columns = [label, "interval", "start_s"] + list(METRICS)
    if half_series:
        columns += [m + "_hw" for m in METRICS]
    rows = []
    for name, series in intervals[side].items():
        for i, metrics in enumerate(series):
            row = [name, i, starts[i] if i < len(starts) else None]
            row += [metrics.get(m) for m in METRICS]
            if half_series:
                row += [half_series[name][i].get(m) for m in METRICS]
            rows.append(row)
    return columns, rows


def to_dataframe(result: Any, kind: str = "queue_intervals") -> Any:
    """Turns a simulation result (or a list of events) into a table.

    Args:
        result: what :func:`simulate` returned, or, with ``kind="events"``,
            the list returned by ``Engine.drain_events()``.
        kind: ``"queue_intervals"`` (one row per queue and interval, columns
            queue, interval, start_s and the metrics), ``"group_intervals"``,
            ``"queues"`` (summary, one row per queue), ``"groups"`` or
            ``"events"``. With replications > 1 each metric ``m`` has a
            ``m_hw`` column: its 95% confidence half-width.

    Returns:
        A ``pandas.DataFrame`` when pandas is installed; otherwise a dict of
        column name to ``numpy`` array when numpy is; otherwise a dict of
        column name to list.

    Raises:
        ValueError: an unknown kind, or a value that is not a result.
    """
    columns, rows = _table(result, kind)
    try:
        import pandas as pd  # type: ignore
    except ImportError:
        pd = None
    if pd is not None:
        return pd.DataFrame(rows, columns=columns)
    data = {c: [row[i] for row in rows] for i, c in enumerate(columns)}
    try:
        import numpy as np  # type: ignore
    except ImportError:
        return data
    return {c: np.asarray(v) for c, v in data.items()}


def metrics_frame(rows: List[Mapping[str, Any]]) -> Any:
    """Turns ``Engine.metrics_rows(...)`` into a ``pandas.DataFrame``.

    One row per period and queue (agent, group), the figures as columns, and
    ``start``: the period's start as a UTC timestamp (convert it with
    ``.dt.tz_convert(zone)``). Without pandas, the rows are returned as they
    are.
    """
    try:
        import pandas as pd  # type: ignore
    except ImportError:
        return list(rows)
    frame = pd.DataFrame(list(rows))
    if "start_s" in frame:
        frame.insert(0, "start", pd.to_datetime(frame["start_s"], unit="s", utc=True))
    return frame


_load_jsonl.__name__ = "load_jsonl"
_load_jsonl.__qualname__ = "KnowledgeBase.load_jsonl"
# The compiled class takes the pure-Python method as its own.
KnowledgeBase.load_jsonl = _load_jsonl  # type: ignore[attr-defined]
