"""Caches and flash accelerators in front of memory regions, as the hot path models them.

A timing model asks for these per board; the native hot path keeps only hit/miss state, and the
cost of a miss depends on the region behind the cache. The STM32 ART accelerator is approximated
as documented in docs/cortexm.md §1.4: an instruction cache of 64 lines and a data cache of 8
lines of 128 bits, with sequential prefetch; a miss on the flash costs the board's wait states.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mcusim.board import Board, CacheSpec, Region

ART_LINE_BYTES = 16  # 128-bit flash line
ART_INSTRUCTION = (16, 4)  # sets, ways: 64 lines (RM0090 §3.5.2 [?])
ART_DATA = (2, 4)  # 8 lines


@dataclass(frozen=True)
class CacheConfig:
    sets: int  # 0: no cache, only a one-line buffer and the prefetch rule
    ways: int  # 0 with sets 0: no line buffer either, every access pays the miss cost
    line_bytes: int
    sequential_free: bool  # a miss on the next sequential line is hidden by prefetch

    def describe(self) -> str:
        kind = f"{self.sets * self.ways} lines of {self.line_bytes} B" if self.sets else "no cache"
        return kind + (", sequential prefetch" if self.sequential_free else "")


@dataclass(frozen=True)
class CachedRange:
    """Addresses served through a cache, and what a miss there costs."""

    region: Region
    miss_cycles: int


@dataclass(frozen=True)
class MemorySystem:
    fetch_cache: CacheConfig | None = None
    fetch_range: CachedRange | None = None
    data_cache: CacheConfig | None = None
    data_ranges: tuple[CachedRange, ...] = field(default_factory=tuple)


def miss_cycles(region: Region) -> int:
    return region.wait_states + region.latency_cycles


def flash_accelerator(board: Board, with_data: bool) -> MemorySystem:
    """The flash front end of an STM32 Cortex-M4 part, from the board's flash region."""
    flash = next((r for r in board.regions if r.kind == "flash"), None)
    if flash is None or miss_cycles(flash) == 0:
        return MemorySystem()
    if flash.accelerator == "art":
        fetch = CacheConfig(*ART_INSTRUCTION, ART_LINE_BYTES, True)
        data = CacheConfig(*ART_DATA, ART_LINE_BYTES, False)
    else:
        fetch = CacheConfig(0, 1, ART_LINE_BYTES, flash.accelerator == "prefetch")
        data = CacheConfig(0, 1, ART_LINE_BYTES, False)
    cached = CachedRange(flash, miss_cycles(flash))
    if not with_data:
        return MemorySystem(fetch, cached)
    return MemorySystem(fetch, cached, data, (cached,))


def l1_caches(board: Board, icache: CacheSpec | None, dcache: CacheSpec | None,
              with_data: bool) -> MemorySystem:
    """Cortex-M7 L1 caches in front of the board's cacheable regions (AXIM); TCMs bypass them."""
    def config(spec: CacheSpec) -> CacheConfig:
        return CacheConfig(spec.size // (spec.ways * spec.line_bytes), spec.ways, spec.line_bytes, False)

    cacheable = [r for r in board.regions if r.cacheable]
    flash = next((r for r in cacheable if r.kind == "flash"), None)
    fetch_cache = config(icache) if icache and flash else None
    fetch_range = CachedRange(flash, miss_cycles(flash)) if fetch_cache else None
    if not (with_data and dcache):
        return MemorySystem(fetch_cache, fetch_range)
    ranges = tuple(CachedRange(r, miss_cycles(r)) for r in cacheable if miss_cycles(r) > 0)
    return MemorySystem(fetch_cache, fetch_range, config(dcache) if ranges else None, ranges)


def fill_cache(target, config: CacheConfig, keepalive: list) -> None:
    """Set a native ``Cache`` struct from a config; arrays go to ``keepalive``."""
    if config.sets & (config.sets - 1):
        raise ValueError(f"a cache of {config.sets} sets: the hot path needs a power of two")
    tags = np.full(max(config.sets * config.ways, 1), np.iinfo(np.uint64).max, dtype=np.uint64)
    victims = np.zeros(max(config.sets, 1), dtype=np.uint8)
    keepalive += [tags, victims]
    target.sets, target.ways = config.sets, config.ways
    target.line_shift = config.line_bytes.bit_length() - 1
    target.sequential_free = int(config.sequential_free)
    target.tags = tags.ctypes.data_as(type(target.tags))
    target.victims = victims.ctypes.data_as(type(target.victims))
    target.last_line = np.iinfo(np.uint64).max - 1
