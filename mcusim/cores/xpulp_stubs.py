"""RV32IM routines that do what one Xpulpv2/GAP8 instruction does, for the load-time rewrite.

`routine(word)` returns the straight-line RV32 code that has exactly the effect of the custom
instruction `word` (registers and memory), or None when the instruction keeps trapping to the
native executor (mcusim/native/xpulp.c, whose semantics these routines copy and which stays the
reference: tests/test_xpulp_rewrite.py runs every routine against tests/xpulp_reference.py).

Rules every routine follows, because the rest of the engine relies on them:
- Branch-free, so that a routine (plus its return jump) is one translated block: the hot path
  counts one stub block per rewritten instruction executed (hotpath.h).
- Temporaries are integer registers the instruction does not name, parked in the FP register of
  the same number (fmv.w.x) and restored (fmv.x.w): RI5CY has no FPU, so the firmware never
  holds anything there, and a register move costs no memory access.
- At most one data access, and nothing the firmware can see is written before it: if it faults,
  the registers are those before the instruction once the temporaries are restored, and the
  executor can replay the instruction for the fault report (cores/ri5cy.py).
- Writes to x0 are dropped; a load into x0 still makes its access (like the executor).

Kept trapping: hardware-loop set-up and p.elw (executor and event-unit state), CSRs, the
immediate branches (a taken branch must stay one block edge), pv.vitop.* (Viterbi flags in the
executor) and the GAP8 complex-number operations (rare).
"""

from __future__ import annotations

from dataclasses import dataclass

from mcusim.cores import rv32_encode as E

# Temporaries, in the order they are taken: registers a compiler uses last for values that live
# long, so that the fewest distinct FP registers get touched.
_TEMP_ORDER = (31, 30, 29, 28, 7, 6, 5, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16)


@dataclass(frozen=True)
class Routine:
    words: tuple[int, ...]  # prologue (park temporaries), body, epilogue; no return jump
    temps: tuple[int, ...]  # x registers parked in the f register of the same number
    prologue_words: int     # the data access (if any) comes after these


class _Builder:
    """Collects a routine's code and hands out temporaries that avoid its operands."""

    def __init__(self, *operands: int) -> None:
        self.busy = {0, *operands}
        self.temps: list[int] = []
        self.code: list[int] = []

    def temp(self) -> int:
        register = next(r for r in _TEMP_ORDER if r not in self.busy)
        self.busy.add(register)
        self.temps.append(register)
        return register

    def __call__(self, *words) -> None:
        for word in words:
            self.code.extend(word if isinstance(word, list) else [word])

    def routine(self) -> Routine:
        prologue = [E.fmv_w_x(t, t) for t in self.temps]
        epilogue = [E.fmv_x_w(t, t) for t in self.temps]
        return Routine(tuple(prologue + self.code + epilogue), tuple(self.temps), len(prologue))


