"""RI5CY cores (GAP8 fabric controller and cluster cores) on Unicorn's RV32.

Unicorn runs RV32IMC. Most Xpulpv2/GAP8 instructions were rewritten at load time into jumps to
RV32 stubs (xpulp_rewrite.py); the native trap handler (native/ri5cy.c) executes the others and
the CSRs Unicorn lacks, and native hooks give hardware loops their zero-overhead back edges. What
remains here is rare: starting a core, p.elw on the event unit (the core sleeps until an event: no
host time), peripheral accesses (periph/gap8.py) and fault reports.
"""

from __future__ import annotations

import capstone
from unicorn import (UC_ARCH_RISCV, UC_ERR_FETCH_PROT, UC_ERR_FETCH_UNMAPPED, UC_ERR_INSN_INVALID,
                     UC_ERR_OK, UC_ERR_READ_PROT, UC_ERR_READ_UNMAPPED, UC_ERR_WRITE_PROT,
                     UC_ERR_WRITE_UNMAPPED, UC_MODE_RISCV32, Uc, UcError)
from unicorn import riscv_const as rv

from mcusim import native
from mcusim.board import Board, CoreSpec
from mcusim.codemap import CodeMap
from mcusim.cores.access_site import AccessSiteLocator
from mcusim.cores.base import CoreStop
from mcusim.cores.riscv_registers import ABI_NAMES
from mcusim.cores.xpulp_rewrite import XpulpRewrite
from mcusim.elf import Firmware
from mcusim.memory import Memory
from mcusim.periph.gap8 import cycles_to_ps, ps_to_cycles
from mcusim.periph.profile_port import PORT_SIZE, ProfilePort
from mcusim.result import STATUS_FAULT, STATUS_HANG, FaultReport
from mcusim.timing import TimingModel

MSTATUS_FS_INITIAL = 1 << 13
# pcer_v1 performance-counter events (docs/gap8.md §7): PCCRk counts event k
PCER_EVENTS = ("cycles", "instr", "ld_stall", "jr_stall", "imiss", "ld", "st", "jump", "branch",
               "btaken", "rvc", "ld_ext", "st_ext", "ld_ext_cyc", "st_ext_cyc", "tcdm_cont")
PCCR_FIRST, PCCR_ALL = 0x780, 0x79F
FC_CLUSTER_ID = 32

RUNNING, HALTED, SLEEPING, STOPPED = "running", "halted", "sleeping", "stopped"

# mcycle, mcycleh, minstret, minstreth, cycle, cycleh, instret, instreth: their reads are
# redirected to custom CSR numbers that trap, so they return the model's counts (Unicorn's own
# counters count host time).
COUNTER_CSRS = (0xB00, 0xB80, 0xB02, 0xB82, 0xC00, 0xC80, 0xC02, 0xC82)

ERROR_KINDS = {
    UC_ERR_READ_UNMAPPED: "read from unmapped memory",
    UC_ERR_WRITE_UNMAPPED: "write to unmapped memory",
    UC_ERR_FETCH_UNMAPPED: "instruction fetch from unmapped memory",
    UC_ERR_READ_PROT: "read from read-protected memory",
    UC_ERR_WRITE_PROT: "write to read-only memory",
    UC_ERR_FETCH_PROT: "instruction fetch from non-executable memory",
    UC_ERR_INSN_INVALID: "illegal instruction",
}
EXCEPTION_NAMES = {0: "misaligned instruction fetch", 1: "instruction access fault",
                   3: "breakpoint (ebreak)", 4: "misaligned load", 5: "load access fault",
                   6: "misaligned store", 7: "store access fault", 8: "environment call (ecall)",
                   11: "environment call (ecall)"}



