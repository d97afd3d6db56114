"""Cortex-M7 microbenchmarks: the timing model against cycle counts derived by hand from the
Cortex-M7 rows of docs/cortexm.md §2 (firmware/microbench/expected_m7.toml gives each derivation,
its source, and a tolerance with its reason).

Arm publishes no M7 timing, so unlike the M4 cases these match within a tolerance stated per
case: the figures come from Arm's LLVM model and from DWT measurements on STM32 silicon. The
firmware times each sequence with DWT->CYCCNT between ISBs, as it would on silicon.
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

EXPECTED = tomllib.loads((FIRMWARE / "microbench" / "expected_m7.toml").read_text())
CASES = EXPECTED["case"]


def allowed(case: dict) -> int:
    """The case's tolerance in cycles: an integer, or "N%" of the expected count (rounded down)."""
    tolerance = case["tolerance"]
    if isinstance(tolerance, str):
        assert tolerance.endswith("%"), tolerance
        return int(case["expected"] * float(tolerance[:-1]) / 100)
    assert isinstance(tolerance, int) and tolerance >= 0, tolerance
    return tolerance


@pytest.fixture(scope="module")
def measured() -> dict[str, int]:
    board = load_board(EXPECTED["board"])
    assert board.cores[0].model == EXPECTED["core"]
    firmware = Firmware.load(PREBUILT / EXPECTED["elf"])
    out = io.StringIO()
    result = Machine(board, firmware, RunOptions(stdout=out, timing="accurate")).run()
    assert result.exit_code == 0, result.message
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"case (\S+) cycles=(-?\d+)", out.getvalue())}


def test_every_case_is_measured_and_expected(measured):
    assert sorted(measured) == sorted(c["name"] for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_every_case_states_its_tolerance_and_source(case):
    assert case["tolerance_reason"].strip() and case["source"].strip() and case["derivation"].strip()
    assert 0 <= allowed(case) <= max(case["expected"] // 2, 1)  # never wider than half the count


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_m7_cycles_within_the_stated_tolerance(case, measured):
    got, want = measured[case["name"]], case["expected"]
    assert abs(got - want) <= allowed(case), (
        f"{case['name']}: measured {got}, expected {want} +/- {allowed(case)} "
        f"({case['tolerance_reason']}); derivation: {case['derivation']}")
