"""Caches and flash accelerators in front of memory regions, as the hot path models them.

A timing model asks for these per board; the native hot path keeps only hit/miss state. The
STM32 ART accelerator is approximated as documented in docs/cortexm.md §1.4: an instruction
cache of 64 lines and a data cache of 8 lines of 128 bits, with sequential prefetch; a miss on
the flash costs the board's wait states.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mcusim.board import Board, Region

ART_LINE_BYTES = 16  # 128-bit flash line
ART_INSTRUCTION_LINES = (16, 4)  # sets, ways: 64 lines (RM0090 §3.5.2 [?])
ART_DATA_LINES = (2, 4)  # 8 lines


@dataclass(frozen=True)
class CacheConfig:
    region: Region
    sets: int  # 0: no cache, only the prefetch rule applies
    ways: int
    line_bytes: int
    miss_cycles: int
    sequential_free: bool

    def describe(self) -> str:
        kind = f"{self.sets * self.ways} lines x {self.line_bytes} B" if self.sets else "no cache"
        prefetch = ", sequential prefetch" if self.sequential_free else ""
        return f"{self.region.name}: {kind}, miss {self.miss_cycles} cycles{prefetch}"


@dataclass(frozen=True)
class MemorySystem:
    fetch: CacheConfig | None = None
    data: CacheConfig | None = None


def flash_accelerator(board: Board, with_data: bool) -> MemorySystem:
    """The flash front end of an STM32 Cortex-M4 part, from the board's flash region."""
    flash = next((r for r in board.regions if r.kind == "flash"), None)
    if flash is None:
        return MemorySystem()
    miss = flash.wait_states + flash.latency_cycles
    if miss == 0:
        return MemorySystem()
    if flash.accelerator == "art":
        fetch = CacheConfig(flash, *ART_INSTRUCTION_LINES, ART_LINE_BYTES, miss, True)
        data = CacheConfig(flash, *ART_DATA_LINES, ART_LINE_BYTES, miss, False)
    else:
        prefetch = flash.accelerator == "prefetch"
        fetch = CacheConfig(flash, 0, 1, ART_LINE_BYTES, miss, prefetch)
        data = CacheConfig(flash, 0, 1, ART_LINE_BYTES, miss, False)
    return MemorySystem(fetch=fetch, data=data if with_data else None)


def fill_cache(target, config: CacheConfig, keepalive: list) -> None:
    """Set a native ``Cache`` struct from a config; arrays go to ``keepalive``."""
    if config.sets & (config.sets - 1):
        raise ValueError(f"cache of {config.region.name}: {config.sets} sets is not a power of two")
    tags = np.full(max(config.sets * config.ways, 1), np.iinfo(np.uint64).max, dtype=np.uint64)
    victims = np.zeros(max(config.sets, 1), dtype=np.uint8)
    keepalive += [tags, victims]
    target.base, target.end = config.region.base, config.region.end
    target.sets, target.ways = config.sets, config.ways
    target.line_shift = config.line_bytes.bit_length() - 1
    target.miss_cycles = config.miss_cycles
    target.sequential_free = int(config.sequential_free)
    target.tags = tags.ctypes.data_as(type(target.tags))
    target.victims = victims.ctypes.data_as(type(target.victims))
    target.last_line = np.iinfo(np.uint64).max - 1
