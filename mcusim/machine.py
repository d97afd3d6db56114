"""Machine: builds the simulated system for (Board, Firmware) and runs it to a RunResult."""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TextIO

from mcusim import __version__
from mcusim.board import Board
from mcusim.codemap import CodeMap
from mcusim.cores import core_class
from mcusim.cores.base import CoreStop
from mcusim.cores.semihosting import Semihosting
from mcusim.elf import Firmware
from mcusim.memory import Memory
from mcusim.profile.memory import MemoryWatch
from mcusim.result import (STATUS_CYCLE_LIMIT, STATUS_EXITED, STATUS_HANG, SCHEMA_VERSION, CoreResult,
                           RunResult, Totals)
from mcusim.selftest import ensure_engine_conventions
from mcusim.timing import timing_model

DEFAULT_MAX_CYCLES = 5_000_000_000
# Cores of a multi-core board run in turns of this many cycles, so that they stay within one
# quantum of each other in simulated time. A single core runs to its next event in one slice.
DEFAULT_QUANTUM_CYCLES = 10_000
# A progress callback is called this often (host time) while the run goes on.
PROGRESS_INTERVAL_S = 0.1


@dataclass
class RunOptions:
    max_cycles: int = DEFAULT_MAX_CYCLES
    semihost_dir: Path | None = None
    argv: list[str] = field(default_factory=list)
    timing: str = "accurate"  # timing mode: "fast" or "accurate"
    quantum_cycles: int = DEFAULT_QUANTUM_CYCLES
    # False: cycles, the layer markers and the memory report's static, stack and heap figures
    # only; no call tracking (functions, stacks) and no per-layer memory snapshots (a layer's
    # bytes written and stack high-water), which cost host time.
    profile: bool = True
    # RISC-V (GAP8): rewrite the Xpulp instructions that allow it into jumps to RV32 stubs at load
    # time (cores/xpulp_rewrite.py): the same results, 1.5-3x faster. False: every custom
    # instruction traps to the native executor, as before the rewrite existed.
    rewrite_custom: bool = True
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    # Called every PROGRESS_INTERVAL_S during the run with {"cycles", "instructions", "sim_time_s",
    # "host_time_s", "layer"}: the main core's cycles and simulated time, all cores' instructions,
    # the innermost open layer's name or None. It is called from a helper thread (the emulator
    # releases the GIL), so that the run's slices stay as they are: progress never changes a result.
    progress: Callable[[dict[str, Any]], None] | None = None


