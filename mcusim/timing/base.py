"""The interface every timing model implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from mcusim.native import HotPathTiming

MODES = ("fast", "accurate")


@dataclass(frozen=True)
class DecodedInstruction:
    address: int
    size: int
    mnemonic: str
    operands: str
    detail: Any = None  # Capstone's CsInsn with detail, when the model asked for it


class TimingModel:
    """Static cycles per instruction, plus the dynamic terms the hot path applies.

    ``cycles_of_run`` receives one straight-line run of instructions in address order, so a rule
    may look at an instruction's predecessor (load pipelining, address-generation stalls).
    """

    name: ClassVar[str]
    version: ClassVar[str]
    covers: ClassVar[tuple[str, ...]]
    omits: ClassVar[tuple[str, ...]]
    needs_detail: ClassVar[bool] = False

    mode: str = "accurate"
    exception_entry_cycles: int = 0

    # Static events the core's performance counters count, per instruction (RI5CY's PCCRs: loads,
    # stores, stalls...), named in the order of schedule_run's event tuples; empty: none.
    static_events: ClassVar[tuple[str, ...]] = ()

    def cycles_of_run(self, run: list[DecodedInstruction]) -> list[int]:
        raise NotImplementedError

    def schedule_run(self, run: list[DecodedInstruction]) -> list[tuple[int, tuple[int, ...]]]:
        """Per instruction of the run: its static cycles and how many of each of
        `static_events` it causes. The code map calls this once per run."""
        return [(cycles, ()) for cycles in self.cycles_of_run(run)]

    def hot_path(self) -> HotPathTiming:
        """The dynamic terms the native hot path applies (none by default). Call it after the
        code map is built: models collect per-instruction sites (divides) while it is."""
        return HotPathTiming()

    def describe(self) -> dict[str, object]:
        return {"name": self.name, "version": self.version, "mode": self.mode,
                "covers": list(self.covers), "omits": list(self.omits)}
