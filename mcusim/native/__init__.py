"""Binding to the native hot path (hotpath.c): the ctypes mirror of hotpath.h and its loader.

The library is built by the package build (setup.py) next to this file. It does not link
against libunicorn: the entry points it needs are passed in as function pointers taken from the
CDLL the unicorn binding already loaded, so both always agree on which libunicorn runs.
"""

from __future__ import annotations

import ctypes
import importlib.machinery
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mcusim.errors import McusimError

ABI_VERSION = 10
MAX_CODE_RANGES = 8
MAX_TLB_REGIONS = 32

STOP_NONE = 0
STOP_BUDGET = 1
STOP_SELF_LOOP = 2

FLAG_SELF_LOOP = 1
FLAG_BRANCH_END = 2
FLAG_CALL_END = 4
FLAG_CONDITIONAL_BRANCH_END = 8
MAX_STATIC_EVENTS = 8
MAX_CALL_NODES = 1 << 16
MAX_CALL_DEPTH = 1024

_u64p = ctypes.POINTER(ctypes.c_uint64)
_u32p = ctypes.POINTER(ctypes.c_uint32)
_u8p = ctypes.POINTER(ctypes.c_uint8)


class CodeRange(ctypes.Structure):
    _fields_ = [
        ("base", ctypes.c_uint64),
        ("end", ctypes.c_uint64),
        ("instruction_prefix", _u64p),
        ("cycle_prefix", _u64p),
        ("flags", _u8p),
        ("block_counts", _u64p),
        ("functions", _u32p),
        ("event_prefix", _u64p),
    ]


# mcs_call_node as a NumPy record: the tree is read in bulk after the run
CALL_NODE = np.dtype([("parent", np.uint32), ("function", np.uint32), ("first_child", np.uint32),
                      ("next_sibling", np.uint32), ("self_cycles", np.uint64), ("calls", np.uint64)])
CALL_FRAME = np.dtype([("node", np.uint32), ("return_address", np.uint32)])


class TlbRegion(ctypes.Structure):
    _fields_ = [
        ("base", ctypes.c_uint64),
        ("end", ctypes.c_uint64),
        ("data_perms", ctypes.c_uint32),
        ("fetch_perms", ctypes.c_uint32),
    ]


class Cache(ctypes.Structure):
    _fields_ = [
        ("sets", ctypes.c_uint32),
        ("ways", ctypes.c_uint32),
        ("line_shift", ctypes.c_uint32),
        ("sequential_free", ctypes.c_uint32),
        ("tags", _u64p),
        ("victims", _u8p),
        ("hits", ctypes.c_uint64),
        ("misses", ctypes.c_uint64),
        ("stall_cycles", ctypes.c_uint64),
        ("last_line", ctypes.c_uint64),
    ]


class CachedRange(ctypes.Structure):
    _fields_ = [
        ("core", ctypes.c_void_p),
        ("cache", ctypes.c_void_p),
        ("miss_cycles", ctypes.c_uint32),
        ("reserved", ctypes.c_uint32),
    ]


class DivideTiming(ctypes.Structure):
    _fields_ = [
        ("base", ctypes.c_uint32),
        ("bits_per_cycle", ctypes.c_uint32),
        ("min_cycles", ctypes.c_uint32),
        ("max_cycles", ctypes.c_uint32),
        ("kind", ctypes.c_uint32),
        ("reserved", ctypes.c_uint32),
    ]


class DivideSite(ctypes.Structure):
    _fields_ = [
        ("core", ctypes.c_void_p),
        ("dividend_reg", ctypes.c_int32),
        ("divisor_reg", ctypes.c_int32),
        ("is_signed", ctypes.c_uint32),
        ("static_cycles", ctypes.c_uint32),
    ]


# mcs_stub_entry as a NumPy record: one per 4-byte word of the stubs (xpulp_rewrite.py)
STUB_ENTRY = np.dtype([("site", np.uint32), ("then", np.uint32), ("fallback", np.uint32),
                       ("reserved", np.uint32)])


