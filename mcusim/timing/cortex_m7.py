"""Cortex-M7 timing: in-order dual issue scheduled statically over straight-line code.

Each run of instructions is issued in order, two per cycle where the pairing rules of
cortex_m7.toml allow it (docs/cortexm.md §2.2), each waiting for its operands (latencies of
§2.3). An instruction's static cost is the cycles between its issue and its predecessor's: 0 when
it pairs. Branches go through a predictor in the hot path (mispredict penalty, §2.4), and
fetches and cacheable data reads through the board's L1 caches; TCMs are zero-wait.

Arm publishes no M7 timing table: figures come from Arm's LLVM model and silicon
microbenchmarks, and the microbenchmark tests state their tolerance for that reason.
"""

from __future__ import annotations

from capstone import arm

from mcusim.native import HotPathTiming
from mcusim.timing.base import DecodedInstruction, TimingModel
from mcusim.timing.cortex_m4 import _MULTIPLE_WITH_BASE
from mcusim.timing.memory_system import l1_caches
from mcusim.timing.tables import InstructionClass, load_table

_ID_NAMES = {getattr(arm, n): n[len("ARM_INS_"):] for n in dir(arm) if n.startswith("ARM_INS_")}
_SINGLE_PAIRS_NOTHING = {"load-store-double", "load-store-multiple", "divide", "table-branch",
                         "system", "fp-divide", "fp-load-store-multiple"}
_FP_MAC = {"VMLA", "VMLS", "VNMLA", "VNMLS", "VFMA", "VFMS", "VFNMA", "VFNMS"}
# (group, group) pairs that cannot issue together, in either order (docs/cortexm.md §2.2)
_NO_PAIR = {frozenset(p) for p in (("mac", "mac"), ("mac", "store"), ("store", "store"),
                                   ("load", "load"), ("fp", "fp"), ("fp", "fp-mac"),
                                   ("fp-mac", "fp-mac"), ("fp-mac", "fp-load"), ("dsp", "dsp"),
                                   ("dsp", "shifted"), ("shifted", "shifted"))}


