"""One cycle per executed instruction: for cores whose timing model has not landed yet."""

from __future__ import annotations

from mcusim.timing.base import DecodedInstruction, TimingModel


class InstructionCount(TimingModel):
    name = "instruction-count"
    version = "1"
    covers = ("every executed instruction counts one cycle",
              "idle time in WFI and branch-to-self loops, fast-forwarded to the next interrupt")
    omits = ("instruction latencies", "pipeline hazards", "branch penalties",
             "memory wait states", "caches")

    def __init__(self, board, mode: str = "accurate") -> None:
        self.mode = mode

    def cycles_of_run(self, run: list[DecodedInstruction]) -> list[int]:
        return [1] * len(run)
