"""Timing models: one module per core model, each data plus small pure functions.

A model turns each decoded instruction into static cycles (the hot path adds them per block) and
names the dynamic terms it wants; it says what it covers, so no cycle count is read without its
meaning.
"""

from __future__ import annotations

from mcusim.timing.base import MODES, DecodedInstruction, TimingModel
from mcusim.timing.cortex_m4 import CortexM4
from mcusim.timing.instruction_count import InstructionCount

# core model -> timing model; cores not listed count one cycle per instruction
_BY_CORE: dict[str, type[TimingModel]] = {"cortex-m4": CortexM4}


def timing_model(core_model: str, mode: str = "accurate") -> TimingModel:
    if mode not in MODES:
        raise ValueError(f"timing mode {mode!r} is not one of {MODES}")
    return _BY_CORE.get(core_model, InstructionCount)(mode)


__all__ = ["MODES", "DecodedInstruction", "TimingModel", "timing_model"]
