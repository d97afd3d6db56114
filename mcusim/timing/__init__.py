"""Timing models: one module per core model, each data plus small pure functions.

A model turns each decoded instruction into static cycles (the hot path adds them per block);
it names itself and says what it covers, so no cycle count is read without its meaning.
"""

from __future__ import annotations

from mcusim.timing.base import DecodedInstruction, TimingModel
from mcusim.timing.instruction_count import InstructionCount

_MODELS: dict[str, type[TimingModel]] = {m.name: m for m in (InstructionCount,)}


def timing_model(name: str) -> TimingModel:
    return _MODELS[name]()


def timing_model_names() -> list[str]:
    return sorted(_MODELS)


__all__ = ["DecodedInstruction", "TimingModel", "timing_model", "timing_model_names"]