def hwloop_sites(codemap: CodeMap, memory: Memory) -> list[tuple[int, int]]:
    """(last instruction of the body, the instruction after it) of every hardware loop whose
    end the code sets with lp.endi, lp.setup or lp.setupi (all PC-relative: static)."""
    sites = set()
    for address, word in codemap.system_words.items():
        if word & 0x7F != 0x7B:
            continue
        funct3 = (word >> 12) & 7
        if funct3 in (1, 4):  # lp.endi, lp.setup: uimm12 << 1
            lpend = address + ((word >> 20) << 1)
        elif funct3 == 5:  # lp.setupi: end offset uimmS in bits 19:15
            lpend = address + (((word >> 15) & 0x1F) << 1)
        else:
            continue
        try:
            halfword = int.from_bytes(memory.read(lpend, 2), "little")
        except KeyError:
            continue
        sites.add((lpend, lpend + (4 if halfword & 3 == 3 else 2)))
    return sorted(sites)


def reads_event_counters(codemap: CodeMap) -> bool:
    """Whether the code accesses a performance counter of an event other than cycles and
    instructions: only then does the hot path count the other events (it costs per block)."""
    for word in codemap.system_words.values():
        if word & 0x7F == 0x73 and (word >> 12) & 7 not in (0, 4):
            csr = word >> 20
            if PCCR_FIRST + 2 <= csr <= PCCR_ALL:
                return True
    return False


def redirect_counter_reads(codemap: CodeMap, memory: Memory) -> int:
    """Rewrite CSR accesses to mcycle/minstret & co in the loaded image (never the ELF file) so
    that they trap and return simulated counts. Returns how many were rewritten."""
    rewritten = 0
    for address, word in codemap.system_words.items():
        if word & 0x7F == 0x73 and (word >> 12) & 7 not in (0, 4):
            csr = word >> 20
            if csr in COUNTER_CSRS:
                patched = (word & 0x000FFFFF) | ((native.RV_COUNTER_CSR_BASE + COUNTER_CSRS.index(csr)) << 20)
                memory.write(address, patched.to_bytes(4, "little"))
                rewritten += 1
    return rewritten


