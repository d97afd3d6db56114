"""The load-time rewrite of Xpulp instructions into RV32 stubs (mcusim/cores/xpulp_stubs.py,
xpulp_rewrite.py), run in Unicorn against the independent Python reference
(tests/xpulp_reference.py), on the operands of tests/test_xpulp.py: seeded random cases and the
hand-picked edge cases (saturation, signs, shifts by 0/31, rd == rs1 post-increment, x0
destinations, misaligned accesses), one instruction at a time and as runs of consecutive
rewritten instructions (one stub whose parts follow each other).

Only the stub path runs here: no trap handler is installed, so an instruction that trapped would
end the run with an error. Whole firmware with hardware loops, faults and cycle counts:
tests/test_rewrite_firmware.py.
"""

from __future__ import annotations

import random
import struct
import sys
from pathlib import Path

import pytest
from unicorn import UC_ARCH_RISCV, UC_MODE_RISCV32, UC_PROT_ALL, Uc, UcError
from unicorn import riscv_const as rv

sys.path.insert(0, str(Path(__file__).resolve().parent))
import test_xpulp as T  # noqa: E402  (its generators and constants; its tests are not re-collected)
import xpulp_reference as X  # noqa: E402

from mcusim.cores.rv32_encode import jal  # noqa: E402
from mcusim.cores.xpulp_rewrite import XpulpRewrite  # noqa: E402
from mcusim.cores.xpulp_stubs import routine  # noqa: E402

PC = T.PC  # 0x1C008000, in L2 like GAP8 code
STUB_BASE = 0x1C090000  # where the engine puts GAP8 stubs (just above L2)
MEM_BASE = T.MEM_BASE
PAGE = 0x1000
SEQUENCE_CASES = 150

# What stays on the trap path, by design (xpulp_stubs.py docstring).
TRAPPING = {"p.elw", "p.beqimm", "p.bneimm", "pv.vitop.max", "pv.vitop.sel", "pv.cplxmul.s",
            "pv.cplxmul.s.sc", "pv.cplxmul.s.sci", "pv.cplxmul.s.div2", "pv.cplxmul.s.div4",
            "pv.cplxconj.h", "pv.subrotmj.h", "pv.subrotmj.h.div2", "pv.subrotmj.h.div4"}
STUB_FAMILIES = [f for f in T.FAMILIES if f not in ("hwloop", "csr", "branch")]


def _page_memory(mem: X.Memory) -> X.Memory:
    """The case's memory grown to the page Unicorn maps (zeros after it), for both sides."""
    return X.Memory(MEM_BASE, PAGE, bytes(mem.data) + bytes(PAGE - len(mem.data)))


class StubRunner:
    """One Unicorn set up as a RI5CY core with stubs (RV32GC model, FPU on), reused across
    cases: code page at PC, data page at MEM_BASE, stub window at STUB_BASE."""

    def __init__(self) -> None:
        self.uc = uc = Uc(UC_ARCH_RISCV, UC_MODE_RISCV32)
        uc.ctl_set_cpu_model(rv.UC_CPU_RISCV32_SIFIVE_U34)
        uc.reg_write(rv.UC_RISCV_REG_MSTATUS, 1 << 13)
        uc.mem_map(PC & ~(PAGE - 1), PAGE, UC_PROT_ALL)
        uc.mem_map(MEM_BASE, PAGE, UC_PROT_ALL)
        uc.mem_map(STUB_BASE, 16 * PAGE, UC_PROT_ALL)

    def run(self, words: list[int], regs: list[int], mem: X.Memory):
        """Rewrite `words` (at PC, PC+4, ...) and run them. Returns (registers, memory bytes,
        fault) where fault is None or (pc in the stub, the site) after restoring the parked
        temporaries as cores/ri5cy.py does."""
        candidates = [(PC + 4 * i, w, routine(w)) for i, w in enumerate(words)]
        assert all(c[2] is not None for c in candidates)
        stubs = XpulpRewrite.layout(candidates, STUB_BASE, STUB_BASE + 16 * PAGE)
        assert stubs is not None and len(stubs.sites) == len(words)
        uc = self.uc
        uc.mem_write(STUB_BASE, bytes(stubs.image))
        code = bytearray(4 * len(words))
        for address, jump in stubs.jumps():
            code[address - PC:address - PC + 4] = jump
        uc.mem_write(PC, bytes(code) + struct.pack("<I", jal(0, 0)))
        uc.ctl_remove_cache(PC & ~(PAGE - 1), STUB_BASE + 16 * PAGE)
        uc.mem_write(MEM_BASE, bytes(mem.data))
        for i in range(1, 32):
            uc.reg_write(rv.UC_RISCV_REG_X0 + i, regs[i] & X.MASK32)
        fault = None
        try:
            uc.emu_start(PC, PC + 4 * len(words))
        except UcError:
            pc = uc.reg_read(rv.UC_RISCV_REG_PC)
            site = stubs.site_of_stub(pc)
            assert site is not None, f"fault outside the stubs at {pc:#x}"
            if pc >= site.body:
                for t in site.temps:
                    uc.reg_write(rv.UC_RISCV_REG_X0 + t, uc.reg_read(rv.UC_RISCV_REG_F0 + t) & X.MASK32)
            fault = (pc, site)
        out = [0] + [uc.reg_read(rv.UC_RISCV_REG_X0 + i) for i in range(1, 32)]
        return out, bytes(uc.mem_read(MEM_BASE, PAGE)), fault