class CoreState(ctypes.Structure):
    _fields_ = [
        ("instructions", ctypes.c_uint64),
        ("cycles", ctypes.c_uint64),
        ("blocks", ctypes.c_uint64),
        ("unknown_blocks", ctypes.c_uint64),
        ("unknown_bytes", ctypes.c_uint64),
        ("taken_branches", ctypes.c_uint64),
        ("mispredictions", ctypes.c_uint64),
        ("divides", ctypes.c_uint64),
        ("stop_at_cycles", ctypes.c_uint64),
        ("last_block_addr", ctypes.c_uint64),
        ("last_block_end", ctypes.c_uint64),
        ("page_mask", ctypes.c_uint64),
        ("stop_reason", ctypes.c_uint32),
        ("n_code_ranges", ctypes.c_uint32),
        ("n_tlb_regions", ctypes.c_uint32),
        ("unknown_bytes_per_instruction", ctypes.c_uint32),
        ("taken_branch_cycles", ctypes.c_uint32),
        ("mispredict_cycles", ctypes.c_uint32),
        ("predictor_mask", ctypes.c_uint32),
        ("last_block_branch", ctypes.c_uint32),
        ("predictor_counters", _u8p),
        ("predictor_targets", _u64p),
        ("fetch_base", ctypes.c_uint64),
        ("fetch_end", ctypes.c_uint64),
        ("fetch_miss_cycles", ctypes.c_uint32),
        ("fetch_enabled", ctypes.c_uint32),
        ("fetch_cache", Cache),
        ("data_cache", Cache),
        ("divide", DivideTiming),
        ("emu_stop", ctypes.c_void_p),
        ("reg_read", ctypes.c_void_p),
        ("reg_write", ctypes.c_void_p),
        ("code_ranges", CodeRange * MAX_CODE_RANGES),
        ("tlb_regions", TlbRegion * MAX_TLB_REGIONS),
        ("nodes", ctypes.c_void_p),
        ("frames", ctypes.c_void_p),
        ("n_nodes", ctypes.c_uint32),
        ("max_nodes", ctypes.c_uint32),
        ("depth", ctypes.c_uint32),
        ("max_depth", ctypes.c_uint32),
        ("current_node", ctypes.c_uint32),
        ("last_block_call", ctypes.c_uint32),
        ("attributed_cycles", ctypes.c_uint64),
        ("dropped_nodes", ctypes.c_uint64),
        ("stub_base", ctypes.c_uint64),
        ("stub_end", ctypes.c_uint64),
        ("stub_entries", ctypes.c_void_p),
        ("stub_blocks", ctypes.c_uint64),
        ("stub_block_addr", ctypes.c_uint64),
        ("stub_block_seq", ctypes.c_uint64),
        ("stub_latency_due", ctypes.c_uint32),
        ("stub_reserved", ctypes.c_uint32),
        ("count_events", ctypes.c_uint32),
        ("n_static_events", ctypes.c_uint32),
        ("last_block_conditional", ctypes.c_uint32),
        ("events_reserved", ctypes.c_uint32),
        ("static_events", ctypes.c_uint64 * MAX_STATIC_EVENTS),
        ("taken_conditional_branches", ctypes.c_uint64),
        ("latency_reads", ctypes.c_uint64),
        ("latency_read_cycles", ctypes.c_uint64),
    ]


@dataclass
class HotPathTiming:
    """What a timing model asks of the hot path beyond the static costs of the code map."""

    taken_branch_cycles: int = 0  # per taken branch, when there is no predictor
    mispredict_cycles: int = 0
    predictor_entries: int = 0  # 0: no branch predictor (a power of two otherwise)
    memory_system: Any = None  # timing.memory_system.MemorySystem
    divide_timing: tuple[int, int, int, int] | None = None
    divide_kind: int = 0  # 0: quotient bits (Cortex-M), 1: divisor leading zeros (RI5CY)
    divide_sites: list[tuple[int, int, int, bool, int]] = field(default_factory=list)


