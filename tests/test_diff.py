"""`mcusim diff base.json new.json`: cycle deltas per layer, per function and in total, memory
deltas, exit 1 on a slow-down past the threshold, 0 otherwise, 2 on bad input.

The base is a real run of the KWS DS-CNN; the "new" results are that run's JSON with one layer's
end cycle (and the total) moved, which is what a slower kernel would record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import assert_clean_error, elf_path, flat
from mcusim.report.diff import diff_results
from mcusim.result import RunResult
from test_report import KWS_BOARD, KWS_ELF, run_cli


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("diff") / "base.json"
    rc, _, err = run_cli("run", elf_path(KWS_ELF), "--board", KWS_BOARD, "--json", path, "--quiet")
    assert rc == 0, err
    return path


def slowed(base: Path, tmp_path: Path, layer: str, percent: float, name: str = "new.json") -> Path:
    """The base result with `layer` made `percent` slower: its end and everything after it move."""
    data = json.loads(base.read_text())
    target = next(l for l in data["layers"] if l["name"] == layer)
    extra = round(target["cycles"] * percent / 100)
    for l in data["layers"]:
        if l["begin_cycle"] > target["begin_cycle"]:
            l["begin_cycle"] += extra
        if l["end_cycle"] >= target["end_cycle"]:
            l["end_cycle"] += extra
        l["cycles"] = l["end_cycle"] - l["begin_cycle"]
    data["totals"]["cycles"] += extra
    data["cores"][0]["cycles"] += extra
    for f in data["functions"]:
        if f["name"] == "nn_pointwise_conv_s8":
            f["self_cycles"] += extra
    for r in data["memory"]["regions"]:
        if r["name"] == "SRAM1":
            r["peak_bytes"] += 64
    RunResult.from_dict(data)  # still a valid result
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_identical_results_exit_0(cli, base):
    r = cli("diff", base, base)
    assert r.rc == 0, r.out
    assert "OK:" in r.out and "REGRESSION" not in r.out
    assert "conv1" in r.out and "total" in r.out


def test_slower_layer_exits_1_and_says_which(cli, base, tmp_path):
    new = slowed(base, tmp_path, "pw1", 10)
    r = cli("diff", base, new)
    assert r.rc == 1, r.out
    text = flat(r.out)
    assert "REGRESSION" in text and "pw1" in text and "+10.00 %" in text
    assert "dw1 " not in text.split("REGRESSION", 1)[1]  # only what regressed is named
    assert "nn_pointwise_conv_s8" in text  # the function delta
    assert "SRAM1" in text and "+64" in text  # the memory delta


def test_within_threshold_exits_0(cli, base, tmp_path):
    new = slowed(base, tmp_path, "pw1", 3)
    assert cli("diff", base, new).rc == 0  # default threshold 5 %
    bigger = slowed(base, tmp_path, "pw1", 10, "bigger.json")
    assert cli("diff", base, bigger, "--threshold", "20%").rc == 0
    assert cli("diff", base, bigger, "--threshold", "2").rc == 1


def test_faster_exits_0(cli, base, tmp_path):
    new = slowed(base, tmp_path, "pw1", 10)
    r = cli("diff", new, base)  # the slowed run as the base: the new one is faster
    assert r.rc == 0 and "OK:" in r.out


def test_total_regression_without_layers(base, tmp_path):
    data = json.loads(base.read_text())
    base_result = RunResult.from_dict(data)
    data["layers"] = []
    data["totals"]["cycles"] = int(data["totals"]["cycles"] * 1.5)
    d = diff_results(RunResult.from_dict({**data, "layers": []}), RunResult.from_dict(data), 5.0)
    assert d.regressions == []  # same total in both
    slower = RunResult.from_dict(data)
    d = diff_results(base_result, slower, 5.0)
    assert [c.label for c in d.regressions] == ["total"]
    assert any(c.delta is None for c in d.layers)  # the layers the new run no longer marks


@pytest.mark.parametrize("content, words", [
    (None, "does not exist"),
    ("{", "not valid JSON"),
    ('{"hello": 1}', "no schema_version"),
    ('{"schema_version": 0}', "schema_version 0"),
])
def test_diff_bad_input_exits_2(cli, base, tmp_path, content, words):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content)
    for argv in ((base, path), (path, base)):
        message = assert_clean_error(cli("diff", *argv))
        assert words in message


def test_diff_bad_threshold_is_a_usage_error(cli, base):
    r = cli("diff", base, base, "--threshold", "fast")
    assert r.rc == 2 and "percentage" in r.err
