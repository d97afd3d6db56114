"""The profiles users read (mcusim/report/): the layer, function and memory tables, the CSV,
Chrome trace and collapsed-stack exports, `mcusim report` and the live progress line.

The firmware-driven tests run the committed reference ELFs under the real simulator (kws_dscnn on
the NUCLEO-L4R5ZI, conv5x5 on GAP8). Where a case needs data a reference firmware does not produce
(nested layers, several cores marking one layer, a full region), the test builds a RunResult from
a real run's JSON with changed or added records of the schema: real data of the format, no mock.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import importlib.util
import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from conftest import FIRMWARE, PREBUILT, assert_clean_error, elf_path, flat
from mcusim.board import load_board
from mcusim.cli import main
from mcusim.elf import Firmware
from mcusim.machine import Machine, RunOptions
from mcusim.report.chrome_trace import trace_events
from mcusim.report.flame import collapsed_stacks
from mcusim.report.functions import function_rows, function_table
from mcusim.report.layers import OUTSIDE, layer_rows
from mcusim.report.memory import memory_renderables
from mcusim.report.progress import ERASE, StatusLine, progress_text
from mcusim.report.terminal import print_report
from mcusim.result import LayerRecord, RegionMemory, RunResult

KWS_ELF, KWS_BOARD = "kws_dscnn-nucleo-l4r5zi.elf", "nucleo-l4r5zi"


def kws_layer_list() -> list[tuple[str, int]]:
    """(name, MACs) per layer as the network's generator states them (firmware/models/)."""
    path = FIRMWARE / "models" / "kws_dscnn.py"
    spec = importlib.util.spec_from_file_location("model_kws_dscnn_for_report", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build().layer_table()


def run_cli(*argv: object) -> tuple[int, str, str]:
    """mcusim.cli.main in-process with stdout/stderr captured (usable from module fixtures)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main([str(a) for a in argv])
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 2
    return rc, out.getvalue(), err.getvalue()


@dataclasses.dataclass
class KwsRun:
    rc: int
    out: str
    err: str
    dir: Path

    @property
    def json(self) -> Path:
        return self.dir / "kws.json"

    def result(self) -> RunResult:
        return RunResult.load(self.json)


@pytest.fixture(scope="module")
def kws(tmp_path_factory) -> KwsRun:
    """One real `mcusim run` of the KWS DS-CNN with every export."""
    d = tmp_path_factory.mktemp("kws")
    rc, out, err = run_cli("run", elf_path(KWS_ELF), "--board", KWS_BOARD, "--json", d / "kws.json",
                           "--csv", d / "csv", "--trace", d / "trace.json", "--flame", d / "kws.folded")
    assert rc == 0, err
    return KwsRun(rc, out, err, d)


@pytest.fixture(scope="module")
def conv() -> RunResult:
    machine = Machine(load_board("gap8"), Firmware.load(PREBUILT / "conv5x5-gap8.elf"),
                      RunOptions(stdout=io.StringIO(), stderr=io.StringIO()))
    return machine.run()


def render(result: RunResult, **kwargs) -> str:
    console = Console(file=io.StringIO(), width=120, highlight=False)
    print_report(result, console, **kwargs)
    return console.file.getvalue()


def check_trace(data: dict, result: RunResult) -> None:
    """Structural check of a Chrome trace: JSON object with traceEvents; every core has a named
    track; complete events have numeric ts/dur >= 0; slices on one track are well nested; layer
    slices sit at cycles / clock in µs."""
    assert isinstance(data["traceEvents"], list)
    names = {e["tid"]: e["args"]["name"] for e in data["traceEvents"]
             if e["ph"] == "M" and e["name"] == "thread_name"}
    tids = {}
    for i, core in enumerate(result.cores):
        tid = i + 1
        assert names[tid].startswith(core.name + " "), names
        tids[core.name] = tid
    tracks: dict[int, list[dict]] = {}
    for e in data["traceEvents"]:
        if e["ph"] == "X":
            assert isinstance(e["ts"], (int, float)) and isinstance(e["dur"], (int, float))
            assert e["dur"] >= 0 and e["ts"] >= 0
            tracks.setdefault(e["tid"], []).append(e)
    eps = 1e-6
    for events in tracks.values():
        events.sort(key=lambda e: (e["ts"], -e["dur"]))
        open_ends: list[float] = []
        for e in events:
            while open_ends and e["ts"] >= open_ends[-1] - eps:
                open_ends.pop()
            end = e["ts"] + e["dur"]
            if open_ends:
                assert end <= open_ends[-1] + eps, f"slice {e['name']} overlaps its parent"
            open_ends.append(end)
    layers = [e for e in data["traceEvents"] if e["ph"] == "X" and e.get("cat") == "layer"]
    assert len(layers) == len(result.layers)
    clocks = {c.name: c.clock_hz for c in result.cores}
    for e, layer in zip(layers, result.layers):
        clock = clocks[layer.core]
        assert e["name"] == layer.name and e["tid"] == tids[layer.core]
        assert abs(e["ts"] - layer.begin_cycle * 1e6 / clock) < 1e-3
        assert abs(e["dur"] - layer.cycles * 1e6 / clock) < 2e-3
        assert e["args"]["cycles"] == layer.cycles


# -- the layer table -------------------------------------------------------------------------


def test_layer_rows_are_the_firmware_markers_and_add_up(kws):
    result = kws.result()
    table = layer_rows(result)
    assert [(r.name, r.macs) for r in table.rows] == kws_layer_list()
    assert [r.cycles for r in table.rows] == [layer.cycles for layer in result.layers]
    assert all(r.ended and r.depth == 0 and r.cores == ["cpu"] for r in table.rows)
    assert table.total_cycles == result.totals.cycles
    assert sum(r.cycles for r in table.rows) + table.outside_cycles == table.total_cycles
    assert table.outside_cycles > 0
    assert table.regions == ["SRAM1"] and table.has_stack and not table.has_dma


def test_run_prints_the_layer_table_with_units(kws):
    err = kws.err
    assert err.startswith("mcusim run summary")
    for name, macs in kws_layer_list():
        assert f" {name} " in err and f"{macs:,}" in err
    assert OUTSIDE in err and "total" in err and "100.0 %" in err
    assert " ms " in err and " µs " in err  # times carry their unit
    header = err[err.index("layers (cycles at 120 MHz"):err.index(" conv1 ")]
    assert all(word in header for word in ("MAC/", "cycle", "stack", "SRAM1", "written", "(B)"))
    assert "functions (" not in err  # markers present: no function table unless asked
    assert "memory (bytes" in err and "stack (cpu):" in err and "static: Code=" in err
    assert "firmware/include/mcusim.h" not in err


def test_report_renders_exactly_what_run_printed(kws, capsys):
    rc, out, err = run_cli("report", kws.json)
    assert rc == 0 and err == ""
    assert out == kws.err
    assert out == render(kws.result())  # and that is the shared renderer's output


def test_report_options_match_run_options(tmp_path):
    json_path = tmp_path / "hello.json"
    rc, _, run_err = run_cli("run", elf_path("hello-stm32f407-disco.elf"), "--board", "stm32f407-disco",
                             "--json", json_path, "--top", "3", "--functions")
    assert rc == 0, run_err
    rc, out, _ = run_cli("report", json_path, "--top", "3", "--functions")
    assert rc == 0 and out == run_err
    # no markers: the function table (top 3) and the hint about the layer markers
    assert "functions (top 3 of" in out
    assert "firmware/include/mcusim.h" in flat(out)


def test_nested_layers_are_indented_and_counted_once(kws):
    result = kws.result()
    first, second = result.layers[1], result.layers[2]  # dw1, pw1
    block = LayerRecord(name="block", macs=0, core="cpu", begin_cycle=first.begin_cycle - 10,
                        end_cycle=second.end_cycle + 10, depth=0)
    nested = [dataclasses.replace(layer, depth=1) if layer in (first, second) else layer
              for layer in result.layers]
    nested.insert(1, block)
    changed = dataclasses.replace(result, layers=nested)
    table = layer_rows(changed)
    assert [r.name for r in table.rows][:4] == ["conv1", "block", "dw1", "pw1"]
    assert [r.depth for r in table.rows][:4] == [0, 0, 1, 1]
    top = sum(r.cycles for r in table.rows if r.depth == 0)
    assert top + table.outside_cycles == table.total_cycles == result.totals.cycles
    text = render(changed)
    assert "│ block " in text and "│   dw1 " in text  # indented under its parent
    check_trace(json.loads(json.dumps(trace_events(changed))), changed)


def test_unended_layer_runs_to_the_end_and_is_flagged(kws):
    result = kws.result()
    last = dataclasses.replace(result.layers[-1], end_cycle=None)
    changed = dataclasses.replace(result, layers=[*result.layers[:-1], last])
    row = layer_rows(changed).rows[-1]
    assert not row.ended and row.cycles == result.totals.cycles - last.begin_cycle
    assert "(not ended)" in render(changed)


def test_gap8_layers_on_the_cluster_core(conv):
    table = layer_rows(conv)
    assert table.reference_core == "cl0" and table.multi_core
    cl0 = next(c for c in conv.cores if c.name == "cl0")
    assert table.total_cycles == cl0.cycles and table.clock_hz == cl0.clock_hz
    assert sum(r.cycles for r in table.rows) + table.outside_cycles == cl0.cycles
    text = render(conv)
    assert "of the cl0 core at 175 MHz" in text and "total (cl0)" in text
    for row in table.rows:
        assert abs(row.time_s - row.cycles / 175e6) < 1e-12


def test_layers_of_several_cores_aggregate_per_name(conv):
    """Each cluster core marks its part of a parallel layer: one row, the slowest core's cycles,
    per-core cycles kept, MACs summed."""
    layers = []
    for i in range(8):
        layers.append(LayerRecord(name="conv_par", macs=1000, core=f"cl{i}", begin_cycle=100_000,
                                  end_cycle=200_000 + 1000 * i, depth=0))
        layers.append(LayerRecord(name="conv_par", macs=1000, core=f"cl{i}", begin_cycle=300_000,
                                  end_cycle=350_000, depth=0))
    changed = dataclasses.replace(conv, layers=layers)
    table = layer_rows(changed)
    assert [r.label for r in table.rows] == ["conv_par", "conv_par #2"]
    first = table.rows[0]
    assert first.cores == [f"cl{i}" for i in range(8)]
    assert first.core_cycles == {f"cl{i}": 100_000 + 1000 * i for i in range(8)}
    assert first.cycles == 107_000 and first.macs == 8000
    assert table.rows[0].cycles + table.rows[1].cycles + table.outside_cycles == table.total_cycles
    text = render(changed)
    assert "cl0–cl7" in text and "per-core cycles" in text and "100,000–107,000" in text
    check_trace(trace_events(changed), changed)


# -- functions, memory -----------------------------------------------------------------------


def test_function_table_top_n_by_self_cycles(kws):
    result = kws.result()
    rows = function_rows(result, top=5)
    assert len(rows) == 5
    selfs = [r.function.self_cycles for r in rows]
    assert selfs == sorted(selfs, reverse=True)
    assert selfs[0] == max(f.self_cycles for f in result.functions)
    assert rows[0].function.name == "nn_pointwise_conv_s8" and rows[0].location == "nn_conv.c:215"
    console = Console(file=io.StringIO(), width=160)
    console.print(function_table(result, top=5))
    text = console.file.getvalue()
    assert "top 5 of" in text and "nn_conv.c:215" in text and "cycles/call" in text
    # self cycles of the one core account for all of its cycles
    assert sum(f.self_cycles for f in result.functions) == result.totals.cycles


def test_memory_report_highlights_a_full_region(kws):
    result = kws.result()
    regions = [dataclasses.replace(r, static_bytes=r.size - 100, peak_bytes=r.size - 100 + r.heap_bytes)
               if r.name == "SRAM1" else r for r in result.memory.regions]
    full = dataclasses.replace(result, memory=dataclasses.replace(result.memory, regions=regions))
    table = memory_renderables(full)[0]
    styles = {row_cells: row.style for row_cells, row in zip(table.columns[0]._cells, table.rows)}
    assert styles["SRAM1"] == "bold red" and styles["FLASH"] is None
    console = Console(file=io.StringIO(), width=120, force_terminal=True, color_system="standard")
    console.print(table)
    assert "\x1b[1;31m" in console.file.getvalue()  # bold red on a terminal
    text = render(result)
    assert "unused: SRAM2, SRAM3" in text and "heap: 506 B high-water" in text


def test_gap8_stacks_per_core(conv):
    text = render(conv)
    assert "stack high-water per core" in text
    assert "cl1–cl7" in text  # identical cluster stacks share a row


def test_region_memory_from_constructed_values_renders(kws):
    result = kws.result()
    extra = RegionMemory(name="TCM", kind="tcm", size=1000, static_bytes=900, heap_bytes=0,
                         stack_bytes=50, peak_bytes=950, touched_bytes=10)
    changed = dataclasses.replace(result, memory=dataclasses.replace(
        result.memory, regions=[*result.memory.regions, extra]))
    assert "95.0 %" in render(changed)


# -- exports ---------------------------------------------------------------------------------


def test_csv_has_the_layer_function_and_memory_rows(kws):
    result = kws.result()
    with (kws.dir / "csv" / "layers.csv").open(newline="") as f:
        layers = list(csv.DictReader(f))
    assert [r["name"] for r in layers] == [n for n, _ in kws_layer_list()] + [OUTSIDE, "total"]
    assert [r["kind"] for r in layers][-2:] == ["outside", "total"]
    body = [r for r in layers if r["kind"] != "total"]
    assert sum(int(r["cycles"]) for r in body) == int(layers[-1]["cycles"]) == result.totals.cycles
    first = layers[0]
    assert int(first["macs"]) == kws_layer_list()[0][1]
    assert abs(float(first["time_us"]) - result.layers[0].cycles / 120e6 * 1e6) < 1e-3
    assert "written_SRAM1_bytes" in first and first["core_cycles"].startswith("cpu=")
    with (kws.dir / "csv" / "functions.csv").open(newline="") as f:
        functions = list(csv.DictReader(f))
    assert len(functions) == len(result.functions)  # every function, not only the top N
    assert functions[0]["function"] == "nn_pointwise_conv_s8" and functions[0]["file"] == "nn_conv.c"
    with (kws.dir / "csv" / "memory.csv").open(newline="") as f:
        memory = list(csv.DictReader(f))
    assert [r["region"] for r in memory] == [r.name for r in result.memory.regions]


def test_trace_is_well_nested_and_in_microseconds(kws):
    data = json.loads((kws.dir / "trace.json").read_text())
    check_trace(data, kws.result())
    assert data["otherData"]["timing_model"]["name"] == "cortex-m4"


def test_gap8_trace_has_a_track_per_core(conv, tmp_path):
    data = trace_events(conv)
    check_trace(json.loads(json.dumps(data)), conv)
    layer_tids = {e["tid"] for e in data["traceEvents"] if e.get("cat") == "layer"}
    assert layer_tids == {2}  # cl0, the second core


@pytest.mark.parametrize("elf", ["l3dma-gap8.elf", "kws_dscnn-gap8.elf", "uart_hello-gap8.elf"])
def test_gap8_trace_has_one_dma_track_per_engine_from_the_saved_records(elf, tmp_path):
    """A real GAP8 run: each DMA engine that moved data gets one track (an engine serves its
    transfers one after another, so no second lane), a slice per record whose duration is the
    record's, well nested; `mcusim report saved.json --trace` writes the very same trace."""
    rc, _, err = run_cli("run", PREBUILT / elf, "--board", "gap8", "--json", tmp_path / "r.json",
                         "--trace", tmp_path / "run.json")
    assert rc == 0, err
    rc, _, err = run_cli("report", tmp_path / "r.json", "--trace", tmp_path / "report.json")
    assert rc == 0, err
    assert (tmp_path / "report.json").read_bytes() == (tmp_path / "run.json").read_bytes()
    result = RunResult.load(tmp_path / "r.json")
    data = json.loads((tmp_path / "run.json").read_text())
    check_trace(data, result)
    records = result.diagnostics["dma_transfers"]
    engines = {r["engine"] for r in records}
    assert engines and engines <= {"cluster_dma", "udma_hyper", "udma_uart"}
    names = {e["tid"]: e["args"]["name"] for e in data["traceEvents"]
             if e["ph"] == "M" and e["name"] == "thread_name"}
    slices = [e for e in data["traceEvents"] if e.get("cat") == "dma"]
    assert sorted(names[e["tid"]] for e in slices) == sorted(r["engine"] for r in records)
    assert len({e["tid"] for e in slices}) == len(engines)
    by_key = {(e["args"]["engine"], e["args"]["core"], e["args"]["issued_s"]): e for e in slices}
    assert len(by_key) == len(records)
    for r in records:
        e = by_key[(r["engine"], r["core"], r["issued_s"])]
        assert e["dur"] == pytest.approx((r["end_s"] - r["begin_s"]) * 1e6, abs=1e-3)
        assert e["ts"] == pytest.approx(r["begin_s"] * 1e6, abs=1e-3)


def test_trace_dma_transfers_get_their_own_well_nested_tracks(conv):
    transfers = [{"engine": "cluster_dma", "direction": "L2->L1", "bytes": 1024, "begin_s": 1e-5, "end_s": 3e-5},
                 {"engine": "cluster_dma", "direction": "L2->L1", "bytes": 1024, "begin_s": 2e-5, "end_s": 4e-5},
                 {"engine": "udma_hyper", "direction": "L3->L2", "bytes": 8192, "begin_s": 0.0, "end_s": 5e-5}]
    changed = dataclasses.replace(conv, diagnostics={**conv.diagnostics, "dma_transfers": transfers})
    data = trace_events(changed)
    check_trace(data, changed)
    dma = [e for e in data["traceEvents"] if e.get("cat") == "dma"]
    assert len(dma) == 3 and len({e["tid"] for e in dma}) == 3  # the overlapping one on a second lane


def test_flame_weights_sum_to_the_stacks(kws):
    result = kws.result()
    lines = (kws.dir / "kws.folded").read_text().splitlines()
    assert lines and all(";" in line or " " in line for line in lines)
    weights = [int(line.rsplit(" ", 1)[1]) for line in lines]
    assert sum(weights) == sum(s.cycles for s in result.stacks) == result.totals.cycles
    assert lines[0] == "Reset_Handler;_mainCRTStartup;main;nn_run;nn_pointwise_conv_s8 6228007" or \
        lines[0].endswith(f" {max(weights)}")


def test_gap8_flame_is_rooted_per_core(conv):
    stacks = collapsed_stacks(conv)
    assert {s.split(";", 1)[0] for s, _ in stacks} == {c.name for c in conv.cores if any(
        x.core == c.name for x in conv.stacks)}
    assert sum(w for _, w in stacks) == sum(s.cycles for s in conv.stacks)


def test_export_to_an_unwritable_place_is_a_clean_error(kws, cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    r = cli("report", kws.json, "--csv", blocker / "sub")
    assert "--csv" in assert_clean_error(r)


# -- bad input for report ----------------------------------------------------------------------


@pytest.mark.parametrize("content, words", [
    (None, "does not exist"),
    ("not json {", "not valid JSON"),
    ('["a list"]', "no schema_version"),
    ('{"schema_version": 99}', "schema_version 99"),
    ('{"schema_version": 1, "board": {}}', "not a valid mcusim run result"),
])
def test_report_bad_input(cli, tmp_path, content, words):
    path = tmp_path / "result.json"
    if content is not None:
        path.write_text(content)
    message = assert_clean_error(cli("report", path))
    assert words in message and str(path) in message


# -- progress ----------------------------------------------------------------------------------


def test_progress_callback_reports_during_the_run_and_changes_nothing(kws):
    calls = []
    machine = Machine(load_board(KWS_BOARD), Firmware.load(elf_path(KWS_ELF)),
                      RunOptions(stdout=io.StringIO(), progress=calls.append))
    result = machine.run()
    base = kws.result()
    assert result.exit_code == 0
    assert (result.totals.cycles, result.totals.instructions) == (base.totals.cycles, base.totals.instructions)
    assert [(l.name, l.begin_cycle, l.end_cycle) for l in result.layers] == \
        [(l.name, l.begin_cycle, l.end_cycle) for l in base.layers]
    assert calls, "no progress during a run of more than 0.1 s"
    cycles = [c["cycles"] for c in calls]
    assert cycles == sorted(cycles) and cycles[-1] <= result.totals.cycles
    assert set(calls[0]) == {"cycles", "instructions", "sim_time_s", "host_time_s", "layer"}
    names = {name for name, _ in kws_layer_list()}
    assert all(c["layer"] is None or c["layer"] in names for c in calls)


def test_status_line_erases_itself_before_firmware_output():
    terminal, firmware_out = io.StringIO(), io.StringIO()
    status = StatusLine(terminal)
    stream = status.stream(firmware_out)
    status.update({"cycles": 1234, "instructions": 1000, "sim_time_s": 1e-3, "host_time_s": 0.5,
                   "layer": "conv1"})
    assert "1,234 cycles" in terminal.getvalue() and "layer conv1" in terminal.getvalue()
    stream.write("partial")
    assert terminal.getvalue().endswith(ERASE)  # erased before the firmware wrote
    size = len(terminal.getvalue())
    status.update({"cycles": 2000})
    assert len(terminal.getvalue()) == size  # not drawn over an unfinished firmware line
    stream.write(" line\n")
    status.update({"cycles": 3000})
    with status:
        pass
    assert terminal.getvalue().endswith(ERASE) and firmware_out.getvalue() == "partial line\n"
    assert "MIPS" in progress_text({"cycles": 1, "instructions": 10, "host_time_s": 1.0})


def test_no_progress_line_off_a_terminal(kws):
    assert ERASE not in kws.err and "running:" not in kws.err


def test_many_region_columns_fit_without_cutting_numbers(conv):
    """Layers that write several regions (GAP8: L1, FC_TCDM, L2) still fit 120 columns with every
    number whole."""
    layers = [dataclasses.replace(layer, touched_bytes={"L1": 14_078, "FC_TCDM": 3, "L2": 7_987})
              for layer in conv.layers]
    text = render(dataclasses.replace(conv, layers=layers))
    assert "…" not in text.split("memory (bytes")[0]
    assert "14,078" in text and "7,987" in text


def test_a_table_too_wide_splits_into_time_and_memory_with_every_number_whole(conv):
    """Regions and DMA columns that do not fit 120 columns beside the time columns move to a
    second table with the same rows; on a wide terminal they stay in one."""
    layers = [dataclasses.replace(layer, touched_bytes={"L1": 14_078, "FC_TCDM": 3, "L2": 7_987},
                                  stack_high_water_bytes=484, dma_bytes_in=12_864_000, dma_bytes_out=8_000)
              for layer in conv.layers]
    result = dataclasses.replace(conv, layers=layers)
    narrow = render(result)
    tables = narrow.split("memory (bytes")[0]
    assert "layers: memory and DMA (bytes)" in tables
    time_part, memory_part = tables.split("layers: memory and DMA (bytes)")
    for layer in conv.layers:
        assert f"{layer.cycles:,}" in time_part  # whole, on one line
    assert memory_part.count("12,864,000") == len(conv.layers) and "14,078" in memory_part
    assert "(outside layers)" in time_part and "(outside layers)" not in memory_part
    assert max(len(line) for line in tables.splitlines()) <= 120
    console = Console(file=io.StringIO(), width=200, highlight=False)
    print_report(result, console)
    wide = console.file.getvalue()
    assert "layers: memory and DMA" not in wide and "12,864,000" in wide


def test_report_of_a_faulted_run_ends_with_the_fault_paragraph(tmp_path):
    path = tmp_path / "fault.json"
    rc, _, run_err = run_cli("run", elf_path("fault-stm32f407-disco.elf"), "--board", "stm32f407-disco",
                             "--json", path)
    assert rc == 70
    rc, out, _ = run_cli("report", path)
    assert rc == 0 and out == run_err
    assert out.strip().splitlines()[-1].endswith("(from LR).") or "Backtrace:" in flat(out)
