"""Type stubs for ccengine._ccengine, the compiled core of ccengine.

Import ``ccengine``, which re-exports everything here.
"""

import datetime
import os
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

__version__: str

SkillRef = Union[str, int]
"""A skill by name or by id."""
QueueRef = Union[str, int]
"""A queue by name or by id."""
Skills = Union[Mapping[SkillRef, int], Sequence[Tuple[SkillRef, int]]]
"""Skills with levels 1..10: {skill: level} or [(skill, level), ...]."""

class CcengineError(RuntimeError):
    """An engine error that is neither bad input (ValueError) nor an unknown id
    or name (KeyError): FAILED_PRECONDITION, ALREADY_EXISTS,
    RESOURCE_EXHAUSTED... The status code name is in ``code``."""

    code: str

# --- Erlang analytics ----------------------------------------------------------

def erlang_b(traffic: float, agents: int) -> float:
    """Blocking probability of an Erlang loss system (M/M/n/n)."""

def erlang_c(traffic: float, agents: int) -> float:
    """P(wait > 0) in M/M/n; needs traffic < agents."""

def erlang_c_metrics(arrival_rate: float, aht: float, agents: int, sl_seconds: float) -> Dict[str, float]:
    """Erlang C metrics: keys p_wait, asa, service_level, occupancy."""

def erlang_a_metrics(
    arrival_rate: float, aht: float, patience: float, agents: int, sl_seconds: float
) -> Dict[str, float]:
    """Erlang A metrics: keys p_wait, p_abandon, asa, service_level, occupancy."""

def agents_for_service_level(
    arrival_rate: float,
    aht: float,
    sl_target: float,
    sl_seconds: float,
    patience: Optional[float] = None,
) -> int:
    """Fewest agents meeting sl_target (Erlang C, or Erlang A with patience)."""

# --- personal data ---------------------------------------------------------------

def find_pii(text: str) -> List[Dict[str, Any]]:
    """Personal data in ``text``: ``{"kind", "start", "end", "text"}`` per match."""

def mask_pii(text: str) -> str:
    """``text`` with its personal data masked ("138****5678", ...)."""

# --- the audit trail (present when built with adapters/audit, libcrypto) ----------

class AccessControl:
    """Roles and scopes on every command (docs/compliance.md#roles-and-scopes)."""

    def __init__(self, routing: Optional["RoutingFile"] = None) -> None: ...
    def add_actor(
        self,
        id: str,
        *,
        tenant: str = "",
        departments: Sequence[str] = ...,
        agent: Optional[int] = None,
        roles: Sequence[Union[str, Tuple[str, float]]] = ...,
    ) -> int:
        """Registers an actor; returns its number (for Engine.actor)."""
    def remove_actor(self, id: str) -> None: ...
    def find_actor(self, id: str) -> int: ...
    def actor(self, number: int) -> Dict[str, Any]: ...
    def assign_agent(self, agent: int, department: str) -> None: ...
    def grant_role(
        self, by: int, actor: str, role: str, *, until_s: Optional[float] = None, now_s: float
    ) -> None: ...
    def revoke_role(self, by: int, actor: str, role: str, *, now_s: float) -> None: ...
    def check(
        self,
        actor: int,
        permission: str,
        *,
        now_s: float,
        department: Optional[str] = None,
        agent: Optional[int] = None,
        tenant: str = "",
    ) -> None:
        """Raises unless the actor may use the permission on that data."""
    def set_decision_sink(self, sink: Optional[Callable[[Dict[str, Any]], Any]]) -> None: ...
    @property
    def roles(self) -> Dict[str, Dict[str, str]]: ...

def audit_keygen() -> Tuple[str, str]:
    """A new Ed25519 key pair in PEM: ``(private_pem, public_pem)``."""

