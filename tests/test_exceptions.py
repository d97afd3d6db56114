"""Exceptions: SysTick interrupts timed against DWT->CYCCNT, and an RTOS-style scheduler (SVC,
PendSV, PSP, FP extended frames) on every board the manifest builds them for."""

from __future__ import annotations

import re

import pytest

from conftest import elf_path, entries, entry_id, read_json
from mcusim.board import load_board


def _run(cli, tmp_path, entry):
    out = tmp_path / "r.json"
    r = cli("run", "--quiet", "--board", entry["board"], "--json", out, elf_path(entry["elf"]))
    assert r.rc == 0, r.out
    assert "PASS" in r.out
    return r, read_json(out)


@pytest.mark.parametrize("entry", entries("systick"), ids=entry_id)
def test_systick(cli, tmp_path, entry):
    r, data = _run(cli, tmp_path, entry)
    m = re.search(r"systick: (\S+) load=(\d+) ticks=(\d+) cycles=(\d+) min=(\d+)", r.out)
    assert m, r.out
    name, load, ticks, cycles = m.group(1), *map(int, m.groups()[1:4])
    assert name == entry["board"]
    # LOAD = SYSTEM_CORE_CLOCK/1000 - 1: the firmware's 1 kHz tick at the board's clock.
    assert load + 1 == load_board(entry["board"]).clock_hz // 1000
    assert ticks >= 10
    # DWT->CYCCNT saw at least the 10 tick periods it waited for, and the wait ended within
    # the tick period after the 10th tick.
    assert cycles >= 10 * (load + 1)
    assert cycles < (ticks + 1) * (load + 1)
    core = data["cores"][0]
    assert core["exceptions_taken"] >= ticks
    assert data["totals"]["cycles"] >= cycles  # CYCCNT counts the simulator's cycles


@pytest.mark.parametrize("entry", entries("rtos"), ids=entry_id)
def test_rtos(cli, tmp_path, entry):
    r, data = _run(cli, tmp_path, entry)
    m = re.search(r"switches=(\d+) fp_frames=(\d+)", r.out)
    assert m, r.out
    switches, fp_frames = map(int, m.groups())
    assert switches >= 20 and fp_frames > 0
    assert re.search(r"errors_a=0 errors_b=0", r.out), r.out
    # Every context switch is a PendSV, on top of the SVC that starts the first task.
    assert data["cores"][0]["exceptions_taken"] > switches


def test_exception_apps_cover_both_core_models():
    boards = {e["board"] for e in entries("systick")} | {e["board"] for e in entries("rtos")}
    models = {load_board(b).cores[0].model for b in boards}
    assert models == {"cortex-m4", "cortex-m7"}
