"""Cortex-M4/M7 core: Unicorn set up as the real core, reset, exceptions, semihosting, faults.

Unicorn executes instructions; everything a Cortex-M does around them is here: reset from the
vector table, the System Control Space (periph/scs.py), exception entry and return with the
hardware's stacking and EXC_RETURN (Unicorn 2.1.4 has none: docs/cortexm.md §4), SysTick,
SVC/PendSV, fault escalation, WFI and idle loops, and BKPT 0xAB semihosting. All of it runs on
rare events; the per-block work is the native hot path's.
"""

from __future__ import annotations

import ctypes
import time

import capstone
from unicorn import (UC_ARCH_ARM, UC_ERR_FETCH_PROT, UC_ERR_FETCH_UNMAPPED, UC_ERR_INSN_INVALID,
                     UC_ERR_READ_PROT, UC_ERR_READ_UNMAPPED, UC_ERR_WRITE_PROT, UC_ERR_WRITE_UNMAPPED,
                     UC_HOOK_INTR, UC_HOOK_MEM_INVALID,  UC_MODE_THUMB, Uc, UcError)
from unicorn import arm_const as arm

from mcusim import native
from mcusim.board import Board, CoreSpec
from mcusim.codemap import CodeMap
from mcusim.cores.access_site import AccessSiteLocator
from mcusim.cores.base import CoreStop
from mcusim.cores.semihosting import Semihosting
from mcusim.elf import Firmware
from mcusim.memory import Memory
from mcusim.periph import scs as S
from mcusim.periph.profile_port import PORT_SIZE, ProfilePort
from mcusim.periph.scs import SystemControlSpace, SystemResetRequest
from mcusim.timing import TimingModel
from mcusim.result import STATUS_EXITED, STATUS_FAULT, STATUS_HANG, FaultReport

CPU_MODELS = {"cortex-m4": arm.UC_CPU_ARM_CORTEX_M4, "cortex-m7": arm.UC_CPU_ARM_CORTEX_M7}

# Unicorn's ARM exception numbers as seen by UC_HOOK_INTR (qemu/target/arm/cpu.h)
EXCP_UDEF, EXCP_SWI, EXCP_PREFETCH_ABORT, EXCP_DATA_ABORT = 1, 2, 3, 4
EXCP_BKPT, EXCP_EXCEPTION_EXIT, EXCP_INVSTATE = 7, 8, 18

UNTIL = 0xFFFFFFFE  # an address no code runs at: slices end by uc_emu_stop only
SEMIHOSTING_BKPT = 0xBEAB
WFI_ENCODINGS = {0xBF30, 0xBF20}  # wfi, wfe (16-bit forms, what compilers emit)
EXC_RETURN_MIN = 0xFFFFFFE0

GPRS = [(f"r{i}", getattr(arm, f"UC_ARM_REG_R{i}")) for i in range(13)] + [
    ("sp", arm.UC_ARM_REG_SP), ("lr", arm.UC_ARM_REG_LR), ("pc", arm.UC_ARM_REG_PC),
    ("xpsr", arm.UC_ARM_REG_XPSR), ("msp", arm.UC_ARM_REG_MSP), ("psp", arm.UC_ARM_REG_PSP),
    ("control", arm.UC_ARM_REG_CONTROL), ("primask", arm.UC_ARM_REG_PRIMASK),
    ("basepri", arm.UC_ARM_REG_BASEPRI), ("faultmask", arm.UC_ARM_REG_FAULTMASK),
]
FRAME_REGS = [arm.UC_ARM_REG_R0, arm.UC_ARM_REG_R1, arm.UC_ARM_REG_R2, arm.UC_ARM_REG_R3,
              arm.UC_ARM_REG_R12, arm.UC_ARM_REG_LR]
FP_FRAME_REGS = [arm.UC_ARM_REG_S0 + i for i in range(16)]