class AuditLog:
    """An audit log open for appending; a context manager (close() on exit)."""

    def __init__(
        self,
        path: Union[str, "os.PathLike[str]"],
        private_key_pem: str,
        *,
        checkpoint_every: int = 1000,
        sync: str = "every_entry",
        mask_personal_data: bool = True,
    ) -> None: ...
    def append(
        self,
        *,
        actor: str,
        role: str,
        action: str,
        subject: str = "",
        before: str = "",
        after: str = "",
        reason: str = "",
    ) -> int:
        """Appends one entry; returns its sequence number."""
    def checkpoint(self) -> None: ...
    def close(self) -> None: ...
    @property
    def last_seq(self) -> int: ...
    @property
    def path(self) -> str: ...
    def __enter__(self) -> "AuditLog": ...
    def __exit__(self, *exc: Any) -> None: ...

def verify_audit_log(
    path: Union[str, "os.PathLike[str]"],
    public_key_pem: str,
    *,
    head: Union[None, str, "os.PathLike[str]"] = None,
    require_head: bool = True,
    records: bool = False,
) -> Dict[str, Any]:
    """The chain, checkpoints and head checked: ``intact``, counts, the first problem."""

# --- simulation ------------------------------------------------------------------

def simulate(
    scenario: Mapping[str, Any], progress: Optional[Callable[[int, int], None]] = None
) -> Dict[str, Any]:
    """Runs a scenario (the bare call; ``ccengine.simulate`` adds a progress bar)."""

def optimize_staffing(
    scenario: Mapping[str, Any],
    targets: Mapping[str, Mapping[str, float]],
    *,
    confidence: float = 0.9,
    min_replications: int = 6,
    max_replications: int = 24,
    warmup_intervals: int = 2,
    max_agents: int = 2000,
    max_rounds: int = 20,
    threads: int = 0,
    group_cost: Optional[Mapping[str, float]] = None,
    start: Optional[Mapping[str, List[int]]] = None,
    pad_erlang_plan: bool = False,
    progress: Optional[Callable[[int, int], None]] = None,
) -> Dict[str, Any]:
    """The fewest agents per interval and group whose simulated day meets the targets."""

def check_scenario(scenario: Mapping[str, Any]) -> None:
    """Raises what ``simulate`` would raise before running the scenario."""

def simulate_replication(scenario: Mapping[str, Any], replication: int) -> bytes:
    """One replication's raw counters, for ``combine_replications``."""

def combine_replications(
    scenario: Mapping[str, Any], replications: List[bytes]
) -> Dict[str, Any]:
    """One entry per replication, in order -> ``simulate(scenario)``'s result."""

class IntervalRows:
    """A run's 15-minute interval rows (``simulate``'s ``interval_rows`` with
    ``report_start``) and the calendar reports made from them by the same
    report functions as a live center's."""

    @property
    def queue_rows(self) -> int: ...
    @property
    def agent_rows(self) -> int: ...
    def report(
        self,
        of: str = "queues",
        granularity: str = "day",
        time_zone: str = "UTC",
        format: str = "rows",
        target: Optional[float] = None,
    ) -> Union[List[Dict[str, Any]], str]:
        """Rows (dicts), "csv", "json" or an "svg" chart (queues only) of
        ``of`` ("queues", "agents", "groups") per ``granularity``
        ("15min" ... "month") in ``time_zone``."""

# --- the engine ------------------------------------------------------------------

