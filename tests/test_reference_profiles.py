"""The profile of every reference network firmware (manifest entries with a `network`), as the
layer, function and memory reports show it: the layer table's rows are the firmware's markers
and add up to the total with the outside row, main's inclusive cycles are the total minus
start-up, and the stack high-water mcusim reports is what the firmware measures itself with a
painted stack (firmware/include/stack_watermark.h) and prints."""

from __future__ import annotations

import functools
import io
import re

import pytest

from conftest import elf_path, entry_id, manifest_entries
from mcusim.board import load_board
from mcusim.elf import Firmware
from mcusim.machine import Machine, RunOptions
from mcusim.report.layers import layer_rows
from mcusim.result import RunResult

ENTRIES = [e for e in manifest_entries() if "network" in e]


@functools.cache
def run(elf: str, board: str) -> tuple[RunResult, str]:
    stdout = io.StringIO()
    result = Machine(load_board(board), Firmware.load(elf_path(elf)),
                     RunOptions(stdout=stdout, stderr=io.StringIO())).run()
    assert result.exit_code == 0, result.message
    return result, stdout.getvalue()


@pytest.fixture(params=ENTRIES, ids=entry_id)
def entry(request) -> dict:
    return request.param


@pytest.fixture
def profile(entry) -> tuple[RunResult, str]:
    return run(entry["elf"], entry["board"])


def test_layer_rows_are_the_markers_and_add_up(profile):
    result, _ = profile
    table = layer_rows(result)
    assert table is not None
    main = result.cores[0]
    assert table.reference_core == main.name  # the Cortex-M core, the GAP8 fabric controller
    markers = [layer for layer in result.layers if layer.core == main.name]
    assert markers and all(layer.end_cycle is not None for layer in markers)
    assert [(r.name, r.depth, r.macs, r.cycles) for r in table.rows] == \
        [(m.name, m.depth, m.macs, m.cycles) for m in markers]
    assert table.total_cycles == main.cycles
    top_level = sum(r.cycles for r in table.rows if r.depth == 0)
    assert top_level + table.outside_cycles == table.total_cycles
    assert 0 < table.outside_cycles < table.total_cycles


def test_main_inclusive_cycles_are_the_total_minus_start_up(entry, profile):
    result, _ = profile
    core = result.cores[0]
    (main,) = [f for f in result.functions if f.name == "main" and f.core == core.name]
    assert main.calls == 1
    # Everything not under main is start-up (reset, crt0) and the exit path: under the entry.
    outside = [s for s in result.stacks if s.core == core.name and "main" not in s.frames]
    firmware = Firmware.load(elf_path(entry["elf"]))
    entry_function = firmware.function_at(firmware.entry).name
    assert outside and all(s.frames[0] == entry_function for s in outside)
    assert main.inclusive_cycles == core.cycles - sum(s.cycles for s in outside)
    assert sum(f.self_cycles for f in result.functions if f.core == core.name) == core.cycles


def test_stack_high_water_is_what_the_firmware_measures(profile):
    result, stdout = profile
    printed = re.findall(r"^stack high-water: (\d+) bytes$", stdout, re.MULTILINE)
    assert len(printed) == 1, stdout
    (stack,) = [s for s in result.memory.stack if s.core == result.cores[0].name]
    # The firmware painted with its own fill byte (not mcusim's), so this holds only if the
    # scan honours the firmware's paint and measures from the same top of stack.
    assert stack.high_water_bytes == int(printed[0])
    assert 0 < stack.high_water_bytes < stack.size_bytes
