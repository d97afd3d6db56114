"""reid_squeezenet on GAP8 (firmware/models/reid_squeezenet.py, firmware/gap8/reid_squeezenet/,
firmware/reid.mk): a SqueezeNet-1.1-style face re-ID network in 16-bit fixed point whose 1.4 MiB
of weights live in L3 (HyperRAM image, section .l3) and are streamed to L2 by the uDMA, in two
variants from one source: sync (load a chunk, wait, compute) and async (double-buffered: the
next chunk loads while the cluster computes).

Both variants run once each (about 20-30 s of host time apiece), so every check that needs a
run is in one test, test_reid_sync_and_async; the cheap checks are separate."""

from __future__ import annotations

import filecmp
import functools
import importlib.util
import io
import re
import subprocess
import sys

import numpy as np
import pytest
from elftools.elf.elffile import ELFFile

from conftest import FIRMWARE, elf_path, entries
from mcusim.board import load_board
from mcusim.elf import Firmware
from mcusim.machine import Machine, RunOptions

MODEL = FIRMWARE / "models" / "reid_squeezenet"
GENERATED = ("generated/model.c", "generated/model.h", "generated/weights.bin",
             "generated/input.bin", "plan.txt", "expected_output.txt")
VARIANTS = ("sync", "async")
L2_BYTES = 512 * 1024
FC_HZ, CL_HZ = 250_000_000, 175_000_000


