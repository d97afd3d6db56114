"""RI5CY timing (GAP8 fabric controller and cluster cores): the table in ri5cy.toml plus the
load-use stall, operand-dependent divides, zero-cost hardware-loop back edges and the L2 latency
of a core's data accesses (a board parameter: docs/gap8.md §6 and §13)."""

from __future__ import annotations

from capstone import riscv

from mcusim.cores.riscv_registers import REGISTER_NUMBERS, UNICORN_REGISTERS
from mcusim.native import HotPathTiming
from mcusim.timing.base import DecodedInstruction, TimingModel
from mcusim.timing.memory_system import CacheConfig, CachedRange, MemorySystem
from mcusim.timing.tables import load_table

_ID_NAMES = {getattr(riscv, n): n[len("RISCV_INS_"):] for n in dir(riscv) if n.startswith("RISCV_INS_")}
_LOADS = {"LB", "LBU", "LH", "LHU", "LW", "C_LW", "C_LWSP"}
_JUMPS = {"JAL", "JALR", "C_J", "C_JAL", "C_JR", "C_JALR"}
_JUMP_REGISTER = {"JALR", "C_JR", "C_JALR"}
_STORES = {"SB", "SH", "SW", "C_SW", "C_SWSP"}


class Ri5cy(TimingModel):
    name = "ri5cy"
    version = "2"
    needs_detail = True
    covers = (
        "issue cycles of every RV32IMC class and of the Xpulpv2/GAP8 classes (ri5cy.toml, sourced)",
        "load-use stall (+1 when the next instruction reads the loaded register), Xpulp loads and "
        "Xpulp consumers included",
        "jalr data hazard (+1 when jalr's base is the previous instruction's ALU result)",
        "taken branch 3, jal/jalr 2, not-taken branch 1, from block edges (accurate mode)",
        "hardware-loop back edges at zero cost",
        "operand-dependent divide: clz(divisor) + 3 (accurate mode)",
        "extra latency of data accesses to L2 from the FC and from cluster cores (board soc table)",
    )
    omits = (
        "instruction caches (FC and shared cluster I-cache): fetches cost nothing extra",
        "L1 bank conflicts between cluster cores, and interconnect contention",
        "misaligned accesses and misaligned jump targets",
        "fast mode: block-edge penalties, divides and L2 latency",
    )

    def __init__(self, board, mode: str = "accurate", core_name: str | None = None) -> None:
        self.board = board
        self.mode = mode
        self.core_name = core_name or board.cores[0].name
        self.table = load_table("ri5cy")
        self.classes = self.table.by_instruction()
        self.xpulp_classes = dict(self.table.parameters["xpulp_classes"])
        self.taken_branch_penalty = int(self.table.parameters["taken_branch_penalty"])
        self.load_use_stall = int(self.table.parameters["load_use_stall"])
        self.jalr_data_stall = int(self.table.parameters["jalr_data_stall"])
        divide = self.table.parameters["divide"]
        self.divide_timing = (divide["base"], 0, divide["min_cycles"], divide["max_cycles"])
        self.divide_sites: list[tuple[int, int, int, bool, int]] = []

    def for_core(self, core_name: str) -> "Ri5cy":
        """The same model for one core of the board (costs of L2 differ between FC and cluster);
        it shares the divide sites the code map's build collected."""
        model = Ri5cy(self.board, self.mode, core_name)
        model.divide_sites = self.divide_sites
        return model

    def hot_path(self) -> HotPathTiming:
        if self.mode != "accurate":
            return HotPathTiming()
        return HotPathTiming(
            taken_branch_cycles=self.taken_branch_penalty,
            memory_system=self._l2_latency(),
            divide_timing=self.divide_timing, divide_sites=self.divide_sites,
            divide_kind=1,
        )

    def _l2_latency(self) -> MemorySystem | None:
        soc = self.board.extra.get("soc", {})
        key = "fc_l2_latency_cycles" if self.core_name.startswith("fc") else "cluster_l2_latency_cycles"
        latency = int(soc.get(key, 0))
        l2 = next((r for r in self.board.regions if r.kind == "l2"), None)
        if not latency or l2 is None:
            return None
        # No cache: every access to L2 pays the interconnect latency.
        return MemorySystem(data_cache=CacheConfig(0, 0, 4, False),
                            data_ranges=(CachedRange(l2, latency),))

    # pcer_v1's static events (docs/gap8.md §7): stall cycles and instruction kinds; the hot path
    # adds the dynamic ones (taken branches, loads from L2 and their cycles).
    static_events = ("ld_stall", "jr_stall", "ld", "st", "jump", "branch", "rvc")

    def cycles_of_run(self, run: list[DecodedInstruction]) -> list[int]:
        return [cycles for cycles, _ in self.schedule_run(run)]

    def schedule_run(self, run: list[DecodedInstruction]) -> list[tuple[int, tuple[int, ...]]]:
        out: list[tuple[int, tuple[int, ...]]] = []
        loaded = 0   # the register (x1..x31) the previous instruction loaded; 0: none
        written = 0  # the register the previous instruction wrote from EX (not a load); 0: none
        for item in run:
            insn = item.detail
            row = None
            name = ""
            if insn is None:  # a custom (Xpulp) word: operands from its encoding
                word = int(item.operands, 16)
                cls = _xpulp_class(item)
                cycles = self.xpulp_classes.get(cls, 1)
                reads, dest = _xpulp_operands(word, cls)
                is_load, is_store = cls == "load", cls == "store"
                is_jump, is_branch = False, cls == "branch"
            else:
                name = _ID_NAMES.get(insn.id, "")
                row = self.classes.get(name)
                cycles = row.cycles if row is not None else 1
                registers = [insn.reg_name(op.reg) for op in insn.operands if op.type == riscv.RISCV_OP_REG]
                memory_bases = [insn.reg_name(op.mem.base) for op in insn.operands if op.type == riscv.RISCV_OP_MEM]
                if name in _JUMPS:
                    # Capstone prints jalr as jr/jalr/ret aliases whose operand lists omit rd or
                    # rs1: take both from the encoding.
                    reads, dest = _jump_operands(name, int.from_bytes(bytes(insn.bytes), "little"))
                else:
                    writes_first = name not in ("SB", "SH", "SW", "C_SW", "C_SWSP") and row is not None and row.name not in ("branch",)
                    reads = {_number(r) for r in (registers[1:] if writes_first else registers)}
                    reads |= {_number(r) for r in memory_bases}
                    dest = _number(registers[0]) if writes_first and registers else 0
                is_load, is_store = name in _LOADS, name in _STORES
                is_jump, is_branch = name in _JUMPS, row is not None and row.name == "branch"
                if name in ("DIV", "DIVU", "REM", "REMU") and self.mode == "accurate" and len(registers) == 3:
                    self.divide_sites.append((insn.address, UNICORN_REGISTERS[registers[1]],
                                              UNICORN_REGISTERS[registers[2]], name in ("DIV", "REM"), cycles))
            reads.discard(0)
            load_stall = jump_stall = 0
            if loaded and loaded in reads:
                load_stall = self.load_use_stall
            elif name in _JUMP_REGISTER and written and written in reads:
                jump_stall = self.jalr_data_stall
            cycles += load_stall + jump_stall
            loaded = dest if is_load else 0
            written = 0 if is_load else dest
            if self.mode == "fast" and insn is not None and row is not None and row.name == "jump":
                cycles += self.taken_branch_penalty  # always taken: chargeable statically
            out.append((cycles, (load_stall, jump_stall, int(is_load), int(is_store), int(is_jump),
                                 int(is_branch), int(item.size == 2))))
        return out


