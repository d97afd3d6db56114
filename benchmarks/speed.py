#!/usr/bin/env python3
"""Speed of mcusim against bare Unicorn on the same ELF, measured in one run.

Bare Unicorn is its fastest honest configuration (AGENTS/DEVELOPERS "Standards"): the same ELF
and memory map, no hooks but the semihosting exit, and the virtual TLB with RW- data pages.
Each configuration runs --repeat times on a fresh instance; the best time counts (the machines
are shared and noisy). Prints MIPS of bare Unicorn and of mcusim with --timing fast and accurate,
with each ratio mcusim/bare; the cost of full profiling (accurate timing with and without
--no-profile, on the same kernel and on kws_dscnn); then, for GAP8, the aggregate MIPS of the
8-core convolution against the same ELF's single-core convolution, and the host time of GAP8
networks with the load-time rewrite of Xpulp instructions into RV32 stubs against the trap path
it replaces (RunOptions.rewrite_custom; both give the same RunResult).

    python benchmarks/speed.py [--elf ELF --board BOARD] [--reps N] [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

from unicorn import UC_ARCH_ARM, UC_HOOK_INTR, UC_MODE_THUMB, UC_TLB_VIRTUAL, Uc
from unicorn import arm_const as arm

from mcusim.board import load_board
from mcusim.cores.cortexm import CPU_MODELS, UNTIL
from mcusim.cores.semihosting import Semihosting
from mcusim.elf import Firmware
from mcusim.machine import Machine, RunOptions, _heapinfo
from mcusim.memory import Memory
from mcusim import native

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ELF = ROOT / "firmware/prebuilt/matmul_int8-stm32f407-disco.elf"
TARGETS = {"fast": 0.60, "accurate": 0.15}  # minimum speed ratios against bare Unicorn
PROFILE_TARGET = 0.5  # minimum speed of full profiling against --no-profile (accurate timing)


class _Guest:
    def __init__(self, uc):
        self.uc = uc

    def read(self, address, size):
        return bytes(self.uc.mem_read(address, size))

    def write(self, address, data):
        self.uc.mem_write(address, data)


def run_bare(board, firmware, argv) -> float:
    """Host seconds of one bare run to exit."""
    memory = Memory(board)
    memory.load(firmware)
    uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB)
    uc.ctl_set_cpu_model(CPU_MODELS[board.cores[0].model])
    memory.map_into(uc, board.cores[0].name)
    uc.mem_map(0xE0000000, 0x100000)  # the PPB as plain RAM: startup code writes CPACR/VTOR
    # Virtual TLB with RW- data pages, filled by the same native callback mcusim uses; the block
    # hook is NOT installed (an empty code map, no hooks but the TLB fill and the exit).
    state = native.CoreState()
    keep = _tlb_only(uc, state, memory)
    semihosting = Semihosting(host_dir=None, argv=[firmware.path.name, *argv], stdout=io.StringIO(),
                              stderr=io.StringIO(), cycles=lambda: 0, clock_hz=board.clock_hz,
                              heapinfo=_heapinfo(firmware))
    guest = _Guest(uc)

    def on_interrupt(uc, intno, _):
        pc = uc.reg_read(arm.UC_ARM_REG_PC)
        semihosting_call = intno == 7 and uc.mem_read(pc, 2) == b"\xab\xbe"
        if not semihosting_call:
            raise RuntimeError(f"bare run: unexpected interrupt {intno} at {pc:#x}")
        r0 = semihosting.call(uc.reg_read(arm.UC_ARM_REG_R0), uc.reg_read(arm.UC_ARM_REG_R1), guest)
        uc.reg_write(arm.UC_ARM_REG_R0, r0 & 0xFFFFFFFF)
        uc.reg_write(arm.UC_ARM_REG_PC, (pc + 2) | 1)
        if semihosting.exit is not None:
            uc.emu_stop()

    uc.hook_add(UC_HOOK_INTR, on_interrupt)
    vt = board.vector_table
    sp = int.from_bytes(memory.read(vt, 4), "little")
    pc = int.from_bytes(memory.read(vt + 4, 4), "little")
    uc.reg_write(arm.UC_ARM_REG_SP, sp)
    start = time.perf_counter()
    uc.emu_start(pc | 1, UNTIL)
    elapsed = time.perf_counter() - start
    if semihosting.exit is None or semihosting.exit.code != 0:
        raise RuntimeError("bare run did not exit with code 0")
    del keep
    return elapsed


def _tlb_only(uc, state, memory):
    from unicorn import UC_HOOK_TLB_FILL
    from unicorn.unicorn_py3.arch.types import uc_hook_h
    from unicorn.unicorn_py3.unicorn import uclib
    import ctypes

    regions = memory.tlb_regions(memory.board.cores[0].name)
    for i, t in enumerate(regions):
        state.tlb_regions[i] = t
    state.n_tlb_regions = len(regions)
    state.page_mask = ~(uc.ctl_get_page_size() - 1) & 0xFFFFFFFFFFFFFFFF
    handle = uc_hook_h()
    uclib.uc_hook_add(uc._uch, ctypes.byref(handle), UC_HOOK_TLB_FILL,
                      ctypes.c_void_p(native.library().tlb_fill),
                      ctypes.cast(ctypes.byref(state), ctypes.c_void_p), 1, 0)
    uc.ctl_set_tlb_mode(UC_TLB_VIRTUAL)
    return state, handle


def run_mcusim(board, firmware, argv, timing, profile: bool = True) -> tuple[float, int]:
    options = RunOptions(argv=argv, stdout=io.StringIO(), stderr=io.StringIO(), timing=timing,
                         profile=profile)
    machine = Machine(board, firmware, options)
    start = time.perf_counter()
    result = machine.run()
    elapsed = time.perf_counter() - start
    if result.exit_code != 0:
        raise RuntimeError(f"mcusim run ended with {result.status} {result.exit_code}")
    return elapsed, result.totals.instructions


class _LayerClock:
    """Host time and instructions (all cores) between each layer's markers."""

    def __init__(self, machine) -> None:
        self.machine = machine
        self.open: dict[int, tuple[float, int]] = {}
        self.spans: dict[str, tuple[float, int]] = {}

    def _instructions(self) -> int:
        return sum(core.instructions for core in self.machine.cores)

    def layer_begin(self, record) -> None:
        self.open[id(record)] = (time.perf_counter(), self._instructions())

    def layer_end(self, record) -> None:
        start, instructions = self.open.pop(id(record))
        self.spans[record.name] = (time.perf_counter() - start, self._instructions() - instructions)


