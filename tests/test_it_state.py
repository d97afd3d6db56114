"""Unicorn 2.1.4 leaks the Thumb IT state through memory hooks; the native hot path repairs it.

Before a memory hook runs, Unicorn restores the CPU state of the accessing instruction; for a
load inside an IT block that leaves the IT state in the CPU after the block ends, so the next
block runs as if it were still inside the IT block (hotpath.c, mcs_thumb_data_read_hook). Accurate
timing hooks flash data reads (the flash accelerator) and, on the M7, cached data reads, so
without the repair a run could compute a different result after any restart of the emulator.
"""

from __future__ import annotations

import ctypes
import io

import pytest
from unicorn import UC_ARCH_ARM, UC_HOOK_INTR, UC_HOOK_MEM_READ, UC_MODE_THUMB, Uc
from unicorn import arm_const as arm
from unicorn.unicorn_py3.arch.types import uc_hook_h
from unicorn.unicorn_py3.unicorn import uclib

from conftest import elf_path, entries
from mcusim import native
from mcusim.board import load_board
from mcusim.elf import Firmware
from mcusim.machine import Machine, RunOptions

CODE, DATA = 0x1000, 0x8000
# movs r0,#0; cmp r0,#0; it eq; ldreq r1,[r2]; movs r0,#1; b.n next; next: adds r4,#1; bkpt 0xab
# The load is in an IT block and reads DATA (hooked); `movs r0,#1` clears Z; the branch ends the
# block, so `adds r4,#1` starts the next one: it runs (r4 = 1) unless the IT state leaked into it
# (its leaked condition EQ fails, r4 = 0).
PROGRAM = bytes.fromhex("0020" "0028" "08bf" "1168" "0120" "ffe7" "0134" "abbe")
MISS_CYCLES = 3


def _run_program(hook_function: int) -> tuple[int, int]:
    """Run PROGRAM with a native data-read hook over DATA; returns (r4, cycles the hook added)."""
    uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB)
    uc.ctl_set_cpu_model(arm.UC_CPU_ARM_CORTEX_M4)
    uc.mem_map(CODE, 0x1000)
    uc.mem_map(DATA, 0x1000)
    uc.mem_write(CODE, PROGRAM)
    uc.reg_write(arm.UC_ARM_REG_R2, DATA)
    state = native.CoreState()
    state.reg_write = ctypes.cast(uclib.uc_reg_write, ctypes.c_void_p).value
    state.data_cache.line_shift = 5  # no cache at all (0 sets, 0 ways): every access pays MISS_CYCLES
    cached = native.CachedRange(ctypes.addressof(state),
                                ctypes.addressof(state) + native.CoreState.data_cache.offset, MISS_CYCLES)
    handle = uc_hook_h()
    assert uclib.uc_hook_add(uc._uch, ctypes.byref(handle), UC_HOOK_MEM_READ, ctypes.c_void_p(hook_function),
                             ctypes.c_void_p(ctypes.addressof(cached)), DATA, DATA + 0xFFF) == 0
    uc.hook_add(UC_HOOK_INTR, lambda uc, intno, _: uc.emu_stop())  # the bkpt ends the run
    uc.emu_start(CODE | 1, 0xFFFFFFFE)
    return uc.reg_read(arm.UC_ARM_REG_R4), state.cycles


def test_the_engine_leaks_the_it_state_through_a_memory_hook():
    # The behaviour the repair exists for. If a Unicorn release fixes it, this fails: the repair
    # (one register write per hooked read) could then go.
    r4, cycles = _run_program(native.library().data_read_hook)
    assert cycles == MISS_CYCLES
    assert r4 == 0


def test_the_thumb_data_hook_repairs_the_it_state():
    r4, cycles = _run_program(native.library().thumb_data_read_hook)
    assert cycles == MISS_CYCLES  # the read is still accounted
    assert r4 == 1


def _run(entry: dict, slice_cycles: int | None):
    """Run to the end; with ``slice_cycles``, restart the emulator every that many cycles."""
    stdout = io.StringIO()
    machine = Machine(load_board(entry["board"]), Firmware.load(elf_path(entry["elf"])),
                      RunOptions(timing="accurate", stdout=stdout, stderr=io.StringIO()))
    core = machine.cores[0]
    if slice_cycles is not None:
        while core.stop is None:
            deadline = (core.cycles // slice_cycles + 1) * slice_cycles
            event = core.next_event()
            core.run_until(deadline if event is None else min(deadline, event))
    return machine.run(), stdout.getvalue()


# Firmware whose accurate timing installs a data-read hook and whose code has loads inside IT
# blocks: weights read from flash through the accelerator (M4), and through the M7's D-cache.
@pytest.mark.parametrize("elf", ["kws_dscnn-nucleo-l4r5zi.elf", "ecg_gru-nucleo-l432kc.elf",
                                 "kws_dscnn-disco-f746ng.elf"])
def test_restarting_the_emulator_does_not_change_the_run(elf):
    entry = next(e for e in entries() if e["elf"] == elf)
    straight, straight_out = _run(entry, None)
    sliced, sliced_out = _run(entry, 250_000)
    assert straight.exit_code == sliced.exit_code == entry.get("exit_code", 0)
    assert sliced_out == straight_out
    assert (sliced.totals.cycles, sliced.totals.instructions) == (straight.totals.cycles,
                                                                   straight.totals.instructions)