def _xpulp_class(item: DecodedInstruction) -> str:
    from mcusim.native import xpulp_class

    return xpulp_class(int(item.operands, 16))


def _jump_operands(name: str, word: int) -> tuple[set[int], int]:
    """(registers read, register written) of a jump, from its encoding."""
    if name == "JAL":
        return set(), (word >> 7) & 31
    if name == "JALR":
        return {(word >> 15) & 31}, (word >> 7) & 31
    if name == "C_JR":
        return {(word >> 7) & 31}, 0
    if name == "C_JALR":
        return {(word >> 7) & 31}, 1
    return set(), 1 if name == "C_JAL" else 0  # C_J: none; C_JAL (RV32): ra


def _xpulp_operands(word: int, cls: str) -> tuple[set[int], int]:
    """(registers read, register written) of an Xpulpv2/GAP8 word of timing class `cls`
    (docs/gap8.md §9). Immediates held in the rs2 field (p.clip, p.extract & co, .sci SIMD,
    p.beqimm) are not registers; rd is also read where the instruction accumulates or inserts."""
    opcode, f3 = word & 0x7F, (word >> 12) & 7
    rd, rs1, rs2 = (word >> 7) & 31, (word >> 15) & 31, (word >> 20) & 31
    if cls == "load":  # p.l* imm(rs1!), rs2(rs1!), rs2(rs1): rd from memory, rs1 updated in EX
        return ({rs1, rs2} if f3 == 7 else {rs1}), rd
    if cls == "store":  # p.s* rs2, imm(rs1!) / rs3(rs1!) / rs3(rs1): rs3 sits in the rd field
        return ({rs1, rs2, rd} if f3 >= 4 else {rs1, rs2}), 0
    if cls in ("branch", "elw"):
        return {rs1}, (rd if cls == "elw" else 0)
    if cls == "hwloop":  # lp.count and lp.setup read the count register
        return ({rs1} if f3 in (2, 4) else set()), 0
    if cls == "csr":
        return ({rs1} if f3 in (1, 2, 3) else set()), rd
    if opcode == 0x33:
        if word >> 30 == 3:  # p.extract/extractu/insert/bclr/bset, immediate forms
            return ({rs1, rd} if f3 == 2 else {rs1}), rd
        f7 = word >> 25
        if f7 == 0x0A and f3 in (1, 2):  # p.clip / p.clipu: Is2 in the rs2 field
            return {rs1}, rd
        if f7 == 0x21 or (f7 == 0x40 and f3 == 2):  # p.mac/p.msu, p.insertr
            return {rs1, rs2, rd}, rd
        return {rs1, rs2}, rd
    if opcode == 0x5B:  # mul/mac with shift (f3 x01: accumulate), addN/subN (f2 odd: rd source)
        accumulates = f3 in (1, 5) or (f3 in (2, 3, 6, 7) and (word >> 30) & 1)
        return ({rs1, rs2, rd} if accumulates else {rs1, rs2}), rd
    if opcode == 0x57:
        funct6 = word >> 26
        reads = {rs1} if f3 in (6, 7) else {rs1, rs2}  # .sci: imm6 in the rs2 field
        # sdot*, pv.insert (0x28..0x2F), shuffle2, packhi.b, packlo.b, GAP8 cplxmul keep rd
        if 0x28 <= funct6 <= 0x2F or funct6 in (0x32, 0x36, 0x38, 0x15):
            reads.add(rd)
        return reads, rd
    return {rs1, rs2}, rd


def _number(name: str) -> int | str:
    """x0..x31 by Capstone name; any other register (not on RI5CY: data decoded as FP code)
    stays its name, so it can only match itself."""
    return REGISTER_NUMBERS.get(name, name)