def gap8_multicore(repeat: int) -> None:
    """Aggregate MIPS of the 8-core SIMD convolution against the same ELF's single-core one."""
    board, firmware = load_board("gap8"), Firmware.load(ROOT / "firmware/prebuilt/conv5x5-gap8.elf")
    best: dict[str, tuple[float, int]] = {}
    for _ in range(repeat):
        machine = Machine(board, firmware, RunOptions(stdout=io.StringIO(), stderr=io.StringIO()))
        clock = _LayerClock(machine)
        for core in machine.cores:
            core.profile_port.listeners.append(clock)
        result = machine.run()
        if result.exit_code != 0:
            raise RuntimeError(f"conv5x5-gap8 ended with {result.status} {result.exit_code}")
        for name, (seconds, instructions) in clock.spans.items():
            if name not in best or seconds < best[name][0]:
                best[name] = (seconds, instructions)
    single_s, single_i = best["conv5x5_simd"]
    multi_s, multi_i = best["conv5x5_par_simd"]
    single, multi = single_i / single_s / 1e6, multi_i / multi_s / 1e6
    print(f"GAP8 conv5x5 (Xpulp SIMD kernel), best of {repeat}:")
    print(f"  1 cluster core : {single:8.1f} MIPS ({single_i:,} instructions in {single_s * 1e3:.1f} ms)")
    print(f"  8 cluster cores: {multi:8.1f} MIPS aggregate ({multi_i:,} instructions in {multi_s * 1e3:.1f} ms)")
    print(f"  ratio 8-core/1-core: {multi / single:.2f}")


GAP8_NETWORKS = ("vww_mbv1-gap8.elf", "reid_squeezenet_async-gap8.elf")


