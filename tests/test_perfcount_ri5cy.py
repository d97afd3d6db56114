"""RI5CY performance counters (PCER, PCMR, PCCR0..15: the pcer_v1 events, docs/gap8.md §7) read
by the firmware itself around hand-written sequences (firmware/gap8/perfcount), against counts
derived by hand (firmware/gap8/perfcount/expected.toml, with each derivation)."""

from __future__ import annotations

import io
import tomllib

import pytest

from conftest import FIRMWARE, PREBUILT
from mcusim.board import load_board
from mcusim.cores.ri5cy import PCER_EVENTS
from mcusim.elf import Firmware
from mcusim.machine import Machine, RunOptions

EXPECTED = tomllib.loads((FIRMWARE / "gap8" / "perfcount" / "expected.toml").read_text())["case"]


def _counters(**options) -> dict[str, dict[str, int]]:
    out = io.StringIO()
    result = Machine(load_board("gap8"), Firmware.load(PREBUILT / "perfcount-gap8.elf"),
                     RunOptions(stdout=out, stderr=io.StringIO(), **options)).run()
    assert result.exit_code == 0, result.message
    counters = {}
    for line in out.getvalue().splitlines():
        if line.startswith("case "):
            name, *fields = line.split()[1:]
            counters[name] = {k: int(v) for k, v in (f.split("=") for f in fields)}
    return counters


@pytest.fixture(scope="module")
def measured() -> dict[str, dict[str, int]]:
    return _counters()


def test_every_case_prints_every_event(measured):
    assert list(measured) == [case["name"] for case in EXPECTED]
    assert all(list(counters) == list(PCER_EVENTS) for counters in measured.values())


@pytest.mark.parametrize("case", EXPECTED, ids=lambda case: case["name"])
def test_counts_equal_the_hand_derived_ones(measured, case):
    expected = {event: case["counts"].get(event, 0) for event in PCER_EVENTS}
    assert measured[case["name"]] == expected, case["derivation"]


def test_the_trap_path_counts_the_same(measured):
    # Without the load-time rewrite the Xpulp loads and stores trap to the executor: the same
    # events (its L2 loads pay and count their latency there).
    assert _counters(rewrite_custom=False) == measured


def test_event_counting_is_on_only_for_firmware_that_reads_those_counters():
    from mcusim.cores.ri5cy import reads_event_counters

    def needs(elf):
        machine = Machine(load_board("gap8"), Firmware.load(PREBUILT / elf), RunOptions(stdout=io.StringIO()))
        return reads_event_counters(machine.codemap), [c.state.count_events for c in machine.cores]

    assert needs("perfcount-gap8.elf") == (True, [1] * 9)
    assert needs("conv5x5-gap8.elf") == (False, [0] * 9)  # reads only the cycle counter
