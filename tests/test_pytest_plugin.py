"""The pytest plugin (mcusim/pytest_plugin.py, issue 7): the ``mcusim_run`` fixture, name lookups
on a RunResult, ``assert_cycles``/``mcusim_baseline`` against baseline files, and
``--mcusim-update-baselines``.

The end-to-end checks run inner pytest sessions with pytest's own ``pytester`` against real
firmware: the deliberately slowed layer demo (layers_slow-stm32f407-disco.elf, an extra loop in
layer dot512; firmware/layers.mk) must fail the normal build's committed baseline
(tests/baselines/layers-stm32f407-disco.json) and name dot512, while the normal build passes;
updating baselines then running again must pass with the files untouched, in plain pytest and
under pytest-xdist.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import PREBUILT, REPO, elf_path
from mcusim.result import LayerList, LayerRecord, RegionMemory, RunResult
from mcusim.pytest_plugin import (BaselineComparison, CycleRegression, assert_cycles, baseline_metrics,
                                  compare_metrics, dump_baseline)

pytest_plugins = ["pytester"]

BOARD = "stm32f407-disco"
LAYERS = elf_path(f"layers-{BOARD}.elf")
LAYERS_SLOW = elf_path(f"layers_slow-{BOARD}.elf")
COMMITTED = Path(__file__).parent / "baselines" / f"layers-{BOARD}.json"


@pytest.fixture(scope="module", autouse=True)
def layers_json() -> dict:
    """The layer demo's real result, as JSON (a fresh RunResult per test from it).

    Autouse: the run imports the whole engine (numpy included) in this process before any inner
    session, since pytester's in-process runs drop the modules they import when they end."""
    from io import StringIO

    from mcusim.board import load_board
    from mcusim.elf import Firmware
    from mcusim.machine import Machine, RunOptions
    result = Machine(load_board(BOARD), Firmware.load(LAYERS), RunOptions(stdout=StringIO())).run()
    assert result.exit_code == 0, result.message
    return json.loads(result.to_json())


def fresh(data: dict) -> RunResult:
    return RunResult.from_dict(copy.deepcopy(data))


# --------------------------------------------------------------------------- RunResult lookups

def test_layers_keep_list_behaviour_and_look_up_by_name(layers_json):
    result = fresh(layers_json)
    assert isinstance(result.layers, list) and isinstance(result.layers, LayerList)
    assert [r.name for r in result.layers] == ["dot64", "block", "dot512", "dot256"]
    assert result.layers[0].name == "dot64" and result.layers[-1].name == "dot256"
    assert [r.name for r in result.layers[1:3]] == ["block", "dot512"]
    assert len(result.layers) == 4 and "dot512" in result.layers and "conv9" not in result.layers
    assert result.layers[2] in result.layers
    dot512 = result.layers["dot512"]
    record = result.layers[2]
    assert dot512.cycles == record.cycles == record.end_cycle - record.begin_cycle
    assert dot512.macs == 512 and dot512.count == 1 and dot512.cores == ["cpu"]
    assert result.layers["block"].cycles > dot512.cycles + result.layers["dot256"].cycles
    assert result.layers.names() == ["dot64", "block", "dot512", "dot256"]
    assert result.layers.get("conv9") is None
    with pytest.raises(KeyError, match=r"no layer named 'conv9' \(layers: dot64, block, dot512, dot256\)"):
        result.layers["conv9"]
    # the JSON form is unchanged: a plain list of layer objects with their cycles
    data = result.to_dict()
    assert type(data["layers"]) is list and type(data["functions"]) is list
    assert json.loads(result.to_json()) == layers_json
    assert RunResult.from_dict(json.loads(result.to_json())) == result
    result.layers = [result.layers[0]]  # any list assigned stays name-indexable
    assert isinstance(result.layers, LayerList)
    assert result.layers["dot64"].cycles == layers_json["layers"][0]["cycles"]


def test_total_is_totals_and_functions_look_up_by_name(layers_json):
    result = fresh(layers_json)
    assert result.total is result.totals and result.total.cycles == layers_json["totals"]["cycles"]
    dot = result.functions["dot"]
    assert dot.calls == 3 and dot.self_cycles > 0 and dot.inclusive_cycles >= dot.self_cycles
    assert "main" in result.functions and "no_such_function" not in result.functions
    with pytest.raises(KeyError, match="no function named 'no_such_function'"):
        result.functions["no_such_function"]
    assert result.functions[0] is list(result.functions)[0]


