#!/usr/bin/env python3
"""Timing fidelity: simulated cycles beside hand-derived and published figures.

(a) The Cortex-M4 microbenchmarks (firmware/prebuilt/microbench-stm32f407-disco.elf): the cycles
    mcusim's timing model gives each case, beside the count derived by hand from the vendor tables
    (firmware/microbench/expected.toml), their difference and whether the case depends on how the
    flash accelerator is approximated.
(b) coremark_like, a CoreMark-SHAPED integer workload of our own (firmware/apps/coremark_like; it is
    NOT EEMBC CoreMark): iterations/MHz on the Cortex-M4 and Cortex-M7 boards, beside Arm's published
    CoreMark/MHz (3.40 Cortex-M4, 5.01 Cortex-M7; ../shared/docs/cortexm.md §3.1), with the ratio and
    the compiler and flags read from the ELF. The workload differs from CoreMark, so the comparison
    shows the order of magnitude only.

Every run is in-process (mcusim.machine.Machine), --timing accurate, and --timing fast beside it.

    python benchmarks/fidelity.py [--iterations N] [--json FILE]
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import time
import tomllib
from pathlib import Path

from elftools.elf.elffile import ELFFile

from mcusim.board import load_board
from mcusim.elf import Firmware
from mcusim.machine import Machine, RunOptions

ROOT = Path(__file__).resolve().parent.parent
PREBUILT = ROOT / "firmware/prebuilt"
EXPECTED_TOML = ROOT / "firmware/microbench/expected.toml"
MODES = ("accurate", "fast")

# Arm-published CoreMark/MHz (../shared/docs/cortexm.md §3.1).
PUBLISHED = {"cortex-m4": 3.40, "cortex-m7": 5.01}
COREMARK_BOARDS = (("stm32f407-disco", "cortex-m4"), ("disco-f746ng", "cortex-m7"))
COREMARK_SOURCE = "apps/coremark_like/main.c"
SHORT_ITERATIONS = 20  # a second, shorter run gives the instructions of one iteration


def run(board_name: str, elf: Path, timing: str, argv: list[str] | None = None):
    board, firmware = load_board(board_name), Firmware.load(elf)
    out = io.StringIO()
    result = Machine(board, firmware, RunOptions(argv=argv or [], stdout=out, stderr=io.StringIO(),
                                                 timing=timing)).run()
    if result.exit_code != 0:
        raise SystemExit(f"{elf.name} on {board_name} ({timing}): {result.status} "
                         f"exit {result.exit_code}: {result.message}\n{out.getvalue()}")
    return result, out.getvalue()


# ------------------------------------------------------------------------------ (a) microbench

def microbench() -> dict:
    expected = tomllib.loads(EXPECTED_TOML.read_text())
    measured, models = {}, {}
    for mode in MODES:
        result, stdout = run(expected["board"], PREBUILT / expected["elf"], mode)
        measured[mode] = {m.group(1): int(m.group(2))
                          for m in re.finditer(r"case (\S+) cycles=(\d+)", stdout)}
        models[mode] = result.timing_model
    rows = []
    for case in expected["case"]:
        name = case["name"]
        rows.append({
            "case": name,
            "simulated": measured["accurate"].get(name),
            "simulated_fast": measured["fast"].get(name),
            "expected": case["expected"],
            "instructions": case["instructions"],
            "difference": (measured["accurate"][name] - case["expected"]
                           if name in measured["accurate"] else None),
            "model_dependent": bool(case.get("model_dependent", False)),
        })
    return {"elf": expected["elf"], "board": expected["board"],
            "timing_model": {m: f"{models[m]['name']} v{models[m]['version']} ({m})" for m in MODES},
            "cases": rows}


def print_microbench(mb: dict) -> None:
    print(f"(a) Cortex-M4 microbenchmarks: {mb['elf']} on {mb['board']}, "
          f"timing model {mb['timing_model']['accurate']}")
    print("    expected = hand-derived from the vendor tables (firmware/microbench/expected.toml);")
    print("    difference = simulated - expected; fast = the same case under --timing fast;")
    print("    model-dependent = depends on how the flash accelerator (ART) is approximated")
    print()
    header = f"    {'case':<22} {'simulated':>9} {'expected':>8} {'difference':>10} {'fast':>6}  model-dependent"
    print(header)
    print("    " + "-" * (len(header) - 4))
    for r in mb["cases"]:
        sim = "-" if r["simulated"] is None else str(r["simulated"])
        diff = "missing" if r["difference"] is None else f"{r['difference']:+d}"
        fast = "-" if r["simulated_fast"] is None else str(r["simulated_fast"])
        print(f"    {r['case']:<22} {sim:>9} {r['expected']:>8} {diff:>10} {fast:>6}  "
              f"{'yes' if r['model_dependent'] else ''}")
    cases = mb["cases"]
    exact = sum(1 for r in cases if r["difference"] == 0)
    exact_fast = sum(1 for r in cases if r["simulated_fast"] == r["expected"])
    off = [r for r in cases if r["difference"] != 0]
    print()
    print(f"    accurate: {exact}/{len(cases)} cases equal the hand-derived count"
          + (f"; differing: {', '.join(r['case'] for r in off)}" if off else ""))
    print(f"    fast:     {exact_fast}/{len(cases)} cases equal it (fast mode omits conditional-branch "
          "refills and flash wait states, and times divides as 7 cycles)")


# ------------------------------------------------------------------------------ (b) coremark_like

def compiler_of(elf: Path) -> tuple[str, str]:
    """(compiler from .comment, the flags of our source's compile unit from DW_AT_producer)."""
    with elf.open("rb") as f:
        e = ELFFile(f)
        comment = e.get_section_by_name(".comment")
        names = [s.decode() for s in comment.data().split(b"\0") if s] if comment else []
        compiler = "; ".join(dict.fromkeys(names)) or "unknown"
        flags = "unknown (no DWARF)"
        if e.has_dwarf_info():
            for cu in e.get_dwarf_info().iter_CUs():
                top = cu.get_top_DIE()
                name = top.attributes.get("DW_AT_name")
                producer = top.attributes.get("DW_AT_producer")
                if name and producer and name.value.decode() == COREMARK_SOURCE:
                    flags = producer.value.decode()
                    break
    return compiler, flags


def coremark_like(iterations: int | None) -> dict:
    argv = [str(iterations)] if iterations else []
    boards = []
    for board_name, core in COREMARK_BOARDS:
        elf = PREBUILT / f"coremark_like-{board_name}.elf"
        compiler, producer = compiler_of(elf)
        short, _ = run(board_name, elf, "fast", [str(SHORT_ITERATIONS)])
        entry = {"board": board_name, "core": core, "elf": elf.name, "compiler": compiler,
                 "producer": producer, "published_coremark_per_mhz": PUBLISHED[core], "modes": {}}
        for mode in MODES:
            result, stdout = run(board_name, elf, mode, argv)
            m = re.search(r"coremark_like iterations=(\d+) cycles=(\d+) crc=0x([0-9a-f]+)", stdout)
            if m is None:
                raise SystemExit(f"{elf.name}: unexpected output\n{stdout}")
            n, cycles = int(m.group(1)), int(m.group(2))
            per_iteration = (result.totals.instructions - short.totals.instructions) / (n - SHORT_ITERATIONS) \
                if n != SHORT_ITERATIONS else None
            per_mhz = n * 1e6 / cycles
            entry["modes"][mode] = {
                "timing_model": f"{result.timing_model['name']} v{result.timing_model['version']}",
                "iterations": n, "cycles": cycles, "crc": "0x" + m.group(3),
                "iterations_per_mhz": per_mhz,
                "firmware_printed": re.search(r"iterations_per_mhz=(\S+)", stdout).group(1),
                "ratio_to_published": per_mhz / PUBLISHED[core],
                "instructions_per_iteration": per_iteration,
                "cpi": cycles / (n * per_iteration) if per_iteration else None,
                "host_time_s": result.totals.host_time_s,
            }
        boards.append(entry)
    return {"boards": boards}


def print_coremark_like(cm: dict) -> None:
    print("(b) coremark_like: a CoreMark-LIKE integer workload of our own (firmware/apps/coremark_like),")
    print("    NOT EEMBC CoreMark. It has CoreMark's four kernel families (linked list, matrix, state")
    print("    machine, CRC-16) but not its code, data or work per iteration, so the comparison with the")
    print("    published CoreMark/MHz shows the order of magnitude only.")
    print("    iterations/MHz = iterations * 1e6 / DWT->CYCCNT cycles around the iteration loop.")
    print("    published = Arm's CoreMark/MHz (../shared/docs/cortexm.md §3.1): Cortex-M4 3.40, Cortex-M7 5.01.")
    print()
    header = (f"    {'board':<16} {'core':<10} {'timing':<9} {'iter/MHz':>8} {'published':>9} "
              f"{'ratio':>6} {'cycles':>11} {'instr/iter':>10} {'CPI':>5}")
    print(header)
    print("    " + "-" * (len(header) - 4))
    for b in cm["boards"]:
        for mode, r in b["modes"].items():
            ipi = f"{r['instructions_per_iteration']:,.0f}" if r["instructions_per_iteration"] else "-"
            cpi = f"{r['cpi']:.3f}" if r["cpi"] else "-"
            print(f"    {b['board']:<16} {b['core']:<10} {mode:<9} {r['iterations_per_mhz']:>8.2f} "
                  f"{b['published_coremark_per_mhz']:>9.2f} {r['ratio_to_published']:>6.2f} "
                  f"{r['cycles']:>11,} {ipi:>10} {cpi:>5}")
    by_core = {b["core"]: b for b in cm["boards"]}
    if {"cortex-m4", "cortex-m7"} <= by_core.keys():
        m4, m7 = by_core["cortex-m4"], by_core["cortex-m7"]
        published = PUBLISHED["cortex-m7"] / PUBLISHED["cortex-m4"]
        for mode in MODES:
            sim = m7["modes"][mode]["iterations_per_mhz"] / m4["modes"][mode]["iterations_per_mhz"]
            print(f"    M7/M4 per-MHz ratio, {mode:<8}: {sim:.2f} simulated, {published:.2f} published")
        print("    (the same source on both cores, so the work per iteration cancels out of this ratio;"
              " the instruction mix does not)")
    print()
    for b in cm["boards"]:
        r = b["modes"]["accurate"]
        print(f"    {b['elf']}: {r['iterations']} iterations, crc {r['crc']}, "
              f"timing model {r['timing_model']}")
        print(f"        compiler: {b['compiler']}")
        print(f"        flags:    {b['producer']}")


# ------------------------------------------------------------------------------ (c) GAP8 conv5x5

# GAP SDK 5x5 convolution benchmark on silicon (GAPuino, FC 250 / cluster 175 MHz), MAC per
# cluster cycle: docs/gap8.md §11 ([BENCH] README + AllTest.c).
GAP8_SILICON = {"seq": 0.25, "simd": 1.30, "par": 1.80, "par_simd": 10.1}
GAP8_SILICON_SPEEDUP = 7.78  # 8-core SIMD over 1-core SIMD


def gap8_conv5x5() -> dict:
    elf = PREBUILT / "conv5x5-gap8.elf"
    result, _ = run("gap8", elf, "accurate")
    configs = {}
    for layer in result.layers:
        config = layer.name.removeprefix("conv5x5_")
        configs[config] = {"cycles": layer.cycles, "macs": layer.macs,
                           "mac_per_cycle": layer.macs / layer.cycles if layer.cycles else 0.0}
    return {"elf": elf.name, "configs": configs,
            "speedup_8_over_1": configs["simd"]["cycles"] / configs["par_simd"]["cycles"]}


def print_gap8_conv5x5(g: dict) -> None:
    print("(c) GAP8 5x5 convolution (firmware/gap8/conv5x5: the GAP SDK benchmark's configuration,")
    print("    100x100 int8, one channel, 96x96 output), cluster cycles per configuration from the")
    print("    layer markers, against GreenWaves' silicon figures (docs/gap8.md §11). Debian's GCC")
    print("    emits plain RV32IMC for the scalar kernels (no p.mac, post-increment loads or hardware")
    print("    loops), so seq and par are expected below silicon.")
    print()
    header = f"    {'config':<10} {'cycles':>12} {'MACs':>10} {'MAC/cycle':>10} {'silicon':>8} {'ratio':>6}"
    print(header)
    print("    " + "-" * (len(header) - 4))
    for config, silicon in GAP8_SILICON.items():
        r = g["configs"][config]
        print(f"    {config:<10} {r['cycles']:>12,} {r['macs']:>10,} {r['mac_per_cycle']:>10.2f} "
              f"{silicon:>8.2f} {r['mac_per_cycle'] / silicon:>6.2f}")
    print()
    print(f"    8-core SIMD speed-up over 1-core SIMD: {g['speedup_8_over_1']:.2f} "
          f"(silicon {GAP8_SILICON_SPEEDUP:.2f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=None,
                        help="coremark_like iterations (firmware argv[1]; default: the firmware's own)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results to this file")
    args = parser.parse_args()
    start = time.perf_counter()
    mb = microbench()
    cm = coremark_like(args.iterations)
    g8 = gap8_conv5x5()
    print_microbench(mb)
    print()
    print_coremark_like(cm)
    print()
    print_gap8_conv5x5(g8)
    print()
    print(f"host time {time.perf_counter() - start:.1f} s")
    if args.json:
        args.json.write_text(json.dumps({"schema_version": 1, "microbench": mb, "coremark_like": cm,
                                         "gap8_conv5x5": g8, "gap8_silicon_mac_per_cycle": GAP8_SILICON,
                                         "published_coremark_per_mhz": PUBLISHED,
                                         "note": "coremark_like is CoreMark-like, not CoreMark: order of "
                                                 "magnitude only"}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