def _library_path() -> Path:
    here = Path(__file__).resolve().parent
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = here / f"_hotpath{suffix}"
        if candidate.exists():
            return candidate
    raise McusimError(
        "the native hot path of mcusim is not built (no mcusim/native/_hotpath*.so next to "
        f"{here}). Install the package with `pip install .` (or `pip install -e .`), which "
        "compiles it with the host C compiler."
    )


class NativeLibrary:
    """The loaded hot-path library: function pointers and ABI checks."""

    def __init__(self) -> None:
        self.cdll = ctypes.CDLL(str(_library_path()))
        self.cdll.mcs_abi_version.restype = ctypes.c_uint32
        self.cdll.mcs_core_size.restype = ctypes.c_uint32
        if self.cdll.mcs_abi_version() != ABI_VERSION:
            raise McusimError(
                f"the native hot path has ABI version {self.cdll.mcs_abi_version()}, this "
                f"package expects {ABI_VERSION}: reinstall mcusim so both are rebuilt together."
            )
        if self.cdll.mcs_core_size() != ctypes.sizeof(CoreState):
            raise McusimError(
                "the native hot path's core struct does not match its Python mirror "
                f"({self.cdll.mcs_core_size()} vs {ctypes.sizeof(CoreState)} bytes): "
                "hotpath.h and mcusim/native/__init__.py are out of step."
            )
        self.cdll.mcs_stub_entry_size.restype = ctypes.c_uint32
        if self.cdll.mcs_stub_entry_size() != STUB_ENTRY.itemsize:
            raise McusimError("the native stub entry does not match its Python mirror (STUB_ENTRY): "
                              "hotpath.h and mcusim/native/__init__.py are out of step.")
        self.block_hook = ctypes.cast(self.cdll.mcs_block_hook, ctypes.c_void_p).value
        self.tlb_fill = ctypes.cast(self.cdll.mcs_tlb_fill, ctypes.c_void_p).value
        self.data_read_hook = ctypes.cast(self.cdll.mcs_data_read_hook, ctypes.c_void_p).value
        self.thumb_data_read_hook = ctypes.cast(self.cdll.mcs_thumb_data_read_hook, ctypes.c_void_p).value
        self.divide_hook = ctypes.cast(self.cdll.mcs_divide_hook, ctypes.c_void_p).value



_library: NativeLibrary | None = None


def library() -> NativeLibrary:
    global _library
    if _library is None:
        _library = NativeLibrary()
    return _library


def u64_pointer(array: np.ndarray) -> ctypes._Pointer:
    assert array.dtype == np.uint64 and array.flags.c_contiguous
    return array.ctypes.data_as(_u64p)


def u8_pointer(array: np.ndarray) -> ctypes._Pointer:
    assert array.dtype == np.uint8 and array.flags.c_contiguous
    return array.ctypes.data_as(_u8p)


