"""Cortex-M System Control Space on the Private Peripheral Bus (0xE0000000-0xE00FFFFF).

SCB, NVIC, SysTick, DWT, CoreDebug, FPU control and (M7) cache identification registers:
enough for CMSIS SystemInit, HAL ticks, RTOS context switches and DWT-based cycle timers.
Accesses are rare (start-up, ticks, cycle-counter reads), so the model is Python behind a Unicorn
MMIO mapping. Registers it does not implement keep what was written and are counted, never
silently zero (RunResult.diagnostics.unmodelled_registers).
"""

from __future__ import annotations

from collections import Counter
from typing import Callable

PPB_BASE = 0xE0000000
PPB_SIZE = 0x100000

# exception numbers
NMI, HARDFAULT, MEMMANAGE, BUSFAULT, USAGEFAULT = 2, 3, 4, 5, 6
SVCALL, DEBUGMON, PENDSV, SYSTICK = 11, 12, 14, 15
FIRST_IRQ = 16
NUM_IRQS = 240

# register addresses
ICTR, ACTLR = 0xE000E004, 0xE000E008
SYST_CSR, SYST_RVR, SYST_CVR, SYST_CALIB = 0xE000E010, 0xE000E014, 0xE000E018, 0xE000E01C
NVIC_ISER, NVIC_ICER, NVIC_ISPR, NVIC_ICPR, NVIC_IABR = 0xE000E100, 0xE000E180, 0xE000E200, 0xE000E280, 0xE000E300
NVIC_IPR = 0xE000E400
CPUID, ICSR, VTOR, AIRCR, SCR, CCR = 0xE000ED00, 0xE000ED04, 0xE000ED08, 0xE000ED0C, 0xE000ED10, 0xE000ED14
SHPR1 = 0xE000ED18
SHCSR, CFSR, HFSR, DFSR, MMFAR, BFAR, AFSR = (0xE000ED24, 0xE000ED28, 0xE000ED2C, 0xE000ED30,
                                               0xE000ED34, 0xE000ED38, 0xE000ED3C)
CLIDR, CTR, CCSIDR, CSSELR, CPACR = 0xE000ED78, 0xE000ED7C, 0xE000ED80, 0xE000ED84, 0xE000ED88
DHCSR, DEMCR = 0xE000EDF0, 0xE000EDFC
STIR = 0xE000EF00
FPCCR, FPCAR, FPDSCR = 0xE000EF34, 0xE000EF38, 0xE000EF3C
CACHE_MAINTENANCE = range(0xE000EF50, 0xE000EF80)  # ICIALLU .. DCCISW: no state to keep
DWT_CTRL, DWT_CYCCNT = 0xE0001000, 0xE0001004

CPUIDS = {"cortex-m4": 0x410FC241, "cortex-m7": 0x411FC270}
PRIORITY_BITS = 4  # STM32 parts implement the upper 4 bits of each priority byte

# CFSR bits
CFSR_DACCVIOL, CFSR_MMARVALID = 1 << 1, 1 << 7
CFSR_PRECISERR, CFSR_BFARVALID = 1 << 9, 1 << 15
CFSR_UNDEFINSTR, CFSR_INVSTATE, CFSR_INVPC = 1 << 16, 1 << 17, 1 << 18
HFSR_FORCED = 1 << 30