def test_a_layer_on_several_cores_counts_its_slowest_core(layers_json):
    """GAP8-style: the same layer name on cluster cores, marked twice on one of them."""
    result = fresh(layers_json)
    result.layers = [LayerRecord("conv", 100, "cl0", 0, 1000, 0), LayerRecord("conv", 100, "cl1", 0, 900, 0),
                     LayerRecord("conv", 50, "cl1", 2000, 2300, 0)]
    conv = result.layers["conv"]
    assert conv.core_cycles == {"cl0": 1000, "cl1": 1200}
    assert conv.cycles == 1200 and conv.macs == 250 and conv.count == 3 and conv.cores == ["cl0", "cl1"]


def test_memory_peak_from_the_regions(layers_json):
    result = fresh(layers_json)
    for region in result.memory.regions:
        assert result.memory.peak(region.name) == region.peak_bytes
    result.memory.regions = [RegionMemory("L2", "sram", 512 * 1024, 4000, 100, 300, 4400, 3000),
                             RegionMemory("L1", "sram", 64 * 1024, 0, 0, 0, 60000, 60000)]
    assert result.memory.peak("L2") == 4400 and result.memory.peak("L1") == 60000
    with pytest.raises(KeyError, match="no memory region 'SRAM1' .regions: L2, L1."):
        result.memory.peak("SRAM1")
    metrics = baseline_metrics(result)
    assert metrics["memory.L2.peak_bytes"] == 4400 and metrics["memory.L1.peak_bytes"] == 60000


# --------------------------------------------------------------------------- baselines as data

def test_baseline_file_holds_only_the_compared_numbers_sorted(layers_json):
    result = fresh(layers_json)
    metrics = baseline_metrics(result)
    text = dump_baseline(metrics)
    data = json.loads(text)
    assert list(data) == sorted(data) and all(type(v) is int for v in data.values())
    assert set(data) == ({"totals.cycles", "totals.instructions"}
                         | {f"layers.{n}.cycles" for n in ("dot64", "block", "dot512", "dot256")}
                         | {f"memory.{r.name}.peak_bytes" for r in result.memory.regions})
    assert text.count("\n") == len(data) + 2  # one number per line between the braces
    assert baseline_metrics(result, compare=["layers"]) == {k: v for k, v in metrics.items()
                                                            if k.startswith("layers.")}
    with pytest.raises(ValueError, match="unknown section"):
        baseline_metrics(result, compare=["cycles"])


def test_committed_layer_baseline_matches_a_fresh_run(layers_json):
    assert json.loads(COMMITTED.read_text()) == baseline_metrics(fresh(layers_json))


def test_tolerances_exact_rel_abs():
    base = {"totals.cycles": 1000, "layers.conv1.cycles": 400}
    assert compare_metrics(dict(base), base).ok
    now = {"totals.cycles": 1010, "layers.conv1.cycles": 410}
    assert not compare_metrics(now, base).ok
    assert [c.metric for c in compare_metrics(now, base, rel=0.01).failed] == ["layers.conv1.cycles"]
    assert compare_metrics(now, base, rel=0.025).ok
    assert compare_metrics(now, base, abs=10).ok and not compare_metrics(now, base, abs=9).ok
    gone = compare_metrics({"totals.cycles": 1000}, base, rel=1.0)
    assert [c.metric for c in gone.failed] == ["layers.conv1.cycles"]  # a layer that vanished fails
    new = compare_metrics({**base, "layers.fc.cycles": 5}, base, rel=1.0)
    assert [c.metric for c in new.failed] == ["layers.fc.cycles"]  # and so does a new one


def test_failure_table_names_what_moved(layers_json, tmp_path):
    result = fresh(layers_json)
    path = tmp_path / "demo.json"
    path.write_text(dump_baseline(baseline_metrics(result)))
    assert isinstance(assert_cycles(result, baseline=path), BaselineComparison)
    result.layers[2].end_cycle += 1000  # dot512 (and so its parent block) 1000 cycles slower
    result.memory.regions[1].peak_bytes += 64
    with pytest.raises(CycleRegression) as info:
        assert_cycles(result, baseline=path, rel=0.01)
    text = str(info.value)
    assert text.startswith("mcusim: layer dot512 (+24.19%) moved against baseline ")
    header = next(line for line in text.splitlines() if line.startswith("metric"))
    assert header.split() == ["metric", "baseline", "now", "delta", "delta", "%", "tolerance"]
    row = next(line for line in text.splitlines() if line.startswith("layers.dot512.cycles"))
    assert row.split() == ["layers.dot512.cycles", "4,134", "5,134", "+1,000", "+24.19%", "±41.34", "FAIL"]
    assert re.search(r"memory\.SRAM1\.peak_bytes +2,649 +2,713 +\+64 +\+2\.42% +±26\.49 +FAIL", text)
    assert "--mcusim-update-baselines" in text