def attach(uc, state: CoreState, codemap, block_counts: list[np.ndarray], tlb_regions: list[TlbRegion],
           unknown_bytes_per_instruction: int, timing: HotPathTiming, arch: str,
           call_tracking: bool = True) -> list[object]:
    """Fill ``state`` from the code map and timing, install the native hooks and virtual TLB.

    ``arch`` is the core family, "arm" (Thumb-2, whose memory hooks must repair the IT state:
    hotpath.c mcs_thumb_data_read_hook) or "riscv". ``call_tracking`` keeps the call tree of the
    per-function profile (``state.call_nodes``; None without it).

    ``block_counts`` (one uint64 array per code range, per core) receive the executions of each
    block start. Returns the objects the native side points into; the caller keeps them alive
    as long as the Unicorn instance lives.
    """
    from unicorn import UC_HOOK_BLOCK, UC_HOOK_CODE, UC_HOOK_MEM_READ, UC_HOOK_TLB_FILL, UC_TLB_VIRTUAL
    from unicorn.unicorn_py3.arch.types import uc_hook_h
    from unicorn.unicorn_py3.unicorn import uclib

    from mcusim.timing.memory_system import fill_cache

    lib = library()
    if arch not in ("arm", "riscv"):
        raise ValueError(f"unknown core family {arch!r}")
    if len(codemap.ranges) > MAX_CODE_RANGES or len(tlb_regions) > MAX_TLB_REGIONS:
        raise McusimError("the firmware or board has more code ranges or regions than the hot path holds")
    keepalive: list[object] = [codemap, state, block_counts]
    for i, (r, counts) in enumerate(zip(codemap.ranges, block_counts)):
        state.code_ranges[i] = CodeRange(
            r.base, r.end, u64_pointer(r.instruction_prefix), u64_pointer(r.cycle_prefix),
            u8_pointer(r.flags), u64_pointer(counts), r.functions.ctypes.data_as(_u32p),
            u64_pointer(r.event_prefix) if r.event_prefix is not None else None,
        )
    state.n_code_ranges = len(codemap.ranges)
    for i, t in enumerate(tlb_regions):
        state.tlb_regions[i] = t
    state.n_tlb_regions = len(tlb_regions)
    state.page_mask = ~(uc.ctl_get_page_size() - 1) & 0xFFFFFFFFFFFFFFFF
    state.unknown_bytes_per_instruction = unknown_bytes_per_instruction
    state.stop_at_cycles = 0xFFFFFFFFFFFFFFFF
    state.last_block_addr = 0xFFFFFFFFFFFFFFFF
    state.emu_stop = ctypes.cast(uclib.uc_emu_stop, ctypes.c_void_p).value
    state.reg_read = ctypes.cast(uclib.uc_reg_read, ctypes.c_void_p).value
    state.reg_write = ctypes.cast(uclib.uc_reg_write, ctypes.c_void_p).value
    # Call tracking: the tree and the shadow stack, read back by call_profile after the run.
    state.call_nodes = None
    if call_tracking:
        nodes = np.zeros(MAX_CALL_NODES, dtype=CALL_NODE)
        frames = np.zeros(MAX_CALL_DEPTH, dtype=CALL_FRAME)
        keepalive += [nodes, frames]
        state.nodes, state.frames = nodes.ctypes.data, frames.ctypes.data
        state.n_nodes, state.max_nodes, state.max_depth = 1, MAX_CALL_NODES, MAX_CALL_DEPTH
        state.call_nodes = nodes
    state.taken_branch_cycles = timing.taken_branch_cycles
    state.mispredict_cycles = timing.mispredict_cycles
    if timing.predictor_entries:
        counters = np.ones(timing.predictor_entries, dtype=np.uint8)  # weakly not taken
        targets = np.zeros(timing.predictor_entries, dtype=np.uint64)
        keepalive += [counters, targets]
        state.predictor_counters = u8_pointer(counters)
        state.predictor_targets = u64_pointer(targets)
        state.predictor_mask = timing.predictor_entries - 1

    state_pointer = ctypes.cast(ctypes.byref(state), ctypes.c_void_p)
    hooks = [(UC_HOOK_BLOCK, lib.block_hook, state_pointer, 1, 0),
             (UC_HOOK_TLB_FILL, lib.tlb_fill, state_pointer, 1, 0)]
    memory = timing.memory_system
    if memory is not None and memory.fetch_cache is not None:
        fill_cache(state.fetch_cache, memory.fetch_cache, keepalive)
        state.fetch_base, state.fetch_end = memory.fetch_range.region.base, memory.fetch_range.region.end
        state.fetch_miss_cycles = memory.fetch_range.miss_cycles
        state.fetch_enabled = 1
    if memory is not None and memory.data_cache is not None and memory.data_ranges:
        fill_cache(state.data_cache, memory.data_cache, keepalive)
        ranges = (CachedRange * len(memory.data_ranges))()
        keepalive.append(ranges)
        cache_pointer = ctypes.addressof(state) + CoreState.data_cache.offset
        data_read_hook = lib.thumb_data_read_hook if arch == "arm" else lib.data_read_hook
        for native_range, cached in zip(ranges, memory.data_ranges):
            native_range.core, native_range.cache = state_pointer.value, cache_pointer
            native_range.miss_cycles = cached.miss_cycles
            # A memory hook, even bounded to one region, sends every access through Unicorn's
            # slow path (docs/unicorn.md P3): only accurate timing pays for it.
            hooks.append((UC_HOOK_MEM_READ, data_read_hook,
                          ctypes.cast(ctypes.byref(native_range), ctypes.c_void_p),
                          cached.region.base, cached.region.end - 1))
    if timing.divide_timing is not None and timing.divide_sites:
        # One code hook per divide instruction: the translator calls it for that address only.
        state.divide = DivideTiming(*timing.divide_timing, timing.divide_kind)
        sites = (DivideSite * len(timing.divide_sites))()
        keepalive.append(sites)
        for site, (address, dividend, divisor, signed, static) in zip(sites, timing.divide_sites):
            site.core, site.dividend_reg, site.divisor_reg = state_pointer.value, dividend, divisor
            site.is_signed, site.static_cycles = int(signed), static
            hooks.append((UC_HOOK_CODE, lib.divide_hook,
                          ctypes.cast(ctypes.byref(site), ctypes.c_void_p), address, address))

    handles = []
    for hook_type, callback, user_data, begin, end in hooks:
        handle = uc_hook_h()
        err = uclib.uc_hook_add(uc._uch, ctypes.byref(handle), hook_type, ctypes.c_void_p(callback),
                                user_data, begin, end)
        if err != 0:
            raise McusimError(f"installing the native hot path failed (uc_hook_add error {err})")
        handles.append(handle)
    uc.ctl_set_tlb_mode(UC_TLB_VIRTUAL)
    keepalive.append(handles)
    return keepalive


