"""Cortex-M4 timing: the TRM table (cortex_m4.toml) plus the pipelining and AGU rules.

Static costs are per instruction and see their predecessor in address order, which is the
instruction that ran before them everywhere but at branch targets. Taken branches add the
pipeline refill P in the hot path (accurate mode) or, for unconditional branches only,
statically (fast mode).
"""

from __future__ import annotations

from capstone import arm

from mcusim.timing.base import DecodedInstruction, TimingModel
from mcusim.cores.arm_registers import UNICORN_REGISTERS
from mcusim.native import HotPathTiming
from mcusim.timing.memory_system import flash_accelerator
from mcusim.timing.tables import load_table

_ID_NAMES = {getattr(arm, n): n[len("ARM_INS_"):] for n in dir(arm) if n.startswith("ARM_INS_")}

_SINGLE_LOADS = {"LDR", "LDRB", "LDRH", "LDRSB", "LDRSH", "LDRT", "LDRBT", "LDRHT", "LDRSBT",
                 "LDRSHT", "LDREX", "LDREXB", "LDREXH"}
_SINGLE_STORES = {"STR", "STRB", "STRH", "STRT", "STRBT", "STRHT", "STREX", "STREXB", "STREXH"}
_DATA_PROCESSING = {"alu", "multiply", "dsp", "divide"}
_MULTIPLE_WITH_BASE = {"LDM", "LDMDB", "STM", "STMDB", "VLDMIA", "VLDMDB", "VSTMIA", "VSTMDB",
                       "FLDMIAX", "FLDMDBX", "FSTMIAX", "FSTMDBX"}
_UNCONDITIONAL_BRANCHES = {"B", "BL", "BX", "BLX"}


