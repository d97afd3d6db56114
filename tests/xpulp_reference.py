"""Independent pure-Python reference for the RI5CY Xpulpv2 + GAP8 instructions (docs/gap8.md §9).

Written from the documentation (docs/gap8.md §9/§10/§12 and the sources that section cites:
GVSoC's instruction table ``isa_riscv_gen.py`` and its semantic library ``isa_lib/int.h`` /
``pulp_v2.hpp`` / ``rvXgap8.hpp``, the RI5CY user manual, the CV32E40P pipeline description),
NOT from mcusim/native/xpulp.c. It is deliberately simple: plain Python integers, one table of
encodings used both to encode (tests build words from mnemonics) and to decode (the executor).

Two parts:

* an encoder: ``encode(mnemonic, **operands) -> int`` for every instruction of §9, and
* a reference executor: ``execute(word, pc, regs, mem, loops, state=None, csrs=None) -> Outcome``
  with the result codes of mcusim/native/xpulp.h (DONE / ILLEGAL / FAULT / ELW).

Readings chosen where the documentation is ambiguous (each also marked ``READING:`` below):

1. Post-increment load with rd == rs1: the loaded value wins (RI5CY/CV32E40P write the
   incremented address from EX and the load data later from WB, so the WB write lands last).
2. A load/store whose accessor fails raises FAULT and changes nothing (no register is written,
   in particular the base register is not incremented).
3. ``N``/``NR`` multiply-accumulate and addN/subN: the operation and the rounding constant are
   computed modulo 2^32 (as GVSoC's int.h does), then shifted (arithmetic for signed, logical
   for unsigned forms). Is3 = 0 adds no rounding constant.
4. p.clip / p.clipu with Is2 = 0: bounds computed with max(Is2 - 1, 0) as GVSoC does, i.e.
   clip to [-1, 0] and clipu to [0, 0].
5. p.extract (signed) when Is2 + width > 32: the field is rs1[31:Is2] and is sign-extended from
   bit 31 (GVSoC lib_BEXTRACT clips the width). p.extractu / p.insert / p.bclr / p.bset: the
   mask ((1 << width) - 1) << pos is simply truncated to 32 bits.
6. pv.avg / pv.avgu and the GAP8 .div2/.div4 ops: the lane sum/difference wraps to the lane
   width before the arithmetic (avg, div) or logical (avgu) shift right — the carry out of the
   lane is lost (GVSoC VEC_EXPR/VEC_OP_DIVn; RI5CY lane adders are lane-wide).
7. pv.extract/extractu/insert use imm[0] (.h) or imm[1:0] (.b) as the lane index.
8. Vector shifts use the low log2(lane width) bits of each shift amount (GVSoC masks with 0xF
   for .h and 0x7 for .b).
9. .sci immediates are sign-extended for signed operations and zero-extended for unsigned ones
   (avgu, minu, maxu, srl, sll, cmp*u, dotup/sdotup, shuffle, extract/insert) — GVSoC table
   (RRS vs RRU formats), RI5CY decoder IMMB_VS/IMMB_VU.
10. pv.cplxmul.s.sc / .sci: the scalar is the sign-extended low half of rs2 (resp. the
    sign-extended imm6) replicated into both the real and the imaginary part, as for every
    other .sc/.sci operation; both 16-bit result halves are truncated. (GVSoC's
    lib_CPLXMULS_SC uses the whole 32-bit rs2 and forgets to truncate the real half; that is
    taken as a GVSoC defect, not as the architecture.)
11. pv.vitop.max sets two hidden flags (vf0 = ah <= bh, vf1 = al <= bl) that pv.vitop.sel reads;
    they are part of the core state (``XpulpState``).
12. p.clipr / p.clipur are only defined here for rs2 >= 0 (tests do not use negative bounds).
13. p.ror rotates by rs2[4:0].
"""

from __future__ import annotations

from dataclasses import dataclass, field

MASK32 = 0xFFFFFFFF

# Result codes (mcusim/native/xpulp.h, enum mcs_xpulp_result).
DONE = 0
ILLEGAL = 1
FAULT = 2
ELW = 3


# ----------------------------------------------------------------------------------------------
# bit helpers
# ----------------------------------------------------------------------------------------------

def sext(value: int, bits: int) -> int:
    """Two's-complement value of the low `bits` bits of `value`."""
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def u32(value: int) -> int:
    return value & MASK32


def s32(value: int) -> int:
    return sext(value, 32)


