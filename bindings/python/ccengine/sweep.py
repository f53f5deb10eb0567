"""Many simulations at once: every (scenario, replication) is one task, run in
a process pool on this machine or on a Dask cluster, and each scenario's
replications are combined into exactly the result ``simulate`` gives.

A replication draws its numbers from the scenario's seed and its own number
alone, so where it runs changes nothing: the combined figures are those of a
serial run, bit for bit (``wall_seconds`` aside: the sum of the tasks' own).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import os
import signal
import threading
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence

from . import _ccengine

__all__ = ["sweep"]

# How long a wait for a task may block before Python can see Ctrl-C.
_POLL_S = 0.05


def _replication(scenario: Mapping[str, Any], replication: int) -> bytes:
    """One task (module level, so that pools and Dask can pickle it)."""
    return _ccengine.simulate_replication(scenario, replication)


def _ignore_sigint() -> None:
    # A terminal's Ctrl-C reaches the whole process group; the parent stops
    # the pool, so the workers need not print tracebacks of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _replications(scenario: Mapping[str, Any]) -> int:
    return int(scenario.get("replications", 1))


def _named(error: Exception, index: int) -> Exception:
    """The same exception, its message prefixed with the scenario's index."""
    named = type(error)("scenarios[{}]: {}".format(index, error.args[0] if error.args else error))
    if hasattr(error, "code"):
        named.code = error.code  # type: ignore[attr-defined]
    return named


class _CtrlC:
    """While tasks run elsewhere, Ctrl-C only sets a flag, which the wait
    loop turns into KeyboardInterrupt between two waits (``check``).

    Raised wherever the main thread happens to be, the interrupt could land
    inside the pool's own bookkeeping (a lock taken and not given back) and
    leave the pool unable to stop. Where the handler cannot be replaced (not
    the main thread, or the program has its own), Python's applies. Python's
    handler is back once the pool is being stopped (``restore``): a second
    Ctrl-C then interrupts even that.
    """

    def __init__(self) -> None:
        self._hits: List[int] = []
        self._previous: Any = None
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
            self._previous = signal.signal(
                signal.SIGINT, lambda signum, frame: self._hits.append(signum))

    def check(self) -> None:
        if self._hits:
            self._hits.clear()
            raise KeyboardInterrupt

    def restore(self) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None


@contextlib.contextmanager
def _ctrl_c_as_flag() -> Iterator[_CtrlC]:
    ctrl_c = _CtrlC()
    try:
        yield ctrl_c
    finally:
        ctrl_c.restore()
    # A Ctrl-C in the last steps (a progress callback, the pool's close) is
    # not lost.
    ctrl_c.check()


def _wait_all(handles: List[Any], result: Callable[[Any, Callable[[], None]], bytes],
              progress, check: Callable[[], None]) -> List[bytes]:
    out = []
    for done, handle in enumerate(handles, 1):
        check()
        out.append(result(handle, check))
        if progress is not None:
            progress(done, len(handles))
    check()
    return out


def _future_result(future: Any, check: Callable[[], None]) -> bytes:
    # Both concurrent.futures and distributed futures take a timeout; a
    # short one lets the loop see Ctrl-C.
    while True:
        check()
        try:
            return future.result(timeout=_POLL_S)
        except (TimeoutError, concurrent.futures.TimeoutError):  # one class from 3.11
            continue


def _async_result(handle: Any, check: Callable[[], None]) -> bytes:
    while not handle.ready():
        check()
        handle.wait(_POLL_S)
    return handle.get()


def sweep(
    scenarios: Sequence[Mapping[str, Any]],
    executor: Any = None,
    *,
    workers: Optional[int] = None,
    progress: Optional[Callable[[int, int], None]] = None,
) -> List[Dict[str, Any]]:
    """Runs many scenarios, and each one's replications, in parallel.

    Args:
        scenarios: scenario dicts as for :func:`ccengine.simulate`; each
            ``(scenario, replication)`` is one task.
        executor: where the tasks run.

            * ``None``: a pool of ``workers`` processes on this machine
              (default: one per CPU), started for this call and stopped after.
            * ``"serial"``: one after another in this process.
            * a ``distributed.Client`` (Dask) or a ``concurrent.futures``
              executor: anything with ``submit(fn, *args)`` returning futures.
              The workers need ``ccengine`` importable.
        workers: the size of the default pool.
        progress: None, or a callable(done, total) called as tasks finish
            (in submission order).

    Returns:
        One result per scenario, in order, each exactly what
        ``ccengine.simulate(scenario)`` returns (``wall_seconds`` and
        ``contacts_per_second`` aside: the tasks' summed time).

    Raises:
        ValueError, CcengineError: a scenario that ``simulate`` would refuse,
            before anything runs; the message starts with ``scenarios[i]``.
        KeyboardInterrupt: Ctrl-C; the default pool's processes are stopped,
            an executor's pending futures are cancelled.
    """
    scenarios = list(scenarios)
    for i, scenario in enumerate(scenarios):
        try:
            _ccengine.check_scenario(scenario)
        except (ValueError, KeyError, _ccengine.CcengineError) as e:
            raise _named(e, i) from None
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise ValueError("workers: expected an int >= 1, got {!r}".format(workers))
    if progress is not None and not callable(progress):
        raise ValueError("progress: expected a callable(done, total) or None")
    tasks = [(i, r) for i, s in enumerate(scenarios) for r in range(_replications(s))]

    if isinstance(executor, str):
        if executor != "serial":
            raise ValueError(
                "executor: expected None, 'serial', or an object with submit(), "
                "got {!r}".format(executor)
            )
        # In this process: the C++ loop itself sees Ctrl-C.
        parts = _wait_all(
            tasks, lambda t, _: _replication(scenarios[t[0]], t[1]), progress,
            lambda: None,
        )
    elif executor is None:
        # fork where there is one: a script without a __main__ guard is not
        # run again in every worker (newer Pythons default to forkserver).
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        with _ctrl_c_as_flag() as ctrl_c:
            pool = multiprocessing.get_context(method).Pool(
                workers or os.cpu_count() or 1, initializer=_ignore_sigint)
            try:
                handles = [pool.apply_async(_replication, (scenarios[i], r)) for i, r in tasks]
                parts = _wait_all(handles, _async_result, progress, ctrl_c.check)
                pool.close()
            except BaseException:
                ctrl_c.restore()
                pool.terminate()
                raise
            finally:
                pool.join()
    elif callable(getattr(executor, "submit", None)):
        with _ctrl_c_as_flag() as ctrl_c:
            futures = [executor.submit(_replication, scenarios[i], r) for i, r in tasks]
            try:
                parts = _wait_all(futures, _future_result, progress, ctrl_c.check)
            except BaseException:
                ctrl_c.restore()
                for f in futures:
                    f.cancel()
                raise
    else:
        raise ValueError(
            "executor: expected None, 'serial', or an object with submit(), "
            "got {}".format(type(executor).__name__)
        )

    results = []
    at = 0
    for scenario in scenarios:
        n = _replications(scenario)
        results.append(_ccengine.combine_replications(scenario, parts[at : at + n]))
        at += n
    return results