DATA_ACCESS_ERRORS = (UC_ERR_READ_UNMAPPED, UC_ERR_WRITE_UNMAPPED, UC_ERR_READ_PROT, UC_ERR_WRITE_PROT)

FAULT_NAMES = {S.HARDFAULT: "HardFault", S.MEMMANAGE: "MemManage", S.BUSFAULT: "BusFault",
               S.USAGEFAULT: "UsageFault"}


class _GuestMemory:
    def __init__(self, uc: Uc) -> None:
        self.uc = uc

    def read(self, address: int, size: int) -> bytes:
        return bytes(self.uc.mem_read(address, size))

    def write(self, address: int, data: bytes) -> None:
        self.uc.mem_write(address, data)


class CortexMCore:
    family = "arm"

    def __init__(self, spec: CoreSpec, board: Board, firmware: Firmware, memory: Memory,
                 codemap: CodeMap, timing: TimingModel, semihosting: Semihosting,
                 call_tracking: bool = True) -> None:
        self.spec, self.board, self.firmware = spec, board, firmware
        self.semihosting = semihosting
        self.timing = timing
        self.stop: CoreStop | None = None
        self.idle_cycles = 0
        self.exceptions_taken = 0
        self.host_time_s = 0.0
        self.pending_fault: FaultReport | None = None  # recorded at the fault, reported if fatal
        self._internal_error: BaseException | None = None
        self._systick_checked = 0
        self._disassembler = capstone.Cs(capstone.CS_ARCH_ARM,
                                         capstone.CS_MODE_THUMB | capstone.CS_MODE_MCLASS)

        # Not UC_MODE_MCLASS: it silently forces a Cortex-M33 (docs/cortexm.md §4.1).
        self.uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB)
        self.uc.ctl_set_cpu_model(CPU_MODELS[spec.model])
        self.guest = _GuestMemory(self.uc)
        memory.map_into(self.uc, spec.name)

        caches = {k: (c.size, c.ways, c.line_bytes)
                  for k, c in (("i", spec.icache), ("d", spec.dcache)) if c is not None}
        self.scs = SystemControlSpace(spec.model, spec.clock_hz, board.vector_table,
                                      self._cycles_at_access, caches)
        self.uc.mmio_map(S.PPB_BASE, S.PPB_SIZE, self._ppb_read, None, self._ppb_write, None)
        self.profile_port = ProfilePort(spec.name, self.guest.read, self._cycles_at_access)
        if board.profile_port is not None:
            self.uc.mmio_map(board.profile_port, PORT_SIZE, self._port_read, None, self._port_write, None)

        self.state = native.CoreState()
        self._access_sites = AccessSiteLocator(self.uc, codemap.ranges)
        self._access_address = 0
        self.block_counts = codemap.new_block_counts()
        self._native_keepalive = native.attach(self.uc, self.state, codemap, self.block_counts,
                                               memory.tlb_regions(spec.name),
                                               unknown_bytes_per_instruction=3,
                                               timing=timing.hot_path(), arch=self.family,
                                               call_tracking=call_tracking)
        self.uc.hook_add(UC_HOOK_INTR, self._on_interrupt)
        self._reset()

    # ---- state helpers ------------------------------------------------------------------

    @property
    def cycles(self) -> int:
        return self.state.cycles

    @property
    def instructions(self) -> int:
        return self.state.instructions

    def reg(self, register: int) -> int:
        return self.uc.reg_read(register)

    def pc(self) -> int:
        return self.uc.reg_read(arm.UC_ARM_REG_PC)

    def _word(self, address: int) -> int:
        return int.from_bytes(self.uc.mem_read(address, 4), "little")

    def _rebuild_hflags(self) -> None:
        # Writing IPSR/XPSR does not rebuild Unicorn 2.1.4's cached hflags; writing APSR_NZCV
        # does. Without this an exception return hard-faults (docs/cortexm.md §4.1, PR #2268).
        self.uc.reg_write(arm.UC_ARM_REG_APSR_NZCV, self.uc.reg_read(arm.UC_ARM_REG_APSR_NZCV))

    def _reset(self) -> None:
        vt = self.board.vector_table
        sp, reset = self._word(vt), self._word(vt + 4)
        self.uc.reg_write(arm.UC_ARM_REG_MSP, sp)
        self.uc.reg_write(arm.UC_ARM_REG_SP, sp)
        self.uc.reg_write(arm.UC_ARM_REG_PC, reset | 1)
        self.initial_sp = sp

    # ---- running ------------------------------------------------------------------------

    def next_event(self) -> int | None:
        """The core cycle of the next timed event (SysTick), if one can interrupt."""
        return self.scs.systick_next_zero(self.cycles)

    def run_until(self, deadline: int) -> None:
        """Run one slice: until the cycle deadline, an exit, a fault or an idle wait."""
        self.state.stop_at_cycles = deadline
        self.state.stop_reason = native.STOP_NONE
        start = time.perf_counter()
        try:
            self.uc.emu_start(self.pc() | 1, UNTIL)
            error = None
        except UcError as e:
            error = e
        finally:
            self.host_time_s += time.perf_counter() - start
        if self._internal_error is not None:
            raise self._internal_error
        if self.stop is not None:
            return
        if self.semihosting.exit is not None:
            code = self.semihosting.exit.code
            self.stop = CoreStop(STATUS_EXITED, f"firmware exited with code {code}", exit_code=code)
            return
        if error is not None:
            self._on_emulation_error(error)
        elif self.state.stop_reason == native.STOP_SELF_LOOP:
            self._idle(self_loop=True)
        elif self.state.stop_reason == native.STOP_NONE and self._stopped_after_wfi():
            self._idle(self_loop=False)
        if self.stop is None:
            self._service_events()
            self._take_pending()

    def _stopped_after_wfi(self) -> bool:
        try:
            halfword = int.from_bytes(self.uc.mem_read(self.pc() - 2, 2), "little")
        except UcError:
            return False
        return halfword in WFI_ENCODINGS

    def _service_events(self) -> None:
        now = self.cycles
        if self.scs.systick_csr & 2 and self.scs.systick_fire_due(now, self._systick_checked):
            self.scs.pending.add(S.SYSTICK)
        self._systick_checked = now

    def _idle(self, self_loop: bool) -> None:
        """WFI/WFE, or `b .`: jump to the next interrupt, or end the run if none can come."""
        if self._deliverable(wake_only=not self_loop) is not None:
            return  # something is already pending: WFI falls through, the loop is preempted
        target = self.next_event()
        can_preempt = target is not None and (
            not self_loop or self.scs.group_priority(self.scs.priority(S.SYSTICK)) < self.execution_priority()
        )
        if can_preempt:
            self.idle_cycles += target - self.cycles
            self.state.cycles = target
            return
        where = self.firmware.describe_address(self.pc())
        if self.pending_fault is not None:
            self._stop_with_fault(self.pending_fault)
            return
        what = "a branch-to-self loop" if self_loop else "WFI"
        self.stop = CoreStop(
            STATUS_HANG,
            f"firmware hung in {what} at {self.pc():#010x} ({where}) with no interrupt that can "
            "wake it: it would never exit",
        )

    # ---- exceptions ---------------------------------------------------------------------

    def execution_priority(self) -> int:
        priority = 256
        for exception in self.scs.active:
            priority = min(priority, self.scs.group_priority(self.scs.priority(exception)))
        if self.reg(arm.UC_ARM_REG_PRIMASK) & 1:
            priority = min(priority, 0)
        if self.reg(arm.UC_ARM_REG_FAULTMASK) & 1:
            priority = min(priority, -1)
        basepri = self.reg(arm.UC_ARM_REG_BASEPRI) & 0xFF
        if basepri:
            priority = min(priority, self.scs.group_priority(basepri))
        return priority

    def _deliverable(self, wake_only: bool = False) -> int | None:
        best = self.scs.best_pending()
        if best is None:
            return None
        if wake_only:
            return best  # WFI wakes on any pending enabled exception, even if masked
        if self.scs.group_priority(self.scs.priority(best)) < self.execution_priority():
            return best
        return None

    def _take_pending(self) -> None:
        while (exception := self._deliverable()) is not None:
            self.scs.pending.discard(exception)
            self._enter_exception(exception, self.pc())

    def _enter_exception(self, exception: int, return_address: int) -> None:
        """ARMv7-M ExceptionEntry: stack the frame, set LR to EXC_RETURN, vector to the handler."""
        uc = self.uc
        control = self.reg(arm.UC_ARM_REG_CONTROL)
        ipsr = self.reg(arm.UC_ARM_REG_IPSR)
        thread = ipsr == 0
        use_psp = thread and bool(control & 2)
        fp_frame = bool(control & 4)
        sp = self.reg(arm.UC_ARM_REG_PSP if use_psp else arm.UC_ARM_REG_MSP)
        frame_size = 0x68 if fp_frame else 0x20
        xpsr = self.reg(arm.UC_ARM_REG_XPSR) | (1 << 24)  # T bit
        frame_ptr = (sp - frame_size) & ~7  # CCR.STKALIGN: 8-byte aligned frames
        if (sp - frame_size) & 4:
            xpsr |= 1 << 9  # tell the return to undo the alignment
        else:
            xpsr &= ~(1 << 9)
        words = [self.reg(r) for r in FRAME_REGS] + [return_address & ~1, xpsr]
        if fp_frame:
            words += [self.reg(r) for r in FP_FRAME_REGS] + [self.reg(arm.UC_ARM_REG_FPSCR), 0]
        uc.mem_write(frame_ptr, b"".join(w.to_bytes(4, "little") for w in words))

        if use_psp:
            uc.reg_write(arm.UC_ARM_REG_PSP, frame_ptr)
        else:
            uc.reg_write(arm.UC_ARM_REG_MSP, frame_ptr)
        # Clear SPSEL and FPCA while still in thread mode: handler mode ignores SPSEL writes.
        uc.reg_write(arm.UC_ARM_REG_CONTROL, control & ~0b110)
        uc.reg_write(arm.UC_ARM_REG_IPSR, exception)
        self._rebuild_hflags()
        exc_return = 0xFFFFFFE1 | (0 if fp_frame else 0x10)
        if thread:
            exc_return |= 0x8 | (0x4 if use_psp else 0)
        uc.reg_write(arm.UC_ARM_REG_LR, exc_return)
        handler = self._word(self.scs.vtor + 4 * exception)
        uc.reg_write(arm.UC_ARM_REG_PC, handler | 1)
        self.scs.active.append(exception)
        self.exceptions_taken += 1
        self.state.cycles += self.timing.exception_entry_cycles

    def _exception_return(self, exc_return: int) -> None:
        """ARMv7-M ExceptionReturn: unstack the frame EXC_RETURN names, restore mode and SP."""
        uc = self.uc
        if not self.scs.active:
            self._fault_now("exception return (EXC_RETURN) outside any exception handler",
                            S.USAGEFAULT, S.CFSR_INVPC)
            return
        to_thread = bool(exc_return & 0x8)
        use_psp = bool(exc_return & 0x4)
        fp_frame = not exc_return & 0x10
        frame_ptr = self.reg(arm.UC_ARM_REG_PSP if use_psp else arm.UC_ARM_REG_MSP)
        frame_size = 0x68 if fp_frame else 0x20
        raw = bytes(uc.mem_read(frame_ptr, frame_size))
        words = [int.from_bytes(raw[i:i + 4], "little") for i in range(0, frame_size, 4)]
        for register, value in zip(FRAME_REGS, words):
            uc.reg_write(register, value)
        return_address, xpsr = words[6], words[7]
        if fp_frame:
            for register, value in zip(FP_FRAME_REGS, words[8:24]):
                uc.reg_write(register, value)
            uc.reg_write(arm.UC_ARM_REG_FPSCR, words[24])
        new_sp = frame_ptr + frame_size + (4 if xpsr & (1 << 9) else 0)

        self.scs.active.pop()
        ipsr = 0 if to_thread else (xpsr & 0x1FF)
        uc.reg_write(arm.UC_ARM_REG_XPSR, (xpsr & ~0x1FF & ~(1 << 9)) | ipsr)
        control = self.reg(arm.UC_ARM_REG_CONTROL) & ~0b110
        if to_thread and use_psp:
            control |= 0x2
        if fp_frame:
            control |= 0x4
        uc.reg_write(arm.UC_ARM_REG_CONTROL, control)
        uc.reg_write(arm.UC_ARM_REG_PSP if use_psp else arm.UC_ARM_REG_MSP, new_sp)
        self._rebuild_hflags()
        uc.reg_write(arm.UC_ARM_REG_PC, return_address | 1)
        # Tail-chain: a pending exception that can now run is taken before the return lands.
        self._service_events()
        self._take_pending()

    # ---- Unicorn callbacks (rare events only) -------------------------------------------

    def _guarded(self, action) -> None:
        """Run a callback body; keep a Python error for after emu_start (hooks cannot raise)."""
        try:
            action()
        except SystemResetRequest:
            self.stop = CoreStop(STATUS_HANG, "firmware requested a system reset (AIRCR.SYSRESETREQ); "
                                 "mcusim ends the run there")
            self.uc.emu_stop()
        except BaseException as e:  # noqa: BLE001 - re-raised in run_until
            self._internal_error = e
            self.uc.emu_stop()

    def _cycles_at_access(self) -> int:
        """Cycles before the instruction making the current PPB access (exact, not block-rounded)."""
        return self._access_sites.cycles_before_access(self.state, self._access_address)

    def _ppb_read(self, uc, offset, size, user_data):
        self._access_address = S.PPB_BASE + offset
        result = [0]
        self._guarded(lambda: result.__setitem__(0, self.scs.read(S.PPB_BASE + offset, size)))
        return result[0]

    def _ppb_write(self, uc, offset, size, value, user_data):
        self._access_address = S.PPB_BASE + offset

        def write():
            self.scs.write(S.PPB_BASE + offset, size, value)
            if self._deliverable() is not None:
                uc.emu_stop()  # e.g. PendSV set: take it after this block
            event = self.next_event()  # e.g. SysTick just enabled: end the slice in time for it
            if event is not None and event < self.state.stop_at_cycles:
                self.state.stop_at_cycles = event
        self._guarded(write)

    def _port_read(self, uc, offset, size, user_data):
        return 0

    def _port_write(self, uc, offset, size, value, user_data):
        self._access_address = self.board.profile_port + offset
        self._guarded(lambda: self.profile_port.write(offset, size, value))

    def _on_interrupt(self, uc, intno, user_data):
        self._guarded(lambda: self._interrupt(intno))

    def _interrupt(self, intno: int) -> None:
        pc = self.pc()
        if intno == EXCP_BKPT:
            halfword = int.from_bytes(self.uc.mem_read(pc, 2), "little")
            if halfword == SEMIHOSTING_BKPT:
                op, param = self.reg(arm.UC_ARM_REG_R0), self.reg(arm.UC_ARM_REG_R1)
                result = self.semihosting.call(op, param, self.guest)
                self.uc.reg_write(arm.UC_ARM_REG_R0, result & 0xFFFFFFFF)
                self.uc.reg_write(arm.UC_ARM_REG_PC, (pc + 2) | 1)
                if self.semihosting.exit is not None:
                    self.uc.emu_stop()
                return
            self._fault_now(f"breakpoint BKPT #{halfword & 0xFF} with no debugger attached",
                            S.HARDFAULT, 0)
        elif intno == EXCP_SWI:
            # PC is already past the SVC; SVCall must preempt or it escalates to HardFault.
            if self.scs.group_priority(self.scs.priority(S.SVCALL)) < self.execution_priority():
                self._enter_exception(S.SVCALL, pc)
            else:
                self._fault_now("SVC executed at a priority that blocks SVCall", S.HARDFAULT, 0,
                                pc=pc - 2)
        elif intno == EXCP_EXCEPTION_EXIT or (intno == EXCP_PREFETCH_ABORT and pc >= EXC_RETURN_MIN
                                              and self.scs.active):
            self._exception_return(pc | 1)
        elif intno == EXCP_UDEF:
            self._fault_now("undefined instruction", S.USAGEFAULT, S.CFSR_UNDEFINSTR)
        elif intno == EXCP_INVSTATE:
            self._fault_now("invalid state (branch to an ARM-state address)", S.USAGEFAULT,
                            S.CFSR_INVSTATE)
        elif intno == EXCP_PREFETCH_ABORT:
            self._fault_now("instruction fetch fault", S.MEMMANAGE, 1)
        elif intno == EXCP_DATA_ABORT:
            self._fault_now("data access fault", S.BUSFAULT, S.CFSR_PRECISERR)
        else:
            self._fault_now(f"unexpected CPU exception {intno}", S.HARDFAULT, 0)

    # ---- faults -------------------------------------------------------------------------

    def _on_emulation_error(self, error: UcError) -> None:
        kinds = {
            UC_ERR_READ_UNMAPPED: ("read from unmapped memory", S.BUSFAULT, S.CFSR_PRECISERR | S.CFSR_BFARVALID),
            UC_ERR_WRITE_UNMAPPED: ("write to unmapped memory", S.BUSFAULT, S.CFSR_PRECISERR | S.CFSR_BFARVALID),
            UC_ERR_FETCH_UNMAPPED: ("instruction fetch from unmapped memory", S.MEMMANAGE, 1),
            UC_ERR_READ_PROT: ("read from read-protected memory", S.MEMMANAGE, S.CFSR_DACCVIOL),
            UC_ERR_WRITE_PROT: ("write to read-only memory", S.MEMMANAGE, S.CFSR_DACCVIOL | S.CFSR_MMARVALID),
            UC_ERR_FETCH_PROT: ("instruction fetch from non-executable memory", S.MEMMANAGE, 1),
            UC_ERR_INSN_INVALID: ("undefined instruction", S.USAGEFAULT, S.CFSR_UNDEFINSTR),
        }
        kind, exception, cfsr = kinds.get(error.errno, (f"emulation error: {error}", S.HARDFAULT, 0))
        address = None
        if error.errno in DATA_ACCESS_ERRORS:
            address = self._probe_fault_address()
        self._fault_now(kind, exception, cfsr, address=address)

    def _probe_fault_address(self) -> int | None:
        """Re-run the faulting instruction once with an invalid-memory hook to learn the address.

        A memory hook of any kind sends every guest access through Unicorn's slow path
        (docs/unicorn.md P3: 0.6x here), so none is installed while the firmware runs; after a
        fault the state is still that before the faulting instruction, and it faults again.
        """
        seen: list[int] = []

        def on_invalid(uc, access, address, size, value, user_data):
            seen.append(address)
            return False

        saved = bytes(self.state)  # the probe must not count anything
        self.state.n_code_ranges = 0
        self.state.stop_at_cycles = 0xFFFFFFFFFFFFFFFF
        hook = self.uc.hook_add(UC_HOOK_MEM_INVALID, on_invalid)
        self.uc.ctl_flush_tb()  # hooks added after translation do not fire in cached blocks (P2)
        pc = self.pc()
        try:
            self.uc.emu_start(pc | 1, UNTIL, count=1)
        except UcError:
            pass
        finally:
            self.uc.hook_del(hook)
            ctypes.memmove(ctypes.addressof(self.state), saved, len(saved))
            self.uc.reg_write(arm.UC_ARM_REG_PC, pc | 1)
        return seen[0] if seen else None

    def _fault_now(self, kind: str, exception: int, cfsr: int, address: int | None = None,
                   pc: int | None = None) -> None:
        """Record the fault, then enter the firmware's handler as the hardware would; the run
        ends with the report if the handler never returns to useful work (lockup, `b .`)."""
        pc = self.pc() if pc is None else pc
        report = self._fault_report(kind, pc, address)
        lockup = any(e in (S.HARDFAULT, S.NMI) for e in self.scs.active)
        if lockup or self.pending_fault is not None and any(e in FAULT_NAMES for e in self.scs.active):
            self._stop_with_fault(self.pending_fault or report, lockup=True)
            return
        enable_bit = {S.MEMMANAGE: 16, S.BUSFAULT: 17, S.USAGEFAULT: 18}.get(exception)
        if enable_bit is not None and not (self.scs.shcsr >> enable_bit & 1):
            exception = S.HARDFAULT
        if exception != S.HARDFAULT and self.scs.group_priority(self.scs.priority(exception)) >= self.execution_priority():
            exception = S.HARDFAULT
        if exception == S.HARDFAULT:
            self.scs.hfsr |= S.HFSR_FORCED
        self.scs.cfsr |= cfsr
        if address is not None:
            self.scs.bfar = self.scs.mmfar = address
        handler = self._word(self.scs.vtor + 4 * exception) & ~1
        if self.firmware.function_at(handler) is None:
            self._stop_with_fault(report)  # no handler to enter: report at once
            return
        report.handler = f"{FAULT_NAMES[exception]} -> {self.firmware.describe_address(handler)}"
        self.pending_fault = report
        self._enter_exception(exception, pc)

    def _stop_with_fault(self, report: FaultReport, lockup: bool = False) -> None:
        where = f"{report.pc:#010x} ({report.location})"
        message = f"firmware fault on core {report.core}: {report.kind} at {where}"
        if lockup:
            message += " (a second fault inside the fault handler: lockup)"
        self.stop = CoreStop(STATUS_FAULT, message, fault=report)
        self.uc.emu_stop()

    def _fault_report(self, kind: str, pc: int, address: int | None) -> FaultReport:
        registers = {name: self.reg(number) for name, number in GPRS}
        registers["pc"] = pc
        try:
            code = bytes(self.uc.mem_read(pc, 4))
            insn = next(self._disassembler.disasm_lite(code, pc, 1), None)
            instruction = f"{insn[2]} {insn[3]}".strip() if insn else f"(undecodable: {code.hex()})"
        except UcError:
            instruction = "(no memory at PC)"
        region = None
        if address is not None:
            found = self.board.region_at(address)
            region = found.name if found else "unmapped"
        return FaultReport(
            core=self.spec.name, kind=kind, pc=pc, location=self.firmware.describe_address(pc),
            instruction=instruction, address=address, region=region, registers=registers,
            backtrace=self._backtrace(pc),
        )

    def _backtrace(self, pc: int) -> list[str]:
        """PC, the caller from LR, and the code each active exception interrupted."""
        frames = [f"{pc:#010x} {self.firmware.describe_address(pc)}"]
        lr = self.reg(arm.UC_ARM_REG_LR)
        if lr < EXC_RETURN_MIN and self.firmware.function_at(lr & ~1):
            frames.append(f"{lr & ~1:#010x} {self.firmware.describe_address(lr & ~1)} (from LR)")
        return frames

    # ---- reporting ----------------------------------------------------------------------

    def diagnostics(self) -> dict[str, object]:
        return {
            "unknown_code_blocks": int(self.state.unknown_blocks),
            "unmodelled_registers": {f"{a:#010x}": n for a, n in sorted(self.scs.unmodelled.items())},
        }
