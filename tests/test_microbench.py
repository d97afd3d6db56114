"""Cortex-M4 microbenchmarks: the timing model against cycle counts derived by hand from the
vendor tables (firmware/microbench/expected.toml gives each derivation and its source row).

The firmware times each sequence with DWT->CYCCNT, as it would on silicon; mcusim must return
the model's exact cycle count at the reading instruction for these to match.
"""

from __future__ import annotations

import io
import re
import tomllib

import pytest

from conftest import FIRMWARE, PREBUILT
from mcusim.board import load_board
from mcusim.elf import Firmware
from mcusim.machine import Machine, RunOptions

EXPECTED = tomllib.loads((FIRMWARE / "microbench" / "expected.toml").read_text())
CASES = EXPECTED["case"]


@pytest.fixture(scope="module")
def measured() -> dict[str, int]:
    board = load_board(EXPECTED["board"])
    firmware = Firmware.load(PREBUILT / EXPECTED["elf"])
    out = io.StringIO()
    result = Machine(board, firmware, RunOptions(stdout=out, timing="accurate")).run()
    assert result.exit_code == 0, result.message
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"case (\S+) cycles=(\d+)", out.getvalue())}


def test_every_case_is_measured_and_expected(measured):
    assert sorted(measured) == sorted(c["name"] for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_m4_cycles_match_the_hand_derived_count(case, measured):
    # Exact, including the model-dependent flash rows, whose expectation states the flash
    # accelerator assumption the board file makes (see the case's note).
    assert measured[case["name"]] == case["expected"], case["derivation"]