@functools.cache
def generator():
    path = FIRMWARE / "models" / "reid_squeezenet.py"
    spec = importlib.util.spec_from_file_location("model_reid_squeezenet", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@functools.cache
def built():
    return generator().build()  # (Builder with .ops and .blob, input, descriptor)


def expected_output() -> np.ndarray:
    return np.array([int(v) for v in (MODEL / "expected_output.txt").read_text().split()],
                    dtype=np.int16)


def elf_name(variant: str) -> str:
    return f"reid_squeezenet_{variant}-gap8.elf"


def run(variant: str):
    firmware = Firmware.load(elf_path(elf_name(variant)))
    machine = Machine(load_board("gap8"), firmware,
                      RunOptions(stdout=io.StringIO(), stderr=io.StringIO()))
    result = machine.run()
    symbol = firmware.symbol("nn_output")
    assert symbol is not None and symbol.size == 2 * 512
    output = np.frombuffer(machine.memory.read(symbol.address, symbol.size), dtype="<i2")
    return result, output


def core(result, name):
    return next(c for c in result.cores if c.name == name)


def printed(result, key: str) -> int:
    m = re.search(rf"\b{key}=(\d+)", result.stdout)
    assert m, result.stdout
    return int(m.group(1))


def test_manifest_has_both_variants():
    got = {e["variant"]: e for e in entries("reid_squeezenet_sync") + entries("reid_squeezenet_async")}
    assert set(got) == set(VARIANTS)
    for variant, e in got.items():
        assert e["elf"] == elf_name(variant) and e["board"] == "gap8" and e["exit_code"] == 0
        assert e["network"] == "reid_squeezenet"


def test_generator_reproduces_committed_files(tmp_path):
    proc = subprocess.run([sys.executable, str(FIRMWARE / "models" / "reid_squeezenet.py"),
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for name in GENERATED:
        assert filecmp.cmp(tmp_path / name, MODEL / name, shallow=False), f"{name} differs"
    _, _, y = built()
    np.testing.assert_array_equal(y.reshape(-1), expected_output())


def test_weights_are_l3_only_and_larger_than_l2():
    """The weights do not fit L2: the ELF carries them in .l3 (the 8 MiB HyperRAM image at
    0x80000000), which the cores cannot address, and L2 holds only two chunk buffers."""
    b, _, _ = built()
    assert 1.3 * 2**20 <= len(b.blob) <= 1.41 * 2**20
    assert len(b.blob) > L2_BYTES
    for variant in VARIANTS:
        with elf_path(elf_name(variant)).open("rb") as f:
            sections = {s.name: s for s in ELFFile(f).iter_sections()}
            l3 = sections[".l3"]
            assert l3["sh_addr"] == 0x80000000 and l3["sh_type"] == "SHT_PROGBITS"
            assert l3["sh_size"] >= len(b.blob)
            l2_end = max(s["sh_addr"] + s["sh_size"] for s in sections.values()
                         if 0x1C000000 <= s["sh_addr"] < 0x1C000000 + L2_BYTES)
            assert l2_end <= 0x1C000000 + L2_BYTES


def test_reid_sync_and_async():
    b, _, _ = built()
    n_chunks = sum(len(op.chunks) for op in b.ops)
    expected = expected_output()
    runs = {v: run(v) for v in VARIANTS}

    # ---- both variants: exit 0 and nn_output, read from simulated L2, is the NumPy reference
    for variant, (result, output) in runs.items():
        assert (result.status, result.exit_code) == ("exited", 0), (variant, result.stdout)
        assert f"reid_squeezenet {variant} checksum=" in result.stdout and "PASS" in result.stdout
        np.testing.assert_array_equal(output, expected, err_msg=variant)
        # one marker per op, nested in the network's marker, on the FC, with the generator's MACs
        top = [(layer.name, layer.macs) for layer in result.layers if layer.depth == 1]
        assert top == [(op.name, op.macs) for op in b.ops], variant
        outer = [layer for layer in result.layers if layer.depth == 0]
        assert [layer.name for layer in outer] == ["reid_squeezenet"]
        assert outer[0].macs == sum(op.macs for op in b.ops)
        assert {layer.core for layer in result.layers} == {"fc"}

    (sync, _), (asyn, _) = runs["sync"], runs["async"]

    # ---- the same work: identical cluster instructions, identical uDMA traffic
    for i in range(8):
        assert core(sync, f"cl{i}").instructions == core(asyn, f"cl{i}").instructions
        assert core(sync, f"cl{i}").instructions > 0  # all 8 cores compute
    hyper_s, hyper_a = (r.diagnostics["soc"]["udma_hyper"] for r in (sync, asyn))
    weights_and_input = len(b.blob) + 128 * 128 * 2
    for h in (hyper_s, hyper_a):
        assert h["bytes"] == {"L3->L2": weights_and_input}
        assert h["transfers"] == n_chunks + 1  # every chunk and the input image
    assert hyper_s["busy_s"] == pytest.approx(hyper_a["busy_s"])
    # each chunk goes on to L1 through the cluster DMA
    assert sync.diagnostics["soc"]["cluster_dma"]["bytes"] == {"L2->L1": len(b.blob)}

    # ---- per-layer DMA bytes (transfers completing inside the layer; in = L3->L2 and L2->L1).
    # The network's layer holds every transfer but the input image, loaded before it begins.
    for result in (sync, asyn):
        network = next(l for l in result.layers if l.name == "reid_squeezenet")
        assert network.dma_bytes_in == 2 * len(b.blob) and network.dma_bytes_out == 0
        assert len(result.diagnostics["dma_transfers"]) == 2 * n_chunks + 1
    # sync: an op loads exactly its own chunks, through both engines; ops without weights move 0
    ops = [l for l in sync.layers if l.depth == 1]
    for op, layer in zip(b.ops, ops):
        assert layer.dma_bytes_in == 2 * sum(size for _, size, _, _ in op.chunks), op.name

    # ---- async is faster ...
    saved_fc = sync.totals.cycles - asyn.totals.cycles
    assert saved_fc > 0, (sync.totals.cycles, asyn.totals.cycles)
    net_s, net_a = (next(l for l in r.layers if l.name == "reid_squeezenet").cycles for r in (sync, asyn))
    assert net_a < net_s

    # ---- ... because the weight loads overlap computation. The uDMA is busy about as long as
    # the run gets shorter (weights only: the input image loads before the network in both).
    load_fc = (hyper_s["busy_s"] * len(b.blob) / weights_and_input) * FC_HZ
    assert 0.8 * load_fc <= saved_fc <= 1.2 * load_fc, (saved_fc, load_fc)
    # The FC waits for the uDMA (its own count, FC timer cycles): for every load in sync, for
    # almost nothing in async (the first chunk is loaded while it waits for nothing else).
    wait_s, wait_a = printed(sync, "udma_wait_cycles"), printed(asyn, "udma_wait_cycles")
    assert wait_s >= 0.95 * load_fc
    assert wait_a < 0.02 * wait_s
    assert 0.8 * wait_s <= saved_fc <= 1.2 * wait_s, (saved_fc, wait_s)
    # Cluster side: core 0 sleeps waiting for the FC's next call ("event") while a sync load
    # runs; in async that wait almost disappears and accounts for the cycles saved.
    ev_s, ev_a = (core(r, "cl0").waits.get("event", 0) for r in (sync, asyn))
    assert ev_s >= 0.95 * load_fc * CL_HZ / FC_HZ
    assert ev_a < 0.05 * ev_s
    saved_cl = core(sync, "cl0").cycles - core(asyn, "cl0").cycles
    assert 0.8 * (ev_s - ev_a) <= saved_cl <= 1.2 * (ev_s - ev_a), (saved_cl, ev_s - ev_a)
    for i in range(8):  # every cluster core: same busy cycles, less idle time in async
        s, a = core(sync, f"cl{i}"), core(asyn, f"cl{i}")
        assert a.idle_cycles < s.idle_cycles
        assert abs((s.cycles - s.idle_cycles) - (a.cycles - a.idle_cycles)) <= 0.001 * s.cycles