# ---- RI5CY (ri5cy.h) ---------------------------------------------------------------------

RV_STOP_NONE, RV_STOP_ELW, RV_STOP_ILLEGAL, RV_STOP_FAULT, RV_STOP_EXCEPTION = 0, 1, 2, 3, 4
RV_COUNTER_CSR_BASE = 0x7D0
RV_MAX_SPANS = 16
RV_EVENTS = 16


class HostSpan(ctypes.Structure):
    _fields_ = [("start", ctypes.c_uint64), ("end", ctypes.c_uint64), ("host", ctypes.c_void_p)]


class HwLoops(ctypes.Structure):
    _fields_ = [("start", ctypes.c_uint32 * 2), ("end", ctypes.c_uint32 * 2), ("count", ctypes.c_uint32 * 2),
                ("viterbi_flags", ctypes.c_uint32)]


class RvCoreState(ctypes.Structure):
    _fields_ = [
        ("core", ctypes.c_void_p),
        ("uc", ctypes.c_void_p),
        ("mem_read", ctypes.c_void_p),
        ("mem_write", ctypes.c_void_p),
        ("hartid", ctypes.c_uint32),
        ("stop_kind", ctypes.c_uint32),
        ("stop_pc", ctypes.c_uint32),
        ("stop_insn", ctypes.c_uint32),
        ("elw_address", ctypes.c_uint32),
        ("elw_rd", ctypes.c_uint32),
        ("elw_next_pc", ctypes.c_uint32),
        ("fault_address", ctypes.c_uint32),
        ("pcer", ctypes.c_uint32),
        ("pcmr", ctypes.c_uint32),
        ("pccr_value", ctypes.c_uint64 * RV_EVENTS),
        ("pccr_sync", ctypes.c_uint64 * RV_EVENTS),
        ("static_event_of", ctypes.c_int8 * RV_EVENTS),
        ("loops", HwLoops),
        ("xpulp_executed", ctypes.c_uint64),
        ("hwloop_back_edges", ctypes.c_uint64),
        ("n_spans", ctypes.c_uint32),
        ("data_latency_cycles", ctypes.c_uint32),
        ("latency_base", ctypes.c_uint64),
        ("latency_end", ctypes.c_uint64),
        ("spans", HostSpan * RV_MAX_SPANS),
        ("executing_pc", ctypes.c_uint32),
        ("fp_enables", ctypes.c_uint32),
    ]


class HwLoopSite(ctypes.Structure):
    _fields_ = [("rv", ctypes.c_void_p), ("lpend", ctypes.c_uint32), ("resume", ctypes.c_uint32)]


