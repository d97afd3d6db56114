"""RI5CY (GAP8) microbenchmarks: the timing model against cycle counts derived by hand from
docs/gap8.md §5 (firmware/gap8/microbench/expected.toml gives each derivation, its source row and
column, and the core it runs on: FC or cluster core 0).

The firmware times each sequence with mcycle, as it would on silicon; mcusim must return the
model's exact cycle count at the reading instruction for these to match. Every case must match
exactly.
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

EXPECTED = tomllib.loads((FIRMWARE / "gap8" / "microbench" / "expected.toml").read_text())
CASES = EXPECTED["case"]


@pytest.fixture(scope="module")
def measured() -> dict[str, int]:
    board = load_board(EXPECTED["board"])
    firmware = Firmware.load(PREBUILT / EXPECTED["elf"])
    out = io.StringIO()
    result = Machine(board, firmware, RunOptions(stdout=out, timing="accurate")).run()
    assert result.exit_code == 0, result.message
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"case (\S+) cycles=(-?\d+)", out.getvalue())}


def test_every_case_is_measured_and_expected(measured):
    assert list(measured) == [c["name"] for c in CASES]  # same order as the table


def test_the_board_parameters_the_expectations_assume():
    soc = load_board(EXPECTED["board"]).extra["soc"]
    assert soc["cluster_l2_latency_cycles"] == EXPECTED["cluster_l2_latency_cycles"]
    assert soc["fc_l2_latency_cycles"] == EXPECTED["fc_l2_latency_cycles"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_ri5cy_cycles_match_the_hand_derived_count(case, measured):
    assert measured[case["name"]] == case["expected"], case["derivation"]