class Ri5cyCore:
    family = "riscv"

    def __init__(self, spec: CoreSpec, board: Board, firmware: Firmware, memory: Memory,
                 codemap: CodeMap, timing: TimingModel, sites: list[tuple[int, int]],
                 call_tracking: bool = True, stubs: XpulpRewrite | None = None,
                 count_events: bool = False) -> None:
        self.spec, self.board, self.firmware, self.memory = spec, board, firmware, memory
        self.timing = timing
        self.soc = None  # set by the machine once every core exists
        self.stop: CoreStop | None = None
        self.schedule_slot: native.SchedCore | None = None  # the C scheduler's entry for this core
        self._state_name = HALTED
        self.idle_cycles = 0  # asleep in p.elw, or not started yet
        self.waits: dict[str, int] = {}  # idle cycles by reason (CoreResult.waits)
        self.exceptions_taken = 0
        self._internal_error: BaseException | None = None
        self._access_address = 0
        self._access_pc: int | None = None
        if spec.name.startswith("cl"):
            self.cluster_index: int | None = int(spec.name[2:])
            hartid = self.cluster_index
        else:
            self.cluster_index = None
            hartid = FC_CLUSTER_ID << 5
        self._disassembler = capstone.Cs(capstone.CS_ARCH_RISCV,
                                         capstone.CS_MODE_RISCV32 | capstone.CS_MODE_RISCVC)

        self.stubs = stubs
        self.uc = Uc(UC_ARCH_RISCV, UC_MODE_RISCV32)
        # A narrow model: the default one decodes B and V, whose encodings Xpulp reuses (P6).
        # With stubs, RV32GC (U34): the same without B and V, plus the FP registers that the
        # stubs park temporaries in; the FPU must be on (mstatus.FS) for fmv to work.
        if stubs is None:
            self.uc.ctl_set_cpu_model(rv.UC_CPU_RISCV32_SIFIVE_E31)
        else:
            self.uc.ctl_set_cpu_model(rv.UC_CPU_RISCV32_SIFIVE_U34)
            self.uc.reg_write(rv.UC_RISCV_REG_MSTATUS, MSTATUS_FS_INITIAL)
        memory.map_into(self.uc, spec.name)
        tlb_regions = memory.tlb_regions(spec.name)
        if stubs is not None:
            stubs.map_into(self.uc)
            tlb_regions.append(stubs.tlb_region())
        self.profile_port = ProfilePort(spec.name, self._read_memory, self._cycles_at_access)
        self._map_peripherals()

        self.state = native.CoreState()
        self.block_counts = codemap.new_block_counts()
        hot_path = timing.hot_path()
        self._native = native.attach(self.uc, self.state, codemap, self.block_counts,
                                     tlb_regions, unknown_bytes_per_instruction=4,
                                     timing=hot_path, arch=self.family, call_tracking=call_tracking)
        if stubs is not None:
            self.state.stub_base, self.state.stub_end = stubs.base, stubs.end
            self.state.stub_entries = stubs.entries.ctypes.data
        self.rv = native.RvCoreState()
        self._native_rv = native.attach_ri5cy(self.uc, self.rv, self.state, hartid,
                                              memory.host_spans(spec.name), sites, hot_path)
        for event in range(len(PCER_EVENTS)):
            self.rv.static_event_of[event] = -1
        if count_events:
            self.state.count_events = 1
            self.state.n_static_events = len(timing.static_events)
            for index, name in enumerate(timing.static_events):
                self.rv.static_event_of[PCER_EVENTS.index(name)] = index
        self._access_sites = AccessSiteLocator(self.uc, codemap.ranges, arch="riscv")

    # ---- state ----------------------------------------------------------------------------

    @property
    def state_name(self) -> str:
        return self._state_name

    @state_name.setter
    def state_name(self, name: str) -> None:
        self._state_name = name
        if self.schedule_slot is not None:
            self.schedule_slot.running = name == RUNNING

    def attach_scheduler(self, slot: native.SchedCore) -> None:
        self.schedule_slot = slot
        slot.running = self._state_name == RUNNING

    @property
    def host_time_s(self) -> float:
        return self.schedule_slot.host_ns / 1e9 if self.schedule_slot is not None else 0.0

    @property
    def cycles(self) -> int:
        return self.state.cycles

    @property
    def instructions(self) -> int:
        return self.state.instructions

    def pc(self) -> int:
        return self.uc.reg_read(rv.UC_RISCV_REG_PC)

    def time_ps(self) -> int:
        return cycles_to_ps(self.cycles, self.spec.clock_hz)

    def _cycles_at_access(self) -> int:
        pc = self._access_pc if self._access_pc is not None else self._custom_instruction_running()
        if pc is not None:  # made by a custom instruction: the executor's or a stub's
            return self._access_sites.cycles_before_instruction(self.state, pc)
        return self._access_sites.cycles_before_access(self.state, self._access_address)

    def _custom_instruction_running(self) -> int | None:
        """The address of the custom instruction the executor or a stub is running, if any."""
        if self.rv.executing_pc:
            return self.rv.executing_pc
        if self._stub_running():
            site = self.stubs.site_of_stub(self.state.stub_block_addr)
            return site.pc if site is not None else None
        return None

    def _stub_running(self) -> bool:
        """Whether the block running now is a stub's (no ordinary block since the last one)."""
        return self.stubs is not None and self.state.stub_block_seq == self.state.blocks + 1

    def time_at_access_ps(self) -> int:
        return cycles_to_ps(self._cycles_at_access(), self.spec.clock_hz)

    def _read_memory(self, address: int, size: int) -> bytes:
        return bytes(self.uc.mem_read(address, size))

    def _advance_to(self, time_ps: int, reason: str) -> None:
        target = ps_to_cycles(time_ps, self.spec.clock_hz)
        if target > self.state.cycles:
            self.idle_cycles += target - self.state.cycles
            self.waits[reason] = self.waits.get(reason, 0) + target - self.state.cycles
            self.state.cycles = target

    # ---- life cycle (called by the SoC and the machine) ------------------------------------

    def start(self, pc: int, time_ps: int) -> None:
        """Fetch enable: start at `pc` (the stack pointer is the firmware's business)."""
        if self.state_name != HALTED:
            return
        self._advance_to(time_ps, "halted")
        self.uc.reg_write(rv.UC_RISCV_REG_PC, pc)
        self.state_name = RUNNING

    def start_at_entry(self) -> None:
        self.uc.reg_write(rv.UC_RISCV_REG_PC, self.firmware.entry)
        self.state_name = RUNNING

    def wake(self, value: int, time_ps: int, reason: str = "event") -> None:
        """The event a sleeping p.elw waited for has come: it returns `value`."""
        self._advance_to(time_ps, reason)
        if self.rv.elw_rd:
            self.uc.reg_write(rv.UC_RISCV_REG_X0 + self.rv.elw_rd, value & 0xFFFFFFFF)
        self.uc.reg_write(rv.UC_RISCV_REG_PC, self.rv.elw_next_pc)
        self.state_name = RUNNING

    def halt(self, stop: CoreStop) -> None:
        self.stop = stop
        self.state_name = STOPPED

    def finish_slice(self, error: int) -> None:
        """After a slice the C scheduler ran and handed back (native/scheduler.h): p.elw, a fault,
        a branch-to-self, a peripheral that stopped it. ``error`` is its emu_start's uc_err."""
        if self._internal_error is not None:
            raise self._internal_error
        if self.state_name != RUNNING:
            return
        if error != UC_ERR_OK and self.rv.stop_kind == native.RV_STOP_NONE and self._replay_stub_fault():
            error = UC_ERR_OK
        kind = self.rv.stop_kind
        if kind == native.RV_STOP_ELW:
            self._event_load()
        elif kind == native.RV_STOP_ILLEGAL:
            self._fault("illegal instruction", self.rv.stop_pc)
        elif kind == native.RV_STOP_FAULT:
            self._fault("memory fault in a custom instruction", self.rv.stop_pc, self.rv.fault_address)
        elif kind == native.RV_STOP_EXCEPTION:
            intno = self.rv.stop_insn
            self._fault(EXCEPTION_NAMES.get(intno, f"CPU exception {intno}"), self.rv.stop_pc)
        elif error != UC_ERR_OK:
            self._fault(ERROR_KINDS.get(error, f"emulation error: {UcError(error)}"), self.pc())
        elif self.state.stop_reason == native.STOP_SELF_LOOP:
            where = self.firmware.describe_address(self.pc())
            self.halt(CoreStop(STATUS_HANG, f"core {self.spec.name} hung in a branch-to-self loop "
                                            f"at {self.pc():#010x} ({where})"))

    # ---- stubs of rewritten custom instructions (xpulp_rewrite.py) --------------------------

    def _replay_stub_fault(self) -> bool:
        """A stub's data access faulted. Put back the temporaries it parked, so that the
        registers are those before the instruction, and let the executor run the instruction
        as if it had trapped: it reports the same fault (or, where the executor reaches memory
        a plain access cannot, completes the instruction). Returns whether PC was in a stub."""
        pc = self.pc()
        site = self.stubs.site_of_stub(pc) if self.stubs is not None and self.stubs.contains(pc) else None
        if site is None:
            return False
        if pc >= site.body:
            for t in site.temps:
                self.uc.reg_write(rv.UC_RISCV_REG_X0 + t, self.uc.reg_read(rv.UC_RISCV_REG_F0 + t) & 0xFFFFFFFF)
        self.state.stub_blocks -= 1  # counted as a stub run; the executor counts it if it completes
        native.replay_custom(self.uc, self.rv, site.pc, site.word)
        return True

    def _event_load(self) -> None:
        address = self.memory.translate(self.spec.name, self.rv.elw_address)
        self._access_address = self.rv.elw_address
        region = self.board.region_at(address)
        if region is not None and region.kind != "mmio":  # p.elw on memory: a plain load
            value = int.from_bytes(self.memory.read(address, 4), "little")
        else:
            self._access_pc = self.rv.stop_pc
            try:
                value = self.soc.read(self, address, 4, elw=True)
            finally:
                self._access_pc = None
        if value is None:
            self.state_name = SLEEPING
            return
        if self.rv.elw_rd:
            self.uc.reg_write(rv.UC_RISCV_REG_X0 + self.rv.elw_rd, value & 0xFFFFFFFF)
        self.uc.reg_write(rv.UC_RISCV_REG_PC, self.rv.elw_next_pc)

    # ---- peripherals -----------------------------------------------------------------------

    def _map_peripherals(self) -> None:
        for region in self.board.regions:
            if region.kind != "mmio":
                continue
            for start, end in region.spans_for(self.spec.name):
                base = start
                self.uc.mmio_map(start, end - start,
                                 lambda uc, offset, size, _, base=base: self._mmio_read(base + offset, size),
                                 None,
                                 lambda uc, offset, size, value, _, base=base: self._mmio_write(base + offset, size, value),
                                 None)

    def _port(self, address: int) -> int | None:
        port = self.board.profile_port
        if port is not None and port <= address < port + PORT_SIZE:
            return address - port
        return None

    def _mmio_read(self, address: int, size: int) -> int:
        self._access_address = address
        result = [0]

        def read():
            global_address = self.memory.translate(self.spec.name, address)
            offset = self._port(global_address)
            if offset is not None:
                result[0] = self.profile_port.read(offset, size)
            else:
                result[0] = self.soc.read(self, global_address, size) or 0
        self._guarded(read)
        return result[0]

    def _mmio_write(self, address: int, size: int, value: int) -> None:
        self._access_address = address

        def write():
            global_address = self.memory.translate(self.spec.name, address)
            offset = self._port(global_address)
            if offset is not None:
                self.profile_port.write(offset, size, value)
            else:
                self.soc.write(self, global_address, size, value)
            if self.soc.exit_code is not None or self.state_name != RUNNING:
                self._stop_slice()
        self._guarded(write)

    def _guarded(self, action) -> None:
        try:
            action()
        except BaseException as e:  # noqa: BLE001 - re-raised when the slice is finished
            self._internal_error = e
            self._stop_slice()

    def _stop_slice(self) -> None:
        """End the running slice from a callback and hand it to Python (finish_slice)."""
        if self._stub_running():
            # Unicorn stops at the accessing instruction (selftest_stubs.py), which would leave
            # the core inside the stub. The trap handler finishes its instruction first: so does
            # the stub, and the slice ends at the next block (a budget of 0).
            self.state.stop_at_cycles = 0
        else:
            self.uc.emu_stop()
        if self.schedule_slot is not None:
            self.schedule_slot.stop_slice = 1

    # ---- faults ----------------------------------------------------------------------------

    def _fault(self, kind: str, pc: int, address: int | None = None) -> None:
        registers = {name: self.uc.reg_read(rv.UC_RISCV_REG_X0 + i) for i, name in enumerate(ABI_NAMES)}
        registers["pc"] = pc
        try:
            code = bytes(self.uc.mem_read(pc, 4))
            original = self.stubs.original_word(pc) if self.stubs is not None else None
            if original is not None:  # rewritten into a jump to its stub: report the instruction
                code = original.to_bytes(4, "little")
            insn = next(self._disassembler.disasm_lite(code, pc, 1), None)
            if insn:
                instruction = f"{insn[2]} {insn[3]}".strip()
            else:
                word = int.from_bytes(code, "little")
                instruction = native.xpulp_mnemonic(word) or f".word {word:#010x}"
        except UcError:
            instruction = "(no memory at PC)"
        region = None
        if address is not None:
            found = self.board.region_at(self.memory.translate(self.spec.name, address))
            region = found.name if found else "unmapped"
        backtrace = [f"{pc:#010x} {self.firmware.describe_address(pc)}"]
        ra = registers["ra"]
        if self.firmware.function_at(ra):
            backtrace.append(f"{ra:#010x} {self.firmware.describe_address(ra)} (from ra)")
        report = FaultReport(core=self.spec.name, kind=kind, pc=pc,
                             location=self.firmware.describe_address(pc), instruction=instruction,
                             address=address, region=region, registers=registers, backtrace=backtrace)
        message = f"firmware fault on core {self.spec.name}: {kind} at {pc:#010x} ({report.location})"
        self.halt(CoreStop(STATUS_FAULT, message, fault=report))

    def diagnostics(self) -> dict[str, object]:
        return {
            "unknown_code_blocks": int(self.state.unknown_blocks),
            "xpulp_instructions": int(self.rv.xpulp_executed + self.state.stub_blocks),
            "hwloop_back_edges": int(self.rv.hwloop_back_edges),
            "slices": int(self.schedule_slot.slices) if self.schedule_slot is not None else 0,
        }
