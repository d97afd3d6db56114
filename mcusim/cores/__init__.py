"""Core families: one module per family, chosen by the board's core model.

Cortex-M boards have one core (cortexm.py); GAP8 has RI5CY cores around a SoC model
(ri5cy.py with periph/gap8.py), built by the machine.
"""

from __future__ import annotations

from mcusim.board import Board
from mcusim.errors import McusimError


def core_class(board: Board):
    if board.arch == "arm":
        from mcusim.cores.cortexm import CortexMCore

        return CortexMCore
    if board.arch == "riscv":
        from mcusim.cores.ri5cy import Ri5cyCore

        return Ri5cyCore
    raise McusimError(f"board {board.name}: no core family runs {board.cores[0].model} cores")