def attach_ri5cy(uc, rv: RvCoreState, state: CoreState, hartid: int,
                 host_spans: list[tuple[int, int, np.ndarray]],
                 hwloop_sites: list[tuple[int, int]], timing: HotPathTiming) -> list[object]:
    """Install the RI5CY trap handler (Xpulp, CSRs) and the hardware-loop back-edge hooks.

    ``hwloop_sites`` are (last instruction of a loop body, the instruction after it). Call before
    the first emu_start: hooks added later miss blocks already translated (docs/unicorn.md P2).
    """
    from unicorn import UC_HOOK_CODE, UC_HOOK_INTR
    from unicorn.unicorn_py3.arch.types import uc_hook_h
    from unicorn.unicorn_py3.unicorn import uclib

    lib = library()
    lib.cdll.mcs_rv_core_size.restype = ctypes.c_uint32
    if lib.cdll.mcs_rv_core_size() != ctypes.sizeof(RvCoreState):
        raise McusimError("the native RI5CY struct does not match its Python mirror: "
                          "ri5cy.h and mcusim/native/__init__.py are out of step.")
    if len(host_spans) > RV_MAX_SPANS:
        raise McusimError("the board has more memory spans than the RI5CY hot path holds")
    rv.core = ctypes.addressof(state)
    rv.mem_read = ctypes.cast(uclib.uc_mem_read, ctypes.c_void_p).value
    rv.mem_write = ctypes.cast(uclib.uc_mem_write, ctypes.c_void_p).value
    rv.hartid = hartid
    memory = timing.memory_system
    if memory is not None and memory.data_cache is not None and memory.data_cache.ways == 0:
        # Loads the Xpulp executor performs pay the same per-access latency as the memory hook.
        for cached in memory.data_ranges[:1]:
            rv.latency_base, rv.latency_end = cached.region.base, cached.region.end
            rv.data_latency_cycles = cached.miss_cycles
    for i, (start, end, buffer) in enumerate(host_spans):
        rv.spans[i] = HostSpan(start, end, buffer.ctypes.data)
    rv.n_spans = len(host_spans)
    sites = (HwLoopSite * max(len(hwloop_sites), 1))()
    rv_pointer = ctypes.cast(ctypes.byref(rv), ctypes.c_void_p)
    trap_hook = ctypes.cast(lib.cdll.mcs_rv_trap_hook, ctypes.c_void_p).value
    hwloop_hook = ctypes.cast(lib.cdll.mcs_rv_hwloop_hook, ctypes.c_void_p).value
    hooks = [(UC_HOOK_INTR, trap_hook, rv_pointer, 1, 0)]
    for site, (lpend, resume) in zip(sites, hwloop_sites):
        site.rv, site.lpend, site.resume = rv_pointer.value, lpend, resume
        hooks.append((UC_HOOK_CODE, hwloop_hook, ctypes.cast(ctypes.byref(site), ctypes.c_void_p),
                      resume, resume))
    handles = []
    for hook_type, callback, user_data, begin, end in hooks:
        handle = uc_hook_h()
        err = uclib.uc_hook_add(uc._uch, ctypes.byref(handle), hook_type, ctypes.c_void_p(callback),
                                user_data, begin, end)
        if err != 0:
            raise McusimError(f"installing the RI5CY hooks failed (uc_hook_add error {err})")
        handles.append(handle)
    return [rv, sites, handles, host_spans]


def replay_custom(uc, rv: RvCoreState, pc: int, word: int) -> int:
    """Execute the custom instruction ``word`` at ``pc`` as the trap handler would (ri5cy.h
    mcs_rv_replay): ``rv``'s stop fields and the PC say what happened. Returns the executor's
    result (xpulp.h enum mcs_xpulp_result)."""
    function = library().cdll.mcs_rv_replay
    function.restype = ctypes.c_int
    function.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32]
    return function(ctypes.addressof(rv), uc._uch.value, pc, word)


# ---- the multi-core scheduler (scheduler.h) -------------------------------------------------