class Machine:
    def __init__(self, board: Board, firmware: Firmware, options: RunOptions) -> None:
        ensure_engine_conventions()
        firmware.check_runs_on(board)
        self.board, self.firmware, self.options = board, firmware, options
        self.timing = timing_model(board, options.timing)
        self.memory = Memory(board)
        self.memory.load(firmware)
        self.codemap = CodeMap.build(firmware, self.timing)
        # Before the memory watch's snapshot, like the loader's own bytes: rewritten words are
        # not bytes the firmware wrote.
        self.stubs = self._rewrite_custom_instructions() if board.arch == "riscv" else None
        self.semihosting = Semihosting(
            host_dir=options.semihost_dir,
            argv=[firmware.path.name, *options.argv],
            stdout=options.stdout, stderr=options.stderr,
            cycles=lambda: self.cores[0].cycles, clock_hz=board.clock_hz,
            heapinfo=_heapinfo(firmware),
        )
        self.memory_watch = MemoryWatch(board, firmware, self.memory)
        if board.arch == "riscv":
            self._build_gap8()
        else:
            cls = core_class(board)
            self.cores = [cls(spec, board, firmware, self.memory, self.codemap, self.timing, self.semihosting,
                              call_tracking=options.profile)
                          for spec in board.cores]
            self.soc = None

    def _rewrite_custom_instructions(self):
        from mcusim.cores.ri5cy import hwloop_sites
        from mcusim.cores.xpulp_rewrite import XpulpRewrite, charges_loads_like_executor

        if not self.options.rewrite_custom:
            return None
        loads = all(charges_loads_like_executor(self.timing.for_core(c.name).hot_path().memory_system)
                    for c in self.board.cores)
        loop_ends = {lpend for lpend, _ in hwloop_sites(self.codemap, self.memory)}
        stubs = XpulpRewrite.plan(self.firmware, self.board, self.memory, self.codemap.custom_words,
                                  loop_ends=loop_ends, loads_allowed=loads)
        if stubs is not None:
            stubs.patch(self.memory)
        return stubs

    def _build_gap8(self) -> None:
        from mcusim.cores.ri5cy import Ri5cyCore, hwloop_sites, reads_event_counters, redirect_counter_reads
        from mcusim.periph.gap8 import Gap8Soc

        sites = hwloop_sites(self.codemap, self.memory)
        self.counter_reads_redirected = redirect_counter_reads(self.codemap, self.memory)
        self.scheduler_returns = 0  # times the C scheduler handed the run back to Python
        count_events = reads_event_counters(self.codemap)
        self.cores = [Ri5cyCore(spec, self.board, self.firmware, self.memory, self.codemap,
                                self.timing.for_core(spec.name), sites, call_tracking=self.options.profile,
                                stubs=self.stubs, count_events=count_events)
                      for spec in self.board.cores]
        fc, cluster = self.cores[0], self.cores[1:]
        self.soc = Gap8Soc(self.board, self.memory, fc, cluster, self.semihosting.emit_stdout)
        for core in self.cores:
            core.soc = self.soc
        fc.start_at_entry()

    def run(self) -> RunResult:
        if self.options.profile:
            for core in self.cores:
                core.profile_port.listeners.append(self.memory_watch)
        start = time.perf_counter()
        done = threading.Event()
        watcher = None
        if self.options.progress is not None:
            watcher = threading.Thread(target=self._report_progress, args=(start, done), daemon=True,
                                       name="mcusim-progress")
            watcher.start()
        try:
            if self.soc is not None:
                self._run_soc()
            else:
                self._run_single_core()
        finally:
            done.set()
            if watcher is not None:
                watcher.join()
            self.semihosting.close_all()
        return self._result(time.perf_counter() - start)

    def _run_single_core(self) -> None:
        core, limit = self.cores[0], self.options.max_cycles
        while core.stop is None:
            if core.cycles >= limit:
                core.stop = _cycle_limit_stop(core, limit)
                break
            event = core.next_event()
            core.run_until(limit if event is None else min(limit, event))

    def _run_soc(self) -> None:
        """Cores in turns of a cycle quantum, the least advanced in simulated time first;
        peripheral events (DMA completions) happen at their time; sleeping cores cost nothing.
        The turns run in C (native/scheduler.h); this loop does what needs the SoC model."""
        from mcusim import native
        from mcusim.cores.ri5cy import RUNNING

        soc, cores, limit = self.soc, self.cores, self.options.max_cycles
        scheduler = native.new_scheduler(cores, self.options.quantum_cycles, limit)
        for core, slot in zip(cores, scheduler.cores):
            core.attach_scheduler(slot)

        def publish(time_ps: int | None) -> None:
            scheduler.next_event_ps = native.SCHED_NO_EVENT if time_ps is None else time_ps
        soc.next_event_changed = publish
        publish(soc.next_event_ps())
        while soc.exit_code is None and all(c.stop is None for c in cores):
            outcome = native.run_scheduler(scheduler)
            self.scheduler_returns += 1
            if outcome == native.SCHED_NO_CORE_RUNS:
                next_event = soc.next_event_ps()
                if next_event is None:
                    cores[0].halt(_deadlock_stop(cores))
                    break
                soc.run_events_until(next_event)
                continue
            core = cores[scheduler.core_index]
            if outcome == native.SCHED_EVENT_DUE:
                soc.run_events_until(core.time_ps())
                if core.state_name == RUNNING:
                    scheduler.resume_core = scheduler.core_index
            elif outcome == native.SCHED_CYCLE_LIMIT:
                core.halt(_cycle_limit_stop(core, limit))
                break
            else:
                core.finish_slice(scheduler.error)
        soc.flush_stdout()

    def _report_progress(self, start: float, done: threading.Event) -> None:
        main = self.cores[0]
        while not done.wait(PROGRESS_INTERVAL_S):
            layer = next((c.profile_port.open[-1].name for c in self.cores if c.profile_port.open), None)
            try:
                self.options.progress({"cycles": main.cycles,
                                       "instructions": sum(c.instructions for c in self.cores),
                                       "sim_time_s": main.cycles / main.spec.clock_hz,
                                       "host_time_s": time.perf_counter() - start, "layer": layer})
            except Exception:  # noqa: BLE001 - a display problem must not end the run
                return

    def _result(self, host_time: float) -> RunResult:
        stop = self._stop()
        cores = []
        for core in self.cores:
            sim_time = core.cycles / core.spec.clock_hz
            cores.append(CoreResult(
                name=core.spec.name, model=core.spec.model, clock_hz=core.spec.clock_hz,
                instructions=core.instructions, cycles=core.cycles, idle_cycles=core.idle_cycles,
                sim_time_s=sim_time, host_time_s=core.host_time_s,
                mips=_mips(core.instructions, core.host_time_s),
                exceptions_taken=core.exceptions_taken,
                waits=dict(core.waits) if hasattr(core, "waits") else {"wfi": core.idle_cycles},
            ))
        instructions = sum(c.instructions for c in cores)
        main = self.cores[0]
        layers = [layer for core in self.cores for layer in core.profile_port.layers]
        diagnostics = main.diagnostics() if self.soc is None else {
            "cores": {c.spec.name: c.diagnostics() for c in self.cores},
            "soc": self.soc.statistics(),
            "scheduler": {"quantum_cycles": self.options.quantum_cycles,
                          "slices": sum(c.diagnostics()["slices"] for c in self.cores),
                          "returns_to_python": self.scheduler_returns},
            "counter_reads_redirected": self.counter_reads_redirected,
            "custom_instructions_rewritten": len(self.stubs.sites) if self.stubs is not None else 0,
            "dma_transfers": self.soc.log.to_dicts(),
            "dma_transfers_omitted": self.soc.log.omitted,
        }
        if self.soc is not None:
            from mcusim.profile.dma import attribute_dma
            attribute_dma(layers, self.soc.log, {c.spec.name: c.spec.clock_hz for c in self.cores},
                          {c.spec.name: c.cycles for c in self.cores})
        diagnostics["semihosting_calls"] = self.semihosting.calls
        diagnostics["stdout_closed"] = self.options.stdout in self.semihosting.closed_streams
        diagnostics["profile_port_errors"] = sum(c.profile_port.protocol_errors for c in self.cores)
        sim_time_s = cores[0].sim_time_s  # the main core's (Cortex-M core, GAP8 fabric controller)
        functions, stacks = self._call_profiles()
        return RunResult(
            schema_version=SCHEMA_VERSION,
            mcusim_version=__version__,
            board={"name": self.board.name, "description": self.board.description,
                   "clock_hz": self.board.clock_hz,
                   "cores": [{"name": c.name, "model": c.model, "clock_hz": c.clock_hz}
                             for c in self.board.cores]},
            elf={"path": str(self.firmware.path), "sha256": _sha256(self.firmware.path),
                 "sizes": self.firmware.sizes(self.board)},
            status=stop.status,
            exit_code=stop.exit_code,
            message=stop.message,
            stdout=self.semihosting.stdout_text,
            stderr=self.semihosting.stderr_text,
            totals=Totals(instructions=instructions, cycles=main.cycles, sim_time_s=sim_time_s,
                          host_time_s=host_time, mips=_mips(instructions, host_time)),
            cores=cores,
            timing_model=self.timing.describe(),
            fault=stop.fault,
            layers=layers,
            functions=functions,
            stacks=stacks,
            memory=self.memory_watch.report(),
            diagnostics=diagnostics,
            profile="full" if self.options.profile else "off",
        )

    def _call_profiles(self) -> tuple[list, list]:
        from mcusim.profile.functions import call_profile
        from mcusim.profile.source_lines import SourceLines

        source = SourceLines(self.firmware.path)
        functions, stacks = [], []
        if not self.options.profile:
            return functions, stacks
        for core in self.cores:
            state = core.state
            if state.n_nodes <= 1 and not state.call_nodes["self_cycles"][0]:
                if core.cycles == 0:
                    continue  # a core that never ran
            f, s = call_profile(state.call_nodes, state.n_nodes, state.current_node,
                                state.cycles - state.attributed_cycles, self.codemap.functions,
                                core.spec.name, source)
            functions += f
            stacks += s
        return functions, stacks

    def _stop(self) -> CoreStop:
        """How the run ended: the first core that stopped it, or the SoC's exit register."""
        if self.soc is not None and self.soc.exit_code is not None:
            code = self.soc.exit_code
            return CoreStop(STATUS_EXITED, f"firmware exited with code {code}", exit_code=code)
        for core in self.cores:
            if core.stop is not None:
                return core.stop
        raise AssertionError("run ended without a stop")