@pytest.fixture(scope="module")
def runner():
    return StubRunner()


def _describe(words, regs):
    return "; ".join(T._describe(w, PC, regs, None) for w in words)


def check(runner, words, regs, mem):
    """Problem text, or None when the stubs did exactly what the reference does."""
    regs = list(regs)
    regs[0] = 0
    mem = _page_memory(mem)
    ref_regs, ref_mem = list(regs), mem.copy()
    faulted_at = None
    for i, w in enumerate(words):
        out = X.execute(w, PC + 4 * i, ref_regs, ref_mem, X.HwLoops())
        assert out.result in (X.DONE, X.FAULT)
        if out.result == X.FAULT:
            faulted_at = i
            break
    got_regs, got_mem, fault = runner.run(words, regs, mem)
    problems = []
    if (fault is None) != (faulted_at is None):
        problems.append(f"fault: expected {faulted_at}, got {fault}")
    elif fault is not None and fault[1].pc != PC + 4 * faulted_at:
        problems.append(f"fault at {fault[1].pc:#x}, expected at instruction {faulted_at}")
    for i in range(32):
        if (ref_regs[i] & X.MASK32) != got_regs[i]:
            problems.append(f"x{i}: expected {ref_regs[i] & X.MASK32:#010x} got {got_regs[i]:#010x}")
    if bytes(ref_mem.data) != got_mem:
        at = next(i for i in range(PAGE) if ref_mem.data[i] != got_mem[i])
        problems.append(f"memory differs first at {MEM_BASE + at:#x}")
    return f"{_describe(words, regs)}: " + "; ".join(problems) if problems else None


def _rewritable(name):
    return name not in TRAPPING


def _names(family):
    return [n for n in T.FAMILIES[family] if _rewritable(n)]


def test_every_instruction_is_rewritten_or_listed_as_trapping():
    """The routines cover every load, store, scalar ALU, MAC, mul/add with normalisation,
    packed SIMD and dot product; what traps is exactly the documented set."""
    rng = random.Random(T.SEED)
    trapping = set()
    for spec in X.SPECS:
        if spec.family in ("hwloop", "csr"):
            continue
        word = T.random_case(spec, rng)[0]
        if routine(word) is None:
            trapping.add(spec.name)
    assert trapping == TRAPPING


@pytest.mark.parametrize("mnemonic", [n for f in STUB_FAMILIES for n in _names(f)
                                      if n not in T._NO_RANDOM])
def test_random_operands(runner, mnemonic):
    spec = X.BY_NAME[mnemonic]
    rng = random.Random(f"{T.SEED}-rewrite-{mnemonic}")
    failures = []
    for _ in range(T.RANDOM_CASES):
        word, regs, mem, _ = T.random_case(spec, rng)
        problem = check(runner, [word], regs, mem)
        if problem:
            failures.append(problem)
    T.assert_all_agree(failures, T.RANDOM_CASES)


@pytest.mark.parametrize("mnemonic", [n for f in T.EDGE_FAMILIES if f != "branch" for n in _names(f)])
def test_edge_operands(runner, mnemonic):
    failures, total = [], 0
    for word, regs in T.edge_cases(X.BY_NAME[mnemonic]):
        total += 1
        problem = check(runner, [word], regs, X.Memory(MEM_BASE, T.MEM_SIZE))
        if problem:
            failures.append(problem)
    assert total > 0
    T.assert_all_agree(failures, total)