# --------------------------------------------------------------------------- inner pytest sessions

INNER = '''
from mcusim.pytest_plugin import assert_cycles

ELF = {elf!r}

def test_layers(mcusim_run):
    result = mcusim_run(ELF, board="stm32f407-disco")
    assert result.exit_code == 0
    assert_cycles(result, baseline="layers")
'''


def inner_session(pytester, elf: Path, baseline: Path | None = COMMITTED) -> Path:
    pytester.makepyfile(test_inner=INNER.format(elf=str(elf)))
    target = pytester.path / "baselines" / "layers.json"
    if baseline is not None:
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(baseline, target)
    return target


def test_slowed_firmware_fails_the_original_baseline_naming_the_layer(pytester):
    inner_session(pytester, LAYERS_SLOW)
    run = pytester.runpytest()
    run.assert_outcomes(failed=1)
    out = run.stdout.str()
    assert ("mcusim: layers dot512 (+136.67%), block (+91.12%) moved against baseline "
            "baselines/layers.json; 6 of 10 metrics moved beyond the tolerance (exact comparison)"
            ) in out, out
    assert re.search(r"layers\.dot512\.cycles +4,134 +9,784 +\+5,650 +\+136\.67% +exact +FAIL", out), out
    assert not re.search(r"layers\.(dot64|dot256)\.cycles", out)  # the other layers did not move
    assert "baselines/layers.json" in out and "--mcusim-update-baselines" in out


def test_original_firmware_passes_its_baseline(pytester):
    inner_session(pytester, LAYERS)
    pytester.runpytest().assert_outcomes(passed=1)


def test_missing_baseline_fails_with_how_to_create_it(pytester):
    inner_session(pytester, LAYERS, baseline=None)
    run = pytester.runpytest()
    run.assert_outcomes(failed=1)
    run.stdout.fnmatch_lines(["*no baseline baselines/layers.json; create it with "
                              "`pytest --mcusim-update-baselines`*"])


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["plain", "xdist"])
def test_update_baselines_then_a_clean_second_run(pytester, xdist):
    pytester.makepyfile(test_two='''
        from mcusim.pytest_plugin import assert_cycles
        import pytest

        @pytest.mark.parametrize("variant", ["layers", "layers_slow"])
        def test_variant(mcusim_run, mcusim_baseline, variant):
            result = mcusim_run(f"{prebuilt}/{variant}-stm32f407-disco.elf", "stm32f407-disco")
            mcusim_baseline(result)              # baselines/test_variant_<variant>.json

        def test_named(mcusim_run):
            result = mcusim_run("{prebuilt}/layers-stm32f407-disco.elf", "stm32f407-disco",
                                max_cycles=10_000_000)
            assert_cycles(result, "layers_named", compare=["layers"])
    '''.replace("{prebuilt}", str(PREBUILT)))
    folder = pytester.path / "baselines"
    first = pytester.runpytest(*xdist, "--mcusim-update-baselines")
    first.assert_outcomes(passed=3)
    first.stdout.fnmatch_lines(["*mcusim baselines*", "written baselines/layers_named.json",
                                "written baselines/test_variant_layers.json",
                                "written baselines/test_variant_layers_slow.json", "3 written"])
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["layers_named.json", "test_variant_layers.json", "test_variant_layers_slow.json"]
    assert json.loads((folder / "test_variant_layers.json").read_text()) == json.loads(COMMITTED.read_text())
    assert all(k.startswith("layers.") for k in json.loads((folder / "layers_named.json").read_text()))
    stamps = {p.name: (p.stat().st_mtime_ns, p.read_text()) for p in folder.iterdir()}

    pytester.runpytest(*xdist).assert_outcomes(passed=3)  # the second run passes unchanged
    again = pytester.runpytest(*xdist, "--mcusim-update-baselines")
    again.assert_outcomes(passed=3)
    again.stdout.fnmatch_lines(["3 unchanged"])
    assert {p.name: (p.stat().st_mtime_ns, p.read_text()) for p in folder.iterdir()} == stamps

    if xdist:  # the rest does not depend on how the tests are spread over processes
        return
    # only the baselines of the tests that ran are rewritten
    (folder / "layers_named.json").write_text('{"layers.dot64.cycles": 1}\n')
    (folder / "test_variant_layers.json").write_text('{"totals.cycles": 1}\n')
    pytester.runpytest(*xdist, "-k", "named", "--mcusim-update-baselines").assert_outcomes(passed=1)
    assert (folder / "layers_named.json").read_text() == stamps["layers_named.json"][1]
    assert (folder / "test_variant_layers.json").read_text() == '{"totals.cycles": 1}\n'
    failed = pytester.runpytest(*xdist)
    failed.assert_outcomes(passed=2, failed=1)
    failed.stdout.fnmatch_lines(["*totals.cycles*1*22,432*FAIL*"])


