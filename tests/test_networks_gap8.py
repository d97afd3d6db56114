"""The reference networks on GAP8 (firmware/gap8/nets/, firmware/gap8_nets.mk): what the generic
bit-exact test in test_networks.py does not cover. The conv layers run on all 8 cluster cores,
with Xpulpv2 dot products, tiles moved by the cluster DMA (double-buffered: more transfers than
layers, L1 holds two tile buffers) and the weights read from L2 only by DMA; the markers are on
the fabric controller."""

from __future__ import annotations

import functools
import io
import re
import struct

import pytest
from elftools.elf.elffile import ELFFile

from conftest import FIRMWARE, elf_path
from mcusim.board import load_board
from mcusim.elf import Firmware
from mcusim.machine import Machine, RunOptions

NETWORKS = ("kws_dscnn", "vww_mbv1")


@functools.cache
def run(network: str):
    firmware = Firmware.load(elf_path(f"{network}-gap8.elf"))
    machine = Machine(load_board("gap8"), firmware,
                      RunOptions(stdout=io.StringIO(), stderr=io.StringIO()))
    return firmware, machine, machine.run()


@pytest.mark.parametrize("network", NETWORKS)
def test_gap8_network_passes_and_marks_layers_on_the_fc(network):
    _, _, result = run(network)
    assert result.exit_code == 0, result.stdout
    assert f"{network} on gap8:" in result.stdout and "PASS" in result.stdout
    assert {layer.core for layer in result.layers} == {"fc"}


@pytest.mark.parametrize("network", NETWORKS)
def test_gap8_network_uses_all_eight_cluster_cores(network):
    _, _, result = run(network)
    cluster = [c for c in result.cores if c.name.startswith("cl")]
    assert len(cluster) == 8
    executed = [c.instructions for c in cluster]
    assert min(executed) > 0.5 * max(executed), executed  # the work is split, not serialised
    # the kernels are the cluster's own functions, on every core
    for core in cluster:
        names = {f.name for f in result.functions if f.core == core.name and f.self_cycles > 0}
        assert {"mm_tile", "compute_dw"} <= names, (core.name, names)


@pytest.mark.parametrize("network", NETWORKS)
def test_gap8_network_moves_tiles_by_dma_double_buffered(network):
    firmware, _, result = run(network)
    dma = result.diagnostics["soc"]["cluster_dma"]
    n_conv = sum(1 for layer in result.layers if layer.name.startswith(("conv", "dw", "pw")))
    # several tiles per layer (at least 4 per conv layer, by design), plus the parameters
    assert dma["transfers"] >= 4 * n_conv
    assert dma["bytes"]["L2->L1"] > 0 and dma["bytes"]["L1->L2"] > 0
    # the cluster writes the conv layers' outputs to L2 only by DMA, each byte once
    # (plan.txt: "arena@<offset>+<size>" is a layer's output)
    plan = (FIRMWARE / "models" / network / "plan.txt").read_text()
    written = sum(int(m.group(2)) for m in re.finditer(
        r"^\s*\d+ ((?:conv|dw|pw)\d+)\s+\d+\s+\S+\s+arena@\d+\+(\d+)", plan, re.M))
    assert dma["bytes"]["L1->L2"] == written
    # core 0 waits on the DMA event (sleeping), the other cores never touch the DMA
    waits = {c.name: c.waits for c in result.cores}
    assert waits["cl0"].get("dma", 0) > 0
    assert all(waits[f"cl{i}"].get("dma", 0) == 0 for i in range(1, 8))
    # two tile buffers each for input and output live in the L1 pool
    pool = firmware.symbol("l1_pool")
    assert pool is not None and 0x10000000 <= pool.address < 0x10010000


@pytest.mark.parametrize("network", NETWORKS)
def test_gap8_network_kernels_are_xpulp(network):
    """The hot-loop words are in .text: pv.sdotsp.b (opcode 0x57, f3 1, funct7 0x5c), p.lw
    post-increment (0x0b, f3 2), lp.setup (0x7b, f3 4) and p.mac (0x33, f3 0, funct7 0x21)."""
    with open(elf_path(f"{network}-gap8.elf"), "rb") as f:
        text = ELFFile(f).get_section_by_name(".text").data()
    words = {struct.unpack_from("<I", text, off)[0] for off in range(0, len(text) - 3, 2)}

    def has(opcode, f3, f7=None):
        return any(w & 0x7F == opcode and (w >> 12) & 7 == f3 and (f7 is None or w >> 25 == f7)
                   for w in words)

    assert has(0x57, 1, 0x5C)  # pv.sdotsp.b
    assert has(0x0B, 2)  # p.lw rd, imm(rs1!)
    assert has(0x7B, 4)  # lp.setup
    assert has(0x33, 0, 0x21)  # p.mac


def test_kws_layer_dma_bytes_are_the_transfers_inside_each_layer():
    """LayerRecord.dma_bytes_in/out: bytes of the transfers that complete within the layer's
    time span (in = L2->L1, out = L1->L2 here). Every cluster-DMA transfer of kws_dscnn happens
    inside a layer, so the layers add up to the engine's totals; the tail layers (pooling, fully
    connected, softmax) run on the FC from L2 and move nothing."""
    _, _, result = run("kws_dscnn")
    records = result.diagnostics["dma_transfers"]
    totals = result.diagnostics["soc"]["cluster_dma"]["bytes"]
    assert sum(layer.dma_bytes_in for layer in result.layers) == totals["L2->L1"]
    assert sum(layer.dma_bytes_out for layer in result.layers) == totals["L1->L2"]
    clock = result.cores[0].clock_hz
    for layer in result.layers:
        begin, end = layer.begin_cycle / clock, layer.end_cycle / clock
        inside = [r for r in records if begin <= r["end_s"] < end]
        assert layer.dma_bytes_in == sum(r["bytes"] for r in inside if r["direction"] == "L2->L1"), layer.name
        assert layer.dma_bytes_out == sum(r["bytes"] for r in inside if r["direction"] == "L1->L2"), layer.name
        if layer.name.startswith(("conv", "dw", "pw")):
            assert layer.dma_bytes_in > 0 and layer.dma_bytes_out > 0, layer.name
        else:
            assert (layer.dma_bytes_in, layer.dma_bytes_out) == (0, 0), layer.name