def _sext(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def _fields(word: int) -> tuple[int, int, int]:
    return (word >> 7) & 31, (word >> 15) & 31, (word >> 20) & 31


def routine(word: int) -> Routine | None:
    """The RV32 routine for the custom instruction ``word``, or None if it keeps trapping."""
    from mcusim.native import xpulp_class, xpulp_mnemonic

    name = xpulp_mnemonic(word)
    if name is None:
        return None
    kind = xpulp_class(word)
    if kind == "load":
        return _load(name, word)
    if kind == "store":
        return _store(name, word)
    if word & 0x7F == 0x5B:
        return _group_5b(word)
    if word & 0x7F == 0x33:
        return _scalar(name, word)
    if word & 0x7F == 0x57:
        return _packed(name, word)
    return None


# ---- loads and stores ---------------------------------------------------------------------

def _access(name: str) -> tuple[int, bool, str]:
    """("p.lbu.rr.postinc") -> (size 1, unsigned, mode "rr.postinc")."""
    kind, mode = name[2:].split(".", 1)
    return {"b": 1, "h": 2, "w": 4}[kind[1]], not kind.endswith("u"), mode


def _load(name: str, word: int) -> Routine:
    size, signed, mode = _access(name)
    rd, rs1, rs2 = _fields(word)
    b = _Builder(rd, rs1, rs2)
    if mode == "rr":  # rd = mem[rs1 + rs2]
        address = b.temp()
        b(E.add(address, rs1, rs2), E.load(size, signed, rd, address))
    elif rd == rs1 and rd != 0:  # post-increment into its own base: the loaded value wins
        b(E.load(size, signed, rd, rs1))
    elif mode == "postinc":  # rd = mem[rs1]; rs1 += imm
        b(E.load(size, signed, rd, rs1))
        if rs1:
            b(E.addi(rs1, rs1, _sext(word >> 20, 12)))
    elif rd == rs2 and rd != 0:  # rr.postinc whose increment the load would overwrite
        value = b.temp()
        b(E.load(size, signed, value, rs1))
        if rs1:
            b(E.add(rs1, rs1, rs2))
        b(E.addi(rd, value, 0))
    else:  # rr.postinc: rd = mem[rs1]; rs1 += rs2
        b(E.load(size, signed, rd, rs1))
        if rs1:
            b(E.add(rs1, rs1, rs2))
    return b.routine()


def _store(name: str, word: int) -> Routine:
    size, _, mode = _access(name)
    rs3, rs1, rs2 = _fields(word)  # rs3 (increment or offset register) sits in the rd field
    b = _Builder(rs3, rs1, rs2)
    if mode == "rr":  # mem[rs1 + rs3] = rs2
        address = b.temp()
        b(E.add(address, rs1, rs3), E.store(size, rs2, address))
        return b.routine()
    b(E.store(size, rs2, rs1))
    if rs1 and mode == "postinc":
        offset = _sext(((word >> 25) << 5) | ((word >> 7) & 31), 12)
        b(E.addi(rs1, rs1, offset))
    elif rs1:
        b(E.add(rs1, rs1, rs3))
    return b.routine()


# ---- scalar ALU (opcode 0x33) --------------------------------------------------------------

def _select(b: _Builder, out: int, condition: int, if_set: int, otherwise: int) -> None:
    """out = condition (0 or 1) ? if_set : otherwise. Clobbers `condition`."""
    scratch = b.temp()
    b(E.sub(condition, 0, condition), E.xor(scratch, if_set, otherwise),
      E.and_(scratch, scratch, condition), E.xor(out, otherwise, scratch))


def _field_mask(width: int, pos: int) -> int:
    return (((1 << min(width, 32)) - 1) << pos) & 0xFFFFFFFF


def _popcount(b: _Builder, out: int, value: int) -> None:
    """out = number of set bits of `value` (SWAR; `value` may equal `out`)."""
    t, m = b.temp(), b.temp()
    b(E.srli(t, value, 1), E.li(m, 0x55555555), E.and_(t, t, m), E.sub(out, value, t),
      E.li(m, 0x33333333), E.srli(t, out, 2), E.and_(t, t, m), E.and_(out, out, m), E.add(out, out, t),
      E.srli(t, out, 4), E.add(out, out, t), E.li(m, 0x0F0F0F0F), E.and_(out, out, m),
      E.li(m, 0x01010101), E.mul(out, out, m), E.srli(out, out, 24))


def _smear_right(b: _Builder, value: int) -> None:
    """value |= value >> 1, >> 2, ... >> 16: every bit below the highest set bit becomes set."""
    t = b.temp()
    for shift in (1, 2, 4, 8, 16):
        b(E.srli(t, value, shift), E.or_(value, value, t))


def _scalar(name: str, word: int) -> Routine | None:
    rd, rs1, rs2 = _fields(word)
    b = _Builder(rd, rs1, rs2)
    if rd == 0:
        return b.routine()  # no register written, nothing else happens
    is3, is2 = (word >> 25) & 31, rs2
    op = name[2:]
    if op == "abs":
        sign = b.temp()
        b(E.srai(sign, rs1, 31), E.xor(rd, rs1, sign), E.sub(rd, rd, sign))
    elif op == "avgu":
        b(E.add(rd, rs1, rs2), E.srli(rd, rd, 1))
    elif op in ("slet", "sletu"):
        compare = E.slt if op == "slet" else E.sltu
        b(compare(rd, rs2, rs1), E.xori(rd, rd, 1))
    elif op in ("min", "minu", "max", "maxu"):
        compare = E.sltu if op.endswith("u") else E.slt
        c = b.temp()
        b(compare(c, rs1, rs2) if op.startswith("min") else compare(c, rs2, rs1))
        _select(b, rd, c, rs1, rs2)
    elif op == "ror":
        low, high = b.temp(), b.temp()
        b(E.srl(low, rs1, rs2), E.sub(high, 0, rs2), E.sll(high, rs1, high), E.or_(rd, low, high))
    elif op in ("exths", "exthz", "extbs", "extbz"):
        shift = 16 if op[3] == "h" else 24
        b(E.slli(rd, rs1, shift), (E.srai if op[4] == "s" else E.srli)(rd, rd, shift))
    elif op == "cnt":
        _popcount(b, rd, rs1)
    elif op == "ff1":  # trailing zeros, 32 for 0: popcount((x & -x) - 1)
        t = b.temp()
        b(E.sub(t, 0, rs1), E.and_(t, t, rs1), E.addi(t, t, -1))
        _popcount(b, rd, t)
    elif op == "fl1":  # index of the highest set bit, 32 for 0
        t, zero = b.temp(), b.temp()
        b(E.sltiu(zero, rs1, 1), E.addi(t, rs1, 0))
        _smear_right(b, t)
        _popcount(b, t, t)
        b(E.addi(t, t, -1), E.slli(rd, zero, 5), E.add(rd, rd, zero), E.add(rd, rd, t))
    elif op == "clb":  # redundant sign bits; 0 for 0
        t, nonzero = b.temp(), b.temp()
        b(E.sltu(nonzero, 0, rs1), E.srai(t, rs1, 31), E.xor(t, t, rs1))
        _smear_right(b, t)
        _popcount(b, t, t)
        b(E.sub(nonzero, 0, nonzero), E.sub(t, 0, t), E.addi(t, t, 31), E.and_(rd, t, nonzero))
    elif op in ("clip", "clipu"):
        exponent = is2 - 1 if is2 else 0
        high = (1 << exponent) - 1
        low = -high - 1 if op == "clip" else 0
        _clamp(b, rd, rs1, low, high)
    elif op == "clipr":  # a < ~b ? ~b : (a > b ? b : a), in this order (b may be negative)
        low, c, inner = b.temp(), b.temp(), b.temp()
        b(E.xori(low, rs2, -1), E.slt(c, rs2, rs1))
        _select(b, inner, c, rs2, rs1)
        b(E.slt(c, rs1, low))
        _select(b, rd, c, low, inner)
    elif op == "clipur":  # a > b ? b : (a <= 0 ? 0 : a)
        inner, c = b.temp(), b.temp()
        b(E.slt(c, 0, rs1), E.sub(c, 0, c), E.and_(inner, rs1, c), E.slt(c, rs2, rs1))
        _select(b, rd, c, rs2, inner)
    elif op in ("extract", "extractu"):
        width = min(is3 + 1, 32 - is2)
        left = 32 - is2 - width
        shift_right = E.srai if op == "extract" else E.srli
        if left:
            b(E.slli(rd, rs1, left), shift_right(rd, rd, 32 - width))
        else:
            b(shift_right(rd, rs1, 32 - width))
    elif op in ("insert", "bclr", "bset"):
        mask = _field_mask(is3 + 1, is2)
        m = b.temp()
        if op == "bclr":
            b(E.li(m, ~mask), E.and_(rd, rs1, m))
        elif op == "bset":
            b(E.li(m, mask), E.or_(rd, rs1, m))
        else:
            field = b.temp()
            b(E.li(m, mask), E.slli(field, rs1, is2), E.and_(field, field, m), E.xori(m, m, -1),
              E.and_(m, rd, m), E.or_(rd, field, m))
    elif op in ("extractr", "extractur", "insertr", "bclrr", "bsetr"):
        _bitfield_register(b, op, rd, rs1, rs2)
    elif op in ("mac", "msu"):
        product = b.temp()
        b(E.mul(product, rs1, rs2), (E.add if op == "mac" else E.sub)(rd, rd, product))
    else:
        return None
    return b.routine()


def _clamp(b: _Builder, rd: int, a: int, low: int, high: int) -> None:
    """rd = min(max(a, low), high) for constants low <= high."""
    x, bound, c = b.temp(), b.temp(), b.temp()
    b(E.li(bound, low), E.slt(c, a, bound))
    _select(b, x, c, bound, a)
    b(E.li(bound, high), E.slt(c, bound, x))
    _select(b, rd, c, bound, x)


def _bitfield_register(b: _Builder, op: str, rd: int, a: int, spec: int) -> None:
    """p.*r: width-1 in spec[9:5], position in spec[4:0]."""
    width1, pos, t = b.temp(), b.temp(), b.temp()
    b(E.srli(width1, spec, 5), E.andi(width1, width1, 31), E.andi(pos, spec, 31))
    if op == "extractr":  # left = max(32 - pos - width, 0); then >> left + pos (arithmetic)
        b(E.addi(t, 0, 31), E.sub(t, t, pos), E.sub(t, t, width1), E.srai(width1, t, 31),
          E.xori(width1, width1, -1), E.and_(t, t, width1), E.sll(width1, a, t), E.add(t, t, pos),
          E.sra(rd, width1, t))
        return
    # mask = (~0 >> (32 - width)) << pos; 32 - width = 31 - (width - 1) = (width - 1) ^ 31
    b(E.xori(width1, width1, 31), E.addi(t, 0, -1), E.srl(t, t, width1), E.sll(t, t, pos))
    if op == "extractur":
        b(E.and_(width1, a, t), E.srl(rd, width1, pos))
    elif op == "bclrr":
        b(E.xori(t, t, -1), E.and_(rd, a, t))
    elif op == "bsetr":
        b(E.or_(rd, a, t))
    else:  # insertr
        b(E.sll(width1, a, pos), E.and_(width1, width1, t), E.xori(t, t, -1), E.and_(t, rd, t),
          E.or_(rd, width1, t))


# ---- multiply-accumulate with normalisation, add/sub with normalisation (opcode 0x5B) -------

def _group_5b(word: int) -> Routine:
    rd, rs1, rs2 = _fields(word)
    f3, f2, shift = (word >> 12) & 7, word >> 30, (word >> 25) & 31
    rounding = bool(f3 & 4)
    b = _Builder(rd, rs1, rs2)
    if rd == 0:
        return b.routine()
    v = b.temp()
    if f3 & 3 in (0, 1):  # mulN / macN: 16x16 product of the low (or high) halves
        signed, high = bool(f2 >> 1), bool(f2 & 1)
        other = b.temp()
        for dst, src in ((v, rs1), (other, rs2)):
            if high:
                b((E.srai if signed else E.srli)(dst, src, 16))
            else:
                b(E.slli(dst, src, 16), (E.srai if signed else E.srli)(dst, dst, 16))
        b(E.mul(v, v, other))
        if f3 & 1:
            b(E.add(v, v, rd))
        if rounding and shift:
            b(E.li(other, 1 << (shift - 1)), E.add(v, v, other))
        b((E.srai if signed else E.srli)(rd, v, shift) if shift else E.addi(rd, v, 0))
        return b.routine()
    combine = E.add if f3 & 3 == 2 else E.sub
    signed = not f2 >> 1
    shift_right = E.srai if signed else E.srli
    if f2 & 1:  # register form: v = rd +/- rs1, shifted by rs2[4:0]
        b(combine(v, rd, rs1))
        if rounding:  # + (amount ? 1 << (amount - 1) : 0)
            amount, bit = b.temp(), b.temp()
            b(E.andi(amount, rs2, 31), E.sltu(bit, 0, amount), E.addi(amount, amount, -1),
              E.sll(bit, bit, amount), E.add(v, v, bit))
        b((E.sra if signed else E.srl)(rd, v, rs2))
        return b.routine()
    b(combine(v, rs1, rs2))
    if rounding and shift:
        bit = b.temp()
        b(E.li(bit, 1 << (shift - 1)), E.add(v, v, bit))
    b(shift_right(rd, v, shift) if shift else E.addi(rd, v, 0))
    return b.routine()


# ---- packed SIMD (opcode 0x57) ---------------------------------------------------------------

_LANEWISE = {"add", "sub", "avg", "avgu", "min", "minu", "max", "maxu", "srl", "sra", "sll",
             "cmpeq", "cmpne", "cmpgt", "cmpge", "cmplt", "cmple", "cmpgtu", "cmpgeu", "cmpltu",
             "cmpleu"}
_BITWISE = {"or": E.or_, "xor": E.xor, "and": E.and_}
_DOT = {"dotup": ("u", "u"), "dotusp": ("u", "s"), "dotsp": ("s", "s")}
# lane extension each lane-wise operation needs for (a, b)
_SIGNED_LANES = {"min", "max", "cmpgt", "cmpge", "cmplt", "cmple"}


def _imm_is_signed(op: str) -> bool:
    """Whether a .sci immediate is sign-extended (xpulp.c PV_GENERIC)."""
    return not (op.endswith("u") or op in ("srl", "sll", "dotup", "sdotup"))


def _extract_lane(b: _Builder, dst: int, src: int, lane: int, bits: int, signed: bool) -> None:
    """dst = lane `lane` of src, sign- or zero-extended."""
    left = 32 - bits * (lane + 1)
    shift_right = E.srai if signed else E.srli
    if left:
        b(E.slli(dst, src, left), shift_right(dst, dst, 32 - bits))
    elif bits == 32:
        b(E.addi(dst, src, 0))
    else:
        b(shift_right(dst, src, 32 - bits))


def _place_lane(b: _Builder, acc: int, value: int, lane: int, bits: int) -> None:
    """acc |= (value & lane mask) << lane position (lane 0: acc = ...)."""
    if lane == 32 // bits - 1:
        b(E.slli(value, value, 32 - bits))
    elif bits == 8:
        b(E.andi(value, value, 0xFF))
        if lane:
            b(E.slli(value, value, 8 * lane))
    else:
        b(E.slli(value, value, 16), E.srli(value, value, 16))
    b(E.or_(acc, acc, value) if lane else E.addi(acc, value, 0))


class _Operand:
    """The second operand of a packed instruction: per-lane from rs2 (vector), the low lane of
    rs2 (.sc), or an immediate (.sci); `lane()` puts lane i into a register."""

    def __init__(self, b: _Builder, mode: str, rs2: int, word: int, bits: int, signed: bool,
                 imm_signed: bool) -> None:
        self.b, self.mode, self.rs2, self.bits, self.signed = b, mode, rs2, bits, signed
        self.register = b.temp()
        if mode == "sc":
            _extract_lane(b, self.register, rs2, 0, bits, signed)
        elif mode == "sci":
            imm = (((word >> 20) & 31) << 1) | ((word >> 25) & 1)
            value = (_sext(imm, 6) if imm_signed else imm) & ((1 << bits) - 1)
            b(E.li(self.register, _sext(value, bits) if signed else value))

    def lane(self, i: int) -> int:
        if self.mode == "vector":
            _extract_lane(self.b, self.register, self.rs2, i, self.bits, self.signed)
        return self.register


def _replicated(b: _Builder, rs2: int, mode: str, word: int, bits: int, signed: bool) -> int:
    """A register holding the whole second operand: rs2 itself, or its low lane / the immediate
    replicated to every lane."""
    if mode == "vector":
        return rs2
    t = b.temp()
    if mode == "sc":
        b(E.slli(t, rs2, 32 - bits), E.srli(t, t, 32 - bits))
        copy = b.temp()
        for shift in ((8, 16) if bits == 8 else (16,)):
            b(E.slli(copy, t, shift), E.or_(t, t, copy))
        return t
    imm = (((word >> 20) & 31) << 1) | ((word >> 25) & 1)
    lane = (_sext(imm, 6) if signed else imm) & ((1 << bits) - 1)
    b(E.li(t, lane * (0x01010101 if bits == 8 else 0x00010001)))
    return t


_UNSUPPORTED_PACKED = {"vitop", "cplxmul", "cplxconj", "subrotmj"}  # keep trapping


def _packed(name: str, word: int) -> Routine | None:
    rd, rs1, rs2 = _fields(word)
    f3 = (word >> 12) & 7
    parts = name.split(".")
    op = parts[1]
    if op in _UNSUPPORTED_PACKED:
        return None  # executor state (Viterbi flags) or rare GAP8 complex arithmetic
    b = _Builder(rd, rs1, rs2)
    if rd == 0:
        return b.routine()  # no register written, nothing else happens
    if parts[-1] in ("div2", "div4"):
        bits = 16 if parts[2] == "h" else 8
        return _lanewise(b, op, rd, rs1, rs2, word, bits, "vector", divide=int(parts[-1][3]) // 2)
    bits = 16 if parts[-1] == "h" else 8
    mode = {0: "vector", 1: "vector", 4: "sc", 5: "sc", 6: "sci", 7: "sci"}.get(f3)
    if op in _LANEWISE or op == "abs":
        return _lanewise(b, op, rd, rs1, rs2, word, bits, mode)
    if op in _BITWISE:
        other = _replicated(b, rs2, mode, word, bits, _imm_is_signed(op))
        result = b.temp()
        b(_BITWISE[op](result, rs1, other), E.addi(rd, result, 0))
        return b.routine()
    if op in _DOT or op[1:] in _DOT:
        return _dot(b, op, rd, rs1, rs2, word, bits, mode)
    if op in ("extract", "extractu", "insert"):
        imm = (((word >> 20) & 31) << 1) | ((word >> 25) & 1)
        lane = imm & (32 // bits - 1)
        if op == "insert":
            mask = ((1 << bits) - 1) << (bits * lane)
            field, keep = b.temp(), b.temp()
            b(E.slli(field, rs1, bits * lane), E.li(keep, mask), E.and_(field, field, keep),
              E.xori(keep, keep, -1), E.and_(keep, rd, keep), E.or_(rd, field, keep))
        else:
            _extract_lane(b, rd, rs1, lane, bits, op == "extract")
        return b.routine()
    if op == "shuffle" or op.startswith("shufflei"):
        return _shuffle(b, name, rd, rs1, rs2, word, bits, f3)
    if op == "shuffle2":
        return _shuffle2(b, rd, rs1, rs2, bits)
    if op in ("pack", "packhi", "packlo"):
        return _pack(b, name, rd, rs1, rs2)
    return None


def _lanewise(b: _Builder, op: str, rd: int, rs1: int, rs2: int, word: int, bits: int, mode: str,
              divide: int = 0) -> Routine:
    signed = op in _SIGNED_LANES or op == "abs"
    other = None if op == "abs" else _Operand(b, mode, rs2, word, bits, op in _SIGNED_LANES,
                                               _imm_is_signed(op))
    acc, x = b.temp(), b.temp()
    extra = b.temp() if op in ("min", "minu", "max", "maxu", "abs") else 0
    for i in range(32 // bits):
        _extract_lane(b, x, rs1, i, bits, signed or op == "sra")
        y = other.lane(i) if other is not None else 0
        _lane_op(b, op, x, y, extra, bits, divide)
        _place_lane(b, acc, x, i, bits)
    b(E.addi(rd, acc, 0))
    return b.routine()


def _lane_op(b: _Builder, op: str, x: int, y: int, c: int, bits: int, divide: int) -> None:
    """x = op(x, y) on one lane (x, y extended as the operation needs; c: a scratch register)."""
    if divide:
        b(E.add(x, x, y) if op == "add" else E.sub(x, x, y), E.slli(x, x, 32 - bits),
          E.srai(x, x, 32 - bits + divide))
    elif op in ("add", "sub"):
        b((E.add if op == "add" else E.sub)(x, x, y))
    elif op in ("avg", "avgu"):
        b(E.add(x, x, y), E.slli(x, x, 32 - bits), (E.srai if op == "avg" else E.srli)(x, x, 33 - bits))
    elif op in ("min", "minu", "max", "maxu"):
        compare = E.sltu if op.endswith("u") else E.slt
        b(compare(c, x, y) if op.startswith("min") else compare(c, y, x),
          E.sub(c, 0, c), E.xor(x, x, y), E.and_(x, x, c), E.xor(x, x, y))
    elif op in ("srl", "sra", "sll"):
        b(E.andi(y, y, bits - 1), {"srl": E.srl, "sra": E.sra, "sll": E.sll}[op](x, x, y))
    elif op == "abs":
        b(E.srai(c, x, 31), E.xor(x, x, c), E.sub(x, x, c))
    else:  # comparisons: all ones when true
        unsigned = op.endswith("u")
        relation = op[3:5]
        compare = E.sltu if unsigned else E.slt
        if relation in ("eq", "ne"):
            b(E.xor(x, x, y), E.sltiu(x, x, 1) if relation == "eq" else E.sltu(x, 0, x))
        elif relation == "gt":
            b(compare(x, y, x))
        elif relation == "lt":
            b(compare(x, x, y))
        elif relation == "ge":
            b(compare(x, x, y), E.xori(x, x, 1))
        else:  # le
            b(compare(x, y, x), E.xori(x, x, 1))
        b(E.sub(x, 0, x))


def _dot(b: _Builder, op: str, rd: int, rs1: int, rs2: int, word: int, bits: int, mode: str) -> Routine:
    accumulate = op.startswith("s")  # sdotup/sdotusp/sdotsp add into rd
    sign_a, sign_b = _DOT[op[1:] if accumulate else op]
    other = _Operand(b, mode, rs2, word, bits, sign_b == "s", _imm_is_signed(op))
    in_place = accumulate and rd not in (rs1, rs2)
    acc = rd if in_place else b.temp()
    x = b.temp()
    for i in range(32 // bits):
        _extract_lane(b, x, rs1, i, bits, sign_a == "s")
        y = other.lane(i)
        if i == 0 and not accumulate:
            b(E.mul(acc, x, y))
        else:
            b(E.mul(x, x, y), E.add(acc, acc if i or not accumulate else rd, x))
    if not in_place:
        b(E.addi(rd, acc, 0))
    return b.routine()


def _shuffle(b: _Builder, name: str, rd: int, rs1: int, rs2: int, word: int, bits: int, f3: int) -> Routine:
    acc, x = b.temp(), b.temp()
    lanes = 32 // bits
    imm = (((word >> 20) & 31) << 1) | ((word >> 25) & 1)
    if f3 in (6, 7):  # selectors from the immediate: pv.shuffle.sci.h, pv.shufflei{k}.sci.b
        if bits == 16:
            selectors = [imm & 1, (imm >> 1) & 1]
        else:
            selectors = [(imm >> (2 * i)) & 3 for i in range(3)] + [int(name[len("pv.shufflei")])]
        for i, selector in enumerate(selectors):
            _extract_lane(b, x, rs1, selector, bits, False)
            _place_lane(b, acc, x, i, bits)
    else:  # selectors are rs2's lanes (low bit / low two bits)
        shift = b.temp()
        for i in range(lanes):
            b(E.srli(shift, rs2, bits * i) if i else E.addi(shift, rs2, 0),
              E.andi(shift, shift, lanes - 1), E.slli(shift, shift, 3 if bits == 8 else 4),
              E.srl(x, rs1, shift))
            _place_lane(b, acc, x, i, bits)
    b(E.addi(rd, acc, 0))
    return b.routine()


def _shuffle2(b: _Builder, rd: int, rs1: int, rs2: int, bits: int) -> Routine:
    """Lane i = ((sel & lanes) ? rs1 : rd) lane (sel & (lanes-1)), sel = rs2 lane i."""
    acc, x, shift, pick = b.temp(), b.temp(), b.temp(), b.temp()
    lanes = 32 // bits
    source_bit = 2 if bits == 16 else 4
    for i in range(lanes):
        b(E.srli(shift, rs2, bits * i) if i else E.addi(shift, rs2, 0),
          E.andi(pick, shift, source_bit), E.sltu(pick, 0, pick),  # 1: from rs1
          E.andi(shift, shift, lanes - 1), E.slli(shift, shift, 3 if bits == 8 else 4),
          E.sub(pick, 0, pick), E.xor(x, rs1, rd), E.and_(x, x, pick), E.xor(x, x, rd),
          E.srl(x, x, shift))
        _place_lane(b, acc, x, i, bits)
    b(E.addi(rd, acc, 0))
    return b.routine()


def _pack(b: _Builder, name: str, rd: int, rs1: int, rs2: int) -> Routine:
    high, low = b.temp(), b.temp()
    if name in ("pv.pack.h", "pv.pack.h.l"):  # {rs1[15:0], rs2[15:0]}
        b(E.slli(high, rs1, 16), E.slli(low, rs2, 16), E.srli(low, low, 16))
    elif name == "pv.pack.h.h":  # {rs1[31:16], rs2[31:16]}
        b(E.srli(high, rs1, 16), E.slli(high, high, 16), E.srli(low, rs2, 16))
    elif name == "pv.packhi.b":  # {rs1[7:0], rs2[7:0], rd[15:0]}
        b(E.slli(high, rs1, 24), E.andi(low, rs2, 0xFF), E.slli(low, low, 16), E.or_(high, high, low),
          E.slli(low, rd, 16), E.srli(low, low, 16))
    else:  # pv.packlo.b: {rd[31:16], rs1[7:0], rs2[7:0]}
        b(E.srli(high, rd, 16), E.slli(high, high, 16), E.andi(low, rs1, 0xFF), E.slli(low, low, 8),
          E.or_(high, high, low), E.andi(low, rs2, 0xFF))
    b(E.or_(rd, high, low))
    return b.routine()
