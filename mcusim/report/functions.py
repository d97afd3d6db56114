"""The per-function table from a RunResult's `functions` (the hot path's call tracking).

Self cycles are the cycles spent in a function's own code; inclusive cycles add its callees'
(recursion counted once). Shares are of the function's core's total cycles, so self shares of one
core sum to 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table

from mcusim.report.units import percent
from mcusim.result import FunctionProfile, RunResult

DEFAULT_TOP = 10


@dataclass
class FunctionRow:
    function: FunctionProfile
    core_cycles: int  # the total cycles of the function's core

    @property
    def cycles_per_call(self) -> float | None:
        f = self.function
        return f.inclusive_cycles / f.calls if f.calls else None

    @property
    def location(self) -> str:
        f = self.function
        if not f.file:
            return ""
        return f"{f.file}:{f.line}" if f.line else f.file

    @property
    def self_share(self) -> float:
        return self.function.self_cycles / self.core_cycles if self.core_cycles else 0.0


def function_rows(result: RunResult, top: int | None = None) -> list[FunctionRow]:
    """Functions by self cycles, largest first (ties by name); the first `top` when given."""
    totals = {c.name: c.cycles for c in result.cores}
    ordered = sorted(result.functions, key=lambda f: (-f.self_cycles, f.core, f.name))
    if top is not None:
        ordered = ordered[:top]
    return [FunctionRow(f, totals.get(f.core, 0)) for f in ordered]


def function_table(result: RunResult, top: int = DEFAULT_TOP) -> Table | None:
    if not result.functions:
        return None
    rows = function_rows(result, top)
    multi_core = len({f.core for f in result.functions}) > 1 or len(result.cores) > 1
    shown = f"top {len(rows)} of {len(result.functions)}" if len(rows) < len(result.functions) \
        else f"all {len(rows)}"
    table = Table(title=f"functions ({shown}, by self cycles; share of the core's cycles)",
                  title_justify="left", padding=(0, 1))
    table.add_column("function")
    if multi_core:
        table.add_column("core")
    for column in ("self cycles", "self", "incl. cycles", "incl.", "calls", "cycles/call"):
        table.add_column(column, justify="right")
    table.add_column("location")
    for row in rows:
        f = row.function
        cells = [f.name]
        if multi_core:
            cells.append(f.core)
        per_call = row.cycles_per_call
        cells += [f"{f.self_cycles:,}", percent(f.self_cycles, row.core_cycles),
                  f"{f.inclusive_cycles:,}", percent(f.inclusive_cycles, row.core_cycles),
                  f"{f.calls:,}", _per_call(per_call), row.location]
        table.add_row(*cells)
    return table


def _per_call(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"