class CortexM7(TimingModel):
    name = "cortex-m7"
    version = "2"
    needs_detail = True
    covers = (
        "in-order dual issue with the pairing rules of cortex_m7.toml (slots, shifted operands, "
        "DSP/bit-field, MAC/store, load/store, FP pairs)",
        "producer-to-consumer latencies (loads, MACs with accumulator forwarding, FP, divide)",
        "single-issue instructions; LDM/STM/PUSH/POP at two registers per cycle",
        "branch prediction: 2-bit counters and target buffer, mispredict penalty 8",
        "L1 instruction and data caches of the board over cacheable (AXIM) regions; TCM zero-wait",
        "12-cycle exception entry",
    )
    omits = (
        "D-cache/DTCM banks beyond one static rule (two word loads pair only off the same base "
        "register at offsets in different banks), store buffer and write-allocate",
        "dependencies across block boundaries (each run starts with a clean scoreboard)",
        "unaligned-access and STRB/STRH read-modify-write costs",
        "operand-dependent divide time (fixed 7 cycles, unpublished)",
        "AXI bus contention; line fills are a fixed miss cost per region",
        "fast mode: branch prediction and caches",
    )

    def __init__(self, board, mode: str = "accurate") -> None:
        self.board = board
        self.mode = mode
        self.table = load_table("cortex_m7")
        self.classes = self.table.by_instruction()
        self.mispredict_penalty = int(self.table.parameters["mispredict_penalty"])
        self.predictor_entries = int(self.table.parameters["predictor_entries"])
        self.exception_entry_cycles = int(self.table.parameters["exception_entry_cycles"])
        divide = self.table.parameters["divide"]
        self.divide_timing = (divide["base"], divide["bits_per_cycle"], divide["min_cycles"],
                              divide["max_cycles"])

    def hot_path(self) -> HotPathTiming:
        if self.mode != "accurate":
            return HotPathTiming()
        core = self.board.cores[0]
        return HotPathTiming(
            mispredict_cycles=self.mispredict_penalty,
            predictor_entries=self.predictor_entries,
            memory_system=l1_caches(self.board, core.icache, core.dcache, with_data=True),
        )

    def cycles_of_run(self, run: list[DecodedInstruction]) -> list[int]:
        costs: list[int] = []
        ready: dict[int, int] = {}  # register -> first cycle a consumer may issue
        producer: dict[int, str] = {}  # register -> class of the instruction that wrote it
        cycle = -1  # issue cycle of the previous instruction
        issued_this_cycle = 2  # nothing can pair with the (absent) previous instruction
        older: tuple[InstructionClass, object] | None = None
        free_from = 0  # first cycle after a multi-cycle single-issue instruction
        for item in run:
            insn = item.detail
            cls = self._class(insn)
            reads, writes = insn.regs_access()
            earliest = 0
            for reg in reads:
                if reg in ready:
                    earliest = max(earliest, ready[reg] - self._forwarding(cls, insn, reg, producer.get(reg)))
            single = self._single(cls, insn)
            pair = (issued_this_cycle == 1 and not single and older is not None
                    and cycle >= earliest and cycle >= free_from
                    and self._can_pair(older, (cls, insn)))
            if pair:
                issue = cycle
                issued_this_cycle = 2
            else:
                issue = max(cycle + 1, earliest, free_from)
                issued_this_cycle = 2 if single else 1
                older = (cls, insn)
            costs.append(issue - cycle)
            occupancy = self._occupancy(cls, insn)
            free_from = issue + occupancy if occupancy > 1 else free_from
            latency = self._latency(cls, insn)
            for reg in writes:
                ready[reg] = issue + max(latency, occupancy if single else 0)
                producer[reg] = cls.name
            cycle = issue
        return costs

    # -- rules ------------------------------------------------------------------------------

    def _class(self, insn) -> InstructionClass:
        return self.classes.get(_ID_NAMES.get(insn.id), self.classes["NOP"])

    @staticmethod
    def _is_double(insn) -> bool:
        return any(op.type == arm.ARM_OP_REG and arm.ARM_REG_D0 <= op.reg <= arm.ARM_REG_D31
                   for op in insn.operands)

    def _single(self, cls: InstructionClass, insn) -> bool:
        if cls.get("issue") == "single" or cls.name in _SINGLE_PAIRS_NOTHING:
            return True
        if cls.name in ("fp-load", "fp-move"):
            registers = sum(op.type == arm.ARM_OP_REG for op in insn.operands)
            return self._is_double(insn) or registers >= 3  # VLDR.D/VSTR.D, 2-register VMOV
        return False

    def _occupancy(self, cls: InstructionClass, insn) -> int:
        per_two = cls.get("occupancy_per_two_registers")
        if per_two:
            registers = [op for op in insn.operands if op.type == arm.ARM_OP_REG]
            if _ID_NAMES.get(insn.id) in _MULTIPLE_WITH_BASE:
                registers = registers[1:]  # the base register is not transferred
            words = len(registers) * (2 if self._is_double(insn) else 1)
            return max(1, (words + 1) // 2)
        return int(cls.get("occupancy", 1))

    def _latency(self, cls: InstructionClass, insn) -> int:
        if self._is_double(insn) and cls.get("latency_double"):
            return int(cls.get("latency_double"))
        return int(cls.get("latency", 1))

    def _forwarding(self, cls: InstructionClass, insn, reg: int, producer: str | None) -> int:
        """Cycles a consumer gains (positive) or loses (negative) against the producer latency."""
        if producer in ("mac", "fp-mac") and cls.name == producer and self._is_accumulator(insn, reg):
            table_producer = next(c for c in self.table.classes if c.name == producer)
            return int(table_producer.get("latency", 1)) - int(table_producer.get("accumulator_latency", 1))
        if producer == "alu" and cls.name == "alu" and not _shifted(insn):
            return 1  # early ALU to late ALU: a dependent simple op pairs (docs/cortexm.md §2.3)
        if producer in ("load", "load-narrow") and cls.name == "alu" and not _shifted(insn):
            # a word load feeds a simple (late-ALU) op the next cycle, a byte/halfword load the
            # one after (docs/cortexm.md §2.3 LDR row, JNK; LLVM-M7 WriteLd Latency 1,
            # M7SlowLoad 2); MACs, shifted operands and addresses keep the table latency
            return 1
        if _shifted(insn) or cls.name == "bitfield":
            return -1  # operands needed at EX1
        if producer in ("dsp", "bitfield") and cls.get("group") in ("load", "store"):
            return -1  # address from a DSP/bit-field result
        return 0

    @staticmethod
    def _is_accumulator(insn, reg: int) -> bool:
        registers = [op.reg for op in insn.operands if op.type == arm.ARM_OP_REG]
        if _ID_NAMES.get(insn.id) in _FP_MAC:
            return bool(registers) and reg == registers[0]  # VMLA Sd, Sn, Sm: Sd accumulates
        return len(registers) >= 4 and reg == registers[-1] or (len(registers) == 4 and reg in registers[:2]
                                                                 and _ID_NAMES.get(insn.id, "").endswith(("LAL", "LALD", "LSLD", "AAL")))

    def _can_pair(self, older, younger) -> bool:
        older_cls, older_insn = older
        younger_cls, younger_insn = younger
        if younger_cls.get("issue") == "older":
            return False  # must be the older of a pair
        groups = (_group(older_cls, older_insn), _group(younger_cls, younger_insn))
        if None not in groups and frozenset(groups) in _NO_PAIR and not _different_banks(older_insn, younger_insn):
            return False
        if _shifted(older_insn) and _shifted(younger_insn):
            return False
        # a dependent pair issues together only through early-to-late ALU forwarding
        older_writes = set(older_insn.regs_access()[1])
        if older_writes & set(younger_insn.regs_access()[0]):
            return older_cls.name == "alu" and younger_cls.name == "alu" and not _shifted(younger_insn)
        return True


def _different_banks(older, younger) -> bool:
    """Two word loads that hit different DTCM/D-cache banks (even and odd words) pair
    (docs/cortexm.md §2.2, JNK). Known statically only for immediate offsets off the same base
    register (no index, no writeback) whose difference is an odd number of words."""
    loads = []
    for insn in (older, younger):
        if _ID_NAMES.get(insn.id) != "LDR" or getattr(insn, "writeback", False):
            return False
        memory = [op.mem for op in insn.operands if op.type == arm.ARM_OP_MEM]
        if len(memory) != 1 or memory[0].index != 0 or memory[0].base == arm.ARM_REG_PC:
            return False
        loads.append(memory[0])
    return loads[0].base == loads[1].base and (loads[0].disp - loads[1].disp) % 8 == 4


def _shifted(insn) -> bool:
    """Inline-shifted register operand or an immediate that needs the shifter (> 8 bits)."""
    for op in insn.operands:
        if op.type == arm.ARM_OP_REG and op.shift.type != 0 and op.shift.value != 0:
            return True
        if op.type == arm.ARM_OP_IMM and not 0 <= op.imm <= 255 and _ID_NAMES.get(insn.id) not in (
                "MOVW", "MOVT", "B", "BL", "CBZ", "CBNZ", "IT", "SVC", "BKPT"):
            return True
    return False


def _group(cls: InstructionClass, insn) -> str | None:
    if cls.name in ("alu",) and _shifted(insn):
        return "shifted"
    return cls.get("group")