def test_two_tests_writing_one_baseline_with_other_numbers_is_an_error(pytester):
    pytester.makepyfile(test_clash=f'''
        import pytest
        from mcusim.pytest_plugin import assert_cycles

        @pytest.mark.parametrize("variant", ["layers", "layers_slow"])
        def test_variant(mcusim_run, variant):
            result = mcusim_run(f"{PREBUILT}/{{variant}}-stm32f407-disco.elf", "stm32f407-disco")
            assert_cycles(result, "shared")
    ''')
    run = pytester.runpytest("--mcusim-update-baselines")
    run.assert_outcomes(passed=1, failed=1)
    run.stdout.fnmatch_lines(["*baseline baselines/shared.json was already written by "
                              "test_clash.py::test_variant?layers? in this session with other numbers*"])


def test_mcusim_run_options(pytester):
    pytester.makepyfile(test_options=f'''
        import pytest

        PREBUILT = {str(PREBUILT)!r}

        def test_argv_semihost_dir_and_stdout(mcusim_run, capsys, tmp_path):
            (tmp_path / "input.txt").write_text("some input\\n")
            result = mcusim_run(PREBUILT + "/semihost_io-stm32f407-disco.elf", "stm32f407-disco",
                                argv=["alpha", 7], semihost_dir=tmp_path)
            assert result.exit_code == 0, result.stdout
            assert "argv[1]=alpha" in result.stdout and "argv[2]=7" in result.stdout
            assert (tmp_path / "output.txt").read_text() == "SOME INPUT\\n"
            assert result.stdout in capsys.readouterr().out  # echoed to the test's stdout

        def test_quiet(mcusim_run, capsys):
            result = mcusim_run(PREBUILT + "/hello-stm32f407-disco.elf", "stm32f407-disco", echo=False)
            assert "Hello" in result.stdout and capsys.readouterr().out == ""

        def test_max_cycles(mcusim_run):
            result = mcusim_run(PREBUILT + "/spin-stm32f407-disco.elf", "stm32f407-disco",
                                max_cycles=100_000)
            assert result.status == "cycle-limit" and result.exit_code is None

        def test_timing_fast(mcusim_run):
            fast = mcusim_run(PREBUILT + "/layers-stm32f407-disco.elf", "stm32f407-disco", timing="fast")
            accurate = mcusim_run(PREBUILT + "/layers-stm32f407-disco.elf", "stm32f407-disco")
            assert fast.timing_model["mode"] == "fast" and accurate.timing_model["mode"] == "accurate"
            assert fast.total.cycles != accurate.total.cycles

        def test_relative_elf_path(mcusim_run):
            result = mcusim_run("fw/layers-stm32f407-disco.elf", "stm32f407-disco")
            assert result.layers["dot512"].cycles == 4134

        def test_bad_board(mcusim_run):
            mcusim_run(PREBUILT + "/hello-stm32f407-disco.elf", "no-such-board")
    ''')
    (pytester.path / "fw").symlink_to(PREBUILT)
    run = pytester.runpytest("-p", "no:cacheprovider")
    run.assert_outcomes(passed=5, failed=1)
    run.stdout.fnmatch_lines(["*mcusim: unknown board 'no-such-board'*"])
    assert "Traceback" not in run.stdout.str()


def test_readme_example_runs(pytester):
    """The README's example test, as written, in a project laid out like this checkout."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Cycle regressions in pytest", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "test_kws.py").write_text(code)
    (pytester.path / "firmware").mkdir()
    (pytester.path / "firmware" / "prebuilt").symlink_to(PREBUILT)
    first = pytester.runpytest("tests", "--mcusim-update-baselines")
    first.assert_outcomes(passed=1)
    written = sorted(p.name for p in (pytester.path / "tests" / "baselines").iterdir())
    assert written == ["kws_m4.json"]
    pytester.runpytest("tests").assert_outcomes(passed=1)
