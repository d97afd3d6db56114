"""Timing models: one module per core model, each data plus small pure functions.

A model turns each decoded instruction into static cycles (the hot path adds them per block) and
names the dynamic terms it wants; it says what it covers, so no cycle count is read without its
meaning.
"""

from __future__ import annotations

from mcusim.board import Board
from mcusim.timing.base import MODES, DecodedInstruction, TimingModel
from mcusim.timing.cortex_m4 import CortexM4
from mcusim.timing.cortex_m7 import CortexM7
from mcusim.timing.instruction_count import InstructionCount
from mcusim.timing.ri5cy import Ri5cy

# core model -> timing model; cores not listed count one cycle per instruction
_BY_CORE: dict[str, type[TimingModel]] = {"cortex-m4": CortexM4, "cortex-m7": CortexM7, "ri5cy": Ri5cy}


def timing_model(board: Board, mode: str = "accurate") -> TimingModel:
    """The timing model of the board's cores (wait states and caches are board facts)."""
    if mode not in MODES:
        raise ValueError(f"timing mode {mode!r} is not one of {MODES}")
    return _BY_CORE.get(board.cores[0].model, InstructionCount)(board, mode)


__all__ = ["MODES", "DecodedInstruction", "TimingModel", "timing_model"]
