"""RI5CY timing (GAP8 fabric controller and cluster cores): the table in ri5cy.toml plus the
load-use stall, operand-dependent divides, zero-cost hardware-loop back edges and the L2 latency
of a core's data accesses (a board parameter: docs/gap8.md §6 and §13)."""

from __future__ import annotations

from capstone import riscv

from mcusim.native import HotPathTiming
from mcusim.timing.base import DecodedInstruction, TimingModel
from mcusim.timing.memory_system import CacheConfig, CachedRange, MemorySystem
from mcusim.timing.tables import load_table

_ID_NAMES = {getattr(riscv, n): n[len("RISCV_INS_"):] for n in dir(riscv) if n.startswith("RISCV_INS_")}
_LOADS = {"LB", "LBU", "LH", "LHU", "LW", "C_LW", "C_LWSP"}
_UNICORN_X0 = 1  # UC_RISCV_REG_X0; Xn is this + n


class Ri5cy(TimingModel):
    name = "ri5cy"
    version = "1"
    needs_detail = True
    covers = (
        "issue cycles of every RV32IMC class and of the Xpulpv2/GAP8 classes (ri5cy.toml, sourced)",
        "load-use stall (+1 when the next instruction reads the loaded register)",
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

    def cycles_of_run(self, run: list[DecodedInstruction]) -> list[int]:
        out: list[int] = []
        loaded: str | None = None  # the register the previous instruction loaded
        for item in run:
            insn = item.detail
            if insn is None:  # a custom (Xpulp) word
                cls = _xpulp_class(item)
                cycles = self.xpulp_classes.get(cls, 1)
                reads = set()  # operands of custom words are not decoded here
                loaded = None if cls != "load" else None
            else:
                name = _ID_NAMES.get(insn.id, "")
                row = self.classes.get(name)
                cycles = row.cycles if row is not None else 1
                registers = [insn.reg_name(op.reg) for op in insn.operands if op.type == riscv.RISCV_OP_REG]
                memory_bases = [insn.reg_name(op.mem.base) for op in insn.operands if op.type == riscv.RISCV_OP_MEM]
                writes_first = name not in ("SB", "SH", "SW", "C_SW", "C_SWSP") and row is not None and row.name not in ("branch",)
                reads = set(registers[1:] if writes_first else registers) | set(memory_bases)
                if loaded is not None and loaded in reads:
                    cycles += self.load_use_stall
                loaded = registers[0] if name in _LOADS and registers else None
                if name in ("DIV", "DIVU", "REM", "REMU") and self.mode == "accurate" and len(registers) == 3:
                    self.divide_sites.append((insn.address, _unicorn_register(registers[1]),
                                              _unicorn_register(registers[2]), name in ("DIV", "REM"), cycles))
            if self.mode == "fast" and insn is not None and row is not None and row.name == "jump":
                cycles += self.taken_branch_penalty  # always taken: chargeable statically
            out.append(cycles)
        return out


def _xpulp_class(item: DecodedInstruction) -> str:
    from mcusim.native import xpulp_class

    return xpulp_class(int(item.operands, 16))


_ABI_NAMES = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3",
              "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
              "t3", "t4", "t5", "t6"]


def _unicorn_register(name: str) -> int:
    number = _ABI_NAMES.index("s0" if name == "fp" else name) if not name.startswith("x") else int(name[1:])
    return _UNICORN_X0 + number
