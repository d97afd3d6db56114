"""Start-up probes of the Unicorn RISC-V behaviour that the Xpulp stubs rely on
(cores/xpulp_rewrite.py, xpulp_stubs.py, native/hotpath.c stub_block, cores/ri5cy.py).

Each probe runs a few instructions on the RV32GC model the cores use with stubs and checks one
fact; selftest.py runs them all once per process. A different Unicorn that changed any of them
would make the rewrite silently wrong, so it fails loudly instead.
"""

from __future__ import annotations

import struct
from typing import Callable

from unicorn import (UC_ARCH_RISCV, UC_ERR_READ_UNMAPPED, UC_HOOK_BLOCK, UC_HOOK_INTR, UC_MODE_RISCV32,
                     UC_PROT_ALL, Uc, UcError)
from unicorn import riscv_const as rv

from mcusim.cores import rv32_encode as E

CODE, STUBS, DATA, MMIO = 0x10000, 0x20000, 0x30000, 0x40000
A0, A1, A2, A3 = 10, 11, 12, 13

# one word per Xpulpv2 major opcode / funct group (docs/gap8.md §9): p.lw post-increment,
# p.sw post-increment, p.mulsN, pv.add.h, lp.setupi, p.abs, p.lw reg-reg, p.sw reg-reg, p.beqimm
XPULP_WORDS = (0x0045A50B, 0x00A5A22B, 0x80C5855B, 0x00C58557, 0x0020507B, 0x04058533,
               0x00C5F503, 0x00A5C523, 0x0005A063)


def _core(model: int = rv.UC_CPU_RISCV32_SIFIVE_U34) -> Uc:
    uc = Uc(UC_ARCH_RISCV, UC_MODE_RISCV32)
    uc.ctl_set_cpu_model(model)
    uc.reg_write(rv.UC_RISCV_REG_MSTATUS, 1 << 13)  # FPU on (mstatus.FS Initial), as ri5cy.py
    for base in (CODE, STUBS, DATA):
        uc.mem_map(base, 0x1000, UC_PROT_ALL)
    return uc


def _code(uc: Uc, address: int, words: list[int]) -> None:
    uc.mem_write(address, struct.pack(f"<{len(words)}I", *words))


def fp_registers_hold_32_bit_values(fail: Callable[[str], None]) -> None:
    uc = _core()
    values = (0xFFFFFFFF, 0x7FC00000, 0x80000000, 0x12345678)
    words = []
    for i, _ in enumerate(values):
        words += [E.fmv_w_x(5 + i, A0 + i), E.addi(A0 + i, 0, 0), E.fmv_x_w(A0 + i, 5 + i)]
    _code(uc, CODE, words)
    for i, v in enumerate(values):
        uc.reg_write(rv.UC_RISCV_REG_X0 + A0 + i, v)
    uc.emu_start(CODE, CODE + 4 * len(words))
    got = [uc.reg_read(rv.UC_RISCV_REG_X0 + A0 + i) for i in range(len(values))]
    if got != list(values):
        fail(f"fmv.w.x/fmv.x.w round trip gave {[hex(g) for g in got]}")


def _interrupts_of(word: int, mstatus: int = 1 << 13) -> list[tuple[int, int]]:
    """(intno, PC) of the interrupts `word` at CODE raises, the run stopped at the first."""
    uc = _core()
    uc.reg_write(rv.UC_RISCV_REG_MSTATUS, mstatus)
    _code(uc, CODE, [word, E.addi(0, 0, 0)])
    seen = []

    def on_interrupt(uc, intno, _):
        seen.append((intno, uc.reg_read(rv.UC_RISCV_REG_PC)))
        uc.emu_stop()

    uc.hook_add(UC_HOOK_INTR, on_interrupt)
    uc.emu_start(CODE, CODE + 8)
    return seen


