"""--json: the run result on disk, its schema, and RunResult's exact round trip."""

from __future__ import annotations

import json

import pytest

from conftest import SMALL_MAX_CYCLES, elf_path, entries, entry_id, read_json
from mcusim.board import load_board
from mcusim.result import SCHEMA_VERSION, RunResult

TOTALS = {"instructions", "cycles", "sim_time_s", "host_time_s"}


def _run_json(cli, tmp_path, entry, *extra):
    out = tmp_path / "result.json"
    r = cli("run", "--board", entry["board"], "--json", out, *extra, elf_path(entry["elf"]))
    return r, out


@pytest.mark.parametrize("entry", entries("hello") + entries("matmul_int8", board="nucleo-h743zi"),
                         ids=entry_id)
def test_json_schema(cli, tmp_path, entry):
    r, out = _run_json(cli, tmp_path, entry)
    assert r.rc == 0
    data = read_json(out)
    assert data["schema_version"] == SCHEMA_VERSION
    board = load_board(entry["board"])
    assert data["board"]["name"] == entry["board"]
    assert data["board"]["clock_hz"] == board.clock_hz
    assert data["elf"]["path"].endswith(entry["elf"])
    assert data["exit_code"] == entry["exit_code"] == r.rc
    assert data["status"] == "exited"
    assert data["stdout"] == r.out  # what the CLI printed, byte for byte
    assert entry["stdout"] in data["stdout"]

    totals = data["totals"]
    assert TOTALS <= set(totals)
    assert len(data["cores"]) == len(board.cores)
    for core, spec in zip(data["cores"], board.cores):
        assert TOTALS <= set(core)
        assert core["clock_hz"] == spec.clock_hz
        assert core["sim_time_s"] == pytest.approx(core["cycles"] / spec.clock_hz, rel=1e-12)
    assert totals["sim_time_s"] == pytest.approx(totals["cycles"] / board.clock_hz, rel=1e-12)
    assert totals["instructions"] > 0 and totals["cycles"] > 0 and totals["host_time_s"] > 0

    model = data["timing_model"]
    assert isinstance(model["name"], str) and model["name"]
    assert model["name"] in r.err  # the summary says which model the cycles come from


def test_json_sizes_match_inspect(cli, tmp_path):
    entry = entries("hello", board="disco-f746ng")[0]
    r, out = _run_json(cli, tmp_path, entry, "--quiet")
    sizes = read_json(out)["elf"]["sizes"]
    shown = cli("inspect", elf_path(entry["elf"])).out
    assert (f"Program Size: Code={sizes['code']} RO-data={sizes['ro-data']} "
            f"RW-data={sizes['rw-data']} ZI-data={sizes['zi-data']}") in shown


def test_round_trip(cli, tmp_path):
    entry = entries("rtos", board="stm32f407-disco")[0]
    _, out = _run_json(cli, tmp_path, entry, "--quiet")
    data = read_json(out)
    result = RunResult.load(out)
    assert result.to_dict() == data
    assert RunResult.from_dict(result.to_dict()) == result
    assert json.loads(result.to_json()) == data


def test_round_trip_of_a_fault(cli, tmp_path):
    entry = entries("fault", board="disco-f746ng")[0]
    r, out = _run_json(cli, tmp_path, entry, "--quiet")
    assert r.rc == 70
    data = read_json(out)
    assert data["status"] == "fault" and data["exit_code"] is None
    fault = data["fault"]
    assert fault["address"] == 0x60000000 and fault["region"] == "unmapped"
    assert fault["location"] == "read_sensor+0x4"
    assert fault["registers"]["pc"] == fault["pc"]
    assert fault["registers"]["r3"] == 0x60000000
    result = RunResult.load(out)
    assert result.fault.location == "read_sensor+0x4"
    assert RunResult.from_dict(result.to_dict()) == result


def test_json_of_a_cycle_limit(cli, tmp_path):
    entry = entries("spin", board="nucleo-h743zi")[0]
    r, out = _run_json(cli, tmp_path, entry, "--quiet", "--max-cycles", SMALL_MAX_CYCLES)
    assert r.rc == 124
    data = read_json(out)
    assert data["status"] == "cycle-limit" and data["exit_code"] is None and data["fault"] is None
    assert "--max-cycles" in data["message"]
    assert data["totals"]["cycles"] >= SMALL_MAX_CYCLES
    assert entry["stdout"] in data["stdout"]
    assert RunResult.from_dict(data).to_dict() == data


def test_from_dict_refuses_another_schema_version(cli, tmp_path):
    entry = entries("hello", board="nucleo-l432kc")[0]
    _, out = _run_json(cli, tmp_path, entry, "--quiet")
    data = read_json(out)
    data["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(ValueError, match="schema_version"):
        RunResult.from_dict(data)
