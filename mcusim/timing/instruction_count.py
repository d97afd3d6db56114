"""One cycle per executed instruction: the stand-in until the per-core models land."""

from __future__ import annotations

from mcusim.timing.base import DecodedInstruction, TimingModel


class InstructionCount(TimingModel):
    name = "instruction-count"
    version = "1"
    covers = ("every executed instruction counts one cycle",
              "idle time in WFI and branch-to-self loops, fast-forwarded to the next interrupt")
    omits = ("instruction latencies", "pipeline hazards", "branch penalties",
             "memory wait states", "caches")

    def static_cycles(self, instruction: DecodedInstruction) -> int:
        return 1
