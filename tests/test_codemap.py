"""The static code map's control-flow flags: which instructions are calls (the call tree of the
per-function profile pushes a frame only there)."""

from __future__ import annotations

import struct

import capstone
import pytest

from mcusim.codemap import _is_call


def _jal(rd: int, offset: int = 0x100) -> int:
    return ((offset >> 20 & 1) << 31 | (offset >> 1 & 0x3FF) << 21 | (offset >> 11 & 1) << 20
            | (offset >> 12 & 0xFF) << 12 | rd << 7 | 0x6F)


def _jalr(rd: int, rs1: int, offset: int = 0) -> int:
    return (offset & 0xFFF) << 20 | rs1 << 15 | rd << 7 | 0x67


def _riscv(raw: bytes):
    md = capstone.Cs(capstone.CS_ARCH_RISCV, capstone.CS_MODE_RISCV32 | capstone.CS_MODE_RISCVC)
    md.detail = True
    return next(md.disasm(raw, 0x1C000000))


@pytest.mark.parametrize("word, call", [
    (_jal(1), True),         # jal ra, f: Capstone prints `jal f`, with no register operand
    (_jal(5), True),         # jal t0, f: the psABI's alternate link register
    (_jal(0), False),        # j f
    (_jal(10), False),       # jal a0, f: links a register that is not a link register
    (_jalr(1, 15), True),    # jalr ra, a5: an indirect call, printed `jalr a5`
    (_jalr(0, 1), False),    # ret
    (_jalr(0, 15), False),   # jr a5: an indirect tail call
    (_jalr(1, 1, 4), True),  # jalr ra, 4(ra)
])
def test_riscv_calls_are_decided_from_the_encoding(word, call):
    raw = struct.pack("<I", word)
    assert _is_call(_riscv(raw), raw) is call


@pytest.mark.parametrize("half, call", [(0x25B5, True),   # c.jal (links ra)
                                        (0x9782, True),   # c.jalr a5
                                        (0x8782, False),  # c.jr a5
                                        (0x8082, False)])  # c.ret
def test_riscv_compressed_calls(half, call):
    raw = struct.pack("<H", half)
    assert _is_call(_riscv(raw), raw) is call


@pytest.mark.parametrize("code, call", [(bytes.fromhex("00f000f8"), True),  # bl
                                        (bytes.fromhex("8047"), True),      # blx r0
                                        (bytes.fromhex("7047"), False),     # bx lr
                                        (bytes.fromhex("00e0"), False)])    # b
def test_arm_calls(code, call):
    md = capstone.Cs(capstone.CS_ARCH_ARM, capstone.CS_MODE_THUMB | capstone.CS_MODE_MCLASS)
    md.detail = True
    assert _is_call(next(md.disasm(code, 0x08000000)), code) is call
