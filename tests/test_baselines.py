"""Cycle baselines of the reference firmware: every network, matmul, CoreMark-like and layer-demo
ELF of the manifest that exits 0 runs under the pytest plugin's ``mcusim_run`` and is held, exactly,
to tests/baselines/<elf>.json (total cycles and instructions, each layer's cycles, each memory
region's peak bytes). A timing-model change therefore shows up as a reviewed baseline update:

    python -m pytest tests/test_baselines.py --mcusim-update-baselines   # then review `git diff`
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import elf_path, entry_id, manifest_entries

BASELINES = Path(__file__).parent / "baselines"
# layers_slow is the deliberately slowed copy of layers (tests/test_pytest_plugin.py): no baseline
APPS = ("matmul_int8", "coremark_like", "layers")


def baselined(entry: dict) -> bool:
    return entry.get("exit_code") == 0 and ("network" in entry or any(
        entry["elf"].startswith(a + "-") for a in APPS))


ENTRIES = [e for e in manifest_entries() if baselined(e)]


@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_cycle_baseline(entry, mcusim_run, mcusim_baseline):
    result = mcusim_run(elf_path(entry["elf"]), entry["board"], argv=entry.get("args", ()), echo=False)
    assert (result.status, result.exit_code) == ("exited", 0), result.message
    mcusim_baseline(result, entry_id(entry))


def test_every_baseline_belongs_to_a_manifest_entry():
    assert {e["network"] for e in ENTRIES if "network" in e} >= {"kws_dscnn", "ecg_gru", "vww_mbv1", "vww_2bit"}
    assert any(e["elf"].startswith("matmul_int8-") for e in ENTRIES)
    stale = {p.stem for p in BASELINES.glob("*.json")} - {entry_id(e) for e in ENTRIES}
    assert not stale, f"baselines without a manifest entry (delete them): {sorted(stale)}"
