"""Type stubs for ccengine.plot."""

from typing import Any, Mapping, Optional

def plot(result: Mapping[str, Any], path: Optional[str] = None, *, title: Optional[str] = None) -> Any:
    """Draws staffing vs load, service level, ASA, abandonment and occupancy per interval."""