@pytest.mark.parametrize("name", T.LOAD_NAMES + T.STORE_NAMES)
def test_load_store_edges(runner, name):
    """Widths, sign extension, negative and large increments, rd == rs1 (the loaded value
    wins), rd == rs2, x0 destination and x0 stored, misaligned and last-byte accesses."""
    failures, total = [], 0
    size = X.BY_NAME[name + "(imm!)"].param("size")
    load = name in T.LOAD_NAMES
    for pattern in (0x7F7F7F7F, 0x80808080, 0xFFFFFFFF, 0x00008000, 0x12345678):
        for off in (0, 1, 2, 3, T.MEM_SIZE - size):
            for a, b, c in ((10, 11, 12), (11, 11, 12), (0, 11, 12), (12, 11, 12), (10, 11, 11)):
                for mode, inc in (("(imm!)", -4), ("(imm!)", 2047), ("(imm!)", -2048), ("(imm!)", 0),
                                  ("(reg!)", -size), ("(reg!)", 0x80000000), ("(reg)", None)):
                    mem = X.Memory(MEM_BASE, T.MEM_SIZE)
                    mem.store(MEM_BASE + (off & ~3), 4, pattern)
                    regs = [0] * 32
                    regs[a], regs[b] = 0x5A5A5A5A ^ pattern, MEM_BASE + off
                    ops = {"rd": a} if load else {"rs2": a}
                    if mode == "(imm!)":
                        word = X.encode(name + mode, **ops, rs1=b, imm=inc)
                    else:
                        if c == b and mode == "(reg)":
                            continue
                        regs[c] = X.u32(inc if mode == "(reg!)" else -0x100)
                        if mode == "(reg)":
                            regs[b] = X.u32(MEM_BASE + off + 0x100)
                        word = X.encode(name + mode, **ops, rs1=b, **({"rs2": c} if load else {"rs3": c}))
                    total += 1
                    problem = check(runner, [word], regs, mem)
                    if problem:
                        failures.append(problem)
    T.assert_all_agree(failures, total)


@pytest.mark.parametrize("name", [n for n in T.FAMILIES["loadstore"] if n != "p.elw"])
def test_fault_leaves_the_registers_as_before(runner, name):
    """An access outside memory faults at the stub's access with every register as before the
    instruction once the parked temporaries are back (what the fault replay relies on)."""
    regs = [0] * 32
    for i in range(1, 32):
        regs[i] = 0x01010101 * i
    regs[11], regs[12] = 0x20000000, 8
    T._expect(check(runner, [T.fault_case_word(name)], regs, X.Memory(MEM_BASE, T.MEM_SIZE)))


def test_x0_destinations(runner):
    rng = random.Random(f"{T.SEED}-rewrite-x0")
    failures, total = [], 0
    for spec in X.SPECS:
        if spec.family in ("csr", "hwloop", "branch") or spec.sem in ("store", "elw") or not _rewritable(spec.name):
            continue
        for _ in range(5):
            word, regs, mem, _ = T.random_case(spec, rng)
            fields = {k: v for k, v in X.decode(word)[1].items() if k in X.FORMAT_OPERANDS[spec.fmt]}
            fields["rd"] = 0
            if spec.sem == "load" and fields["rs1"] == 0:
                continue
            total += 1
            problem = check(runner, [X.encode(spec.name, **fields)], regs, mem)
            if problem:
                failures.append(problem)
    T.assert_all_agree(failures, total)


def test_runs_of_consecutive_instructions(runner):
    """Random sequences of 2 to 8 rewritten instructions in a row: one stub whose parts follow
    each other, temporaries parked and restored per part, registers flowing between them."""
    rng = random.Random(f"{T.SEED}-rewrite-runs")
    specs = [s for f in STUB_FAMILIES for s in X.SPECS
             if s.family == f and _rewritable(s.name) and s.name not in T._NO_RANDOM and s.name != "p.elw"]
    failures = []
    for _ in range(SEQUENCE_CASES):
        picked = [rng.choice(specs) for _ in range(rng.randrange(2, 9))]
        word, regs, mem, _ = T.random_case(picked[0], rng)
        words = [word] + [T.random_case(s, rng)[0] for s in picked[1:]]
        for i in range(1, 32):  # keep the memory bases of later loads/stores inside memory
            if rng.random() < 0.3:
                regs[i] = MEM_BASE + rng.randrange(0, T.MEM_SIZE - 4)
        problem = check(runner, words, regs, mem)
        if problem:
            failures.append(problem)
    T.assert_all_agree(failures, SEQUENCE_CASES)
