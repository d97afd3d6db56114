"""GAP8 end to end: the fabric controller, the 8-core cluster, both DMA engines and the SoC,
on the prebuilt runtime firmware (firmware/gap8/)."""

from __future__ import annotations

import io

import pytest

from conftest import PREBUILT
from mcusim.board import load_board
from mcusim.elf import Firmware
from mcusim.machine import Machine, RunOptions


def run(elf: str, **options):
    machine = Machine(load_board("gap8"), Firmware.load(PREBUILT / elf),
                      RunOptions(stdout=io.StringIO(), stderr=io.StringIO(), **options))
    return machine, machine.run()


@pytest.fixture(scope="module")
def conv():
    return run("conv5x5-gap8.elf")[1]


def test_hello_runs_every_cluster_core():
    _, result = run("hello-gap8.elf")
    assert result.exit_code == 0, result.message
    assert [c.name for c in result.cores] == ["fc"] + [f"cl{i}" for i in range(8)]
    for i in range(8):
        assert f"cluster core {i} of 8 (hartid {i:#x})" in result.stdout
    cluster = result.cores[1:]
    assert all(c.instructions > 0 for c in cluster)
    # Cluster cores wait for fetch enable: that time is idle, not executed.
    assert all(c.waits.get("halted", 0) > 0 for c in cluster)
    assert all(c.idle_cycles == sum(c.waits.values()) for c in result.cores)


def test_conv5x5_all_configurations_agree_and_eight_cores_are_faster(conv):
    assert conv.exit_code == 0, conv.stdout
    cycles = {layer.name.removeprefix("conv5x5_"): layer.cycles for layer in conv.layers}
    assert set(cycles) == {"seq", "simd", "par", "par_simd"}
    assert all(layer.macs == 96 * 96 * 25 * 10 for layer in conv.layers)
    # The firmware's own timer readings (cluster timer) equal the layer cycles it printed.
    for name, value in cycles.items():
        assert f"conv5x5 {name} cycles=" in conv.stdout
    assert cycles["simd"] < cycles["seq"] / 4  # SIMD dot products: 4 MACs per instruction
    assert cycles["par"] < cycles["seq"] / 6  # rows split over 8 cores
    assert cycles["par_simd"] < cycles["simd"] / 6


def test_runs_are_deterministic(conv):
    _, again = run("conv5x5-gap8.elf")
    assert [(c.name, c.cycles, c.instructions) for c in again.cores] == \
        [(c.name, c.cycles, c.instructions) for c in conv.cores]
    assert [(l.name, l.begin_cycle, l.end_cycle) for l in again.layers] == \
        [(l.name, l.begin_cycle, l.end_cycle) for l in conv.layers]


def test_dma_statistics_match_the_firmware_transfers():
    _, result = run("l3dma-gap8.elf")
    assert result.exit_code == 0, result.stdout
    soc = result.diagnostics["soc"]
    # firmware/gap8/l3dma/main.c: uDMA 8192 + 1024 bytes from L3; cluster DMA L2->L1 8192 (1-D)
    # + 64 x 32 (2-D) + 8 cores x 1024, and L1->L2 8192 (1-D) + 64 x 32 (2-D).
    assert soc["udma_hyper"]["bytes"] == {"L3->L2": 8192 + 1024}
    assert soc["cluster_dma"]["bytes"] == {"L2->L1": 8192 + 64 * 32 + 8 * 1024, "L1->L2": 8192 + 64 * 32}
    assert soc["udma_hyper"]["busy_s"] > 0 and soc["cluster_dma"]["busy_s"] > 0
    # Cores that wait for a DMA sleep (no host time): it shows in their wait breakdown.
    assert sum(c.waits.get("dma", 0) for c in result.cores) > 0


def test_cycle_limit_stops_a_gap8_run():
    _, result = run("conv5x5-gap8.elf", max_cycles=200_000)
    assert result.status == "cycle-limit"
    assert result.exit_code is None
    assert "--max-cycles 200,000" in result.message


def test_cluster_stacks_are_reported_per_core(conv):
    stacks = {s.core: s for s in conv.memory.stack}
    assert set(stacks) == {"fc"} | {f"cl{i}" for i in range(8)}
    assert stacks["cl0"].high_water_bytes > 0  # core 0 runs the fork/join master
    assert all(0 < s.high_water_bytes <= s.size_bytes for s in stacks.values())
    assert conv.memory.peak("L1") >= sum(stacks[f"cl{i}"].high_water_bytes for i in range(8))


def test_per_function_cycles_cover_every_core(conv):
    for core in conv.cores:
        own = sum(f.self_cycles for f in conv.functions if f.core == core.name)
        assert own == core.cycles, core.name


def test_run_shows_per_core_activity_and_dma(cli):
    r = cli("run", PREBUILT / "l3dma-gap8.elf", "--board", "gap8")
    assert r.rc == 0, r.err
    assert "cores (cycles at each core's clock)" in r.err
    for core in ["fc"] + [f"cl{i}" for i in range(8)]:
        assert f"│ {core} " in r.err
    assert "L3->L2" in r.err and "L2->L1" in r.err and "L1->L2" in r.err