def _deadlock_stop(cores) -> CoreStop:
    sleeping = ", ".join(f"{c.spec.name} at {c.pc():#010x} ({c.firmware.describe_address(c.pc())})"
                         for c in cores if c.state_name == "sleeping")
    return CoreStop(STATUS_HANG, "every core sleeps and no event is pending: the firmware would "
                    f"never exit (sleeping: {sleeping or 'none'})")


def _cycle_limit_stop(core, limit: int):
    pc = core.pc()
    return CoreStop(
        STATUS_CYCLE_LIMIT,
        f"firmware did not exit within --max-cycles {limit:,} (core {core.spec.name} was at "
        f"{pc:#010x}, {core.firmware.describe_address(pc)})",
    )


def _heapinfo(firmware: Firmware) -> tuple[int, int, int, int]:
    """SYS_HEAPINFO's answer: heap base/limit and stack base/limit from the linker symbols."""
    def address(*names: str) -> int:
        for name in names:
            symbol = firmware.symbol(name)
            if symbol is not None:
                return symbol.address
        return 0
    return (address("__HeapBase", "end", "__end__"), address("__HeapLimit"),
            address("__StackTop", "_estack"), address("__StackLimit"))


def _mips(instructions: int, seconds: float) -> float:
    return instructions / seconds / 1e6 if seconds > 0 else 0.0


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