def fp_moves_trap_while_the_fpu_is_off(fail: Callable[[str], None]) -> None:
    """With mstatus.FS Off, fmv traps like a custom instruction (intno 2, PC + 4): the trap
    handler turns the FPU on and restarts the stub (ri5cy.c enable_fp_for_stub)."""
    seen = _interrupts_of(E.fmv_w_x(5, A0), mstatus=0)
    if seen != [(2, CODE + 4)]:
        fail(f"fmv with the FPU off gave interrupts {seen}, expected intno 2 at PC + 4")


def custom_instructions_still_trap(fail: Callable[[str], None]) -> None:
    """On the RV32GC model every Xpulp opcode is still unknown: UC_HOOK_INTR, intno 2, PC + 4."""
    for word in XPULP_WORDS:
        seen = _interrupts_of(word)
        if seen != [(2, CODE + 4)]:
            fail(f"custom word {word:#010x} gave interrupts {seen}, expected intno 2 at PC + 4")


def jumps_make_the_block_boundaries(fail: Callable[[str], None]) -> None:
    """`jal x0` ends a block; a stub on another page is its own block(s); a jump from one part
    to the next starts a block; the return starts one at the rewritten instruction + 4."""
    uc = _core()
    _code(uc, CODE, [E.addi(A0, A0, 1), E.jal(0, STUBS - (CODE + 4)), E.addi(A0, A0, 1),
                     E.jal(0, 0x100 - 12)])
    _code(uc, STUBS, [E.addi(A1, A1, 1), E.jal(0, 4), E.addi(A1, A1, 1),
                      E.jal(0, CODE + 8 - (STUBS + 12))])
    blocks = []
    uc.hook_add(UC_HOOK_BLOCK, lambda uc, address, size, _: blocks.append((address, size)))
    uc.emu_start(CODE, CODE + 0x100)
    expected = [(CODE, 8), (STUBS, 8), (STUBS + 8, 8), (CODE + 8, 8)]
    if blocks != expected or uc.reg_read(rv.UC_RISCV_REG_A1) != 2:
        fail(f"blocks {[(hex(a), s) for a, s in blocks]}, expected {[(hex(a), s) for a, s in expected]}")


def loads_fault_precisely(fail: Callable[[str], None]) -> None:
    """A load into x0 still makes its access; a faulting load leaves PC on it, the instructions
    before it done and the ones after it not."""
    uc = _core()
    _code(uc, CODE, [E.addi(A2, 0, 7), E.load(4, True, 0, A1), E.addi(A3, 0, 9)])
    uc.reg_write(rv.UC_RISCV_REG_A1, 0x7FFF0000)
    try:
        uc.emu_start(CODE, CODE + 12)
        fail("a load into x0 from unmapped memory did not fault")
    except UcError as e:
        state = (e.errno, uc.reg_read(rv.UC_RISCV_REG_PC), uc.reg_read(rv.UC_RISCV_REG_A2),
                 uc.reg_read(rv.UC_RISCV_REG_A3))
        if state != (UC_ERR_READ_UNMAPPED, CODE + 4, 7, 0):
            fail(f"the faulting load left (error, pc, a2, a3) = {state}")


def misaligned_accesses_work(fail: Callable[[str], None]) -> None:
    uc = _core()
    uc.mem_write(DATA, bytes(range(16)))
    _code(uc, CODE, [E.load(4, True, A0, A1, 1), E.store(2, A2, A1, 7), E.load(2, True, A3, A1, 3)])
    uc.reg_write(rv.UC_RISCV_REG_A1, DATA)
    uc.reg_write(rv.UC_RISCV_REG_A2, 0xBEEF)
    uc.emu_start(CODE, CODE + 12)
    got = (uc.reg_read(rv.UC_RISCV_REG_A0), bytes(uc.mem_read(DATA + 7, 2)), uc.reg_read(rv.UC_RISCV_REG_A3))
    if got != (0x04030201, b"\xef\xbe", 0x0403):
        fail(f"misaligned lw/sh/lh gave {got}")


