"""The reference inference networks (firmware/models/, firmware/nn/): every (network, board) ELF
runs under the real simulator, exits 0, and leaves in `nn_output` exactly the output the NumPy
reference computed (firmware/models/<network>/expected_output.txt); its layer markers match the
network's layer list; and each generator regenerates the committed C sources byte for byte.

The GAP8 builds (<network>-gap8.elf, firmware/gap8_nets.mk) compile the same generated model.c
and run through the same checks; tests/test_networks_gap8.py checks what is GAP8-specific."""

from __future__ import annotations

import filecmp
import functools
import importlib.util
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import FIRMWARE, elf_path, entry_id, manifest_entries
from mcusim.board import load_board
from mcusim.elf import Firmware
from mcusim.machine import Machine, RunOptions

MODELS = FIRMWARE / "models"
# entries with a "variant" (reid_squeezenet: weights streamed from L3, its own generator layout)
# are covered by tests/test_reid.py
NETWORK_ENTRIES = [e for e in manifest_entries() if "network" in e and "variant" not in e]
NETWORKS = sorted({e["network"] for e in NETWORK_ENTRIES})
GENERATED = ("generated/model.c", "generated/model.h", "plan.txt", "expected_output.txt")
# networks with a GAP8 build (firmware/gap8_nets.mk) besides the generator's Cortex-M boards
GAP8_NETWORKS = ("kws_dscnn", "vww_mbv1")


@functools.cache
def generator(network: str):
    """The generator module firmware/models/<network>.py (its layer list and stated MACs)."""
    path = MODELS / f"{network}.py"
    spec = importlib.util.spec_from_file_location(f"model_{network}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def built(network: str):
    return generator(network).build()


def expected_output(network: str) -> np.ndarray:
    text = (MODELS / network / "expected_output.txt").read_text()
    return np.array([int(v) for v in text.split()], dtype=np.int8)


def test_every_network_and_board_has_an_elf():
    assert NETWORKS, "no network entries in the manifest"
    for network in NETWORKS:
        boards = {e["board"] for e in NETWORK_ENTRIES if e["network"] == network and "kernels" not in e}
        gap8 = {"gap8"} if network in GAP8_NETWORKS else set()
        assert boards == set(generator(network).BOARDS) | gap8, network
    for e in NETWORK_ENTRIES:
        suffix = {None: "", "portable": "_portable"}[e.get("kernels")]
        assert e["elf"] == f"{e['network']}{suffix}-{e['board']}.elf"
        assert e["exit_code"] == 0
    # every network with a portable-kernel build on a board it is built for with the DSP kernels
    portable = {(e["network"], e["board"]) for e in NETWORK_ENTRIES if e.get("kernels") == "portable"}
    assert portable and portable <= {(e["network"], e["board"]) for e in NETWORK_ENTRIES if "kernels" not in e}


@pytest.mark.parametrize("entry", [e for e in NETWORK_ENTRIES if e.get("kernels") == "portable"], ids=entry_id)
def test_dsp_kernels_are_faster_than_the_portable_ones(entry):
    """The same network on the same board, nn/ built with and without -DNN_USE_DSP: the same
    layers and output (test_network_bit_exact checks both builds against the reference), fewer
    cycles with SXTB16/SMLAD, in total and in the layer with the most MACs."""
    dsp_entry = next(e for e in NETWORK_ENTRIES if "kernels" not in e and e["network"] == entry["network"]
                     and e["board"] == entry["board"])
    runs = {}
    for e in (dsp_entry, entry):
        runs[e["elf"]] = Machine(load_board(e["board"]), Firmware.load(elf_path(e["elf"])),
                                 RunOptions(stdout=io.StringIO(), profile=False)).run()
    dsp, portable = runs[dsp_entry["elf"]], runs[entry["elf"]]
    assert [(l.name, l.macs) for l in dsp.layers] == [(l.name, l.macs) for l in portable.layers]
    assert dsp.stdout.splitlines()[:-1] == portable.stdout.splitlines()[:-1]  # all but the stack line
    assert dsp.totals.cycles < portable.totals.cycles
    heaviest = max(dsp.layers, key=lambda layer: layer.macs).name
    assert dsp.layers[heaviest].cycles < portable.layers[heaviest].cycles


@pytest.mark.parametrize("entry", NETWORK_ENTRIES, ids=entry_id)
def test_network_bit_exact(entry):
    network, board = entry["network"], entry["board"]
    firmware = Firmware.load(elf_path(entry["elf"]))
    out = io.StringIO()
    machine = Machine(load_board(board), firmware, RunOptions(stdout=out))
    result = machine.run()
    assert result.exit_code == 0, (result.message, out.getvalue())
    assert "PASS" in out.getvalue()
    assert entry["stdout"] in out.getvalue()

    # nn_output, read from the simulated RAM after the run, equals the NumPy reference
    expected = expected_output(network)
    symbol = firmware.symbol("nn_output")
    assert symbol is not None and symbol.size == expected.size
    got = np.frombuffer(machine.memory.read(symbol.address, symbol.size), dtype=np.int8)
    np.testing.assert_array_equal(got, expected)
    nn_input = firmware.symbol("nn_input")
    assert nn_input is not None and nn_input.size > 0

    # one top-level marker per layer, in order, with the generator's names and MACs
    net = built(network)
    layers = [(layer.name, layer.macs) for layer in result.layers]
    assert layers == net.layer_table()
    assert all(layer.depth == 0 and layer.end_cycle is not None for layer in result.layers)
    total = sum(macs for _, macs in layers)
    stated = generator(network).STATED_MACS
    assert abs(total - stated) <= 0.10 * stated, (total, stated)
    # the layers cover most of the run and their cycles are positive
    assert all(layer.cycles > 0 for layer in result.layers)
    assert sum(layer.cycles for layer in result.layers) <= result.totals.cycles


@pytest.mark.parametrize("network", NETWORKS)
def test_generator_reproduces_committed_sources(network, tmp_path):
    """Running firmware/models/<network>.py regenerates the committed files byte for byte
    (and its reference output is the one the firmware embeds)."""
    proc = subprocess.run([sys.executable, str(MODELS / f"{network}.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "peak activation RAM" in proc.stdout  # the plan is printed
    for name in GENERATED:
        committed = MODELS / network / name
        assert committed.is_file(), committed
        assert filecmp.cmp(tmp_path / name, committed, shallow=False), f"{network}/{name} differs"
    net = built(network)
    np.testing.assert_array_equal(net.output_tensor.values.reshape(-1), expected_output(network))


def test_network_firmware_detects_a_wrong_result():
    """The firmware really checks: a changed input makes the first layer's output differ from the
    reference, and the firmware says which layer and exits 1."""
    entry = next(e for e in NETWORK_ENTRIES if e["network"] == "ecg_gru")
    firmware = Firmware.load(elf_path(entry["elf"]))
    out = io.StringIO()
    machine = Machine(load_board(entry["board"]), firmware, RunOptions(stdout=out))
    symbol = firmware.symbol("nn_input")
    data = bytearray(machine.memory.read(symbol.address, symbol.size))
    data[600] ^= 0x40
    machine.memory.write(symbol.address, bytes(data))
    result = machine.run()
    assert result.exit_code == 1, out.getvalue()
    first = built(entry["network"]).layers[0].name
    assert f"FAIL: layer 0 ({first}) output differs" in out.getvalue()
