"""Per-core activity and DMA traffic of a multi-core run (GAP8): busy and waiting cycles by
reason, and bytes and busy time per DMA engine and direction, from the run result."""

from __future__ import annotations

from rich.table import Table

from mcusim.report.units import duration, percent
from mcusim.result import RunResult

WAIT_REASONS = ("halted", "dma", "barrier", "sync", "event", "wfi")


def core_table(result: RunResult) -> Table | None:
    if len(result.cores) < 2:
        return None
    reasons = [r for r in WAIT_REASONS if any(c.waits.get(r) for c in result.cores)]
    table = Table(title="cores (cycles at each core's clock)", title_justify="left")
    for column in ("core", "clock", "cycles", "busy", "busy %", *[f"{r}" for r in reasons], "instructions"):
        table.add_column(column, justify="left" if column == "core" else "right")
    for core in result.cores:
        busy = core.cycles - core.idle_cycles
        share = percent(busy, core.cycles)
        table.add_row(core.name, f"{core.clock_hz / 1e6:g} MHz", f"{core.cycles:,}", f"{busy:,}", share,
                      *[f"{core.waits.get(r, 0):,}" for r in reasons], f"{core.instructions:,}")
    return table


def dma_table(result: RunResult) -> Table | None:
    soc = result.diagnostics.get("soc") if isinstance(result.diagnostics, dict) else None
    if not soc:
        return None
    table = Table(title="DMA", title_justify="left")
    for column in ("engine", "direction", "bytes", "engine transfers", "engine busy"):
        table.add_column(column, justify="left" if column in ("engine", "direction") else "right")
    rows = 0
    for engine in ("cluster_dma", "udma_hyper", "udma_uart"):
        stats = soc.get(engine) or {}
        for direction, count in sorted((stats.get("bytes") or {}).items()):
            table.add_row(engine, direction, f"{count:,}", f"{stats.get('transfers', 0):,}",
                          duration(stats.get("busy_s", 0.0)))
            rows += 1
    return table if rows else None