def a_block_hook_can_stop_before_the_block_elsewhere(fail: Callable[[str], None]) -> None:
    """Writing PC and stopping from a block hook: the block does not run and the run ends at the
    written PC (the hot path's budget stop in a stub part)."""
    uc = _core()
    _code(uc, CODE, [E.jal(0, STUBS - CODE)])
    _code(uc, STUBS, [E.addi(A0, A0, 1), E.jal(0, CODE + 0x100 - (STUBS + 4))])

    def on_block(uc, address, size, _):
        if address == STUBS:
            uc.reg_write(rv.UC_RISCV_REG_PC, CODE + 0x40)
            uc.emu_stop()

    uc.hook_add(UC_HOOK_BLOCK, on_block)
    uc.emu_start(CODE, CODE + 0x100)
    got = (uc.reg_read(rv.UC_RISCV_REG_PC), uc.reg_read(rv.UC_RISCV_REG_A0))
    if got != (CODE + 0x40, 0):
        fail(f"stop from a block hook left (pc, a0) = ({got[0]:#x}, {got[1]})")


def a_block_hook_can_send_the_core_elsewhere(fail: Callable[[str], None]) -> None:
    """Writing PC from a block hook without stopping: the block does not run and execution goes
    on at the written PC (the hot path's fallback from a merged stub block to single parts)."""
    uc = _core()
    _code(uc, CODE, [E.jal(0, STUBS - CODE)])
    _code(uc, STUBS, [E.addi(A0, A0, 1), E.jal(0, CODE + 0x100 - (STUBS + 4))])
    _code(uc, STUBS + 0x40, [E.addi(A1, A1, 1), E.jal(0, CODE + 0x100 - (STUBS + 0x44))])

    def on_block(uc, address, size, _):
        if address == STUBS:
            uc.reg_write(rv.UC_RISCV_REG_PC, STUBS + 0x40)

    uc.hook_add(UC_HOOK_BLOCK, on_block)
    uc.emu_start(CODE, CODE + 0x100)
    got = (uc.reg_read(rv.UC_RISCV_REG_A0), uc.reg_read(rv.UC_RISCV_REG_A1))
    if got != (0, 1):
        fail(f"a PC write from a block hook left (a0, a1) = {got}, expected (0, 1)")


def a_peripheral_stop_is_at_the_access(fail: Callable[[str], None]) -> None:
    """uc_emu_stop from an MMIO write callback stops at once: PC on the accessing instruction,
    the ones after it not run. A stub must not stop there (it would be left half done with its
    temporaries parked): ri5cy.py _stop_slice ends the slice at the next block instead."""
    uc = _core()
    uc.mmio_map(MMIO, 0x1000, lambda *a: 0, None, lambda uc, *a: uc.emu_stop(), None)
    _code(uc, CODE, [E.addi(A2, A2, 1), E.store(4, A0, A1), E.addi(A3, A3, 1), E.jal(0, 0)])
    uc.reg_write(rv.UC_RISCV_REG_A1, MMIO)
    uc.emu_start(CODE, CODE + 0x100)
    got = (uc.reg_read(rv.UC_RISCV_REG_PC), uc.reg_read(rv.UC_RISCV_REG_A2), uc.reg_read(rv.UC_RISCV_REG_A3))
    if got != (CODE + 4, 1, 0):
        fail(f"a stop from an MMIO write left (pc, a2, a3) = ({got[0]:#x}, {got[1]}, {got[2]})")


PROBES = (fp_registers_hold_32_bit_values, fp_moves_trap_while_the_fpu_is_off,
          custom_instructions_still_trap, jumps_make_the_block_boundaries, loads_fault_precisely,
          misaligned_accesses_work, a_block_hook_can_stop_before_the_block_elsewhere,
          a_block_hook_can_send_the_core_elsewhere, a_peripheral_stop_is_at_the_access)


def check_stub_conventions(fail: Callable[[str], None]) -> None:
    for probe in PROBES:
        try:
            probe(fail)
        except UcError as e:
            fail(f"{probe.__name__} stopped with {e}")
