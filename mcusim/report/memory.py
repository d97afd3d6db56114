"""The memory report from a RunResult's `memory` and the ELF's static sizes.

Per region: static (.data/.bss and what the ELF places there), heap and stack high-water, their
sum (peak) and its occupancy of the region, and the bytes the run wrote. Regions whose peak is
over 90 % of their size are highlighted. Then stack high-water per core, the heap, and the static
Code/RO-data/RW-data/ZI-data split.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from mcusim.report.units import core_list, nbytes, percent
from mcusim.result import RunResult

FULL = 0.90  # occupancy above which a region is highlighted


def memory_renderables(result: RunResult) -> list[RenderableType]:
    memory = result.memory
    out: list[RenderableType] = []
    if memory.regions:
        used = [r for r in memory.regions if r.peak_bytes or r.touched_bytes]
        unused = [r.name for r in memory.regions if not (r.peak_bytes or r.touched_bytes)]
        table = Table(title="memory (bytes; peak = static + heap + stack high-water)",
                      title_justify="left", padding=(0, 1))
        table.add_column("region")
        table.add_column("kind")
        for column in ("size", "static", "heap", "stack", "peak", "occupancy", "written"):
            table.add_column(column, justify="right")
        for r in used:
            full = r.size and r.peak_bytes > FULL * r.size
            table.add_row(r.name, r.kind, f"{r.size:,}", f"{r.static_bytes:,}", f"{r.heap_bytes:,}",
                          f"{r.stack_bytes:,}", f"{r.peak_bytes:,}", percent(r.peak_bytes, r.size),
                          f"{r.touched_bytes:,}", style="bold red" if full else None)
        out.append(table)
        if unused:
            out.append(Text(f"unused: {', '.join(unused)}", style="dim"))
    if memory.stack:
        out.append(_stacks(result))
    heap = memory.heap or {}
    if heap:
        size = (heap.get("limit") or 0) - (heap.get("base") or 0)
        line = f"heap: {nbytes(heap.get('high_water_bytes'))} high-water"
        if size > 0:
            line += f" of {size:,} B ({percent(heap.get('high_water_bytes') or 0, size)})"
        if heap.get("region"):
            line += f" in {heap['region']}"
        out.append(Text(line))
    sizes = result.elf.get("sizes") or {}
    if sizes:
        code, ro, rw, zi = (sizes.get(k, 0) for k in ("code", "ro-data", "rw-data", "zi-data"))
        out.append(Text(f"static: Code={code:,} B  RO-data={ro:,} B  RW-data={rw:,} B  ZI-data={zi:,} B  "
                        f"(flash {code + ro + rw:,} B, RAM {rw + zi:,} B)"))
    return out


def _stacks(result: RunResult) -> RenderableType:
    stacks = result.memory.stack
    if len(stacks) == 1:
        s = stacks[0]
        style = "bold red" if s.size_bytes and s.high_water_bytes > FULL * s.size_bytes else None
        return Text(f"stack ({s.core}): {s.high_water_bytes:,} B high-water of {s.size_bytes:,} B "
                    f"({percent(s.high_water_bytes, s.size_bytes)}) in {s.region}", style=style)
    # cores with the same figures share a row, so that an 8-core cluster reads as one line
    groups: dict[tuple, list[str]] = {}
    for s in stacks:
        groups.setdefault((s.region, s.size_bytes, s.high_water_bytes), []).append(s.core)
    table = Table(title="stack high-water per core", title_justify="left", padding=(0, 1))
    table.add_column("core")
    table.add_column("region")
    for column in ("size (B)", "high-water (B)", "use"):
        table.add_column(column, justify="right")
    for (region, size, high), cores in groups.items():
        full = size and high > FULL * size
        table.add_row(core_list(cores), region, f"{size:,}", f"{high:,}", percent(high, size),
                      style="bold red" if full else None)
    return Group(table)
