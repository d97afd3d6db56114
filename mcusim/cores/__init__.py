"""Core families: one module per family, chosen by the board's core model."""

from __future__ import annotations

from mcusim.board import Board
from mcusim.errors import McusimError


def core_class(board: Board):
    arch = board.arch
    if arch == "arm":
        from mcusim.cores.cortexm import CortexMCore

        return CortexMCore
    raise McusimError(
        f"board {board.name} has {board.cores[0].model} cores; this version of mcusim runs "
        "Cortex-M firmware only (GAP8's RI5CY cores are not implemented yet). `mcusim boards "
        f"{board.name}` still shows its memory map, and `mcusim inspect` its firmware sizes."
    )
