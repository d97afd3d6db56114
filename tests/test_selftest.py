"""The engine self-test, and the Unicorn CPU model each Cortex-M board really gets."""

from __future__ import annotations

import pytest
import unicorn
from unicorn import arm_const

from conftest import M4_BOARDS, M7_BOARDS, elf_path, entries
from mcusim.board import load_board
from mcusim.elf import Firmware
from mcusim.machine import Machine, RunOptions
from mcusim.selftest import REQUIRED_UNICORN, ensure_engine_conventions


def test_engine_conventions_hold():
    assert unicorn.__version__ == REQUIRED_UNICORN
    ensure_engine_conventions.cache_clear()  # really run the probe, not a cached pass
    assert ensure_engine_conventions() is None


def test_cortex_m_constants_are_the_documented_ones():
    # The values the brief and docs/cortexm.md rely on (M33 would be a silent wrong choice).
    assert arm_const.UC_CPU_ARM_CORTEX_M4 == 9
    assert arm_const.UC_CPU_ARM_CORTEX_M7 == 10
    assert arm_const.UC_CPU_ARM_CORTEX_M33 not in (9, 10)


@pytest.mark.parametrize("board_name, model", [*((b, 9) for b in M4_BOARDS), *((b, 10) for b in M7_BOARDS)])
def test_cpu_model_per_board(board_name, model):
    board = load_board(board_name)
    firmware = Firmware.load(elf_path(entries("hello", board=board_name)[0]["elf"]))
    machine = Machine(board, firmware, RunOptions())
    assert [core.uc.ctl_get_cpu_model() for core in machine.cores] == [model]
    expected = {"cortex-m4": arm_const.UC_CPU_ARM_CORTEX_M4,
                "cortex-m7": arm_const.UC_CPU_ARM_CORTEX_M7}[board.cores[0].model]
    assert model == expected


def test_machine_runs_after_construction():
    """The Machine API the CLI uses, driven directly: runs hello to its exit."""
    import io

    entry = entries("hello", board="nucleo-l4r5zi")[0]
    stdout = io.StringIO()
    machine = Machine(load_board(entry["board"]), Firmware.load(elf_path(entry["elf"])),
                      RunOptions(stdout=stdout, stderr=io.StringIO()))
    result = machine.run()
    assert result.status == "exited" and result.exit_code == 0
    assert entry["stdout"] in stdout.getvalue() == result.stdout