class Engine:
    """The contact-center routing engine, driven synchronously from Python.

    Errors leave the engine unchanged: ValueError (malformed input), KeyError
    (unknown id or name), CcengineError (the state does not allow it).
    Events are buffered; take them with ``drain_events()``.
    """

    def __init__(
        self,
        *,
        intake_capacity: int = 65536,
        rona_limit: int = 3,
        priority_class_weight_s: float = 600.0,
        seed: int = 1,
        start_s: float = 0.0,
        record_events: bool = True,
        explain: bool = False,
        quality_half_life_s: Optional[float] = 604800.0,
        quality_prior_weight: float = 10.0,
        default_csat: float = 3.5,
        default_fcr: float = 0.7,
        work_window_s: float = 1800.0,
        customer_history_size: int = 8,
        customer_history_retention_s: float = 2592000.0,
        customer_history_max_entries: int = 1048576,
    ) -> None:
        """Creates an engine whose time starts at ``start_s`` seconds."""
    @classmethod
    def from_config(
        cls, source: Union[str, "os.PathLike[str]", "RoutingFile"], **kwargs: Any
    ) -> "Engine":
        """An engine with a routing file's skills, strategies and queues (the
        file's ids) as routing version 1; other keyword arguments go to
        ``Engine(...)``."""
    def reload_routing(self, source: Union[str, "os.PathLike[str]", "RoutingFile"]) -> int:
        """Makes a routing file the next routing version (waiting contacts
        re-evaluated); CcengineError lists why a file cannot follow."""
    def rollback_routing(self) -> int:
        """Returns to the routing version before the current one, as a new version."""
    @property
    def routing(self) -> Optional["RoutingFile"]:
        """The current routing file, or None for an engine not from a file."""
    @property
    def routing_history(self) -> List[Dict[str, Any]]:
        """Every routing change: from/to version and hash, source, at_s, rollback."""

    # configuration
    def add_skill(self, name: str) -> int:
        """Registers a skill; returns its id."""
    def find_skill(self, name: str) -> int:
        """The id of a skill; KeyError if unknown."""
    @property
    def skills(self) -> List[str]:
        """Skill names, by id."""
    def add_queue(self, config: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> int:
        """Adds a queue (keys: name, skills, relaxation, priority, aging_weight,
        sl_seconds, sl_target, max_size, max_wait_s, overflow_to, wrap_up_s,
        offer_timeout_s, strategy, expected_handle_time_s); returns its id."""
    def update_queue(self, queue: QueueRef, config: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> None:
        """Replaces the given keys of a queue's rules."""
    def find_queue(self, name: str) -> int:
        """The id of a queue; KeyError if unknown."""
    def get_queue_config(self, queue: QueueRef) -> Dict[str, Any]:
        """A queue's rules as a dict (the keys of add_queue)."""
    @property
    def queues(self) -> List[str]:
        """Queue names, by id."""
    def add_satisfaction_strategy(
        self,
        name: str,
        *,
        quality: float = 4.0,
        csat_share: float = 0.5,
        proficiency: float = 0.5,
        idle: float = 1.0,
        occupancy: float = 1.0,
        occupancy_target: float = 0.85,
        idle_scale_s: float = 300.0,
        min_idle_for_quality: int = 2,
        quality_fade_s: float = 120.0,
        max_hold_s: float = 0.0,
        hold_margin: float = 0.15,
    ) -> int:
        """Registers a 'satisfaction' strategy with these weights; returns its id."""
    def add_composite_strategy(
        self,
        name: str,
        *,
        proficiency: float = 1.0,
        idle: float = 1.0,
        spare_capacity: float = 1.0,
        fewest_handled: float = 0.0,
        idle_scale_s: float = 300.0,
    ) -> int:
        """Registers a weighted composite agent-selection strategy."""

    # agents
    def add_agent(
        self,
        agent: int,
        *,
        name: str = "",
        skills: Optional[Skills] = None,
        capacity: Optional[Mapping[str, Any]] = None,
        weight: float = 1.0,
        auto_accept: bool = False,
    ) -> None:
        """Adds a logged-out agent (auto_accept: offers are accepted as they are made)."""
    def remove_agent(self, agent: int) -> None:
        """Removes a logged-out agent."""
    def set_agent_skills(self, agent: int, skills: Skills) -> None:
        """Replaces an agent's skills."""
    def login(self, agent: int, ready: bool = True, reason: int = 0) -> None:
        """Logs an agent in."""
    def logout(self, agent: int) -> None:
        """Logs an agent out."""
    def set_ready(self, agent: int) -> None:
        """Makes an agent ready."""
    def set_not_ready(self, agent: int, reason: int = 0) -> None:
        """Makes an agent not ready."""
    def end_wrap_up(self, agent: int) -> None:
        """Ends an agent's wrap-up early."""
    def force_agent_state(self, agent: int, state: str, reason: int = 0) -> None:
        """Supervisor: 'logged_out', 'not_ready' or 'available'."""

    # contacts
    def add_contact(
        self,
        contact: int,
        queue: QueueRef,
        *,
        channel: str = "voice",
        priority: int = 0,
        skills: Optional[Skills] = None,
        customer_id: str = "",
        attributes: Optional[Mapping[str, str]] = None,
        arrived_at_s: Optional[float] = None,
        preferred_agents: Optional[Sequence[int]] = None,
        prefer_last_agent: bool = False,
        preferred_wait_s: float = 0.0,
    ) -> None:
        """A contact arrives: offered at once or queued. With preferred agents
        (or ``prefer_last_agent``) it waits up to ``preferred_wait_s`` for one
        of them, then any agent may take it."""
    def accept_offer(self, agent: int, contact: int, offer: Optional[int] = None) -> None:
        """The agent answers the offered contact. ``offer`` (an event's
        ``"offer"``): that offer only; a later one is refused, and answering
        an offer already accepted does nothing."""
    def reject_offer(self, agent: int, contact: int, offer: Optional[int] = None) -> None:
        """The agent declines the offer (``offer``: that offer only)."""
    def complete_contact(
        self,
        agent: int,
        contact: int,
        *,
        csat: Optional[int] = None,
        resolved: Optional[bool] = None,
    ) -> None:
        """The agent finishes a contact in service; the outcome teaches the
        agent's quality estimates."""
    def quality(self, agent: int, skill: SkillRef) -> Dict[str, float]:
        """{'csat', 'fcr', 'csat_weight', 'fcr_weight'} of an agent on a skill."""
    def window_occupancy(self, agent: int) -> float:
        """The agent's occupancy over the sliding work window."""
    def abandon(self, contact: int) -> None:
        """The customer left (refused for a waiting or ringing callback)."""
    def request_callback(self, contact: int) -> None:
        """Virtual hold: a waiting caller keeps its place and is called back."""
    def transfer(self, contact: int, to: QueueRef, keep_age: bool = True) -> None:
        """Moves a contact to another queue."""
    def withdraw(self, contact: int) -> None:
        """Supervisor: takes a waiting or ringing contact out of routing."""
    def set_priority(self, contact: int, priority: int) -> None:
        """Supervisor: changes a contact's priority class."""

    # driving
    def submit(self, command: Mapping[str, Any], *, producer: int = 0,
               sequence: int = 0, actor: int = 0) -> None:
        """Queues a command dict ({"type": method name, **arguments}); producer
        and sequence number it for exactly-once delivery; actor sends it as
        that actor instead of Engine.actor."""
    def apply(self, command: Mapping[str, Any], *, producer: int = 0,
              sequence: int = 0, actor: int = 0) -> None:
        """Applies a command dict now."""
    def attach_access(self, access: Optional[AccessControl]) -> None:
        """Every command from now on is authorized by `access` (None: no longer)."""
    @property
    def actor(self) -> int:
        """The actor number this engine's commands are sent as (0: none)."""
    @actor.setter
    def actor(self, value: int) -> None: ...
    def producer_sequence(self, producer: int) -> int:
        """The highest sequence applied from `producer` (0: none)."""
    def poll(self, now_s: float) -> int:
        """Fires due timers, applies submitted commands; returns how many."""
    def advance_to(self, now_s: float) -> None:
        """Moves time forward, firing due timers."""
    @property
    def now(self) -> float:
        """The engine's time, seconds."""
    def next_timer_at(self) -> Optional[float]:
        """When the earliest pending timer is due, or None."""

    # events
    def drain_events(self, max: Optional[int] = None) -> List[Dict[str, Any]]:
        """Returns and forgets the buffered events, oldest first."""
    @property
    def pending_events(self) -> int:
        """How many events are buffered."""
    record_events: bool
    """Whether events are buffered for drain_events()."""
    explain: bool
    """Whether each decision also leaves a 'decision_explained' event."""

    # queries
    def get_agent(self, agent: int) -> Dict[str, Any]:
        """An agent's snapshot as a dict (time_in_state_s: seconds per state since it was added)."""
    def get_contact(self, contact: int, *, unmasked: bool = False,
                    actor: int = 0) -> Dict[str, Any]:
        """A live contact's snapshot as a dict, its customer id and attributes
        masked; unmasked=True needs pii.unmask (checked and recorded by the
        attached AccessControl)."""
    def queue_position(self, contact: int) -> int:
        """1-based place of a waiting contact."""
    def simple_estimated_wait(self, contact: int) -> float:
        """Estimated wait of a waiting contact, seconds (the simple figure)."""
    def estimate_wait(self, contact: int) -> Dict[str, Any]:
        """Expected wait with an 80% interval: expected_s, low_s, high_s,
        low_quantile, high_quantile, position, agents, servers, handle_time_s."""
    def queue_stats(self, queue: QueueRef) -> Dict[str, Any]:
        """Real-time figures of a queue."""
    def attach_metrics(self, *, time_zone: str = "UTC",
                       windows_min: Optional[List[float]] = None,
                       retain_h: float = 168.0) -> None:
        """Attaches live metrics: calendar rows in time_zone, sliding windows."""
    def assign_group(self, agent: int, group: str) -> None:
        """Puts an agent in a group for the metrics' group rows."""
    def metrics_rows(self, of: str, granularity: str, from_s: float,
                     to_s: float) -> List[Dict[str, Any]]:
        """Calendar rows of "queues", "agents" or "groups"."""
    def metrics_now(self) -> Dict[str, Any]:
        """Each queue now (waiting, longest wait, windows) and agents by state."""
    def customer_history(self, customer_id: str) -> List[Dict[str, Any]]:
        """The customer's recent contacts across channels, newest first."""
    def erase_customer(self, customer_id: str, *, actor: str = "") -> List[int]:
        """An erasure request: forgets the customer's history; returns its contact ids."""
    def last_agent(self, customer_id: str) -> Optional[int]:
        """The agent who last served the customer, or None."""
    @property
    def customer_history_entries(self) -> int:
        """History entries held now, over all customers."""
    def accounting(self) -> Dict[str, Any]:
        """Where every contact that entered is now."""
    def check_invariants(self) -> None:
        """Full consistency check; raises CcengineError on a violation."""
    def state_bytes(self) -> bytes:
        """The whole engine state as canonical bytes (a state digest)."""

    # durability
    def open_journal(self, dir: str, *, fsync: str = "always",
                     batch_interval_s: float = 0.01, segment_bytes: int = 64 << 20,
                     snapshots: Optional[str] = None) -> Dict[str, Any]:
        """Recovers what the folder holds, then journals every command
        (call after configuring, before the first command)."""
    def checkpoint(self, keep: int = 2) -> Dict[str, Any]:
        """Writes a snapshot and drops the journal segments it covers."""
    def close_journal(self) -> None:
        """Syncs and closes the journal."""
    @property
    def journal(self) -> Optional[Dict[str, Any]]:
        """The open journal's folder, policy and sequences; None when none."""
    @property
    def agent_count(self) -> int:
        """Agents known to the engine."""


class TicketDesk:
    """The ticket desk (工单): duplicates linked, dispatch through an engine,
    SLA clocks on business hours. ``TicketDesk(":memory:" | path | "postgresql://…",
    engine=None, start_s=None)``. Tickets are dicts; transitions raise
    CcengineError (FAILED_PRECONDITION) and change nothing when the state does
    not allow them."""

    def __init__(
        self, path_or_dsn: str, engine: Optional[Engine] = None, start_s: Optional[float] = None, sync: str = "full",
        *, actor: int = 0
    ) -> None: ...
    def add_category(
        self,
        name: str,
        department: str,
        queue: Union[None, str, int] = None,
        skills: Any = None,
        priority: int = 0,
        first_response_s: float = 0.0,
        resolution_s: float = 0.0,
        hours: Optional[Dict[str, Any]] = None,
        warn_share: float = 0.8,
        warn_priority_boost: int = 1,
        escalation_queue: Union[None, str, int] = None,
        dedupe_window_s: float = 604800.0,
    ) -> None: ...
    def add_categories(self, routing: "RoutingFile") -> List[str]:
        """Every ticket category of a routing file, for a desk whose engine was
        made from that file (``Engine.from_config``); returns their names."""
    def create(
        self,
        category: str,
        text: str,
        customer_id: Optional[str] = None,
        address: Optional[str] = None,
        fields: Optional[Dict[str, str]] = None,
        actor: str = "desk",
        received_at: Optional[float] = None,
        dedupe: bool = True,
    ) -> Dict[str, Any]: ...
    def add_child(
        self,
        master: int,
        category: str,
        text: str,
        customer_id: Optional[str] = None,
        address: Optional[str] = None,
        fields: Optional[Dict[str, str]] = None,
        actor: str = "desk",
    ) -> Dict[str, Any]: ...
    def dispatch(self, id: int, actor: str, category: Optional[str] = None) -> Dict[str, Any]: ...
    def sign_for(self, id: int, agent: str) -> Dict[str, Any]: ...
    def start(self, id: int, actor: str) -> Dict[str, Any]: ...
    def pend(self, id: int, actor: str, reason: str) -> Dict[str, Any]: ...
    def resume(self, id: int, actor: str) -> Dict[str, Any]: ...
    def resolve(self, id: int, actor: str, answer: str) -> Dict[str, Any]: ...
    def close(self, id: int, actor: str, reason: str = "") -> Dict[str, Any]: ...
    def return_to_dispatcher(self, id: int, actor: str, reason: str) -> Dict[str, Any]: ...
    def reopen(self, id: int, actor: str, reason: str) -> Dict[str, Any]: ...
    def merge(self, id: int, master: int, actor: str, reason: str = "") -> Dict[str, Any]: ...
    def cancel(self, id: int, actor: str, reason: str) -> Dict[str, Any]: ...
    def request_extension(self, id: int, actor: str, extra_s: float, reason: str) -> Dict[str, Any]: ...
    def decide_extension(self, id: int, supervisor: str, approve: bool, reason: str = "") -> Dict[str, Any]: ...
    def escalate(self, id: int, supervisor: str, reason: str) -> Dict[str, Any]: ...
    def tick(self) -> None: ...
    def advance_to(self, t: float) -> None: ...
    @property
    def now(self) -> float: ...
    def get(self, id: int, *, unmasked: bool = False, actor: str = "") -> Dict[str, Any]:
        """The ticket, its text, customer id, address and fields masked;
        unmasked=True needs pii.unmask (checked and recorded by the access
        control attached to the desk's engine)."""
    def audit_to(self, log: "AuditLog") -> None:
        """Writes every ticket event but SLA warnings to the audit log."""
    @property
    def audit_failures(self) -> int:
        """Entries the audit log could not take, so far."""
    @property
    def audit_error(self) -> Optional[str]:
        """The first of those failures' message, or None."""
    def erase_customer(self, customer_id: str, actor: str, reference: str) -> List[int]:
        """A customer's erasure request: every ticket of theirs anonymized
        (text, customer id, address, fields, history reasons erased), a
        history entry "erase" whose reason is ``reference``. Needs pii.erase
        (checked and recorded by the access control attached to the desk's
        engine); FAILED_PRECONDITION while the customer has an open ticket."""
    def expire_finished(self, keep_s: float, actor: str = "retention") -> int:
        """Retention: anonymizes the finished tickets last updated more than
        keep_s seconds ago; returns how many."""
    def history(self, id: int) -> List[Dict[str, Any]]: ...
    def query(
        self,
        states: Optional[List[str]] = None,
        department: Optional[str] = None,
        category: Optional[str] = None,
        customer_id: Optional[str] = None,
        due_by: Optional[float] = None,
        created_since: Optional[float] = None,
        open_only: bool = False,
        after_id: int = 0,
        limit: int = 1000,
    ) -> List[Dict[str, Any]]: ...
    def counters(self) -> Dict[str, Dict[str, int]]: ...
    def drain_events(self) -> List[Dict[str, Any]]: ...
    @property
    def open_tickets(self) -> int: ...
    @property
    def index_bytes(self) -> int: ...


# --- routing file ---------------------------------------------------------------

class RoutingFile:
    """A loaded routing file: skills, queues, strategies, agent profiles and
    entry flows (docs/routing-config.md). Loading raises one ValueError that
    lists every error as ``file:line:column: /json/pointer: message``."""

    @staticmethod
    def load(path: Union[str, "os.PathLike[str]"]) -> "RoutingFile":
        """ValueError lists every error; FileNotFoundError / PermissionError
        when the file cannot be read."""
    @staticmethod
    def from_json(text: str, source: str = "routing.json") -> "RoutingFile": ...
    @staticmethod
    def from_yaml(text: str, source: str = "routing.yaml") -> "RoutingFile":
        """A routing file written in YAML (ValueError when the module was
        built without libyaml)."""
    @property
    def source(self) -> str: ...
    @property
    def content_hash(self) -> str:
        """FNV-1a 64 of the file's bytes, 16 hex digits."""
    @property
    def skills(self) -> List[str]: ...
    @property
    def queues(self) -> List[str]: ...
    @property
    def flows(self) -> List[str]: ...
    @property
    def ticket_categories(self) -> List[str]: ...
    @property
    def retention(self) -> Dict[str, float]:
        """How long each kind of personal data is kept, seconds:
        customer_history_s, tickets_s, knowledge_feedback_s, reports_s,
        audit_s."""
    @property
    def attributes(self) -> Dict[str, str]:
        """The facts a flow may read, {name: "string" | "number" | "bool" | "string list"}."""
    def agent_profile(self, name: str) -> Dict[str, Any]:
        """The keyword arguments of ``Engine.add_agent`` for an agent of the profile."""
    def route(
        self, flow: str, facts: Mapping[str, Any] = ..., *, channel: str = "voice", at_s: float = 0.0
    ) -> Dict[str, Any]:
        """Where the flow sends a contact: the keyword arguments of
        ``Engine.add_contact`` (queue, priority, skills, preferred_agents,
        prefer_last_agent, preferred_wait_s)."""
    def match(
        self, flow: str, facts: Mapping[str, Any] = ..., *, channel: str = "voice", at_s: float = 0.0
    ) -> Optional[str]:
        """The name of the deciding rule, or None for the flow's default."""

class RoutingShadow:
    """Shadow evaluation (灰度) of a candidate routing version on live traffic:
    every contact routed by both versions' entry flow, the decisions compared
    and counted per window; with ``canary_share`` > 0 that share of contacts
    (by a hash of the id) is routed by the candidate for real."""

    def __init__(
        self, live: Union[str, "os.PathLike[str]", RoutingFile],
        candidate: Union[str, "os.PathLike[str]", RoutingFile], canary_share: float = 0.0
    ) -> None: ...
    def route(
        self, contact: int, flow: str, facts: Optional[Mapping[str, Any]] = None, *,
        at_s: float, channel: str = "voice"
    ) -> Dict[str, Any]:
        """The keyword arguments of ``Engine.add_contact`` for the target that
        routes the contact for real (the live one, or the candidate's); at_s
        (the arrival, seconds since the Unix epoch) is required."""
    def in_canary(self, contact: int) -> bool: ...
    def report(self) -> Dict[str, Any]:
        """The window so far: decisions, differing, differing_share, what
        differs, queue_moves, rules, samples, the two content hashes."""
    def take_report(self) -> Dict[str, Any]:
        """report(), and a new window begins."""
    @property
    def canary_share(self) -> float: ...

# --- knowledge base --------------------------------------------------------------

Time = Union[datetime.datetime, float]
"""A datetime (a naive one is taken as UTC) or float seconds since the Unix epoch."""
Labels = Union[str, Iterable[str]]
"""Tags, skills, queues or departments: one str is one label."""

class KnowledgeBase:
    """The knowledge base (知识库): articles searched by BM25 over title, tags
    and body (Chinese, English or mixed; synonyms). ``KnowledgeBase(None |
    ":memory:" | path)``: in memory, or an SQLite FTS5 file (RuntimeError when
    the module was built without SQLite). ValueError for bad input, KeyError
    for an unknown id, CcengineError otherwise; a failed call changes
    nothing."""

    def __init__(
        self,
        path: Union[None, str, bytes, "os.PathLike[str]"] = None,
        *,
        synonyms: Union[None, str, "os.PathLike[str]"] = None,
        title_weight: float = 4.0,
        tags_weight: float = 2.0,
        body_weight: float = 1.0,
        mark: Tuple[str, str] = ("<mark>", "</mark>"),
        snippet_chars: int = 80,
        sync: str = "normal",
    ) -> None: ...
    def add(
        self,
        id: str,
        title: str,
        body: str = "",
        language: str = "zh",
        tags: Labels = (),
        *,
        skills: Labels = (),
        queues: Labels = (),
        departments: Labels = (),
        valid_from: Optional[Time] = None,
        valid_to: Optional[Time] = None,
        version: int = 0,
    ) -> int:
        """Adds or replaces the article; returns its new version. A positive
        ``version`` writes only if the stored one equals it (CcengineError
        ABORTED otherwise)."""
    def delete(self, id: str) -> None:
        """Removes the article; KeyError if there is none."""
    def get(self, id: str) -> Dict[str, Any]:
        """id, title, body, language, tags, skills, queues, departments,
        valid_from, valid_to (float seconds; None for an open end), version."""
    def __len__(self) -> int: ...
    def __contains__(self, id: object) -> bool: ...
    def search(
        self,
        query: str,
        k: int = 10,
        language: Optional[str] = None,
        tags: Optional[Labels] = None,
        *,
        skills: Optional[Labels] = None,
        queue: Optional[str] = None,
        department: Optional[str] = None,
        valid_at: Optional[Time] = None,
    ) -> List[Dict[str, Any]]:
        """The best ``k`` (1..100) hits, best first: dicts of id, score,
        coverage, version, title, language, tags, snippet."""

    def answer(
        self,
        question: str,
        language: Optional[str] = None,
        tags: Optional[Labels] = None,
        *,
        valid_at: Optional[Time] = None,
        min_coverage: float = 0.3,
        min_score: float = 16.0,
        min_lead: float = 1.2,
    ) -> Dict[str, Any]:
        """{"answer": the best hit (a search dict) or None to hand over to an
        agent, "reason": why not}. Thresholds calibrated on the evaluation set
        for about 90% precision."""
    def record_feedback(
        self,
        article: str,
        kind: str,
        *,
        at: Time,
        contact: Union[str, int] = "",
        agent: str = "",
    ) -> None:
        """Stores an agent's verdict ('used', 'helpful', 'not_helpful')."""
    def feedback_tallies(self, articles: Labels) -> List[Dict[str, Any]]:
        """Each article's verdict counts, in the order given."""
    def anonymize_feedback(
        self,
        *,
        contacts: Optional[Iterable[Union[str, int]]] = None,
        given_before: Optional[Time] = None,
    ) -> int:
        """Unlinks verdicts from their contact and agent (erasure or
        retention); tallies unchanged. Returns how many."""
    def load_jsonl(self, path: Union[str, "os.PathLike[str]"]) -> int:
        """Adds the articles of a JSON Lines FAQ file after checking every
        line (ValueError naming the first bad one, nothing added); returns
        how many."""
    @property
    def path(self) -> Optional[str]:
        """The SQLite file, or None in memory."""

def _validate_knowledge_article(
    id: str,
    title: str,
    body: str = "",
    language: str = "zh",
    tags: Labels = (),
    *,
    skills: Labels = (),
    queues: Labels = (),
    departments: Labels = (),
    valid_from: Optional[Time] = None,
    valid_to: Optional[Time] = None,
    version: int = 0,
) -> None: ...
