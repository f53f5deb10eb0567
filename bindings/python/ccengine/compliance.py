"""A customer's erasure request and the retention periods, across the stores.

``erase_customer`` carries out one erasure request in the ticket desk, the
knowledge feedback and the engine's memory; ``apply_retention`` applies a
routing file's retention periods to the desk and the knowledge feedback, as
a center's nightly job does (the engine applies the customer history's
period itself).
"""

from __future__ import annotations

import datetime
import math
import time
from typing import Any, Dict, Iterable, List, Optional, Union

from ._ccengine import Engine, KnowledgeBase, RoutingFile, TicketDesk


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
    """Carries out a customer's erasure request everywhere it is given a store.

    In this order, each step only once the one before succeeded:

    1. ``desk``: every ticket of the customer is anonymized
       (:meth:`TicketDesk.erase_customer`; refused with nothing changed while
       the customer has an open ticket).
    2. ``knowledge``: the agents' verdicts given on the customer's contacts
       are unlinked from the contact and the agent (tallies unchanged). The
       contacts are those the engine remembers for the customer plus
       ``contacts`` (what a CRM or call records know beyond the engine's
       history retention).
    3. ``engine``: the customer's contact history is forgotten
       (:meth:`Engine.erase_customer`; refused with nothing changed while a
       contact of theirs is live). It goes last because it is where step 2
       learns the contacts.

    ``actor`` (an AccessControl actor name; "" for Engine.actor) needs
    pii.erase: the desk and the engine judge and record it, naming the
    request by ``reference`` and never the customer. Every step is
    idempotent: after a refusal (an open ticket, a live contact, a store
    error) ask again later with the same arguments; what was done stays done.

    Returns ``{"tickets": [ticket ids anonymized], "feedback": verdicts
    unlinked, "contacts": [contact ids the engine forgot]}``.

    Raises:
        ValueError: an empty ``customer_id`` or ``reference``, or a contact id
            that is neither int nor str.
        CcengineError: a refusal (PERMISSION_DENIED, UNAUTHENTICATED,
            FAILED_PRECONDITION) from the step named in its message.
    """
    if not isinstance(customer_id, str) or not customer_id:
        raise ValueError("customer_id must be a non-empty str")
    if not isinstance(reference, str) or not reference:
        raise ValueError("reference must be a non-empty str: the records name the "
                         "request by it, never the customer")
    given: List[Union[int, str]] = []
    for i, c in enumerate(contacts):
        if isinstance(c, bool) or not isinstance(c, (int, str)):
            raise ValueError("contacts[{}]: expected an int or str contact id, got {}".format(
                i, type(c).__name__))
        given.append(c)
    result: Dict[str, Any] = {"tickets": [], "feedback": 0, "contacts": []}
    if desk is not None:
        result["tickets"] = desk.erase_customer(customer_id, actor, reference)
    if knowledge is not None:
        held = ([h["contact"] for h in engine.customer_history(customer_id)]
                if engine is not None else [])
        ids = list(dict.fromkeys(str(c) for c in held + given))
        if ids:
            result["feedback"] = knowledge.anonymize_feedback(contacts=ids)
    if engine is not None:
        result["contacts"] = engine.erase_customer(customer_id, actor=actor)
    return result


def apply_retention(
    routing: RoutingFile,
    *,
    desk: Optional[TicketDesk] = None,
    knowledge: Optional[KnowledgeBase] = None,
    now: Union[None, float, datetime.datetime] = None,
    actor: str = "retention",
) -> Dict[str, Optional[int]]:
    """Applies ``routing``'s retention periods to the stores it is given.

    What a center's nightly job runs (``routing.retention`` says how long):

    - ``desk``: the closed, merged and cancelled tickets last updated more
      than ``tickets_s`` before the desk's own clock are anonymized
      (:meth:`TicketDesk.expire_finished`, by ``actor``, who needs
      pii.erase when the desk's engine has an access control).
    - ``knowledge``: the verdicts given more than ``knowledge_feedback_s``
      before ``now`` (a datetime or seconds since the epoch; the wall clock
      when None) are unlinked from their contact and agent
      (:meth:`KnowledgeBase.anonymize_feedback`).

    The engine forgets each customer history entry at its age itself
    (``customer_history_s``, set when the engine is made from the file), so
    there is nothing here to run for it. Reports and the audit trail are
    files the operator archives (``reports_s``, ``audit_s``). Each step is
    idempotent: a job that stopped (Ctrl-C between pages, a store error) is
    run again.

    Returns ``{"tickets": anonymized or None, "feedback": unlinked or None}``
    (None for a store not given).

    Raises:
        ValueError: ``now`` not a datetime or a finite number.
        CcengineError: a refusal or a store error, from the step named in its
            message.
    """
    periods = routing.retention
    if now is None:
        now_s = time.time()
    elif isinstance(now, datetime.datetime):
        if now.tzinfo is None:
            raise ValueError("now: a datetime needs its time zone (tzinfo)")
        now_s = now.timestamp()
    elif isinstance(now, (int, float)) and not isinstance(now, bool) and math.isfinite(now):
        now_s = float(now)
    else:
        raise ValueError("now: expected a datetime or seconds since the epoch, got {!r}".format(
            now))
    result: Dict[str, Optional[int]] = {"tickets": None, "feedback": None}
    if desk is not None:
        result["tickets"] = desk.expire_finished(periods["tickets_s"], actor)
    if knowledge is not None:
        result["feedback"] = knowledge.anonymize_feedback(
            given_before=now_s - periods["knowledge_feedback_s"])
    return result
