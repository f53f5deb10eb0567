"""Type stubs for the ccengine package."""

from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from ._ccengine import (
    AccessControl as AccessControl,
    AuditLog as AuditLog,
    CcengineError as CcengineError,
    Engine as Engine,
    IntervalRows as IntervalRows,
    KnowledgeBase as KnowledgeBase,
    RoutingFile as RoutingFile,
    RoutingShadow as RoutingShadow,
    TicketDesk as TicketDesk,
    __version__ as __version__,
    agents_for_service_level as agents_for_service_level,
    audit_keygen as audit_keygen,
    erlang_a_metrics as erlang_a_metrics,
    erlang_b as erlang_b,
    erlang_c as erlang_c,
    erlang_c_metrics as erlang_c_metrics,
    find_pii as find_pii,
    mask_pii as mask_pii,
    optimize_staffing as optimize_staffing,
    verify_audit_log as verify_audit_log,
)
from .plot import plot as plot

LONG_RUN_CONTACTS: int
METRICS: tuple[str, ...]

def apply_retention(
    routing: RoutingFile,
    *,
    desk: Optional[TicketDesk] = None,
    knowledge: Optional[KnowledgeBase] = None,
    now: Union[None, float, Any] = None,
    actor: str = "retention",
) -> Dict[str, Optional[int]]:
    """A routing file's retention periods applied to the desk (tickets_s, by
    the desk's clock) and the knowledge feedback (knowledge_feedback_s before
    now); None for a store not given."""

def erase_customer(
    customer_id: str,
    *,
    actor: str,
    reference: str,
    engine: Optional[Engine] = None,
    desk: Optional[TicketDesk] = None,
    knowledge: Optional[KnowledgeBase] = None,
    contacts: Iterable[Union[int, str]] = (),
) -> Dict[str, Any]:
    """A customer's erasure request on the desk, the knowledge feedback and
    the engine's memory, in that order; each step idempotent."""

def expected_contacts(scenario: Mapping[str, Any]) -> float:
    """Rough number of contacts a scenario will simulate, all replications."""

def simulate(
    scenario: Mapping[str, Any],
    progress: Union[None, bool, Callable[[int, int], None]] = None,
    routing: Any = None,
) -> Dict[str, Any]:
    """Runs a staffing scenario through the real routing engine."""

def compare_routing(
    scenario: Mapping[str, Any],
    live: Any,
    candidate: Any,
    progress: Union[None, bool, Callable[[int, int], None]] = None,
) -> Dict[str, Any]:
    """One scenario under two routing versions on the same simulated
    customers: each queue's figures and all queues together, side by side
    with candidate - live."""

def sweep(
    scenarios: Sequence[Mapping[str, Any]],
    executor: Any = None,
    *,
    workers: Optional[int] = None,
    progress: Optional[Callable[[int, int], None]] = None,
) -> List[Dict[str, Any]]:
    """Runs many scenarios and their replications in parallel (a process pool,
    "serial", or a Dask client); each result equals ``simulate(scenario)``."""

def to_dataframe(result: Union[Mapping[str, Any], List[Dict[str, Any]]], kind: str = "queue_intervals") -> Any:
def metrics_frame(rows: List[Mapping[str, Any]]) -> Any: ...
    """A pandas DataFrame (or dict of numpy arrays / lists) of a result."""
