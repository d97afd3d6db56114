"""The per-function profile from the hot path's call tree: totals and inclusive time."""

from __future__ import annotations

import io

from conftest import PREBUILT
from mcusim.board import load_board
from mcusim.elf import Firmware
from mcusim.machine import Machine, RunOptions


def test_main_inclusive_cycles_are_the_total_minus_start_up():
    board = load_board("stm32f407-disco")
    result = Machine(board, Firmware.load(PREBUILT / "matmul_int8-stm32f407-disco.elf"),
                     RunOptions(stdout=io.StringIO())).run()
    assert result.exit_code == 0
    main = result.functions["main"]
    assert main.calls == 1
    # Everything not under main is start-up (reset, crt0, constructors) and the exit path.
    outside = sum(s.cycles for s in result.stacks if "main" not in s.frames)
    assert main.inclusive_cycles == result.totals.cycles - outside
    assert 0 < outside < result.totals.cycles // 100
    # The kernel is called from main, every cycle of it inside main's inclusive time.
    kernel = result.functions["matmul_dsp"]
    assert kernel.calls == 150 and kernel.inclusive_cycles <= main.inclusive_cycles
    assert sum(f.self_cycles for f in result.functions) == result.totals.cycles
