"""The per-layer table: one row per layer marker (MCUSIM_LAYER_BEGIN/END), from a RunResult.

`layer_rows` builds the rows every layer output shares (terminal table, CSV, diff); `layer_tables`
renders them with rich (two tables, time and memory, when one would not fit the console). Rules:

- A row's cycles are the cycles of its core, its time is at that core's clock.
- Several cores that mark a layer of the same name (the k-th occurrence on each core, at the same
  nesting depth) make one row: cycles and time are the slowest core's (the parallel section's
  length), `core_cycles` keeps each core's count, MACs are summed, and the memory columns (bytes
  written per region, stack high-water, DMA bytes), which the engine measures system-wide, are
  the largest of the cores'.
- Accounting is on one reference core: the main core when it recorded layers, otherwise the core
  that recorded the most top-level layers. Its total cycles = the top-level rows' cycles on it +
  the "(outside layers)" row. A top-level row counts with the cycles it shows (its slowest core's)
  when that core runs at the reference clock, otherwise with its time converted to reference
  cycles.
- A layer the firmware never ended runs to its core's last cycle and is flagged.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from mcusim.report.units import core_list, duration, percent
from mcusim.result import LayerRecord, RunResult

OUTSIDE = "(outside layers)"
TOTAL = "total"
NO_MARKERS_HINT = ("no layer markers in this firmware: showing functions instead. Mark layers with "
                   "MCUSIM_LAYER_BEGIN(name, macs) / MCUSIM_LAYER_END() from "
                   "firmware/include/mcusim.h for a per-layer table.")
NO_PROFILE_HINT = "no per-function profile: the run was made with --no-profile."


@dataclass
class LayerRow:
    index: int
    name: str
    depth: int
    occurrence: int  # 0 for the first layer of this name at this depth, 1 for the next, ...
    cores: list[str]
    core_cycles: dict[str, int]
    cycles: int  # the slowest core's
    slowest_core: str
    time_s: float
    begin_s: float
    macs: int
    ended: bool
    stack_high_water_bytes: int | None
    touched_bytes: dict[str, int] = field(default_factory=dict)
    dma_bytes_in: int = 0
    dma_bytes_out: int = 0

    @property
    def key(self) -> tuple[str, int, int]:
        """Identifies the same layer in another run of the firmware (mcusim diff)."""
        return self.name, self.depth, self.occurrence

    @property
    def label(self) -> str:
        return self.name if self.occurrence == 0 else f"{self.name} #{self.occurrence + 1}"

    @property
    def macs_per_cycle(self) -> float | None:
        return self.macs / self.cycles if self.macs and self.cycles else None


@dataclass
class LayerTable:
    rows: list[LayerRow]
    reference_core: str
    clock_hz: int
    total_cycles: int  # the reference core's cycles
    outside_cycles: int
    top_level_cycles: int  # the top-level rows, in reference-core cycles
    multi_core: bool

    @property
    def total_macs(self) -> int:
        return sum(r.macs for r in self.rows if r.depth == 0)

    @property
    def regions(self) -> list[str]:
        """RAM regions some layer wrote to, in the engine's order."""
        names: dict[str, None] = {}
        for row in self.rows:
            for name, value in row.touched_bytes.items():
                if value:
                    names.setdefault(name)
        return list(names)

    @property
    def has_stack(self) -> bool:
        return any(r.stack_high_water_bytes is not None for r in self.rows)

    @property
    def has_dma(self) -> bool:
        return any(r.dma_bytes_in or r.dma_bytes_out for r in self.rows)


def _core_info(result: RunResult) -> dict[str, tuple[int, int]]:
    """core name -> (clock_hz, final cycles)."""
    return {c.name: (c.clock_hz, c.cycles) for c in result.cores}