def gap8_rewrite(repeat: int) -> None:
    """Host time of whole GAP8 network runs, rewrite on and off, interleaved, best of `repeat`."""
    board = load_board("gap8")
    print(f"GAP8 networks, Xpulp rewrite into RV32 stubs vs trap path, best of {repeat}:")
    for name in GAP8_NETWORKS:
        firmware = Firmware.load(ROOT / "firmware/prebuilt" / name)
        times: dict[bool, list[float]] = {True: [], False: []}
        totals = {}
        for _ in range(repeat):
            for rewrite in (False, True):
                options = RunOptions(stdout=io.StringIO(), stderr=io.StringIO(), rewrite_custom=rewrite)
                machine = Machine(board, firmware, options)
                start = time.perf_counter()
                result = machine.run()
                times[rewrite].append(time.perf_counter() - start)
                totals[rewrite] = (result.totals.instructions, result.totals.cycles)
        if totals[True] != totals[False]:
            raise RuntimeError(f"{name}: the rewrite changed the result: {totals}")
        instructions = totals[True][0]
        on, off = min(times[True]), min(times[False])
        print(f"  {name:32s} trap path {off:6.2f} s ({instructions / off / 1e6:5.1f} MIPS), "
              f"rewrite {on:6.2f} s ({instructions / on / 1e6:5.1f} MIPS), {off / on:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elf", type=Path, default=DEFAULT_ELF)
    parser.add_argument("--board", default="stm32f407-disco")
    parser.add_argument("--reps", default="600", help="repetitions of the kernel (firmware argv[1])")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-gap8", action="store_true", help="only the Cortex-M comparison")
    args = parser.parse_args()
    board, firmware = load_board(args.board), Firmware.load(args.elf)
    argv = [args.reps]
    bare: list[float] = []
    runs: dict[str, list[float]] = {mode: [] for mode in TARGETS}
    instructions = 0
    for _ in range(args.repeat):  # interleaved so that machine noise hits all alike
        bare.append(run_bare(board, firmware, argv))
        for mode in TARGETS:
            seconds, instructions = run_mcusim(board, firmware, argv, mode)
            runs[mode].append(seconds)
    bare_mips = instructions / min(bare) / 1e6
    print(f"workload: {args.elf.name} on {board.name}, argv {argv}, {instructions:,} instructions")
    print(f"bare Unicorn        : {bare_mips:8.1f} MIPS (best of {args.repeat}: {min(bare) * 1e3:.1f} ms)")
    for mode, target in TARGETS.items():
        mips = instructions / min(runs[mode]) / 1e6
        print(f"mcusim --timing {mode:8s}: {mips:8.1f} MIPS (best of {args.repeat}: "
              f"{min(runs[mode]) * 1e3:.1f} ms)  ratio {mips / bare_mips:.2f} (target >= {target})")
    profiling_cost(board, firmware, argv, args.repeat)
    if not args.skip_gap8:
        gap8_multicore(max(1, min(args.repeat, 3)))
        gap8_rewrite(max(1, min(args.repeat, 3)))
    return 0


def profiling_cost(board, firmware, argv, repeat: int) -> None:
    """Full profiling (call tracking, per-layer memory) against --no-profile, both accurate, on the
    same kernel and on the KWS network, whose 12 layer markers add per-layer memory snapshots."""
    workloads = [(board, firmware, argv),
                 (load_board("nucleo-l4r5zi"), Firmware.load(ROOT / "firmware/prebuilt/kws_dscnn-nucleo-l4r5zi.elf"), [])]
    print(f"profiling cost, --timing accurate, best of {repeat} (target: full >= {PROFILE_TARGET} of --no-profile):")
    for board_, firmware_, argv_ in workloads:
        times: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(repeat):
            for profile in (False, True):
                seconds, instructions = run_mcusim(board_, firmware_, argv_, "accurate", profile)
                times[profile].append(seconds)
        full, off = instructions / min(times[True]) / 1e6, instructions / min(times[False]) / 1e6
        print(f"  {firmware_.path.name:34s} --no-profile {off:7.1f} MIPS, full profile {full:7.1f} MIPS, "
              f"ratio {full / off:.2f}")


if __name__ == "__main__":
    sys.exit(main())
