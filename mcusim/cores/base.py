"""What every core family shares with the machine."""

from __future__ import annotations

from dataclasses import dataclass

from mcusim.result import FaultReport


@dataclass
class CoreStop:
    """How a core's run ended (set once)."""

    status: str  # result.STATUS_*
    message: str
    exit_code: int | None = None
    fault: FaultReport | None = None