def lanes(value: int, width: int) -> list[int]:
    """Unsigned lanes of a 32-bit value, lane 0 = least significant."""
    m = (1 << width) - 1
    return [(value >> (i * width)) & m for i in range(32 // width)]


def pack(values, width: int) -> int:
    m = (1 << width) - 1
    r = 0
    for i, v in enumerate(values):
        r |= (v & m) << (i * width)
    return r


# ----------------------------------------------------------------------------------------------
# encoding table
# ----------------------------------------------------------------------------------------------

OPC_MASK = 0x7F
F3_MASK = 0x7 << 12
F7_MASK = 0x7F << 25
F6_MASK = 0x3F << 26
F2_MASK = 0x3 << 30
RS2_MASK = 0x1F << 20
HWLOOP_ZERO = 0xF << 8  # bits 11:8 are 0000 in every lp.* instruction


@dataclass(frozen=True)
class Spec:
    name: str
    fmt: str  # operand layout, see _FORMATS
    family: str  # test grouping
    sem: str  # semantic function key
    match: int
    mask: int
    extra: tuple = ()  # (key, value) pairs for the semantic function

    def param(self, key, default=None):
        for k, v in self.extra:
            if k == key:
                return v
        return default


SPECS: list[Spec] = []
BY_NAME: dict[str, Spec] = {}


def _add(name, fmt, family, sem, *, opcode, f3, f7=None, f6=None, f2=None, rs2=None,
         extra_mask=0, **extra):
    match = opcode | (f3 << 12)
    mask = OPC_MASK | F3_MASK | extra_mask
    if f7 is not None:
        match |= f7 << 25
        mask |= F7_MASK
    if f6 is not None:
        match |= f6 << 26
        mask |= F6_MASK
    if f2 is not None:
        match |= f2 << 30
        mask |= F2_MASK
    if rs2 is not None:
        match |= rs2 << 20
        mask |= RS2_MASK
    assert name not in BY_NAME, name
    spec = Spec(name, fmt, family, sem, match, mask, tuple(sorted(extra.items())))
    SPECS.append(spec)
    BY_NAME[name] = spec
    return spec


# --- §9.2 loads / stores -------------------------------------------------------------------------
# (name, f3 of the immediate post-increment form, f7 of the register forms, size, signed)
LOADS = [("lb", 0b000, 0b0000000, 1, True), ("lh", 0b001, 0b0001000, 2, True),
         ("lw", 0b010, 0b0010000, 4, True), ("lbu", 0b100, 0b0100000, 1, False),
         ("lhu", 0b101, 0b0101000, 2, False)]
STORES = [("sb", 0b000, 1), ("sh", 0b001, 2), ("sw", 0b010, 4)]

for _n, _f3, _f7, _size, _signed in LOADS:
    _add(f"p.{_n}(imm!)", "I", "loadstore", "load", opcode=0x0B, f3=_f3,
         size=_size, signed=_signed, mode="postinc_imm")
    _add(f"p.{_n}(reg!)", "R", "loadstore", "load", opcode=0x0B, f3=0b111, f7=_f7,
         size=_size, signed=_signed, mode="postinc_reg")
    _add(f"p.{_n}(reg)", "R", "loadstore", "load", opcode=0x03, f3=0b111, f7=_f7,
         size=_size, signed=_signed, mode="regreg")
for _n, _f3, _size in STORES:
    _add(f"p.{_n}(imm!)", "S", "loadstore", "store", opcode=0x2B, f3=_f3, size=_size,
         mode="postinc_imm")
    _add(f"p.{_n}(reg!)", "SR", "loadstore", "store", opcode=0x2B, f3=0b100 | _f3, f7=0,
         size=_size, mode="postinc_reg")
    _add(f"p.{_n}(reg)", "SR", "loadstore", "store", opcode=0x23, f3=0b100 | _f3, f7=0,
         size=_size, mode="regreg")
_add("p.elw", "I", "loadstore", "elw", opcode=0x03, f3=0b110)

# --- §9.3 hardware loops -----------------------------------------------------------------------
_add("lp.starti", "HL_I", "hwloop", "lp", opcode=0x7B, f3=0b000, extra_mask=HWLOOP_ZERO, op="starti")
_add("lp.endi", "HL_I", "hwloop", "lp", opcode=0x7B, f3=0b001, extra_mask=HWLOOP_ZERO, op="endi")
_add("lp.count", "HL_R", "hwloop", "lp", opcode=0x7B, f3=0b010, extra_mask=HWLOOP_ZERO, op="count")
_add("lp.counti", "HL_I", "hwloop", "lp", opcode=0x7B, f3=0b011, extra_mask=HWLOOP_ZERO, op="counti")
_add("lp.setup", "HL_RI", "hwloop", "lp", opcode=0x7B, f3=0b100, extra_mask=HWLOOP_ZERO, op="setup")
_add("lp.setupi", "HL_II", "hwloop", "lp", opcode=0x7B, f3=0b101, extra_mask=HWLOOP_ZERO, op="setupi")

# --- §9.4 scalar ALU / bit manipulation (opcode 0x33) ------------------------------------------
_add("p.abs", "R1", "alu", "alu1", opcode=0x33, f3=0b000, f7=0b0000010, rs2=0, op="abs")
for _n, _f3 in [("p.avgu", 1), ("p.slet", 2), ("p.sletu", 3), ("p.min", 4), ("p.minu", 5),
                ("p.max", 6), ("p.maxu", 7)]:
    _add(_n, "R", "alu", "alu2", opcode=0x33, f3=_f3, f7=0b0000010, op=_n[2:])
_add("p.ror", "R", "alu", "alu2", opcode=0x33, f3=0b101, f7=0b0000100, op="ror")
for _n, _f3 in [("p.ff1", 0), ("p.fl1", 1), ("p.clb", 2), ("p.cnt", 3), ("p.exths", 4),
                ("p.exthz", 5), ("p.extbs", 6), ("p.extbz", 7)]:
    _add(_n, "R1", "alu", "alu1", opcode=0x33, f3=_f3, f7=0b0001000, rs2=0, op=_n[2:])
_add("p.clip", "RI5", "clip", "clip", opcode=0x33, f3=0b001, f7=0b0001010, op="clip")
_add("p.clipu", "RI5", "clip", "clip", opcode=0x33, f3=0b010, f7=0b0001010, op="clipu")
_add("p.clipr", "R", "clip", "clip", opcode=0x33, f3=0b101, f7=0b0001010, op="clipr")
_add("p.clipur", "R", "clip", "clip", opcode=0x33, f3=0b110, f7=0b0001010, op="clipur")
for _n, _f3 in [("extract", 0), ("extractu", 1), ("insert", 2), ("bclr", 3), ("bset", 4)]:
    _add(f"p.{_n}", "BM", "bitmanip", "bitmanip", opcode=0x33, f3=_f3, f2=0b11, op=_n, reg=False)
    _add(f"p.{_n}r", "R", "bitmanip", "bitmanip", opcode=0x33, f3=_f3, f7=0b1000000, op=_n,
         reg=True)
_add("p.mac", "R", "mac", "mac", opcode=0x33, f3=0b000, f7=0b0100001, op="mac")
_add("p.msu", "R", "mac", "mac", opcode=0x33, f3=0b001, f7=0b0100001, op="msu")
_add("p.beqimm", "BI", "branch", "bimm", opcode=0x63, f3=0b010, op="eq")
_add("p.bneimm", "BI", "branch", "bimm", opcode=0x63, f3=0b011, op="ne")

# --- §9.5 mul/mac with shift, addN/subN (opcode 0x5B) ------------------------------------------
# f2: 00 = unsigned low halves, 01 = unsigned high halves, 10 = signed low, 11 = signed high
for _f2, _n in [(0b00, "u"), (0b01, "hhu"), (0b10, "s"), (0b11, "hhs")]:
    _add(f"p.mul{_n}N", "RN", "muln", "muln", opcode=0x5B, f3=0b000, f2=_f2, mac=False, rnd=False)
    _add(f"p.mul{_n}NR", "RN", "muln", "muln", opcode=0x5B, f3=0b100, f2=_f2, mac=False, rnd=True)
    _add(f"p.mac{_n}N", "RN", "muln", "muln", opcode=0x5B, f3=0b001, f2=_f2, mac=True, rnd=False)
    _add(f"p.mac{_n}NR", "RN", "muln", "muln", opcode=0x5B, f3=0b101, f2=_f2, mac=True, rnd=True)
for _f3, _op, _rnd in [(0b010, "add", False), (0b110, "add", True), (0b011, "sub", False),
                       (0b111, "sub", True)]:
    _r = "R" if _rnd else ""
    _add(f"p.{_op}{_r}N", "RN", "addn", "addn", opcode=0x5B, f3=_f3, f2=0b00, op=_op,
         rnd=_rnd, uns=False, reg=False)
    _add(f"p.{_op}u{_r}N", "RN", "addn", "addn", opcode=0x5B, f3=_f3, f2=0b10, op=_op,
         rnd=_rnd, uns=True, reg=False)
    _add(f"p.{_op}{_r}Nr", "R", "addn", "addn", opcode=0x5B, f3=_f3, f7=0b0100000, op=_op,
         rnd=_rnd, uns=False, reg=True)
    _add(f"p.{_op}u{_r}Nr", "R", "addn", "addn", opcode=0x5B, f3=_f3, f7=0b1100000, op=_op,
         rnd=_rnd, uns=True, reg=True)

# --- §9.6 packed SIMD (opcode 0x57) ------------------------------------------------------------
# f3: 000 .h, 001 .b, 100 .h.sc, 101 .b.sc, 110 .h.sci, 111 .b.sci
VMODES = [("h", 0b000, 16, ""), ("b", 0b001, 8, ""), ("h.sc", 0b100, 16, "sc"),
          ("b.sc", 0b101, 8, "sc"), ("h.sci", 0b110, 16, "sci"), ("b.sci", 0b111, 8, "sci")]
# op: (funct6, family, signed immediate?)
VOPS = {
    "add": (0b000000, "simd_alu", True), "sub": (0b000010, "simd_alu", True),
    "avg": (0b000100, "simd_alu", True), "avgu": (0b000110, "simd_alu", False),
    "min": (0b001000, "simd_alu", True), "minu": (0b001010, "simd_alu", False),
    "max": (0b001100, "simd_alu", True), "maxu": (0b001110, "simd_alu", False),
    "srl": (0b010000, "simd_shift", False), "sra": (0b010010, "simd_shift", True),
    "sll": (0b010100, "simd_shift", False),
    "or": (0b010110, "simd_alu", True), "xor": (0b011000, "simd_alu", True),
    "and": (0b011010, "simd_alu", True),
    "cmpeq": (0b000001, "simd_cmp", True), "cmpne": (0b000011, "simd_cmp", True),
    "cmpgt": (0b000101, "simd_cmp", True), "cmpge": (0b000111, "simd_cmp", True),
    "cmplt": (0b001001, "simd_cmp", True), "cmple": (0b001011, "simd_cmp", True),
    "cmpgtu": (0b001101, "simd_cmp", False), "cmpgeu": (0b001111, "simd_cmp", False),
    "cmpltu": (0b010001, "simd_cmp", False), "cmpleu": (0b010011, "simd_cmp", False),
    "dotup": (0b100000, "simd_dot", False), "dotusp": (0b100010, "simd_dot", True),
    "dotsp": (0b100110, "simd_dot", True), "sdotup": (0b101000, "simd_dot", False),
    "sdotusp": (0b101010, "simd_dot", True), "sdotsp": (0b101110, "simd_dot", True),
}
for _op, (_f6, _fam, _simm) in VOPS.items():
    for _suffix, _f3, _w, _mode in VMODES:
        _add(f"pv.{_op}.{_suffix}", "VI" if _mode == "sci" else "R", _fam, "vop",
             opcode=0x57, f3=_f3, f6=_f6, op=_op, width=_w, mode=_mode, simm=_simm)
_add("pv.abs.h", "R1", "simd_alu", "vabs", opcode=0x57, f3=0b000, f7=0b0111000, width=16)
_add("pv.abs.b", "R1", "simd_alu", "vabs", opcode=0x57, f3=0b001, f7=0b0111000, width=8)
for _n, _f6 in [("extract", 0b011110), ("extractu", 0b100100), ("insert", 0b101100)]:
    _add(f"pv.{_n}.h", "VI", "simd_shuffle", "vext", opcode=0x57, f3=0b110, f6=_f6, op=_n, width=16)
    _add(f"pv.{_n}.b", "VI", "simd_shuffle", "vext", opcode=0x57, f3=0b111, f6=_f6, op=_n, width=8)
_add("pv.shuffle.h", "R", "simd_shuffle", "shuffle", opcode=0x57, f3=0b000, f6=0b110000, width=16)
_add("pv.shuffle.b", "R", "simd_shuffle", "shuffle", opcode=0x57, f3=0b001, f6=0b110000, width=8)
_add("pv.shuffle.h.sci", "VI", "simd_shuffle", "shuffle_sci", opcode=0x57, f3=0b110, f6=0b110000,
     top=None)
for _k, _f6 in enumerate([0b110000, 0b111010, 0b111100, 0b111110]):
    _add(f"pv.shufflei{_k}.b.sci", "VI", "simd_shuffle", "shuffle_sci", opcode=0x57, f3=0b111,
         f6=_f6, top=_k)
_add("pv.shuffle2.h", "R", "simd_shuffle", "shuffle2", opcode=0x57, f3=0b000, f6=0b110010, width=16)
_add("pv.shuffle2.b", "R", "simd_shuffle", "shuffle2", opcode=0x57, f3=0b001, f6=0b110010, width=8)
_add("pv.pack.h", "R", "simd_shuffle", "pack", opcode=0x57, f3=0b000, f6=0b110100, op="pack.h")
_add("pv.packhi.b", "R", "simd_shuffle", "pack", opcode=0x57, f3=0b001, f6=0b110110, op="packhi.b")
_add("pv.packlo.b", "R", "simd_shuffle", "pack", opcode=0x57, f3=0b001, f6=0b111000, op="packlo.b")

# --- §9.6 GAP8-only additions ------------------------------------------------------------------
_add("pv.cplxmul.s", "R", "gap8", "cplxmul", opcode=0x57, f3=0b000, f6=0b010101, div=0, mode="")
_add("pv.cplxmul.s.div2", "R", "gap8", "cplxmul", opcode=0x57, f3=0b010, f7=0b0101010, div=1, mode="")
_add("pv.cplxmul.s.div4", "R", "gap8", "cplxmul", opcode=0x57, f3=0b010, f7=0b0101011, div=2, mode="")
_add("pv.cplxmul.s.sc", "R", "gap8", "cplxmul", opcode=0x57, f3=0b100, f6=0b010101, div=0, mode="sc")
_add("pv.cplxmul.s.sci", "VI", "gap8", "cplxmul", opcode=0x57, f3=0b110, f6=0b010101, div=0,
     mode="sci")
_add("pv.cplxconj.h", "R1", "gap8", "cplxconj", opcode=0x57, f3=0b000, f7=0b0101110, rs2=0)
_add("pv.subrotmj.h", "R", "gap8", "subrotmj", opcode=0x57, f3=0b000, f6=0b011011, div=0)
_add("pv.subrotmj.h.div2", "R", "gap8", "subrotmj", opcode=0x57, f3=0b010, f7=0b0110110, div=1)
_add("pv.subrotmj.h.div4", "R", "gap8", "subrotmj", opcode=0x57, f3=0b010, f7=0b0110111, div=2)
for _w, _f3 in [(16, 0b010), (8, 0b011)]:
    _l = "h" if _w == 16 else "b"
    _add(f"pv.add.{_l}.div2", "R", "gap8", "vdiv", opcode=0x57, f3=_f3, f7=0b0000000, op="add",
         width=_w, div=1)
    _add(f"pv.add.{_l}.div4", "R", "gap8", "vdiv", opcode=0x57, f3=_f3, f7=0b0000001, op="add",
         width=_w, div=2)
    _add(f"pv.sub.{_l}.div2", "R", "gap8", "vdiv", opcode=0x57, f3=_f3, f7=0b0000100, op="sub",
         width=_w, div=1)
    _add(f"pv.sub.{_l}.div4", "R", "gap8", "vdiv", opcode=0x57, f3=_f3, f7=0b0000101, op="sub",
         width=_w, div=2)
_add("pv.vitop.max", "R", "gap8", "vitop", opcode=0x57, f3=0b001, f6=0b011001, op="max")
_add("pv.vitop.sel", "R", "gap8", "vitop", opcode=0x57, f3=0b000, f6=0b011001, op="sel")
_add("pv.pack.h.h", "R", "gap8", "pack", opcode=0x57, f3=0b110, f6=0b110100, op="pack.h.h")
_add("pv.pack.h.l", "R", "gap8", "pack", opcode=0x57, f3=0b100, f6=0b110100, op="pack.h.l")

# --- CSR instructions (handled for the hardware-loop CSRs and io-served CSRs; xpulp.h) -----------
for _n, _f3 in [("csrrw", 1), ("csrrs", 2), ("csrrc", 3)]:
    _add(_n, "CSR", "csr", "csr", opcode=0x73, f3=_f3, op=_n[3:], imm=False)
for _n, _f3 in [("csrrwi", 5), ("csrrsi", 6), ("csrrci", 7)]:
    _add(_n, "CSRI", "csr", "csr", opcode=0x73, f3=_f3, op=_n[3:5], imm=True)

HWLOOP_CSRS = {0x7C0: ("start", 0), 0x7C1: ("end", 0), 0x7C2: ("count", 0),
               0x7C4: ("start", 1), 0x7C5: ("end", 1), 0x7C6: ("count", 1)}

# Operand names of each format (the order used by encode()'s positional arguments).
FORMAT_OPERANDS = {
    "R": ("rd", "rs1", "rs2"), "R1": ("rd", "rs1"), "I": ("rd", "rs1", "imm"),
    "S": ("rs2", "rs1", "imm"), "SR": ("rs2", "rs1", "rs3"), "RI5": ("rd", "rs1", "imm"),
    "BM": ("rd", "rs1", "is3", "is2"), "RN": ("rd", "rs1", "rs2", "is3"),
    "BI": ("rs1", "imm", "offset"), "VI": ("rd", "rs1", "imm"),
    "HL_I": ("L", "uimm"), "HL_R": ("L", "rs1"), "HL_RI": ("L", "rs1", "uimm"),
    "HL_II": ("L", "uimm", "uimms"), "CSR": ("rd", "rs1", "csr"), "CSRI": ("rd", "uimm", "csr"),
}


def _reg(v):
    assert 0 <= v < 32, v
    return v


def _fields(fmt: str, ops: dict) -> int:
    """Operand bits of one instruction (everything that is not part of Spec.match)."""
    w = 0
    if fmt in ("R", "R1", "I", "RI5", "BM", "RN", "VI", "CSR", "CSRI"):
        w |= _reg(ops["rd"]) << 7
    if fmt in ("R", "R1", "I", "S", "SR", "RI5", "BM", "RN", "BI", "VI", "HL_R", "HL_RI", "CSR"):
        w |= _reg(ops["rs1"]) << 15
    if fmt in ("R", "S", "SR", "RN"):
        w |= _reg(ops["rs2"]) << 20
    if fmt == "I":
        imm = ops["imm"]
        assert -2048 <= imm < 2048, imm
        w |= (imm & 0xFFF) << 20
    elif fmt == "S":
        imm = ops["imm"]
        assert -2048 <= imm < 2048, imm
        w |= ((imm >> 5) & 0x7F) << 25 | (imm & 0x1F) << 7
    elif fmt == "SR":
        w |= _reg(ops["rs3"]) << 7
    elif fmt == "RI5":
        assert 0 <= ops["imm"] < 32
        w |= ops["imm"] << 20
    elif fmt == "BM":
        assert 0 <= ops["is3"] < 32 and 0 <= ops["is2"] < 32
        w |= ops["is3"] << 25 | ops["is2"] << 20
    elif fmt == "RN":
        assert 0 <= ops["is3"] < 32
        w |= ops["is3"] << 25
    elif fmt == "BI":
        imm, off = ops["imm"], ops["offset"]
        assert -16 <= imm < 16 and off % 2 == 0 and -4096 <= off < 4096
        w |= (imm & 0x1F) << 20
        w |= ((off >> 12) & 1) << 31 | ((off >> 5) & 0x3F) << 25
        w |= ((off >> 1) & 0xF) << 8 | ((off >> 11) & 1) << 7
    elif fmt == "VI":
        imm = ops["imm"] & 0x3F  # 6-bit immediate, {bits 24:20, bit 25} = imm[5:1], imm[0]
        w |= (imm & 1) << 25 | (imm >> 1) << 20
    elif fmt.startswith("HL"):
        assert ops["L"] in (0, 1)
        w |= ops["L"] << 7
        if fmt in ("HL_I", "HL_RI", "HL_II"):
            assert 0 <= ops["uimm"] < 4096
            w |= ops["uimm"] << 20
        if fmt == "HL_II":
            assert 0 <= ops["uimms"] < 32
            w |= ops["uimms"] << 15
    if fmt in ("CSR", "CSRI"):
        assert 0 <= ops["csr"] < 4096
        w |= ops["csr"] << 20
    if fmt == "CSRI":
        assert 0 <= ops["uimm"] < 32
        w |= ops["uimm"] << 15
    return w


def encode(mnemonic: str, *args, **ops) -> int:
    """32-bit word of `mnemonic` with the given operands (positional in FORMAT_OPERANDS order,
    or by name). Example: encode("p.lw(imm!)", rd=10, rs1=11, imm=4) == 0x0045a50b."""
    spec = BY_NAME[mnemonic]
    names = FORMAT_OPERANDS[spec.fmt]
    if args:
        assert len(args) <= len(names)
        ops = {**dict(zip(names, args)), **ops}
    missing = set(names) - set(ops)
    assert not missing, (mnemonic, missing)
    return spec.match | _fields(spec.fmt, ops)


def decode(word: int) -> tuple[Spec, dict] | None:
    """(spec, operands) of a word, or None if it is not one of the instructions above."""
    word &= MASK32
    for spec in SPECS:
        if word & spec.mask == spec.match:
            return spec, _operands(spec.fmt, word)
    return None


def _operands(fmt: str, w: int) -> dict:
    rd, rs1, rs2 = (w >> 7) & 31, (w >> 15) & 31, (w >> 20) & 31
    if fmt == "R":
        return {"rd": rd, "rs1": rs1, "rs2": rs2}
    if fmt == "R1":
        return {"rd": rd, "rs1": rs1}
    if fmt == "I":
        return {"rd": rd, "rs1": rs1, "imm": sext(w >> 20, 12)}
    if fmt == "S":
        return {"rs2": rs2, "rs1": rs1, "imm": sext(((w >> 25) << 5) | ((w >> 7) & 31), 12)}
    if fmt == "SR":
        return {"rs2": rs2, "rs1": rs1, "rs3": rd}
    if fmt == "RI5":
        return {"rd": rd, "rs1": rs1, "imm": rs2}
    if fmt == "BM":
        return {"rd": rd, "rs1": rs1, "is3": (w >> 25) & 31, "is2": rs2}
    if fmt == "RN":
        return {"rd": rd, "rs1": rs1, "rs2": rs2, "is3": (w >> 25) & 31}
    if fmt == "BI":
        off = (((w >> 31) & 1) << 12 | ((w >> 7) & 1) << 11 | ((w >> 25) & 0x3F) << 5
               | ((w >> 8) & 0xF) << 1)
        return {"rs1": rs1, "imm": sext(rs2, 5), "offset": sext(off, 13)}
    if fmt == "VI":
        return {"rd": rd, "rs1": rs1, "imm": (rs2 << 1) | ((w >> 25) & 1)}
    if fmt.startswith("HL"):
        return {"L": (w >> 7) & 1, "rs1": rs1, "uimm": (w >> 20) & 0xFFF, "uimms": rs1}
    if fmt == "CSR":
        return {"rd": rd, "rs1": rs1, "csr": (w >> 20) & 0xFFF}
    if fmt == "CSRI":
        return {"rd": rd, "uimm": rs1, "csr": (w >> 20) & 0xFFF}
    raise AssertionError(fmt)


# ----------------------------------------------------------------------------------------------
# machine state used by the reference executor
# ----------------------------------------------------------------------------------------------

class Memory:
    """Little-endian byte memory [base, base + size); accesses outside it fail."""

    def __init__(self, base: int, size: int, data: bytes | None = None):
        self.base = base
        self.data = bytearray(data if data is not None else bytes(size))
        assert len(self.data) == size

    def copy(self) -> "Memory":
        return Memory(self.base, len(self.data), bytes(self.data))

    def contains(self, address: int, size: int) -> bool:
        return self.base <= address and address + size <= self.base + len(self.data)

    def load(self, address: int, size: int) -> int | None:
        if not self.contains(address, size):
            return None
        o = address - self.base
        return int.from_bytes(self.data[o:o + size], "little")

    def store(self, address: int, size: int, value: int) -> bool:
        if not self.contains(address, size):
            return False
        o = address - self.base
        self.data[o:o + size] = (value & ((1 << (8 * size)) - 1)).to_bytes(size, "little")
        return True


@dataclass
class HwLoops:
    start: list = field(default_factory=lambda: [0, 0])
    end: list = field(default_factory=lambda: [0, 0])
    count: list = field(default_factory=lambda: [0, 0])

    def copy(self) -> "HwLoops":
        return HwLoops(list(self.start), list(self.end), list(self.count))

    def as_tuple(self):
        return (tuple(self.start), tuple(self.end), tuple(self.count))


@dataclass
class XpulpState:
    """Core state beyond registers: the Viterbi flags of pv.vitop.max (READING 11)."""
    vf0: int = 0
    vf1: int = 0


@dataclass
class Outcome:
    result: int
    next_pc: int = 0
    fault_address: int = 0
    elw_address: int = 0
    elw_rd: int = 0


# ----------------------------------------------------------------------------------------------
# the reference executor
# ----------------------------------------------------------------------------------------------

def execute(word: int, pc: int, regs: list, mem: Memory, loops: HwLoops,
            state: XpulpState | None = None, csrs: dict | None = None) -> Outcome:
    """Execute one instruction. `regs` (32 ints, regs[0] == 0) and `mem`, `loops`, `state`,
    `csrs` (io-served CSRs: {number: value}; absent = does not exist) are updated in place."""
    decoded = decode(word)
    if decoded is None:
        return Outcome(ILLEGAL)
    spec, ops = decoded
    state = state if state is not None else XpulpState()
    csrs = csrs if csrs is not None else {}

    def r(i):
        return regs[i] & MASK32 if i else 0

    def w(i, v):
        if i:  # x0 is never written
            regs[i] = v & MASK32

    nxt = u32(pc + 4)
    sem = spec.sem
    P = spec.param

    if sem == "load":
        size, signed, mode = P("size"), P("signed"), P("mode")
        base = r(ops["rs1"])
        if mode == "regreg":
            addr = u32(base + r(ops["rs2"]))
        else:
            addr = base
        value = mem.load(addr, size)
        if value is None:
            return Outcome(FAULT, fault_address=addr)  # READING 2: nothing written
        if signed:
            value = u32(sext(value, 8 * size))
        if mode == "postinc_imm":
            w(ops["rs1"], base + ops["imm"])
        elif mode == "postinc_reg":
            w(ops["rs1"], base + r(ops["rs2"]))
        w(ops["rd"], value)  # READING 1: written last, so the loaded value wins if rd == rs1
        return Outcome(DONE, nxt)

    if sem == "store":
        size, mode = P("size"), P("mode")
        base = r(ops["rs1"])
        value = r(ops["rs2"])
        addr = u32(base + r(ops["rs3"])) if mode == "regreg" else base
        if not mem.store(addr, size, value):
            return Outcome(FAULT, fault_address=addr)
        if mode == "postinc_imm":
            w(ops["rs1"], base + ops["imm"])
        elif mode == "postinc_reg":
            w(ops["rs1"], base + r(ops["rs3"]))
        return Outcome(DONE, nxt)

    if sem == "elw":
        return Outcome(ELW, nxt, elw_address=u32(r(ops["rs1"]) + ops["imm"]), elw_rd=ops["rd"])

    if sem == "lp":
        op, L = P("op"), ops["L"]
        if op == "starti":
            loops.start[L] = u32(pc + (ops["uimm"] << 1))
        elif op == "endi":
            loops.end[L] = u32(pc + (ops["uimm"] << 1))
        elif op == "count":
            loops.count[L] = r(ops["rs1"])
        elif op == "counti":
            loops.count[L] = ops["uimm"]
        elif op == "setup":
            loops.start[L] = u32(pc + 4)
            loops.end[L] = u32(pc + (ops["uimm"] << 1))
            loops.count[L] = r(ops["rs1"])
        elif op == "setupi":
            loops.start[L] = u32(pc + 4)
            loops.end[L] = u32(pc + (ops["uimms"] << 1))
            loops.count[L] = ops["uimm"]
        return Outcome(DONE, nxt)

    if sem == "bimm":
        a = s32(r(ops["rs1"]))
        taken = (a == ops["imm"]) if P("op") == "eq" else (a != ops["imm"])
        return Outcome(DONE, u32(pc + ops["offset"]) if taken else nxt)

    if sem == "csr":
        return _csr(spec, ops, regs, loops, csrs, nxt)

    # everything else writes rd from register operands
    w(ops["rd"], _compute(spec, ops, r, state))
    return Outcome(DONE, nxt)


def _csr(spec, ops, regs, loops, csrs, nxt):
    num = ops["csr"]
    op = spec.param("op")
    if spec.param("imm"):
        src, writes = ops["uimm"], (op == "rw" or ops["uimm"] != 0)
    else:
        src = regs[ops["rs1"]] & MASK32 if ops["rs1"] else 0
        writes = op == "rw" or ops["rs1"] != 0
    if writes and (num >> 10) == 0b11:
        return Outcome(ILLEGAL)  # RISC-V privileged spec: csr[11:10] == 11 is read-only
    if num in HWLOOP_CSRS:
        kind, idx = HWLOOP_CSRS[num]
        old = getattr(loops, kind)[idx]
    elif num in csrs:
        old = csrs[num]
    else:
        return Outcome(ILLEGAL)
    new = src if op == "rw" else (old | src) if op == "rs" else (old & ~src & MASK32)
    if writes:
        if num in HWLOOP_CSRS:
            getattr(loops, kind)[idx] = new & MASK32
        else:
            csrs[num] = new & MASK32
    if ops["rd"]:
        regs[ops["rd"]] = old & MASK32
    return Outcome(DONE, nxt)


def _ff1(a):
    return 32 if a == 0 else (a & -a).bit_length() - 1


def _fl1(a):
    return 32 if a == 0 else a.bit_length() - 1


def _clb(a):
    # number of bits after the sign bit equal to it (GCC __builtin_clrsb); clb(0) = 0 (§9.4)
    if a == 0:
        return 0
    sign = a >> 31
    n = 0
    for bit in range(30, -1, -1):
        if (a >> bit) & 1 == sign:
            n += 1
        else:
            break
    return n


def _clip(a, low, high):
    return low if a < low else high if a > high else a


def _clipu(a, high):
    # GVSoC lib_CLIPU order: above high -> high, else <= 0 -> 0
    return high if a > high else 0 if a <= 0 else a


def _compute(spec: Spec, ops: dict, r, state: XpulpState) -> int:
    sem, P = spec.sem, spec.param
    rd_old = r(ops["rd"])
    a = r(ops["rs1"])
    b = r(ops["rs2"]) if "rs2" in ops else 0

    if sem == "alu1":
        op = P("op")
        if op == "abs":
            return abs(s32(a))
        if op == "ff1":
            return _ff1(a)
        if op == "fl1":
            return _fl1(a)
        if op == "clb":
            return _clb(a)
        if op == "cnt":
            return bin(a).count("1")
        if op == "exths":
            return sext(a, 16)
        if op == "exthz":
            return a & 0xFFFF
        if op == "extbs":
            return sext(a, 8)
        if op == "extbz":
            return a & 0xFF

    if sem == "alu2":
        op = P("op")
        if op == "avgu":
            return u32(a + b) >> 1  # carry lost (READING 6, scalar analogue)
        if op == "slet":
            return int(s32(a) <= s32(b))
        if op == "sletu":
            return int(a <= b)
        if op == "min":
            return min(s32(a), s32(b))
        if op == "minu":
            return min(a, b)
        if op == "max":
            return max(s32(a), s32(b))
        if op == "maxu":
            return max(a, b)
        if op == "ror":
            n = b & 31  # READING 13
            return ((a >> n) | (a << (32 - n))) & MASK32 if n else a

    if sem == "clip":
        op = P("op")
        x = s32(a)
        if op in ("clip", "clipu"):
            e = max(ops["imm"] - 1, 0)  # READING 4
            if op == "clip":
                return _clip(x, -(1 << e), (1 << e) - 1)
            return _clipu(x, (1 << e) - 1)
        bound = s32(b)
        if op == "clipr":
            return _clip(x, -bound - 1, bound)
        return _clipu(x, bound)

    if sem == "bitmanip":
        op = P("op")
        if P("reg"):
            width, pos = ((b >> 5) & 31) + 1, b & 31
        else:
            width, pos = ops["is3"] + 1, ops["is2"]
        mask = (((1 << width) - 1) << pos) & MASK32
        if op == "extract":
            bits = min(width, 32 - pos)  # READING 5
            return sext(a >> pos, bits)
        if op == "extractu":
            return (a & mask) >> pos
        if op == "insert":
            return (rd_old & ~mask) | ((a << pos) & mask)
        if op == "bclr":
            return a & ~mask
        if op == "bset":
            return a | mask

    if sem == "mac":
        return rd_old + a * b if P("op") == "mac" else rd_old - a * b

    if sem == "muln":
        f2 = (spec.match >> 30) & 3
        signed, high = f2 >> 1, f2 & 1
        sh = ops["is3"]
        x = (a >> 16) if high else a & 0xFFFF
        y = (b >> 16) if high else b & 0xFFFF
        prod = sext(x, 16) * sext(y, 16) if signed else x * y
        v = prod + (rd_old if P("mac") else 0)
        if P("rnd") and sh > 0:
            v += 1 << (sh - 1)
        v = u32(v)  # READING 3
        return (s32(v) >> sh) if signed else (v >> sh)

    if sem == "addn":
        if P("reg"):
            x, y, sh = rd_old, a, b & 31
        else:
            x, y, sh = a, b, ops["is3"]
        v = x + y if P("op") == "add" else x - y
        if P("rnd") and sh > 0:
            v += 1 << (sh - 1)
        v = u32(v)  # READING 3
        return (v >> sh) if P("uns") else (s32(v) >> sh)

    if sem == "vop":
        return _vop(P("op"), P("width"), P("mode"), P("simm"), a, ops, r, rd_old)

    if sem == "vabs":
        wd = P("width")
        return pack([abs(sext(x, wd)) for x in lanes(a, wd)], wd)

    if sem == "vext":
        wd, op = P("width"), P("op")
        idx = ops["imm"] & (1 if wd == 16 else 3)  # READING 7
        la = lanes(a, wd)
        if op == "extract":
            return sext(la[idx], wd)
        if op == "extractu":
            return la[idx]
        ld = lanes(rd_old, wd)
        ld[idx] = la[0]
        return pack(ld, wd)

    if sem == "shuffle":
        wd = P("width")
        la = lanes(a, wd)
        sel = 1 if wd == 16 else 3
        return pack([la[x & sel] for x in lanes(b, wd)], wd)

    if sem == "shuffle_sci":
        imm, top = ops["imm"], P("top")
        if top is None:  # pv.shuffle.h.sci: lane i from imm bit i
            la = lanes(a, 16)
            return pack([la[(imm >> i) & 1] for i in range(2)], 16)
        la = lanes(a, 8)  # pv.shufflei{top}.b.sci: lanes 0..2 from imm bit pairs, lane 3 = a[top]
        return pack([la[(imm >> (2 * i)) & 3] for i in range(3)] + [la[top]], 8)

    if sem == "shuffle2":
        wd = P("width")
        la, ld = lanes(a, wd), lanes(rd_old, wd)
        sel, src = (1, 2) if wd == 16 else (3, 4)
        return pack([(la if x & src else ld)[x & sel] for x in lanes(b, wd)], wd)

    if sem == "pack":
        op = P("op")
        if op in ("pack.h", "pack.h.l"):
            return ((a & 0xFFFF) << 16) | (b & 0xFFFF)
        if op == "pack.h.h":
            return (a & 0xFFFF0000) | (b >> 16)
        if op == "packhi.b":
            return ((a & 0xFF) << 24) | ((b & 0xFF) << 16) | (rd_old & 0xFFFF)
        if op == "packlo.b":
            return (rd_old & 0xFFFF0000) | ((a & 0xFF) << 8) | (b & 0xFF)

    if sem == "cplxmul":
        mode, div = P("mode"), P("div")
        ar, ai = sext(a, 16), sext(a >> 16, 16)
        if mode == "":
            br, bi = sext(b, 16), sext(b >> 16, 16)
        elif mode == "sc":
            br = bi = sext(b, 16)  # READING 10
        else:
            br = bi = sext(ops["imm"], 6)
        re = (ar * br - ai * bi) >> (15 + div)
        im = (ai * br + ar * bi) >> (15 + div)
        return ((im & 0xFFFF) << 16) | (re & 0xFFFF)

    if sem == "cplxconj":
        return ((-sext(a >> 16, 16) & 0xFFFF) << 16) | (a & 0xFFFF)

    if sem == "subrotmj":
        div = P("div")
        ar, ai = sext(a, 16), sext(a >> 16, 16)
        br, bi = sext(b, 16), sext(b >> 16, 16)
        hi = sext(br - ar, 16) >> div  # READING 6: wrap to the lane, then shift
        lo = sext(ai - bi, 16) >> div
        return ((hi & 0xFFFF) << 16) | (lo & 0xFFFF)

    if sem == "vdiv":
        wd, div = P("width"), P("div")
        out = []
        for x, y in zip(lanes(a, wd), lanes(b, wd)):
            v = sext(x, wd) + sext(y, wd) if P("op") == "add" else sext(x, wd) - sext(y, wd)
            out.append(sext(v, wd) >> div)  # READING 6
        return pack(out, wd)

    if sem == "vitop":
        ah, al = sext(a >> 16, 16), sext(a, 16)
        bh, bl = sext(b >> 16, 16), sext(b, 16)
        if P("op") == "max":
            state.vf0 = int(ah <= bh)
            state.vf1 = int(al <= bl)
            return ((max(ah, bh) & 0xFFFF) << 16) | (max(al, bl) & 0xFFFF)
        hi = bh if state.vf0 else ah
        lo = bl if state.vf1 else al
        return (((hi << 1) | state.vf0) & 0xFFFF) << 16 | (((lo << 1) | state.vf1) & 0xFFFF)

    raise AssertionError(f"no semantics for {spec.name}")


_VCMP = {
    "cmpeq": lambda x, y: x == y, "cmpne": lambda x, y: x != y,
    "cmpgt": lambda x, y: x > y, "cmpge": lambda x, y: x >= y,
    "cmplt": lambda x, y: x < y, "cmple": lambda x, y: x <= y,
}


def _vop(op, wd, mode, simm, a, ops, r, rd_old):
    m = (1 << wd) - 1
    n = 32 // wd
    la = lanes(a, wd)
    if mode == "":
        lb = lanes(r(ops["rs2"]), wd)
    elif mode == "sc":
        lb = [r(ops["rs2"]) & m] * n  # the low lane of rs2, replicated
    else:
        imm = sext(ops["imm"], 6) if simm else ops["imm"]  # READING 9
        lb = [imm & m] * n

    if "dot" in op:
        acc = rd_old if op.startswith("sdot") else 0  # the s-forms accumulate into rd
        kind = op[1:] if op.startswith("sdot") else op
        total = acc
        for x, y in zip(la, lb):
            if kind == "dotup":
                total += x * y
            elif kind == "dotusp":
                total += x * sext(y, wd)
            else:  # dotsp
                total += sext(x, wd) * sext(y, wd)
        return u32(total)

    out = []
    sh = wd - 1  # READING 8: shift amount masked to the lane
    for x, y in zip(la, lb):
        sx, sy = sext(x, wd), sext(y, wd)
        if op == "add":
            v = x + y
        elif op == "sub":
            v = x - y
        elif op == "avg":
            v = sext(sx + sy, wd) >> 1  # READING 6
        elif op == "avgu":
            v = ((x + y) & m) >> 1
        elif op == "min":
            v = min(sx, sy)
        elif op == "minu":
            v = min(x, y)
        elif op == "max":
            v = max(sx, sy)
        elif op == "maxu":
            v = max(x, y)
        elif op == "srl":
            v = x >> (y & sh)
        elif op == "sra":
            v = sx >> (y & sh)
        elif op == "sll":
            v = x << (y & sh)
        elif op == "or":
            v = x | y
        elif op == "xor":
            v = x ^ y
        elif op == "and":
            v = x & y
        elif op in _VCMP:
            v = -1 if _VCMP[op](sx, sy) else 0
        elif op.endswith("u") and op[:-1] in _VCMP:
            v = -1 if _VCMP[op[:-1]](x, y) else 0
        else:
            raise AssertionError(op)
        out.append(v)
    return pack(out, wd)


# The doc's example words (docs/gap8.md §9.2, §9.6, §12).
DOC_EXAMPLES = [
    (("p.lw(imm!)", dict(rd=10, rs1=11, imm=4)), 0x0045A50B),
    (("p.lw(reg!)", dict(rd=10, rs1=11, rs2=12)), 0x20C5F50B),
    (("p.lw(reg)", dict(rd=10, rs1=11, rs2=12)), 0x20C5F503),
    (("p.sw(imm!)", dict(rs2=10, rs1=11, imm=4)), 0x00A5A22B),
    (("p.sw(reg!)", dict(rs2=10, rs1=11, rs3=12)), 0x00A5E62B),
    (("pv.dotsp.h", dict(rd=10, rs1=11, rs2=12)), 0x98C58557),
    (("pv.sdotsp.b", dict(rd=10, rs1=11, rs2=12)), 0xB8C59557),
    (("pv.sdotsp.b.sci", dict(rd=10, rs1=11, imm=5)), 0xBA25F557),
    (("pv.add.h.sci", dict(rd=10, rs1=11, imm=5)), 0x0225E557),
    (("p.mac", dict(rd=10, rs1=11, rs2=12)), 0x42C58533),
    (("lp.setup", dict(L=0, rs1=13, uimm=6)), 0x0066C07B),
]
