"""The per-function profile from the hot path's call tree: totals and inclusive time."""

from __future__ import annotations

import io

from conftest import PREBUILT
from mcusim.board import load_board
from mcusim.elf import Firmware
from mcusim.machine import Machine, RunOptions
from mcusim.result import RunResult


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


def test_no_profile_keeps_the_cycles_and_drops_the_function_profile(cli, tmp_path):
    elf = PREBUILT / "kws_dscnn-nucleo-l4r5zi.elf"
    full = cli("run", elf, "--board", "nucleo-l4r5zi", "--json", tmp_path / "full.json")
    off = cli("run", elf, "--board", "nucleo-l4r5zi", "--json", tmp_path / "off.json", "--no-profile")
    assert full.rc == off.rc == 0 and full.out == off.out
    a, b = RunResult.load(tmp_path / "full.json"), RunResult.load(tmp_path / "off.json")
    assert (a.profile, b.profile) == ("full", "off")
    assert (b.totals.cycles, b.totals.instructions) == (a.totals.cycles, a.totals.instructions)
    assert [(l.name, l.macs, l.begin_cycle, l.end_cycle) for l in b.layers] == \
        [(l.name, l.macs, l.begin_cycle, l.end_cycle) for l in a.layers]
    assert a.functions and a.stacks and not b.functions and not b.stacks
    assert all(l.stack_high_water_bytes is not None and l.touched_bytes for l in a.layers)
    assert all(l.stack_high_water_bytes is None and not l.touched_bytes for l in b.layers)
    assert b.memory == a.memory  # painted once, scanned once: the same whole-run figures
    # what the report says instead of the function table
    shown = cli("report", tmp_path / "off.json", "--functions")
    assert shown.rc == 0 and "--no-profile" in shown.out and "functions (" not in shown.out