def test_the_scheduler_runs_the_turns_in_c(conv):
    scheduler = conv.diagnostics["scheduler"]
    assert scheduler["quantum_cycles"] == 10_000
    slices = {name: d["slices"] for name, d in conv.diagnostics["cores"].items()}
    assert sum(slices.values()) == scheduler["slices"]
    # A slice runs at most one quantum (plus the block that crosses it) of a core's busy cycles.
    for core in conv.cores:
        busy = core.cycles - core.idle_cycles
        assert slices[core.name] >= busy // 10_000, core.name
    # Most turns never come back to Python: only events, p.elw and peripherals that stop a slice do.
    assert scheduler["returns_to_python"] < scheduler["slices"] / 2


@pytest.mark.parametrize("elf", ["conv5x5-gap8.elf", "kws_dscnn-gap8.elf"])
def test_the_default_quantum_is_short_enough(elf):
    # Cores run up to a quantum apart in simulated time; at the default quantum that skew must
    # not move the result: a ten times shorter quantum gives the same cycles within 0.01 %.
    _, default = run(elf)
    _, finer = run(elf, quantum_cycles=1_000)
    assert finer.diagnostics["scheduler"]["slices"] > 2 * default.diagnostics["scheduler"]["slices"]
    for a, b in zip(default.cores, finer.cores):
        assert abs(a.cycles - b.cycles) <= 1e-4 * b.cycles, a.name
    assert [l.name for l in default.layers] == [l.name for l in finer.layers]


def test_dma_transfer_records_match_the_engine_statistics():
    """diagnostics.dma_transfers: one record per completed transfer, agreeing with each engine's
    totals; an engine serves its transfers one after another, so records of one engine never
    overlap, and a transfer begins no earlier than it was issued."""
    _, result = run("l3dma-gap8.elf")
    soc, records = result.diagnostics["soc"], result.diagnostics["dma_transfers"]
    assert result.diagnostics["dma_transfers_omitted"] == 0
    for engine in ("cluster_dma", "udma_hyper"):
        mine = [r for r in records if r["engine"] == engine]
        assert len(mine) == soc[engine]["transfers"]
        totals: dict[str, int] = {}
        for r in mine:
            totals[r["direction"]] = totals.get(r["direction"], 0) + r["bytes"]
        assert totals == soc[engine]["bytes"]
        busy = sum(r["end_s"] - r["begin_s"] for r in mine)
        assert busy == pytest.approx(soc[engine]["busy_s"], rel=1e-9)
        mine.sort(key=lambda r: r["begin_s"])
        for before, after in zip(mine, mine[1:]):
            assert after["begin_s"] >= before["end_s"]
        assert all(r["issued_s"] <= r["begin_s"] < r["end_s"] for r in mine)
    # who issued them: the FC for the uDMA, cluster core 0 alone and then all 8 for the cluster DMA
    assert {r["core"] for r in records if r["engine"] == "udma_hyper"} == {"fc"}
    assert {r["core"] for r in records if r["engine"] == "cluster_dma"} == {f"cl{i}" for i in range(8)}


def test_the_record_list_is_capped_and_per_layer_bytes_are_not(monkeypatch):
    """Past DmaLog.MAX_RECORDS the result keeps the first records and counts the rest; per-layer
    DMA bytes still come from every transfer."""
    from mcusim.periph.gap8 import DmaLog

    firmware = Firmware.load(PREBUILT / "kws_dscnn-gap8.elf")
    full = Machine(load_board("gap8"), firmware, RunOptions(stdout=io.StringIO(), stderr=io.StringIO())).run()
    monkeypatch.setattr(DmaLog, "MAX_RECORDS", 10)
    capped = Machine(load_board("gap8"), firmware, RunOptions(stdout=io.StringIO(), stderr=io.StringIO())).run()
    total = len(full.diagnostics["dma_transfers"])
    assert total > 10
    assert capped.diagnostics["dma_transfers"] == full.diagnostics["dma_transfers"][:10]
    assert capped.diagnostics["dma_transfers_omitted"] == total - 10
    assert [(l.dma_bytes_in, l.dma_bytes_out) for l in capped.layers] == \
        [(l.dma_bytes_in, l.dma_bytes_out) for l in full.layers]


def test_what_a_core_does_is_visible_to_the_others_only_from_its_time_on():
    """The event unit keeps the time of every event, dispatch entry and mutex release: a core
    that runs behind another in simulated time does not see what the other did later, so a
    firmware that synchronises through the event unit gives the same cycles whatever the
    quantum (before, conv5x5's FC total moved by up to 57 cycles between 1,000 and 100,000)."""
    cycles = {q: [c.cycles for c in run("conv5x5-gap8.elf", quantum_cycles=q)[1].cores]
              for q in (1_000, 10_000, 100_000)}
    assert cycles[1_000] == cycles[10_000] == cycles[100_000]
