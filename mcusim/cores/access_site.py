"""Which instruction of the running block made an MMIO access, and the cycles before it.

The hot path accounts a whole block when it starts, so a peripheral that returns time (DWT
CYCCNT, SysTick VAL) or records it (layer markers) would see the cycles of the instructions after
the accessing one too. An MMIO callback does not get the PC (Unicorn 2.1.4 syncs it only at
block boundaries), but it does see the guest registers as they are at the access, so the access
is matched to the block's memory instructions by their effective addresses, in program order.
This runs only on MMIO accesses, which are rare.
"""

from __future__ import annotations

from dataclasses import dataclass

import capstone
from capstone import arm as cs_arm
from capstone import riscv as cs_riscv

from mcusim.cores.arm_registers import UNICORN_REGISTERS
from mcusim.cores.riscv_registers import UNICORN_REGISTERS as RISCV_REGISTERS



@dataclass(frozen=True)
class MemoryOperand:
    address: int  # the instruction's address
    base: str | None
    index: str | None
    shift: int
    displacement: int
    subtracted: bool
    post_indexed: bool
    span: int  # bytes the instruction may touch from its effective address (LDM/STM: 4*N)


class AccessSiteLocator:
    def __init__(self, uc, code_ranges, arch: str = "arm") -> None:
        self.uc = uc
        self.code_ranges = code_ranges
        self.arch = arch
        if arch == "arm":
            self._md = capstone.Cs(capstone.CS_ARCH_ARM, capstone.CS_MODE_THUMB | capstone.CS_MODE_MCLASS)
            self._registers = UNICORN_REGISTERS
        else:
            self._md = capstone.Cs(capstone.CS_ARCH_RISCV, capstone.CS_MODE_RISCV32 | capstone.CS_MODE_RISCVC)
            self._registers = RISCV_REGISTERS
        self._md.detail = True
        self._blocks: dict[tuple[int, int], list[MemoryOperand]] = {}
        self._cursor = (None, 0)  # (block execution number, next candidate index)

    def cycles_before_access(self, state, address: int) -> int:
        """Cycles of every instruction before the one accessing ``address`` in this block."""
        start, end = state.last_block_addr, state.last_block_end
        code_range = next((r for r in self.code_ranges if r.base <= start and end <= r.end), None)
        if code_range is None:
            return state.cycles
        operands = self._operands(start, end)
        execution, position = self._cursor
        if execution != state.blocks:
            position = 0
        for i in range(position, len(operands)):
            op = operands[i]
            effective = self._effective_address(op)
            if effective is not None and effective <= address < effective + op.span:
                self._cursor = (state.blocks, i + 1)
                return self.cycles_before_instruction(state, op.address)
        return state.cycles

    def cycles_before_instruction(self, state, pc: int) -> int:
        """Cycles of the instructions of the running block before the one at ``pc``."""
        start, end = state.last_block_addr, state.last_block_end
        code_range = next((r for r in self.code_ranges if r.base <= start and end <= r.end), None)
        if code_range is None or not start <= pc < end:
            return state.cycles
        prefix = code_range.cycle_prefix
        after = int(prefix[(end - code_range.base) >> 1]) - int(prefix[(pc - code_range.base) >> 1])
        return state.cycles - after

    def _operands(self, start: int, end: int) -> list[MemoryOperand]:
        key = (start, end)
        if key not in self._blocks:
            code = bytes(self.uc.mem_read(start, end - start))
            extract = _memory_operand if self.arch == "arm" else _riscv_memory_operand
            self._blocks[key] = [op for insn in self._decode(code, start) if (op := extract(insn))]
        return self._blocks[key]

    def _decode(self, code: bytes, start: int):
        """Instructions of a block; RISC-V custom words Capstone cannot decode are stepped over."""
        offset = 0
        while offset < len(code):
            insn = next(self._md.disasm(code[offset:], start + offset, 1), None)
            if insn is None:
                offset += 4 if code[offset] & 3 == 3 else 2
                continue
            yield insn
            offset += insn.size

    def _register(self, name: str | None) -> int:
        return self.uc.reg_read(self._registers[name]) if name else 0

    def _effective_address(self, op: MemoryOperand) -> int | None:
        if op.base is None:
            return None
        if op.base == "pc" and self.arch == "arm":
            base = (op.address + 4) & ~3
        else:
            base = self._register(op.base)
        if op.post_indexed:
            return base
        offset = (self._register(op.index) << op.shift) if op.index else 0
        if op.subtracted:
            offset = -offset
        return (base + offset + op.displacement) & 0xFFFFFFFF


def _riscv_memory_operand(insn) -> MemoryOperand | None:
    for o in insn.operands:
        if o.type == cs_riscv.RISCV_OP_MEM:
            size = 1 if insn.mnemonic in ("lb", "lbu", "sb") else 2 if insn.mnemonic in ("lh", "lhu", "sh") else 4
            return MemoryOperand(insn.address, insn.reg_name(o.mem.base), None, 0, o.mem.disp,
                                 False, False, size)
    return None


def _memory_operand(insn) -> MemoryOperand | None:
    registers = [o for o in insn.operands if o.type == cs_arm.ARM_OP_REG]
    name = insn.mnemonic.split(".")[0]
    if name.startswith(("ldm", "stm", "push", "pop")):
        if name.startswith(("push", "pop")):
            return MemoryOperand(insn.address, "sp", None, 0, -4 * len(registers) if name.startswith("push") else 0,
                                 False, False, 4 * len(registers))
        base = insn.reg_name(registers[0].reg)
        count = len(registers) - 1
        descending = name.endswith("db")
        return MemoryOperand(insn.address, base, None, 0, -4 * count if descending else 0, False, False, 4 * count)
    for o in insn.operands:
        if o.type == cs_arm.ARM_OP_MEM:
            return MemoryOperand(
                insn.address,
                insn.reg_name(o.mem.base) if o.mem.base else None,
                insn.reg_name(o.mem.index) if o.mem.index else None,
                o.shift.value if o.mem.index and o.shift.type == cs_arm.ARM_SFT_LSL else 0,
                o.mem.disp, bool(o.subtracted), bool(getattr(insn, "post_index", False)),
                8 if name in ("ldrd", "strd") else 4,
            )
    return None