def layer_rows(result: RunResult) -> LayerTable | None:
    """The rows of the layer table, or None when the firmware marked no layers."""
    if not result.layers:
        return None
    info = _core_info(result)
    main = result.cores[0].name

    def end_cycle(record: LayerRecord) -> int:
        if record.end_cycle is not None:
            return record.end_cycle
        return max(record.begin_cycle, info.get(record.core, (1, record.begin_cycle))[1])

    seen: Counter = Counter()
    groups: dict[tuple[str, int, int], list[LayerRecord]] = defaultdict(list)
    for record in result.layers:
        k = seen[(record.core, record.name, record.depth)]
        seen[(record.core, record.name, record.depth)] += 1
        groups[(record.name, record.depth, k)].append(record)

    rows = []
    for (name, depth, occurrence), records in groups.items():
        core_cycles = {r.core: end_cycle(r) - r.begin_cycle for r in records}
        times = {r.core: (end_cycle(r) - r.begin_cycle) / info.get(r.core, (1, 0))[0] for r in records}
        slowest = max(times, key=times.get)
        touched: dict[str, int] = {}
        for r in records:
            for region, value in r.touched_bytes.items():
                touched[region] = max(touched.get(region, 0), value)
        stacks = [r.stack_high_water_bytes for r in records if r.stack_high_water_bytes is not None]
        rows.append(LayerRow(
            index=0, name=name, depth=depth, occurrence=occurrence,
            cores=[r.core for r in records], core_cycles=core_cycles,
            cycles=core_cycles[slowest], slowest_core=slowest, time_s=times[slowest],
            begin_s=min(r.begin_cycle / info.get(r.core, (1, 0))[0] for r in records),
            macs=sum(r.macs for r in records),
            ended=all(r.end_cycle is not None for r in records),
            stack_high_water_bytes=max(stacks) if stacks else None,
            touched_bytes=touched,
            dma_bytes_in=max(r.dma_bytes_in for r in records),
            dma_bytes_out=max(r.dma_bytes_out for r in records),
        ))
    rows.sort(key=lambda r: (r.begin_s, r.depth))
    for i, row in enumerate(rows):
        row.index = i

    top_counts = Counter(r.core for r in result.layers if r.depth == 0)
    if main in top_counts or not top_counts:
        reference = main
    else:
        order = [c.name for c in result.cores]
        reference = max(top_counts, key=lambda c: (top_counts[c], -order.index(c) if c in order else 0))
    clock, total = info.get(reference, (result.cores[0].clock_hz, result.totals.cycles))
    top_level = 0
    for row in rows:
        if row.depth == 0:  # the row's cycles as shown, in reference-core cycles
            slowest_clock = info.get(row.slowest_core, (None, 0))[0]
            top_level += row.cycles if slowest_clock == clock else round(row.time_s * clock)
    multi_core = len(result.cores) > 1
    return LayerTable(rows=rows, reference_core=reference, clock_hz=clock, total_cycles=total,
                      outside_cycles=total - top_level, top_level_cycles=top_level,
                      multi_core=multi_core)


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def layer_tables(result: RunResult, width: int) -> list[Table]:
    """The per-layer table (rich) for a console `width` columns wide; none without markers.

    One table when it fits; otherwise two with the same rows, so that no number is ever folded:
    time (cycles, time, share, MACs, MAC/cycle) and memory (stack, bytes written per region, DMA).
    """
    t = layer_rows(result)
    if t is None:
        return []
    regions = t.regions
    title = f"layers (cycles of the {t.reference_core} core at {t.clock_hz / 1e6:g} MHz" \
        if t.multi_core else f"layers (cycles at {t.clock_hz / 1e6:g} MHz"
    title += f", {result.timing_model.get('name', '?')} {result.timing_model.get('mode', '')} timing)"
    per_core_column = any(len(r.core_cycles) > 1 for r in t.rows)
    # a cores column when some row is not the reference core's alone (the title names that core)
    cores_column = t.multi_core and any(r.cores != [t.reference_core] for r in t.rows)

    # (header, justify, group): "key" columns go into every table, then "time" or "memory"
    columns = [("#", "right", "key"), ("layer", "left", "key")]
    if cores_column:
        columns.append(("cores", "left", "time"))
    if per_core_column:
        columns.append(("per-core cycles", "right", "time"))
    # narrow headers on several lines, so that many region columns still fit 120 columns
    columns += [(name, "right", "time") for name in ("cycles", "time", "share", "MACs", "MAC/\ncycle")]
    if t.has_stack:
        columns.append(("stack\n(B)", "right", "memory"))
    columns += [(f"{region}\nwritten\n(B)", "right", "memory") for region in regions]
    if t.has_dma:
        columns += [("DMA in\n(B)", "right", "memory"), ("DMA out\n(B)", "right", "memory")]

    def cells(index: str, label: Text | str, cores: str, per_core: str, cycles: int, seconds: float,
              macs: int | None, mpc: float | None, stack: int | None, touched: dict[str, int],
              dma: tuple[int, int] | None) -> list:
        row = [index, label]
        if cores_column:
            row.append(cores)
        if per_core_column:
            row.append(per_core)
        row += [f"{cycles:,}", duration(seconds), percent(cycles, t.total_cycles),
                "" if macs is None else f"{macs:,}", _ratio(mpc)]
        if t.has_stack:
            row.append("" if stack is None else f"{stack:,}")
        row += [f"{touched[r]:,}" if r in touched else "" for r in regions]
        if t.has_dma:
            row += ["", ""] if dma is None else [f"{dma[0]:,}", f"{dma[1]:,}"]
        return row

    rows: list[tuple[list, dict]] = []  # cells, add_row options; the last two: outside and total
    for r in t.rows:
        label = Text("  " * r.depth + r.label)
        if not r.ended:
            label.append(" (not ended)", style="red")
        per_core = ""
        if len(r.core_cycles) > 1:
            lo, hi = min(r.core_cycles.values()), max(r.core_cycles.values())
            per_core = f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}"
        rows.append((cells(str(r.index), label, core_list(r.cores), per_core, r.cycles, r.time_s,
                           r.macs, r.macs_per_cycle, r.stack_high_water_bytes, r.touched_bytes,
                           (r.dma_bytes_in, r.dma_bytes_out)), {}))
    rows.append((cells("", Text(OUTSIDE, style="dim"), t.reference_core, "", t.outside_cycles,
                       t.outside_cycles / t.clock_hz, None, None, None, {}, None), {"end_section": True}))
    total_label = f"{TOTAL} ({t.reference_core})" if t.multi_core else TOTAL
    macs = t.total_macs
    rows.append((cells("", Text(total_label, style="bold"), t.reference_core, "", t.total_cycles,
                       t.total_cycles / t.clock_hz, macs, macs / t.total_cycles if macs and t.total_cycles else None,
                       None, {}, None), {"style": "bold"}))

    def table(table_title: str, groups: tuple[str, ...], layer_rows_only: bool = False) -> Table:
        chosen = [i for i, (_, _, group) in enumerate(columns) if group in groups]
        out = Table(title=table_title, title_justify="left", padding=(0, 1))
        for i in chosen:
            header, justify, _ = columns[i]
            out.add_column(header, justify=justify, no_wrap=header == "layer", overflow="fold")
        for row, options in rows[:-2] if layer_rows_only else rows:
            out.add_row(*(row[i] for i in chosen), **options)
        return out

    whole = table(title, ("key", "time", "memory"))
    if not any(group == "memory" for _, _, group in columns) or _fits(whole, width):
        return [whole]
    # the outside and total rows have no memory figures: the memory table leaves them out
    return [table(title, ("key", "time")),
            table("layers: memory and DMA (bytes)", ("key", "memory"), layer_rows_only=True)]


def _fits(table: Table, width: int) -> bool:
    """Whether `table` fits `width` columns with every cell's longest word whole."""
    console = Console(width=width, file=io.StringIO())
    return Measurement.get(console, console.options.update_width(10 * width), table).minimum <= width
