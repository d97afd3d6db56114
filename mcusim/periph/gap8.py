"""The GAP8 SoC around its cores: event units, cluster control, the cluster DMA, the uDMA
(HyperBus and UART), the SoC event generator, timers, the APB SoC control (exit), the virtual
stdout and the profiling port (docs/gap8.md §2-§4).

All of this runs on rare events (MMIO accesses, p.elw, DMA completions), in Python. Time is kept
in picoseconds so that the FC (250 MHz) and the cluster (175 MHz) share one clock; DMA transfers
complete at a simulated time and overlap with computation, as on silicon. Every completed
transfer is also logged (DmaLog) for per-layer DMA bytes and the trace's DMA tracks.
"""

from __future__ import annotations

import heapq
import itertools
from array import array
from collections import Counter, deque
from dataclasses import dataclass
from typing import Callable

from mcusim.board import Board
from mcusim.memory import Memory

PS_PER_SECOND = 10**12

# Cluster event lines (docs/gap8.md §3.2)
EVT_DMA0 = 8
EVT_BARRIER = 16
EVT_MUTEX = 17
EVT_DISPATCH = 18

# Windows (global addresses)
CLUSTER_CTRL = 0x10200000
CLUSTER_TIMER = 0x10200400
CLUSTER_EU = 0x10200800
CLUSTER_ICACHE = 0x10201400
CLUSTER_DMA_GLOBAL = 0x10201800
CLUSTER_EU_DEMUX = 0x10204000
CLUSTER_DMA_DEMUX = 0x10204400
FC_TIMER = 0x1B200400
FC_EU = 0x1B200800
FC_EU_DEMUX = 0x1B204000
UDMA = 0x1A102000
UDMA_HYPER_ID, UDMA_UART_ID = 3, 4  # uDMA peripheral ids (docs/gap8.md §3.5)
UDMA_HYPER = UDMA + 0x80 * UDMA_HYPER_ID
UDMA_UART = UDMA + 0x80 * UDMA_UART_ID
APB_SOC = 0x1A104000
SOC_EU = 0x1A106000
# SoC event generator (PULP soc_eu v1 layout, as GAP8's SDK drivers use it): a set bit in the FC
# mask stops that SoC event from reaching the FC; the reset value 0 forwards every event (the SDK's
# start-up code masks them all first: "they are active by default").
SOC_EU_FC_MASK_MSB, SOC_EU_FC_MASK_LSB = 0x04, 0x08
# The FC event unit's SoC-event FIFO (eu_v3 global area 0x700): a read pops the oldest event as
# bit 31 (valid) | event id, or reads 0 when empty.
EU_SOC_FIFO = 0x700
STDOUT = 0x1A110000
STDOUT_SIZE = 0x2000
L1_TAS = 0x10100000

APB_INFO, APB_CORESTATUS = 0x00, 0xA0


def cycles_to_ps(cycles: int, clock_hz: int) -> int:
    return cycles * PS_PER_SECOND // clock_hz


