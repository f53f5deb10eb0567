"""Plots of a simulation result (matplotlib).

:func:`plot` draws, per interval: staffing against load, service level, ASA,
abandonment and occupancy. matplotlib is imported only when a plot is drawn;
without a display (no ``DISPLAY``/``WAYLAND_DISPLAY``, not in Jupyter, and no
``MPLBACKEND`` chosen) the non-interactive Agg backend is used, so plotting
works on servers and in CI.
"""

from __future__ import annotations

import os
import sys
from typing import Any, List, Mapping, Optional, Sequence, Tuple

__all__ = ["plot"]


def _pick_backend() -> None:
    import matplotlib

    headless = (
        not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
        and sys.platform.startswith("linux")
    )
    if headless and "MPLBACKEND" not in os.environ and "ipykernel" not in sys.modules:
        matplotlib.use("Agg")


def _starts_hours(result: Mapping[str, Any]) -> Tuple[List[float], float]:
    starts = [float(s) for s in result["intervals"]["start_s"]]
    if len(starts) >= 2:
        width = starts[1] - starts[0]
    else:
        width = 1800.0
    return [s / 3600.0 for s in starts], width


def _series(rows: Sequence[Mapping[str, float]], metric: str) -> List[float]:
    return [float(r.get(metric, float("nan"))) for r in rows]


def _band(ax: Any, x: List[float], y: List[float], hw: Optional[List[float]], **kw: Any) -> None:
    line = ax.plot(x, y, marker="o", markersize=3, drawstyle="default", **kw)[0]
    if hw:
        lo = [a - b for a, b in zip(y, hw)]
        hi = [a + b for a, b in zip(y, hw)]
        ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.2, linewidth=0)


def plot(result: Mapping[str, Any], path: Optional[str] = None, *, title: Optional[str] = None) -> Any:
    """Draws a simulation result per interval and returns the figure.

    Five panels sharing the time axis (hours from the start):

    1. staffing vs load: mean agents logged in (all groups) against the
       offered load in Erlangs (offered x AHT / interval length), with the
       offered contacts as bars on a second axis;
    2. service level per queue;
    3. ASA (mean wait of answered contacts, seconds) per queue;
    4. abandonment (abandoned / offered) per queue;
    5. occupancy per agent group.

    With replications > 1, shaded bands show the 95% confidence half-widths.

    Args:
        result: what ``ccengine.simulate()`` returned.
        path: if given, the figure is also saved there (PNG unless the
            extension says otherwise).
        title: the figure's title.

    Returns:
        The ``matplotlib.figure.Figure``.
    """
    if not isinstance(result, Mapping) or "intervals" not in result:
        raise ValueError("plot: expected a result of ccengine.simulate()")
    _pick_backend()
    import matplotlib.pyplot as plt

    x, width_s = _starts_hours(result)
    queues = result["intervals"]["queues"]
    groups = result["intervals"]["groups"]
    half = result.get("half_width") or {}
    half_q = (half.get("intervals") or {}).get("queues") or {}
    half_g = (half.get("intervals") or {}).get("groups") or {}
    n = len(x)

    fig, axes = plt.subplots(5, 1, figsize=(10, 13), sharex=True)
    ax_staff, ax_sl, ax_asa, ax_ab, ax_occ = axes

    # 1. staffing vs load
    agents = [0.0] * n
    for rows in groups.values():
        for i, v in enumerate(_series(rows, "agents")[:n]):
            agents[i] += v
    offered = [0.0] * n
    load = [0.0] * n
    summary_q = result.get("summary", {}).get("queues", {})
    for name, rows in queues.items():
        fallback_aht = float(summary_q.get(name, {}).get("aht", 0.0) or 0.0)
        for i, r in enumerate(rows[:n]):
            o = float(r.get("offered", 0.0))
            aht = float(r.get("aht", 0.0)) or fallback_aht
            offered[i] += o
            load[i] += o * aht / width_s if width_s > 0 else 0.0
    bar_width = width_s / 3600.0 * 0.8
    ax_counts = ax_staff.twinx()
    ax_counts.bar(x, offered, width=bar_width, align="edge", color="0.85",
                  label="offered contacts", zorder=0)
    ax_counts.set_ylabel("offered contacts")
    ax_staff.set_zorder(ax_counts.get_zorder() + 1)
    ax_staff.patch.set_visible(False)
    ax_staff.step(x + [x[-1] + width_s / 3600.0] if x else x,
                  agents + agents[-1:], where="post", label="agents (staffing)",
                  color="tab:blue", linewidth=2)
    ax_staff.step(x + [x[-1] + width_s / 3600.0] if x else x,
                  load + load[-1:], where="post", label="load (Erlangs)",
                  color="tab:red", linewidth=2)
    ax_staff.set_ylabel("agents / Erlangs")
    ax_staff.set_title("Staffing vs load")
    handles, labels = ax_staff.get_legend_handles_labels()
    h2, l2 = ax_counts.get_legend_handles_labels()
    ax_staff.legend(handles + h2, labels + l2, loc="upper right", fontsize="small")

    # 2-4. per queue
    mid = [v + width_s / 7200.0 for v in x]
    for ax, metric, label in (
        (ax_sl, "service_level", "service level"),
        (ax_asa, "asa", "ASA (s)"),
        (ax_ab, "p_abandon", "abandonment"),
    ):
        for name, rows in queues.items():
            hw = _series(half_q[name], metric)[:n] if name in half_q else None
            _band(ax, mid, _series(rows, metric)[:n], hw, label=name)
        ax.set_ylabel(label)
        ax.set_title(label[0].upper() + label[1:] + " per interval")
        if metric != "asa":
            ax.set_ylim(-0.02, 1.02)
        ax.legend(loc="best", fontsize="small")
        ax.grid(alpha=0.3)

    # 5. occupancy per group
    for name, rows in groups.items():
        hw = _series(half_g[name], "occupancy")[:n] if name in half_g else None
        _band(ax_occ, mid, _series(rows, "occupancy")[:n], hw, label=name)
    ax_occ.set_ylabel("occupancy")
    ax_occ.set_ylim(-0.02, 1.02)
    ax_occ.set_title("Occupancy per interval")
    ax_occ.legend(loc="best", fontsize="small")
    ax_occ.grid(alpha=0.3)
    ax_occ.set_xlabel("hours from start")
    ax_staff.grid(alpha=0.3)

    if title:
        fig.suptitle(title)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=100)
    return fig