class CortexM4(TimingModel):
    name = "cortex-m4"
    version = "1"
    needs_detail = True
    covers = (
        "TRM issue cycles of every instruction class (cortex_m4.toml, with sources)",
        "load pipelining (LDR/STR after LDR: one cycle less), register-offset stores",
        "AGU stall: +1 for an address computed by the preceding data-processing instruction",
        "IT folding after a 16-bit instruction; LDM/STM/PUSH/POP/VLDM/VSTM 1+N",
        "taken-branch pipeline refill (P=2) from block edges (accurate) or unconditional branches (fast)",
        "12-cycle exception entry",
        "flash wait states behind the ART accelerator, for fetches and data reads (accurate mode)",
    )
    omits = (
        "exact ART behaviour (approximated: 64-line I-cache with sequential prefetch, 8-line D-cache)",
        "where in a block a fetch stall falls: a block's stalls are charged at its start",
        "the exact SDIV/UDIV early-termination rule (an assumed radix-8 formula; 7 cycles in fast mode)",
        "bus contention, unaligned accesses, FPU result latencies",
        "pipelining across a branch target (predecessor in address order is assumed)",
        "fast mode: conditional-branch refills and all flash wait states",
    )

    def __init__(self, board, mode: str = "accurate") -> None:
        self.board = board
        self.mode = mode
        self.table = load_table("cortex_m4")
        self.classes = self.table.by_instruction()
        self.taken_branch_penalty = int(self.table.parameters["taken_branch_penalty"])
        self.exception_entry_cycles = int(self.table.parameters["exception_entry_cycles"])
        divide = self.table.parameters["divide"]
        self.divide_timing = (divide["base"], divide["bits_per_cycle"], divide["min_cycles"],
                              divide["max_cycles"])
        # (address, dividend register, divisor register, signed, static cycles), collected
        # while the code map is built; accurate mode times each from its operands.
        self.divide_sites: list[tuple[int, int, int, bool, int]] = []

    def describe(self) -> dict[str, object]:
        out = super().describe()
        out["mode"] = self.mode
        return out

    def hot_path(self) -> HotPathTiming:
        # Fast mode has static costs only. Accurate mode adds the refill of taken branches from
        # block edges, the flash accelerator (a lookup per block; flash data reads need a memory
        # hook, which puts every access on Unicorn's slow path: docs/unicorn.md P3) and
        # operand-dependent divides.
        if self.mode != "accurate":
            return HotPathTiming()
        return HotPathTiming(
            taken_branch_cycles=self.taken_branch_penalty,
            memory_system=flash_accelerator(self.board, with_data=True),
            divide_timing=self.divide_timing, divide_sites=self.divide_sites,
        )

    def instruction_class(self, insn) -> str:
        return self.classes[_ID_NAMES[insn.id]].name

    def cycles_of_run(self, run: list[DecodedInstruction]) -> list[int]:
        out = []
        previous = None
        for item in run:
            out.append(self._cycles(item.detail, previous.detail if previous else None, item))
            previous = item
        return out

    def _cycles(self, insn, prev, item: DecodedInstruction) -> int:
        name = _ID_NAMES.get(insn.id)
        cls = self.classes.get(name)
        if cls is None:
            return 1  # unknown to the table: counted as one cycle (the table test keeps this rare)
        cycles = cls.cycles
        if cls.per_register:
            registers = [op for op in insn.operands if op.type == arm.ARM_OP_REG]
            if name in _MULTIPLE_WITH_BASE:
                registers = registers[1:]  # the base register is not transferred
            n = len(registers)
            if cls.name == "fp-load-store-multiple" and any(_is_double(r.reg) for r in registers):
                n *= 2
            cycles += cls.per_register * n
        if name == "VLDR" and insn.operands and _is_double(insn.operands[0].reg):
            cycles = 3
        if name == "VMOV" and sum(op.type == arm.ARM_OP_REG for op in insn.operands) >= 3:
            cycles = 2
        if name in _SINGLE_STORES and _register_offset(insn):
            cycles = 2
        if name == "IT" and prev is not None and prev.size == 2:
            cycles = 0
        if name in _SINGLE_LOADS and _writes_pc(insn):
            cycles = 3  # LDR PC: 2 + P, at least 5 (the P comes with the taken branch)
        if prev is not None:
            prev_name = _ID_NAMES.get(prev.id)
            prev_class = self.classes.get(prev_name)
            if (name in _SINGLE_LOADS or name in _SINGLE_STORES) and prev_name in _SINGLE_LOADS:
                if not (set(_address_registers(insn)) & set(prev.regs_access()[1])):
                    cycles = max(1, cycles - 1)
            if (name in _SINGLE_LOADS or name in _SINGLE_STORES or cls.name in ("load-store-double",)) \
                    and prev_class is not None and prev_class.name in _DATA_PROCESSING:
                if set(_address_registers(insn)) & set(prev.regs_access()[1]):
                    cycles += 1
        if name in ("SDIV", "UDIV") and self.mode == "accurate":
            registers = [insn.reg_name(op.reg) for op in insn.operands if op.type == arm.ARM_OP_REG]
            if len(registers) == 3:
                self.divide_sites.append((insn.address, UNICORN_REGISTERS[registers[1]],
                                          UNICORN_REGISTERS[registers[2]], name == "SDIV", cycles))
        if self.mode == "fast" and insn.cc in (arm.ARM_CC_AL, arm.ARM_CC_INVALID) and (
                name in _UNCONDITIONAL_BRANCHES or name in ("TBB", "TBH") or _loads_pc(insn)):
            cycles += self.taken_branch_penalty  # always taken: chargeable without block edges
        return cycles


def _is_double(reg: int) -> bool:
    return arm.ARM_REG_D0 <= reg <= arm.ARM_REG_D31


def _register_offset(insn) -> bool:
    return any(op.type == arm.ARM_OP_MEM and op.mem.index != 0 for op in insn.operands)


def _address_registers(insn) -> list[int]:
    regs = []
    for op in insn.operands:
        if op.type == arm.ARM_OP_MEM:
            regs += [r for r in (op.mem.base, op.mem.index) if r]
    return regs


def _loads_pc(insn) -> bool:
    return any(op.type == arm.ARM_OP_REG and op.reg == arm.ARM_REG_PC and op.access & 2
               for op in insn.operands) or arm.ARM_REG_PC in insn.regs_access()[1]


def _writes_pc(insn) -> bool:
    return bool(insn.operands) and insn.operands[0].type == arm.ARM_OP_REG and insn.operands[0].reg == arm.ARM_REG_PC