class SystemControlSpace:
    """The PPB of one Cortex-M core. ``cycles`` reads the core's cycle counter."""

    def __init__(self, core_model: str, clock_hz: int, vector_table: int,
                 cycles: Callable[[], int], caches: dict[str, tuple[int, int, int]]) -> None:
        self.core_model = core_model
        self.clock_hz = clock_hz
        self.cycles = cycles
        self.caches = caches  # "i"/"d" -> (size, ways, line bytes)
        self.registers: dict[int, int] = {}  # plain storage for written, unmodelled registers
        self.unmodelled = Counter()  # address -> accesses
        self.vtor = vector_table
        self.aircr_prigroup = 0
        self.shpr = bytearray(12)  # priorities of exceptions 4..15
        self.ipr = bytearray(NUM_IRQS)
        self.irq_enabled = bytearray(NUM_IRQS)
        self.pending: set[int] = set()
        self.active: list[int] = []  # stack of active exceptions, innermost last
        self.shcsr = 0
        self.cfsr = self.hfsr = self.mmfar = self.bfar = 0
        self.ccr = 0x200  # STKALIGN
        self.cpacr = 0
        self.demcr = 0
        self.csselr = 0
        self.fpccr = 0xC0000000  # ASPEN | LSPEN
        # DWT cycle counter: counts while DWT_CTRL.CYCCNTENA is set
        self.dwt_ctrl = 0x40000000  # NUMCOMP = 4
        self.cyccnt_value = 0  # value when last written or stopped
        self.cyccnt_since: int | None = None  # core cycles when counting (re)started
        # SysTick
        self.systick_csr = 0
        self.systick_reload = 0
        self.systick_first: int | None = None  # core cycle at which the counter first reaches 0
        self.systick_val_at_stop = 0
        self.systick_last_csr_read = 0

    # ---- SysTick ------------------------------------------------------------------------

    def _systick_period(self) -> int:
        divider = 1 if self.systick_csr & 4 else 8  # CLKSOURCE=0: HCLK/8 on STM32
        return (self.systick_reload + 1) * divider

    def _systick_running(self) -> bool:
        return bool(self.systick_csr & 1) and self.systick_reload > 0 and self.systick_first is not None

    def _systick_value(self, now: int) -> int:
        if not self._systick_running():
            return self.systick_val_at_stop
        divider = 1 if self.systick_csr & 4 else 8
        if now < self.systick_first:
            return (self.systick_first - now + divider - 1) // divider
        phase = ((now - self.systick_first) // divider) % (self.systick_reload + 1)
        return 0 if phase == 0 else self.systick_reload + 1 - phase

    def _systick_restart(self, now: int, value: int) -> None:
        divider = 1 if self.systick_csr & 4 else 8
        # From 0 the counter reloads on the next tick and counts LOAD more to the next zero.
        self.systick_first = now + (value if value else self.systick_reload + 1) * divider

    def systick_next_zero(self, now: int) -> int | None:
        """The first core cycle after ``now`` at which SysTick fires, if it can interrupt."""
        if not self._systick_running() or not self.systick_csr & 2:
            return None
        if now < self.systick_first:
            return self.systick_first
        period = self._systick_period()
        return self.systick_first + ((now - self.systick_first) // period + 1) * period

    def systick_fire_due(self, now: int, last_checked: int) -> bool:
        """Whether SysTick reached zero in (last_checked, now]."""
        if not self._systick_running():
            return False
        if now < self.systick_first:
            return False
        period = self._systick_period()
        last_zero = self.systick_first + ((now - self.systick_first) // period) * period
        return last_zero > last_checked

    # ---- priorities ---------------------------------------------------------------------

    def priority(self, exception: int) -> int:
        if exception == NMI:
            return -2
        if exception == HARDFAULT:
            return -1
        if exception < FIRST_IRQ:
            return self.shpr[exception - 4]
        return self.ipr[exception - FIRST_IRQ]

    def group_priority(self, priority: int) -> int:
        if priority < 0:
            return priority
        return priority >> (self.aircr_prigroup + 1) << (self.aircr_prigroup + 1)

    def enabled(self, exception: int) -> bool:
        if exception >= FIRST_IRQ:
            return bool(self.irq_enabled[exception - FIRST_IRQ])
        return True

    def best_pending(self) -> int | None:
        candidates = [e for e in self.pending if self.enabled(e)]
        if not candidates:
            return None
        return min(candidates, key=lambda e: (self.group_priority(self.priority(e)), e))

    # ---- MMIO ---------------------------------------------------------------------------

    def read(self, address: int, size: int) -> int:
        word_address = address & ~3
        shift = (address & 3) * 8
        value = self._read_word(word_address)
        return (value >> shift) & ((1 << (size * 8)) - 1)

    def write(self, address: int, size: int, value: int) -> None:
        word_address = address & ~3
        shift = (address & 3) * 8
        if size < 4:
            # Byte and halfword writes matter for the byte-addressed priority registers.
            if SHPR1 <= address < SHPR1 + 12:
                for i in range(size):
                    self.shpr[address - SHPR1 + i] = self._implemented((value >> (8 * i)) & 0xFF)
                return
            if NVIC_IPR <= address < NVIC_IPR + NUM_IRQS:
                for i in range(size):
                    self.ipr[address - NVIC_IPR + i] = self._implemented((value >> (8 * i)) & 0xFF)
                return
            old = self._read_word(word_address)
            mask = ((1 << (size * 8)) - 1) << shift
            value = (old & ~mask) | ((value << shift) & mask)
        self._write_word(word_address, value & 0xFFFFFFFF)

    @staticmethod
    def _implemented(priority: int) -> int:
        return priority & (0xFF << (8 - PRIORITY_BITS)) & 0xFF

    def _read_word(self, a: int) -> int:
        now = self.cycles()
        if a == DWT_CYCCNT:
            if self.cyccnt_since is None:
                return self.cyccnt_value
            return (self.cyccnt_value + now - self.cyccnt_since) & 0xFFFFFFFF
        if a == DWT_CTRL:
            return self.dwt_ctrl
        if a == SYST_CSR:
            flag = self.systick_fire_due(now, self.systick_last_csr_read)
            self.systick_last_csr_read = now
            return self.systick_csr | (0x10000 if flag else 0)
        if a == SYST_RVR:
            return self.systick_reload
        if a == SYST_CVR:
            return self._systick_value(now)
        if a == SYST_CALIB:
            return 0x40000000 | ((self.clock_hz // 8 // 100 - 1) & 0xFFFFFF)  # SKEW, 10 ms at HCLK/8
        if a == ICTR:
            return (NUM_IRQS // 32) - 1
        if a == CPUID:
            return CPUIDS.get(self.core_model, 0)
        if a == ICSR:
            value = self.active[-1] if self.active else 0
            best = self.best_pending()
            if best is not None:
                value |= best << 12
            if any(e >= FIRST_IRQ for e in self.pending):
                value |= 1 << 22
            if PENDSV in self.pending:
                value |= 1 << 28
            if SYSTICK in self.pending:
                value |= 1 << 26
            if len(self.active) <= 1:
                value |= 1 << 11  # RETTOBASE
            return value
        if a == VTOR:
            return self.vtor
        if a == AIRCR:
            return 0xFA050000 | (self.aircr_prigroup << 8)
        if a == CCR:
            return self.ccr
        if SHPR1 <= a < SHPR1 + 12:
            i = a - SHPR1
            return int.from_bytes(self.shpr[i:i + 4], "little")
        if a == SHCSR:
            return self.shcsr
        if a == CFSR:
            return self.cfsr
        if a == HFSR:
            return self.hfsr
        if a == MMFAR:
            return self.mmfar
        if a == BFAR:
            return self.bfar
        if a == CPACR:
            return self.cpacr
        if a == DEMCR:
            return self.demcr
        if a == FPCCR:
            return self.fpccr
        if a == CLIDR:
            return 0x09000003 if self.caches else 0  # L1 I and D
        if a == CTR:
            return 0x8303C003 if self.caches else 0
        if a == CSSELR:
            return self.csselr
        if a == CCSIDR:
            cache = self.caches.get("i" if self.csselr & 1 else "d")
            if not cache:
                return 0
            size, ways, line = cache
            sets = size // (ways * line)
            return ((sets - 1) << 13) | ((ways - 1) << 3) | ((line // 16).bit_length() - 1)
        if NVIC_ISER <= a < NVIC_ISER + 32 or NVIC_ICER <= a < NVIC_ICER + 32:
            base = (a - (NVIC_ISER if a < NVIC_ICER else NVIC_ICER)) * 8
            return sum(1 << i for i in range(32) if base + i < NUM_IRQS and self.irq_enabled[base + i])
        if NVIC_ISPR <= a < NVIC_ISPR + 32 or NVIC_ICPR <= a < NVIC_ICPR + 32:
            base = (a - (NVIC_ISPR if a < NVIC_ICPR else NVIC_ICPR)) * 8
            return sum(1 << i for i in range(32) if FIRST_IRQ + base + i in self.pending)
        if NVIC_IABR <= a < NVIC_IABR + 32:
            base = (a - NVIC_IABR) * 8
            return sum(1 << i for i in range(32) if FIRST_IRQ + base + i in self.active)
        if NVIC_IPR <= a < NVIC_IPR + NUM_IRQS:
            i = a - NVIC_IPR
            return int.from_bytes(self.ipr[i:i + 4], "little")
        self.unmodelled[a] += 1
        return self.registers.get(a, 0)

    def _write_word(self, a: int, value: int) -> None:
        now = self.cycles()
        if a == DWT_CYCCNT:
            self.cyccnt_value = value
            if self.cyccnt_since is not None:
                self.cyccnt_since = now
        elif a == DWT_CTRL:
            was = self.dwt_ctrl & 1
            self.dwt_ctrl = (self.dwt_ctrl & 0xF0000000) | (value & 0x0FFFFFFF)
            if value & 1 and not was:
                self.cyccnt_since = now
            elif was and not value & 1:
                self.cyccnt_value = self._read_word(DWT_CYCCNT)
                self.cyccnt_since = None
        elif a == SYST_CSR:
            value &= 0x7
            was_running = self._systick_running()
            current = self._systick_value(now)
            self.systick_csr = value
            if value & 1 and not was_running:
                self._systick_restart(now, self.systick_val_at_stop)
            elif not value & 1 and was_running:
                self.systick_val_at_stop = current
                self.systick_first = None
        elif a == SYST_RVR:
            self.systick_reload = value & 0xFFFFFF
        elif a == SYST_CVR:
            # Any write clears the counter; it reloads from RVR on the next tick.
            self.systick_val_at_stop = 0
            if self.systick_csr & 1:
                self._systick_restart(now, 0)
        elif a == ICSR:
            if value & (1 << 28):
                self.pending.add(PENDSV)
            if value & (1 << 27):
                self.pending.discard(PENDSV)
            if value & (1 << 26):
                self.pending.add(SYSTICK)
            if value & (1 << 25):
                self.pending.discard(SYSTICK)
            if value & (1 << 31):
                self.pending.add(NMI)
        elif a == VTOR:
            self.vtor = value & 0xFFFFFF80
        elif a == AIRCR:
            if value >> 16 == 0x05FA:
                self.aircr_prigroup = (value >> 8) & 7
                if value & 4:
                    raise SystemResetRequest()
        elif a == CCR:
            self.ccr = value
        elif SHPR1 <= a < SHPR1 + 12:
            for i in range(4):
                self.shpr[a - SHPR1 + i] = self._implemented((value >> (8 * i)) & 0xFF)
        elif a == SHCSR:
            self.shcsr = value
        elif a == CFSR:
            self.cfsr &= ~value  # write-one-to-clear
        elif a == HFSR:
            self.hfsr &= ~value
        elif a == CPACR:
            self.cpacr = value
        elif a == DEMCR:
            self.demcr = value
        elif a == FPCCR:
            self.fpccr = value
        elif a == CSSELR:
            self.csselr = value
        elif a in CACHE_MAINTENANCE:
            pass  # caches hold no state in this model
        elif NVIC_ISER <= a < NVIC_ISER + 32:
            self._set_bits(self.irq_enabled, (a - NVIC_ISER) * 8, value, 1)
        elif NVIC_ICER <= a < NVIC_ICER + 32:
            self._set_bits(self.irq_enabled, (a - NVIC_ICER) * 8, value, 0)
        elif NVIC_ISPR <= a < NVIC_ISPR + 32:
            base = (a - NVIC_ISPR) * 8
            self.pending |= {FIRST_IRQ + base + i for i in range(32) if value >> i & 1}
        elif NVIC_ICPR <= a < NVIC_ICPR + 32:
            base = (a - NVIC_ICPR) * 8
            self.pending -= {FIRST_IRQ + base + i for i in range(32) if value >> i & 1}
        elif NVIC_IPR <= a < NVIC_IPR + NUM_IRQS:
            for i in range(4):
                self.ipr[a - NVIC_IPR + i] = self._implemented((value >> (8 * i)) & 0xFF)
        elif a == STIR:
            self.pending.add(FIRST_IRQ + (value & 0x1FF))
        else:
            self.unmodelled[a] += 1
            self.registers[a] = value

    @staticmethod
    def _set_bits(target: bytearray, base: int, value: int, state: int) -> None:
        for i in range(32):
            if value >> i & 1 and base + i < len(target):
                target[base + i] = state


class SystemResetRequest(Exception):
    """The firmware wrote AIRCR.SYSRESETREQ."""