SCHED_MAX_CORES = 16
SCHED_NO_EVENT = 0xFFFFFFFFFFFFFFFF
SCHED_NO_CORE = 0xFFFFFFFF
SCHED_NO_CORE_RUNS, SCHED_EVENT_DUE, SCHED_CYCLE_LIMIT, SCHED_SLICE_ENDED = 0, 1, 2, 3


class SchedCore(ctypes.Structure):
    _fields_ = [
        ("uc", ctypes.c_void_p),
        ("core", ctypes.c_void_p),
        ("rv", ctypes.c_void_p),
        ("clock_hz", ctypes.c_uint64),
        ("host_ns", ctypes.c_uint64),
        ("slices", ctypes.c_uint64),
        ("running", ctypes.c_uint32),
        ("stop_slice", ctypes.c_uint32),
    ]


class Scheduler(ctypes.Structure):
    _fields_ = [
        ("n_cores", ctypes.c_uint32),
        ("resume_core", ctypes.c_uint32),
        ("quantum_cycles", ctypes.c_uint64),
        ("cycle_limit", ctypes.c_uint64),
        ("next_event_ps", ctypes.c_uint64),
        ("core_index", ctypes.c_uint32),
        ("error", ctypes.c_int32),
        ("emu_start", ctypes.c_void_p),
        ("cores", SchedCore * SCHED_MAX_CORES),
    ]


def new_scheduler(cores: list, quantum_cycles: int, cycle_limit: int) -> Scheduler:
    """A scheduler over RI5CY cores (each with .uc, .state, .rv and .spec.clock_hz). Python keeps
    each entry's ``running`` and the scheduler's ``next_event_ps`` up to date; run_scheduler()
    then runs slices in C until Python is needed."""
    from unicorn.unicorn_py3.unicorn import uclib

    lib = library()
    lib.cdll.mcs_scheduler_size.restype = ctypes.c_uint32
    if lib.cdll.mcs_scheduler_size() != ctypes.sizeof(Scheduler):
        raise McusimError("the native scheduler struct does not match its Python mirror: "
                          "scheduler.h and mcusim/native/__init__.py are out of step.")
    if len(cores) > SCHED_MAX_CORES:
        raise McusimError(f"the board has {len(cores)} cores; the scheduler holds {SCHED_MAX_CORES}")
    scheduler = Scheduler(n_cores=len(cores), resume_core=SCHED_NO_CORE, quantum_cycles=quantum_cycles,
                          cycle_limit=cycle_limit, next_event_ps=SCHED_NO_EVENT,
                          emu_start=ctypes.cast(uclib.uc_emu_start, ctypes.c_void_p).value)
    for entry, core in zip(scheduler.cores, cores):
        entry.uc = core.uc._uch.value
        entry.core = ctypes.addressof(core.state)
        entry.rv = ctypes.addressof(core.rv)
        entry.clock_hz = core.spec.clock_hz
    return scheduler


def run_scheduler(scheduler: Scheduler) -> int:
    """Run slices until Python is needed (a SCHED_* outcome). ctypes releases the GIL meanwhile."""
    function = library().cdll.mcs_schedule
    function.restype, function.argtypes = ctypes.c_uint32, [ctypes.c_void_p]
    return function(ctypes.addressof(scheduler))


# enum mcs_xpulp_class (xpulp.h), in order; the names are the keys of ri5cy.toml's xpulp_classes
XPULP_CLASS_NAMES = ("none", "load", "store", "alu", "mul", "mac", "simd", "dotp", "branch", "hwloop",
                     "csr", "elw")


def xpulp_class(word: int) -> str:
    """The timing class of an Xpulpv2/GAP8 instruction word (from the native decoder)."""
    function = library().cdll.mcs_xpulp_class
    function.restype, function.argtypes = ctypes.c_int, [ctypes.c_uint32]
    number = function(word)
    return XPULP_CLASS_NAMES[number] if 0 <= number < len(XPULP_CLASS_NAMES) else "alu"


def xpulp_mnemonic(word: int) -> str | None:
    function = library().cdll.mcs_xpulp_mnemonic
    function.restype, function.argtypes = ctypes.c_char_p, [ctypes.c_uint32]
    name = function(word)
    return name.decode() if name else None