def ps_to_cycles(ps: int, clock_hz: int) -> int:
    """The first cycle of a core at or after ``ps``."""
    return -(-ps * clock_hz // PS_PER_SECOND)


@dataclass
class Wait:
    """Why a core sleeps in p.elw, and how to answer it when it wakes."""

    kind: str  # "event" | "barrier" | "dispatch" | "mutex"
    clear: bool = False
    barrier: int = 0


class EventUnit:
    """Event unit v3 for a group of cores (the cluster's 8, or the FC alone).

    Cores run in quanta, so a core may act (trigger an event, post to a dispatch FIFO, release the
    mutex) before, in host order, a core that is behind it in simulated time reads the unit. What a
    core did at time t is visible only from t on: every event bit, dispatch entry and mutex
    release keeps its time, a read sees only what happened by the reader's time, and a p.elw that
    finds something from later sleeps until then. Without this a core behind in time would take
    work posted in its future and the results would depend on the quantum.
    """

    def __init__(self, soc: "Gap8Soc", cores: list) -> None:
        self.soc = soc
        self.cores = cores
        n = len(cores)
        self.buffer = [0] * n
        self.event_ps: list[dict[int, int]] = [{} for _ in range(n)]  # set bit -> time it was set
        self.mask = [0] * n
        self.irq_mask = [0] * n
        self.waits: dict[int, Wait] = {}
        self.barrier_trigger_mask = [0] * 16
        self.barrier_target_mask = [0] * 16
        self.barrier_arrived = [0] * 16
        self.barrier_latest_ps = [0] * 16
        self.team_mask = (1 << n) - 1
        self.dispatch: list[deque[tuple[int, int]]] = [deque() for _ in range(n)]  # (value, time posted)
        self.mutex_owner: int | None = None
        self.mutex_free_ps = 0  # when the mutex was last released
        self.mutex_waiters: deque = deque()
        self.soc_fifo: deque[int] = deque()  # SoC event ids not yet popped (the FC's unit only)
        self.soc_event_line = 0

    # -- events ------------------------------------------------------------------------------

    def trigger(self, event: int, target_mask: int, time_ps: int) -> None:
        if target_mask == 0:
            target_mask = (1 << len(self.cores)) - 1  # 0 broadcasts (GVSoC trigger_event)
        for i in range(len(self.cores)):
            if target_mask >> i & 1:
                times = self.event_ps[i]
                times[event] = min(times[event], time_ps) if self.buffer[i] >> event & 1 else time_ps
                self.buffer[i] |= 1 << event
                self._try_wake(i, time_ps)

    def _visible(self, i: int, bits: int, time_ps: int) -> int:
        """The bits of `bits` set in core i's buffer by time_ps."""
        out, pending = 0, bits & self.buffer[i]
        while pending:
            low = pending & -pending
            if self.event_ps[i][low.bit_length() - 1] <= time_ps:
                out |= low
            pending ^= low
        return out

    def _clear(self, i: int, bits: int) -> None:
        self.buffer[i] &= ~bits
        for event in [e for e in self.event_ps[i] if bits >> e & 1]:
            del self.event_ps[i][event]

    def _check_later(self, i: int, time_ps: int) -> None:
        """Look again at core i's wait when what it waits for becomes visible."""
        self.soc.schedule(time_ps, lambda: self._try_wake(i, time_ps))

    def push_soc_event(self, event_id: int, time_ps: int) -> None:
        """A SoC event reached this unit: its id goes into the FIFO, the SoC-event line is raised."""
        self.soc_fifo.append(event_id)
        self.trigger(self.soc_event_line, 1, time_ps)

    def pop_soc_event(self, time_ps: int) -> int:
        if not self.soc_fifo:
            return 0
        event_id = self.soc_fifo.popleft()
        if self.soc_fifo:  # raised again while events remain (GVSoC eu_v3), so none is missed
            self.trigger(self.soc_event_line, 1, time_ps)
        return 1 << 31 | event_id

    def _try_wake(self, i: int, time_ps: int) -> None:
        wait = self.waits.get(i)
        if wait is None:
            return
        value = None
        if wait.kind == "event":
            value = self._visible(i, self.mask[i], time_ps) or None
            if value and wait.clear:
                self._clear(i, value)
        elif wait.kind == "barrier" and self._visible(i, 1 << EVT_BARRIER, time_ps):
            value = self._visible(i, self.mask[i], time_ps) or 1 << EVT_BARRIER
            if wait.clear:
                self._clear(i, 1 << EVT_BARRIER)
        elif wait.kind == "dispatch" and self.dispatch[i] and self.dispatch[i][0][1] <= time_ps:
            value = self.dispatch[i].popleft()[0]
        elif wait.kind == "mutex" and self.mutex_owner == i and self.mutex_free_ps <= time_ps:
            value = 0
        if value is not None:
            del self.waits[i]
            reason = {"barrier": "barrier", "dispatch": "sync", "mutex": "sync"}.get(wait.kind)
            if reason is None:
                reason = "dma" if value >> EVT_DMA0 & 1 else "event"
            self.soc.wake(self.cores[i], value, time_ps, reason)

    def _arrive(self, b: int, i: int, time_ps: int) -> None:
        self.barrier_arrived[b] |= 1 << i
        # Cores run in quanta, so arrivals are processed out of simulated-time order: the barrier
        # opens at the latest arrival's time, whichever core was processed last.
        self.barrier_latest_ps[b] = max(self.barrier_latest_ps[b], time_ps)
        if self.barrier_trigger_mask[b] and self.barrier_arrived[b] & self.barrier_trigger_mask[b] == self.barrier_trigger_mask[b]:
            release = self.barrier_latest_ps[b]
            self.barrier_arrived[b] = 0
            self.barrier_latest_ps[b] = 0
            self.trigger(EVT_BARRIER, self.barrier_target_mask[b] or self.barrier_trigger_mask[b], release)

    # -- registers -----------------------------------------------------------------------------

    def read_demux(self, i: int, offset: int, time_ps: int, elw: bool) -> int | None:
        """A read of the core-private view; None means the core sleeps (p.elw only)."""
        if offset < 0x40:
            return self._core_register(i, offset, time_ps, elw)
        if 0x80 <= offset < 0x88:  # dispatch FIFO
            if offset == 0x84:
                return self.team_mask
            if self.dispatch[i] and self.dispatch[i][0][1] <= time_ps:
                return self.dispatch[i].popleft()[0]
            return self._sleep(i, Wait("dispatch"), elw,
                               self.dispatch[i][0][1] if self.dispatch[i] else None)
        if 0xC0 <= offset < 0xC4:  # mutex: a read takes it
            if self.mutex_owner is None and self.mutex_free_ps <= time_ps:
                self.mutex_owner = i
                return 0
            if self.mutex_owner is None:  # released, but after this core's time: its turn then
                self.mutex_owner = i
                return self._sleep(i, Wait("mutex"), elw, self.mutex_free_ps)
            self.mutex_waiters.append(i)
            return self._sleep(i, Wait("mutex"), elw)
        if 0x200 <= offset < 0x400:
            b, reg = (offset - 0x200) // 0x20, (offset - 0x200) % 0x20
            return self._barrier_read(i, b, reg, time_ps, elw)
        self.soc.unmodelled[("eu-demux", offset)] += 1
        return 0

    def _core_register(self, i: int, offset: int, time_ps: int, elw: bool) -> int | None:
        if offset == 0x00:
            return self.mask[i]
        if offset in (0x0C,):
            return self.irq_mask[i]
        if offset in (0x18, 0x1C):
            return self._visible(i, 0xFFFFFFFF, time_ps)
        if offset == 0x20:
            return self._visible(i, self.mask[i], time_ps)
        if offset == 0x24:
            return self._visible(i, self.irq_mask[i], time_ps)
        if offset in (0x38, 0x3C):  # EVENT_WAIT, EVENT_WAIT_CLEAR
            value = self._visible(i, self.mask[i], time_ps)
            if value:
                if offset == 0x3C:
                    self._clear(i, value)
                return value
            return self._sleep(i, Wait("event", clear=offset == 0x3C), elw,
                               self._earliest(i, self.mask[i]))
        return 0

    def _earliest(self, i: int, bits: int) -> int | None:
        """When the first of `bits` set in core i's buffer became visible (None: none is set)."""
        times = [t for e, t in self.event_ps[i].items() if bits >> e & 1]
        return min(times) if times else None

    def _barrier_read(self, i: int, b: int, reg: int, time_ps: int, elw: bool) -> int | None:
        if reg == 0x00:
            return self.barrier_trigger_mask[b]
        if reg in (0x04, 0x08):
            return self.barrier_arrived[b]
        if reg == 0x0C:
            return self.barrier_target_mask[b]
        if reg in (0x18, 0x1C):  # TRIGGER_WAIT(_CLEAR): arrive, then sleep until the barrier event
            self._arrive(b, i, time_ps)
            if self._visible(i, 1 << EVT_BARRIER, time_ps):
                if reg == 0x1C:
                    self._clear(i, 1 << EVT_BARRIER)
                return 1 << EVT_BARRIER
            return self._sleep(i, Wait("barrier", clear=reg == 0x1C, barrier=b), elw,
                               self._earliest(i, 1 << EVT_BARRIER))
        return 0

    def _sleep(self, i: int, wait: Wait, elw: bool, visible_ps: int | None = None) -> int | None:
        """Core i sleeps in `wait`; `visible_ps`: what it waits for is there from that time on."""
        if not elw:
            self.soc.protocol_errors += 1  # a plain load cannot sleep: it reads 0
            return 0
        self.waits[i] = wait
        if visible_ps is not None:
            self._check_later(i, visible_ps)
        return None

    def write_demux(self, i: int, offset: int, value: int, time_ps: int) -> None:
        if offset < 0x40:
            self._write_core_register(i, offset, value, time_ps)
        elif 0x80 <= offset < 0x88:
            if offset == 0x84:
                self.team_mask = value
                return
            for j in range(len(self.cores)):
                if self.team_mask >> j & 1 and j != i:
                    self.dispatch[j].append((value, time_ps))
                    self._try_wake(j, time_ps)
        elif 0xC0 <= offset < 0xC4:  # mutex release
            self.mutex_owner = None
            self.mutex_free_ps = time_ps
            if self.mutex_waiters:
                self.mutex_owner = self.mutex_waiters.popleft()
                self._try_wake(self.mutex_owner, time_ps)
        elif 0x100 <= offset < 0x140:  # SW events: value is the core mask, 0 = all
            self.trigger((offset - 0x100) // 4, value, time_ps)
        elif 0x200 <= offset < 0x400:
            b, reg = (offset - 0x200) // 0x20, (offset - 0x200) % 0x20
            if reg == 0x00:
                self.barrier_trigger_mask[b] = value
            elif reg == 0x0C:
                self.barrier_target_mask[b] = value
            elif reg == 0x10:
                for j in range(len(self.cores)):
                    if value >> j & 1:
                        self._arrive(b, j, time_ps)
            elif reg == 0x14:
                self._arrive(b, i, time_ps)
        else:
            self.soc.unmodelled[("eu-demux", offset)] += 1

    def _write_core_register(self, i: int, offset: int, value: int, time_ps: int) -> None:
        if offset == 0x00:
            self.mask[i] = value
        elif offset == 0x04:
            self.mask[i] &= ~value
        elif offset == 0x08:
            self.mask[i] |= value
        elif offset == 0x0C:
            self.irq_mask[i] = value
        elif offset == 0x10:
            self.irq_mask[i] &= ~value
        elif offset == 0x14:
            self.irq_mask[i] |= value
        elif offset == 0x28:
            self._clear(i, value)
        self._try_wake(i, time_ps)

    def read_global(self, reader: int | None, offset: int, time_ps: int) -> int:
        if offset < 0x400:  # per-core areas, 0x40 each
            value = self._core_register(offset // 0x40, offset % 0x40, time_ps, elw=False)
            return value or 0
        if offset < 0x600:
            b, reg = (offset - 0x400) // 0x20, (offset - 0x400) % 0x20
            return self._barrier_read(reader or 0, b, reg, time_ps, elw=False) or 0
        if offset == EU_SOC_FIFO:
            return self.pop_soc_event(time_ps)
        return 0

    def write_global(self, writer: int | None, offset: int, value: int, time_ps: int) -> None:
        if offset < 0x400:
            self._write_core_register(offset // 0x40, offset % 0x40, value, time_ps)
        elif offset < 0x600:
            self.write_demux(writer or 0, 0x200 + offset - 0x400, value, time_ps)
        elif offset < 0x700:  # SW event trigger: value is the core mask, 0 = all
            self.trigger((offset - 0x600) // 4, value, time_ps)
        else:
            self.soc.unmodelled[("eu-global", offset)] += 1


# What "in" and "out" mean for per-layer DMA bytes (LayerRecord.dma_bytes_in/out): "in" moves data
# towards the cores that compute (L3 -> L2 -> L1, and UART reception into L2), "out" away from them.
DIRECTION_IS_IN = {"L2->L1": True, "L3->L2": True, "UART->L2": True,
                   "L1->L2": False, "L2->L3": False, "L2->UART": False}


class DmaLog:
    """Every completed transfer of every DMA engine, in completion order.

    A record holds the engine, direction, bytes, the issuing core and three times: issued (the
    command or CFG write), begin (the engine starts it: later than issued when it waited behind
    another transfer of the same engine) and end (completion). The result keeps the first
    MAX_RECORDS records (so that a firmware issuing millions of transfers still saves a small
    JSON) and counts the rest; per-layer bytes are computed from every transfer (compact arrays).
    """

    MAX_RECORDS = 20_000

    def __init__(self) -> None:
        self.records: list[tuple[str, str, int, str, int, int, int]] = []
        self.omitted = 0
        self.end_ps = array("q")
        self.signed_bytes = array("q")  # > 0: in, < 0: out

    def add(self, engine: str, direction: str, size: int, core: str, issued_ps: int, begin_ps: int,
            end_ps: int) -> None:
        self.end_ps.append(end_ps)
        self.signed_bytes.append(size if DIRECTION_IS_IN[direction] else -size)
        if len(self.records) < self.MAX_RECORDS:
            self.records.append((engine, direction, size, core, issued_ps, begin_ps, end_ps))
        else:
            self.omitted += 1

    def to_dicts(self) -> list[dict[str, object]]:
        return [{"engine": engine, "direction": direction, "bytes": size, "core": core,
                 "issued_s": issued / PS_PER_SECOND, "begin_s": begin / PS_PER_SECOND,
                 "end_s": end / PS_PER_SECOND}
                for engine, direction, size, core, issued, begin, end in self.records]


@dataclass
class DmaTransfer:
    counter: int
    issuer: int  # cluster core index
    to_l1: bool
    l1_address: int
    ext_address: int
    size: int
    two_d: bool
    stride: int
    length: int
    event: bool
    broadcast: bool
    issued_ps: int = 0
    begin_ps: int = 0


class ClusterDma:
    """mchan v6: 1-D/2-D L2<->L1 transfers with counters and completion events (§3.3)."""

    COUNTERS = 16

    def __init__(self, soc: "Gap8Soc", bytes_per_cycle: int, latency_cycles: int, clock_hz: int) -> None:
        self.soc = soc
        self.bytes_per_cycle = bytes_per_cycle
        self.latency_cycles = latency_cycles
        self.clock_hz = clock_hz
        self.busy = 0  # bit t: counter t has a transfer in flight
        self.allocated = 0
        self.last_counter = 0
        self.pending: dict[int, list[int]] = {}  # issuing core -> command words so far
        self.free_at_ps = 0
        self.bytes = Counter()  # direction -> bytes
        self.busy_ps = 0
        self.transfers = 0

    def read(self, i: int, offset: int) -> int:
        if offset == 0x0:  # allocate a transfer counter
            free = [t for t in range(self.COUNTERS) if not (self.allocated | self.busy) >> t & 1]
            counter = free[0] if free else self.last_counter
            self.allocated |= 1 << counter
            self.last_counter = counter
            return counter
        if offset == 0x4:
            return self.busy & 0xFFFF
        return 0

    def write(self, i: int, offset: int, value: int, time_ps: int) -> None:
        if offset == 0x4:  # free counters
            mask = 0xFFFF if value == 0xFFFFFFFF else value
            self.allocated &= ~mask
            return
        if offset != 0x0:
            return
        words = self.pending.setdefault(i, [])
        words.append(value)
        cmd = words[0]
        if len(words) < (4 if cmd >> 18 & 1 else 3):
            return
        del self.pending[i]
        two_d = bool(cmd >> 18 & 1)
        transfer = DmaTransfer(
            counter=self.last_counter, issuer=i, to_l1=bool(cmd >> 16 & 1),
            l1_address=words[1], ext_address=words[2], size=cmd & 0xFFFF, two_d=two_d,
            stride=(words[3] >> 16) & 0x7FFF if two_d else 0, length=words[3] & 0x7FFF if two_d else 0,
            event=bool(cmd >> 19 & 1), broadcast=bool(cmd >> 21 & 1),
        )
        self.busy |= 1 << transfer.counter
        start = max(time_ps, self.free_at_ps)
        transfer.issued_ps, transfer.begin_ps = time_ps, start
        cycles = self.latency_cycles + -(-transfer.size // self.bytes_per_cycle)
        done = start + cycles_to_ps(cycles, self.clock_hz)
        self.free_at_ps = done
        self.busy_ps += done - start
        self.soc.schedule(done, lambda t=transfer, when=done: self._complete(t, when))

    def _complete(self, transfer: DmaTransfer, time_ps: int) -> None:
        core_name = self.soc.cluster_cores[transfer.issuer].spec.name
        memory = self.soc.memory
        l1 = memory.translate(core_name, transfer.l1_address)
        ext = memory.translate(core_name, transfer.ext_address)
        chunks = self._chunks(transfer)
        for l1_offset, ext_offset, size in chunks:
            if transfer.to_l1:
                memory.write(l1 + l1_offset, memory.read(ext + ext_offset, size))
            else:
                memory.write(ext + ext_offset, memory.read(l1 + l1_offset, size))
        direction = "L2->L1" if transfer.to_l1 else "L1->L2"
        self.bytes[direction] += transfer.size
        self.transfers += 1
        self.soc.log.add("cluster_dma", direction, transfer.size, core_name, transfer.issued_ps,
                         transfer.begin_ps, time_ps)
        self.busy &= ~(1 << transfer.counter)
        if transfer.event:
            mask = 0 if transfer.broadcast else 1 << transfer.issuer
            self.soc.cluster_eu.trigger(EVT_DMA0, mask, time_ps)

    @staticmethod
    def _chunks(transfer: DmaTransfer) -> list[tuple[int, int, int]]:
        """(L1 offset, external offset, bytes): 2-D strides apply to the external side."""
        if not transfer.two_d or transfer.length == 0:
            return [(0, 0, transfer.size)]
        out, done, line = [], 0, 0
        while done < transfer.size:
            size = min(transfer.length, transfer.size - done)
            out.append((done, line * transfer.stride, size))
            done += size
            line += 1
        return out


class UdmaPeripheral:
    """One uDMA v2 peripheral (§3.5): RX channel registers at +0x00, TX at +0x10 (SADDR, SIZE, CFG,
    INTCFG), the peripheral's own registers from +0x20.

    Writing CFG with EN (bit 4) queues a transfer of SIZE bytes at SADDR (L2). CFG reads EN = 1
    until every transfer queued on that channel is done, and PENDING (bit 5) = 1 while one waits
    behind the running one. A completed transfer raises SoC event 2 * id + channel (udma_v2.h;
    GVSoC's gap8 config numbers them 2 * (id - 1) + channel: docs/gap8.md §3.5, an open question).

    Limitations: silicon holds one pending transfer per channel; a third is queued here all the
    same and counted as a protocol error, as is a buffer outside L2 (the uDMA reaches L2 only).
    INTCFG, CLEAR and continuous mode are not modelled.
    """

    RX, TX = 0, 1
    CFG_EN, CFG_PENDING = 1 << 4, 1 << 5
    engine = ""
    periph_id = 0
    directions = ("", "")  # of the RX and TX channels

    def __init__(self, soc: "Gap8Soc") -> None:
        self.soc = soc
        self.registers: dict[int, int] = {}
        self.active = [0, 0]  # transfers queued or running per channel
        self.bytes = Counter()
        self.busy_ps = 0
        self.transfers = 0

    def read(self, offset: int) -> int:
        value = self.registers.get(offset, 0)
        if offset in (0x08, 0x18):
            active = self.active[offset // 0x10]
            value &= ~(self.CFG_EN | self.CFG_PENDING)
            value |= (self.CFG_EN if active else 0) | (self.CFG_PENDING if active > 1 else 0)
        return value

    def write(self, core: str, offset: int, value: int, time_ps: int) -> None:
        self.registers[offset] = value
        if offset not in (0x08, 0x18) or not value & self.CFG_EN:
            return
        channel = offset // 0x10
        l2 = self.registers.get(0x10 * channel, 0)
        size = self.registers.get(0x10 * channel + 0x4, 0)
        region = self.soc.board.region_at(l2)
        if self.active[channel] >= 2 or region is None or region.kind != "l2" \
                or l2 + size > region.base + region.size:
            self.soc.protocol_errors += 1
        self.active[channel] += 1
        context = self._context(channel)
        span = self._span(channel, size, time_ps)
        if span is None:
            return  # never completes (UART RX with no input)
        begin, end = span
        self.busy_ps += end - begin
        self.soc.schedule(end, lambda: self._complete(channel, l2, size, context, core, time_ps, begin, end))

    def _complete(self, channel: int, l2: int, size: int, context: int, core: str, issued_ps: int,
                  begin_ps: int, end_ps: int) -> None:
        self._move(channel, l2, size, context)
        direction = self.directions[channel]
        self.bytes[direction] += size
        self.transfers += 1
        self.active[channel] -= 1
        self.soc.log.add(self.engine, direction, size, core, issued_ps, begin_ps, end_ps)
        self.soc.soc_event(2 * self.periph_id + channel, end_ps)

    def statistics(self) -> dict[str, object]:
        return {"transfers": self.transfers, "bytes": dict(self.bytes), "busy_s": self.busy_ps / PS_PER_SECOND}

    # -- what each peripheral defines -----------------------------------------------------------

    def _context(self, channel: int) -> int:
        """Peripheral state a transfer takes with it when queued (e.g. the HyperBus L3 address)."""
        return 0

    def _span(self, channel: int, size: int, time_ps: int) -> tuple[int, int] | None:
        """(begin, end) of a transfer queued at time_ps, or None if it never completes."""
        raise NotImplementedError

    def _move(self, channel: int, l2: int, size: int, context: int) -> None:
        raise NotImplementedError


class HyperBus(UdmaPeripheral):
    """uDMA channels of the HyperBus peripheral: L3 (HyperRAM/Flash image) <-> L2 (§3.5). One link:
    RX and TX transfers take turns. EXT_ADDR (+0x20) is the L3 offset, read when CFG is written."""

    engine = "udma_hyper"
    periph_id = UDMA_HYPER_ID
    directions = ("L3->L2", "L2->L3")

    def __init__(self, soc: "Gap8Soc", bytes_per_second: int, latency_ns: int) -> None:
        super().__init__(soc)
        self.bytes_per_second = bytes_per_second
        self.latency_ps = latency_ns * 1000
        self.free_at_ps = 0

    def _context(self, channel: int) -> int:
        return self.soc.l3_base + self.registers.get(0x20, 0)  # EXT_ADDR: offset in L3

    def _span(self, channel: int, size: int, time_ps: int) -> tuple[int, int]:
        begin = max(time_ps, self.free_at_ps)
        self.free_at_ps = begin + self.latency_ps + size * PS_PER_SECOND // self.bytes_per_second
        return begin, self.free_at_ps

    def _move(self, channel: int, l2: int, size: int, context: int) -> None:
        memory = self.soc.memory
        if channel == self.RX:
            memory.write(l2, memory.read(context, size))
        else:
            memory.write(context, memory.read(l2, size))


class Uart(UdmaPeripheral):
    """UART0 behind the uDMA (udma_uart v1, §3.5): the TX channel sends SIZE bytes of L2, one frame
    per byte, at the baud rate; the bytes reach the firmware's stdout when the transfer completes
    (so a buffer must stay unchanged until CFG EN reads 0, as on silicon).

    STATUS (+0x20): bit 0 TX busy, bit 1 RX busy. SETUP (+0x24): bit 0 parity, bits 2:1 data
    bits - 5, bit 3 two stop bits, bits 31:16 CLKDIV; baud = peripheral clock / (CLKDIV + 1)
    (PULP udma_uart register description). A frame is start bit + data bits + parity + stop
    bits: 10 bit times for 8N1, which is also the frame until the firmware writes SETUP. CLKDIV 0
    (the reset value: firmware that never sets a divisor) runs at the board's uart_baud.

    Limitations: no input is connected, so an RX transfer never completes: RX busy and the RX
    channel's EN stay 1, and firmware that waits for it ends as a hang. TX_ENA/RX_ENA are not
    checked; the parity error flag is never set.
    """

    engine = "udma_uart"
    periph_id = UDMA_UART_ID
    directions = ("UART->L2", "L2->UART")
    STATUS, SETUP = 0x20, 0x24

    def __init__(self, soc: "Gap8Soc", baud: int, periph_clock_hz: int) -> None:
        super().__init__(soc)
        self.board_baud = baud
        self.periph_clock_hz = periph_clock_hz
        self.tx_free_at_ps = 0

    def read(self, offset: int) -> int:
        if offset == self.STATUS:
            return (1 if self.active[self.TX] else 0) | (2 if self.active[self.RX] else 0)
        return super().read(offset)

    def frame_bits(self) -> int:
        if self.SETUP not in self.registers:
            return 10  # 8N1
        setup = self.registers[self.SETUP]
        return 1 + 5 + (setup >> 1 & 3) + (setup & 1) + (2 if setup >> 3 & 1 else 1)

    def frame_ps(self) -> tuple[int, int]:
        """One byte's time as a fraction (numerator, denominator) in picoseconds, kept exact."""
        divisor = self.registers.get(self.SETUP, 0) >> 16
        bits = self.frame_bits() * PS_PER_SECOND
        return (bits * (divisor + 1), self.periph_clock_hz) if divisor else (bits, self.board_baud)

    def baud(self) -> float:
        numerator, denominator = self.frame_ps()
        return self.frame_bits() * PS_PER_SECOND * denominator / numerator

    def _span(self, channel: int, size: int, time_ps: int) -> tuple[int, int] | None:
        if channel == self.RX:
            return None
        numerator, denominator = self.frame_ps()
        begin = max(time_ps, self.tx_free_at_ps)
        self.tx_free_at_ps = begin + size * numerator // denominator
        return begin, self.tx_free_at_ps

    def _move(self, channel: int, l2: int, size: int, context: int) -> None:
        self.soc.write_stdout("uart0", self.soc.memory.read(l2, size))

    def statistics(self) -> dict[str, object]:
        return {**super().statistics(), "baud": self.baud(),
                "rx_waiting": self.active[self.RX]}


class Timer:
    """timer_v2 (§3.4): CNT counts cycles of its clock domain while enabled."""

    def __init__(self, clock_hz: int) -> None:
        self.clock_hz = clock_hz
        self.config = 0
        self.base_ps = 0
        self.value_at_stop = 0
        self.registers: dict[int, int] = {}

    def read(self, offset: int, time_ps: int) -> int:
        if offset == 0x00:
            return self.config
        if offset == 0x08:
            if not self.config & 1:
                return self.value_at_stop & 0xFFFFFFFF
            return (self.value_at_stop + ps_to_cycles(time_ps - self.base_ps, self.clock_hz)) & 0xFFFFFFFF
        return self.registers.get(offset, 0)

    def write(self, offset: int, value: int, time_ps: int) -> None:
        if offset == 0x00:
            running = self.config & 1
            if value & 2:  # reset
                self.value_at_stop = 0
                self.base_ps = time_ps
            if value & 1 and not running:
                self.base_ps = time_ps
            elif running and not value & 1:
                self.value_at_stop = self.read(0x08, time_ps)
            self.config = value & ~2
        elif offset == 0x20:  # RESET_LO
            self.value_at_stop, self.base_ps = 0, time_ps
        elif offset == 0x08:
            self.value_at_stop, self.base_ps = value, time_ps
        else:
            self.registers[offset] = value


class Gap8Soc:
    def __init__(self, board: Board, memory: Memory, fc, cluster_cores: list,
                 emit_stdout: Callable[[bytes], None]) -> None:
        params = board.extra.get("soc", {})
        self.board, self.memory = board, memory
        self.fc, self.cluster_cores = fc, cluster_cores
        self.emit_stdout = emit_stdout
        cluster_hz = cluster_cores[0].spec.clock_hz if cluster_cores else board.clock_hz
        self.cluster_eu = EventUnit(self, cluster_cores)
        self.fc_eu = EventUnit(self, [fc])
        self.dma = ClusterDma(self, int(params.get("cluster_dma_bytes_per_cycle", 4)),
                              int(params.get("cluster_dma_latency_cycles", 10)), cluster_hz)
        self.hyper = HyperBus(self, int(params.get("hyper_bytes_per_second", 250_000_000)),
                              int(params.get("hyper_latency_ns", 100)))
        # SoC peripherals run on the SoC clock (FLL0), the FC's (docs/gap8.md §1)
        self.uart = Uart(self, int(params.get("uart_baud", 115_200)), fc.spec.clock_hz)
        self.soc_eu_fc_mask = 0  # bit e set: SoC event e does not reach the FC
        self.fc_eu.soc_event_line = int(params.get("fc_soc_event_line", 27))
        self.log = DmaLog()
        self.wakeup_cycles = int(params.get("event_wakeup_cycles", 2))
        self.fc_timer = Timer(fc.spec.clock_hz)
        self.cluster_timer = Timer(cluster_hz)
        l3 = next((r for r in board.regions if r.kind == "l3"), None)
        self.l3_base = l3.base if l3 else 0x80000000
        self.boot_address = [0] * len(cluster_cores)
        self.fetch_enable = 0
        self.registers: dict[int, int] = {}
        self.unmodelled = Counter()
        self.protocol_errors = 0
        self.exit_code: int | None = None
        self.exit_time_ps: int | None = None
        self.line_buffers: dict[str, bytearray] = {}
        self._events: list[tuple[int, int, Callable[[], None]]] = []
        self._sequence = itertools.count()
        # Told the earliest queued event's time (None: none) whenever it changes: the scheduler
        # ends every slice there, also while it runs cores without returning to Python.
        self.next_event_changed: Callable[[int | None], None] = lambda time_ps: None

    # -- time and events -----------------------------------------------------------------------

    def schedule(self, time_ps: int, action: Callable[[], None]) -> None:
        heapq.heappush(self._events, (time_ps, next(self._sequence), action))
        if self._events[0][0] == time_ps:
            self.next_event_changed(time_ps)

    def next_event_ps(self) -> int | None:
        return self._events[0][0] if self._events else None

    def run_events_until(self, time_ps: int) -> None:
        ran = False
        while self._events and self._events[0][0] <= time_ps:
            _, _, action = heapq.heappop(self._events)
            action()
            ran = True
        if ran:
            self.next_event_changed(self.next_event_ps())

    def soc_event(self, event_id: int, time_ps: int) -> None:
        """The SoC event generator: an event the FC mask lets through goes to the FC event unit."""
        if not self.soc_eu_fc_mask >> event_id & 1:
            self.fc_eu.push_soc_event(event_id, time_ps)

    def wake(self, core, value: int, time_ps: int, reason: str) -> None:
        core.wake(value, time_ps + cycles_to_ps(self.wakeup_cycles, core.spec.clock_hz), reason)

    # -- MMIO -------------------------------------------------------------------------------

    def read(self, core, address: int, size: int, elw: bool = False) -> int | None:
        """A core's read of a peripheral (global address). None: the core sleeps (p.elw)."""
        time_ps = core.time_at_access_ps()
        i = core.cluster_index
        if CLUSTER_EU_DEMUX <= address < CLUSTER_EU_DEMUX + 0x400 and i is not None:
            return self.cluster_eu.read_demux(i, address - CLUSTER_EU_DEMUX, time_ps, elw)
        if FC_EU_DEMUX <= address < FC_EU_DEMUX + 0x400 and i is None:
            return self.fc_eu.read_demux(0, address - FC_EU_DEMUX, time_ps, elw)
        if CLUSTER_EU <= address < CLUSTER_EU + 0x800:
            return self.cluster_eu.read_global(i, address - CLUSTER_EU, time_ps)
        if FC_EU <= address < FC_EU + 0x800:
            return self.fc_eu.read_global(0, address - FC_EU, time_ps)
        if CLUSTER_DMA_DEMUX <= address < CLUSTER_DMA_DEMUX + 0x400 or CLUSTER_DMA_GLOBAL <= address < CLUSTER_DMA_GLOBAL + 0x400:
            return self.dma.read(i or 0, address & 0xF)
        if CLUSTER_TIMER <= address < CLUSTER_TIMER + 0x400:
            return self.cluster_timer.read(address - CLUSTER_TIMER, time_ps)
        if FC_TIMER <= address < FC_TIMER + 0x400:
            return self.fc_timer.read(address - FC_TIMER, time_ps)
        if UDMA_HYPER <= address < UDMA_HYPER + 0x80:
            return self.hyper.read(address - UDMA_HYPER)
        if UDMA_UART <= address < UDMA_UART + 0x80:
            return self.uart.read(address - UDMA_UART)
        if address == SOC_EU + SOC_EU_FC_MASK_LSB:
            return self.soc_eu_fc_mask & 0xFFFFFFFF
        if address == SOC_EU + SOC_EU_FC_MASK_MSB:
            return self.soc_eu_fc_mask >> 32
        if address == APB_SOC + APB_INFO:
            return (len(self.cluster_cores) << 16) | 1
        if CLUSTER_CTRL <= address < CLUSTER_CTRL + 0x400:
            offset = address - CLUSTER_CTRL
            if offset == 0x08:
                return self.fetch_enable
            if 0x40 <= offset < 0x40 + 4 * len(self.boot_address):
                return self.boot_address[(offset - 0x40) // 4]
        if L1_TAS <= address < L1_TAS + 0x10000:  # test-and-set: read, then write all ones
            target = 0x10000000 + (address - L1_TAS)
            value = int.from_bytes(self.memory.read(target, size), "little")
            self.memory.write(target, b"\xff" * size)
            return value
        if 0x1A100000 <= address < 0x1A100020:  # FLL status: locked
            return self.registers.get(address, 0) | 0x80000000
        self.unmodelled[address] += 1
        return self.registers.get(address, 0)

    def write(self, core, address: int, size: int, value: int) -> None:
        time_ps = core.time_at_access_ps()
        i = core.cluster_index
        if STDOUT <= address < STDOUT + STDOUT_SIZE:
            self._putc(core, value & 0xFF)
        elif CLUSTER_EU_DEMUX <= address < CLUSTER_EU_DEMUX + 0x400 and i is not None:
            self.cluster_eu.write_demux(i, address - CLUSTER_EU_DEMUX, value, time_ps)
        elif FC_EU_DEMUX <= address < FC_EU_DEMUX + 0x400 and i is None:
            self.fc_eu.write_demux(0, address - FC_EU_DEMUX, value, time_ps)
        elif CLUSTER_EU <= address < CLUSTER_EU + 0x800:
            self.cluster_eu.write_global(i, address - CLUSTER_EU, value, time_ps)
        elif FC_EU <= address < FC_EU + 0x800:
            self.fc_eu.write_global(0, address - FC_EU, value, time_ps)
        elif CLUSTER_DMA_DEMUX <= address < CLUSTER_DMA_DEMUX + 0x400 or CLUSTER_DMA_GLOBAL <= address < CLUSTER_DMA_GLOBAL + 0x400:
            self.dma.write(i or 0, address & 0xF, value, time_ps)
        elif CLUSTER_TIMER <= address < CLUSTER_TIMER + 0x400:
            self.cluster_timer.write(address - CLUSTER_TIMER, value, time_ps)
        elif FC_TIMER <= address < FC_TIMER + 0x400:
            self.fc_timer.write(address - FC_TIMER, value, time_ps)
        elif UDMA_HYPER <= address < UDMA_HYPER + 0x80:
            self.hyper.write(core.spec.name, address - UDMA_HYPER, value, time_ps)
        elif UDMA_UART <= address < UDMA_UART + 0x80:
            self.uart.write(core.spec.name, address - UDMA_UART, value, time_ps)
        elif address == SOC_EU + SOC_EU_FC_MASK_LSB:
            self.soc_eu_fc_mask = (self.soc_eu_fc_mask & ~0xFFFFFFFF) | value
        elif address == SOC_EU + SOC_EU_FC_MASK_MSB:
            self.soc_eu_fc_mask = (self.soc_eu_fc_mask & 0xFFFFFFFF) | value << 32
        elif address == APB_SOC + APB_CORESTATUS:
            if value >> 31 & 1 and self.exit_code is None:
                code = value & 0x7FFFFFFF
                self.exit_code = code - (1 << 31) if code >> 30 & 1 else code
                self.exit_time_ps = time_ps
        elif CLUSTER_CTRL <= address < CLUSTER_CTRL + 0x400:
            self._cluster_control(address - CLUSTER_CTRL, value, time_ps)
        elif L1_TAS <= address < L1_TAS + 0x10000:
            self.memory.write(0x10000000 + (address - L1_TAS), value.to_bytes(4, "little")[:size])
        else:
            self.unmodelled[address] += 1
            self.registers[address] = value

    def _cluster_control(self, offset: int, value: int, time_ps: int) -> None:
        if offset == 0x08:  # FETCH_EN: start the cores whose bit is newly set
            started = value & ~self.fetch_enable
            self.fetch_enable = value
            for k, core in enumerate(self.cluster_cores):
                if started >> k & 1:
                    core.start(self.boot_address[k] + 0x80, time_ps)
        elif 0x40 <= offset < 0x40 + 4 * len(self.boot_address):
            self.boot_address[(offset - 0x40) // 4] = value
        else:
            self.registers[CLUSTER_CTRL + offset] = value

    def _putc(self, core, byte: int) -> None:
        self.write_stdout(core.spec.name, bytes((byte,)))

    def write_stdout(self, source: str, data: bytes) -> None:
        """The firmware's stdout, a line at a time per source (a core's virtual stdout, the UART),
        so that lines from sources that write at the same time do not mix."""
        line = self.line_buffers.setdefault(source, bytearray())
        line += data
        if b"\n" in data:
            complete, _, rest = bytes(line).rpartition(b"\n")
            self.emit_stdout(complete + b"\n")
            line[:] = rest

    def flush_stdout(self) -> None:
        for line in self.line_buffers.values():
            if line:
                self.emit_stdout(bytes(line))
                line.clear()

    def statistics(self) -> dict[str, object]:
        return {
            "cluster_dma": {"transfers": self.dma.transfers, "bytes": dict(self.dma.bytes),
                            "busy_s": self.dma.busy_ps / PS_PER_SECOND},
            "udma_hyper": self.hyper.statistics(),
            "udma_uart": self.uart.statistics(),
            "unmodelled_registers": {f"{a:#010x}" if isinstance(a, int) else f"{a[0]}+{a[1]:#x}": n
                                     for a, n in self.unmodelled.items()},
            "protocol_errors": self.protocol_errors,
        }
