"""Encoders of the RV32IM instructions (and the two RV32F register moves) the Xpulp stubs use.

Registers are numbers 0..31; every function returns one 32-bit instruction word, except `li`,
which returns the shortest sequence that puts a 32-bit constant in a register.
"""

from __future__ import annotations


def _r(funct7: int, rs2: int, rs1: int, funct3: int, rd: int, opcode: int = 0x33) -> int:
    return (funct7 << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode


def _i(imm: int, rs1: int, funct3: int, rd: int, opcode: int) -> int:
    if not -2048 <= imm <= 2047:
        raise ValueError(f"12-bit immediate out of range: {imm}")
    return ((imm & 0xFFF) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode


def _s(imm: int, rs2: int, rs1: int, funct3: int) -> int:
    if not -2048 <= imm <= 2047:
        raise ValueError(f"12-bit immediate out of range: {imm}")
    imm &= 0xFFF
    return ((imm >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | ((imm & 31) << 7) | 0x23


def _shift(funct7: int, shamt: int, rs1: int, funct3: int, rd: int) -> int:
    if not 0 <= shamt <= 31:
        raise ValueError(f"shift amount out of range: {shamt}")
    return _r(funct7, shamt, rs1, funct3, rd, 0x13)


def add(rd, rs1, rs2): return _r(0x00, rs2, rs1, 0, rd)
def sub(rd, rs1, rs2): return _r(0x20, rs2, rs1, 0, rd)
def sll(rd, rs1, rs2): return _r(0x00, rs2, rs1, 1, rd)
def slt(rd, rs1, rs2): return _r(0x00, rs2, rs1, 2, rd)
def sltu(rd, rs1, rs2): return _r(0x00, rs2, rs1, 3, rd)
def xor(rd, rs1, rs2): return _r(0x00, rs2, rs1, 4, rd)
def srl(rd, rs1, rs2): return _r(0x00, rs2, rs1, 5, rd)
def sra(rd, rs1, rs2): return _r(0x20, rs2, rs1, 5, rd)
def or_(rd, rs1, rs2): return _r(0x00, rs2, rs1, 6, rd)
def and_(rd, rs1, rs2): return _r(0x00, rs2, rs1, 7, rd)
def mul(rd, rs1, rs2): return _r(0x01, rs2, rs1, 0, rd)

def addi(rd, rs1, imm): return _i(imm, rs1, 0, rd, 0x13)
def slti(rd, rs1, imm): return _i(imm, rs1, 2, rd, 0x13)
def sltiu(rd, rs1, imm): return _i(imm, rs1, 3, rd, 0x13)
def xori(rd, rs1, imm): return _i(imm, rs1, 4, rd, 0x13)
def ori(rd, rs1, imm): return _i(imm, rs1, 6, rd, 0x13)
def andi(rd, rs1, imm): return _i(imm, rs1, 7, rd, 0x13)
def slli(rd, rs1, shamt): return _shift(0x00, shamt, rs1, 1, rd)
def srli(rd, rs1, shamt): return _shift(0x00, shamt, rs1, 5, rd)
def srai(rd, rs1, shamt): return _shift(0x20, shamt, rs1, 5, rd)

# loads: (size in bytes, sign-extend) -> funct3
_LOAD_F3 = {(1, True): 0, (2, True): 1, (4, True): 2, (4, False): 2, (1, False): 4, (2, False): 5}


def load(size: int, signed: bool, rd: int, rs1: int, offset: int = 0) -> int:
    """lb/lh/lw/lbu/lhu rd, offset(rs1)."""
    return _i(offset, rs1, _LOAD_F3[(size, signed)], rd, 0x03)


def store(size: int, rs2: int, rs1: int, offset: int = 0) -> int:
    """sb/sh/sw rs2, offset(rs1)."""
    return _s(offset, rs2, rs1, {1: 0, 2: 1, 4: 2}[size])


def lui(rd: int, upper20: int) -> int:
    return ((upper20 & 0xFFFFF) << 12) | (rd << 7) | 0x37


def jal(rd: int, offset: int) -> int:
    if offset & 1 or not -(1 << 20) <= offset < (1 << 20):
        raise ValueError(f"jal offset out of range or odd: {offset}")
    o = offset & 0x1FFFFF
    return ((((o >> 20) & 1) << 31) | (((o >> 1) & 0x3FF) << 21) | (((o >> 11) & 1) << 20)
            | (((o >> 12) & 0xFF) << 12) | (rd << 7) | 0x6F)


def jal_reaches(offset: int) -> bool:
    return offset & 1 == 0 and -(1 << 20) <= offset < (1 << 20)


def fmv_w_x(fd: int, rs1: int) -> int:
    """fmv.w.x fd, rs1: the integer register's 32 bits into FP register fd."""
    return _r(0x78, 0, rs1, 0, fd, 0x53)


def fmv_x_w(rd: int, fs1: int) -> int:
    """fmv.x.w rd, fs1: back into the integer register."""
    return _r(0x70, 0, fs1, 0, rd, 0x53)


def li(rd: int, value: int) -> list[int]:
    """The 32-bit constant ``value`` into rd: addi, lui, or lui + addi."""
    value &= 0xFFFFFFFF
    signed = value - (1 << 32) if value & 0x80000000 else value
    if -2048 <= signed <= 2047:
        return [addi(rd, 0, signed)]
    low = value & 0xFFF
    low = low - 0x1000 if low & 0x800 else low
    upper = ((value - low) >> 12) & 0xFFFFF
    return [lui(rd, upper)] + ([addi(rd, rd, low)] if low else [])
