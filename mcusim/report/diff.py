"""`mcusim diff base.json new.json`: what changed between two runs of a firmware.

Per layer (matched by name, nesting depth and occurrence, as `layer_rows` identifies them) and in
total: cycles before and after, the change in cycles and in %. Per function (by core and name):
the largest changes in self cycles. Per memory region: the change of the peak bytes, and of each
core's stack high-water.

A regression is the total cycles or any layer's cycles growing by more than the threshold (in %);
`diff` then exits 1 (EXIT_REGRESSION) and says which. Faster or within the threshold exits 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table
from rich.text import Text

from mcusim.report.layers import layer_rows
from mcusim.result import RunResult

EXIT_REGRESSION = 1
DEFAULT_THRESHOLD_PCT = 5.0
FUNCTIONS_SHOWN = 15


@dataclass
class Change:
    label: str
    base: int | None  # None: not in the base run
    new: int | None  # None: not in the new run

    @property
    def delta(self) -> int | None:
        return None if self.base is None or self.new is None else self.new - self.base

    @property
    def pct(self) -> float | None:
        if self.delta is None or not self.base:
            return None
        return 100.0 * self.delta / self.base

    def slower_than(self, threshold_pct: float) -> bool:
        if self.delta is None or self.delta <= 0:
            return False
        return self.pct is None or self.pct > threshold_pct  # from 0 cycles: any growth counts


@dataclass
class Diff:
    threshold_pct: float
    total: Change
    layers: list[Change] = field(default_factory=list)
    functions: list[Change] = field(default_factory=list)
    regions: list[Change] = field(default_factory=list)
    stacks: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def regressions(self) -> list[Change]:
        return [c for c in [self.total, *self.layers] if c.slower_than(self.threshold_pct)]


def diff_results(base: RunResult, new: RunResult, threshold_pct: float = DEFAULT_THRESHOLD_PCT) -> Diff:
    d = Diff(threshold_pct=threshold_pct,
             total=Change("total", base.totals.cycles, new.totals.cycles))
    for what, a, b in (("board", base.board.get("name"), new.board.get("name")),
                       ("timing model", _model(base), _model(new))):
        if a != b:
            d.warnings.append(f"the runs differ in {what}: {a} vs {b}")
    for r in (base, new):
        if r.status != "exited" or r.exit_code != 0:
            d.warnings.append(f"a run did not exit 0 ({r.elf.get('path')}: {r.message})")

    base_rows = {r.key: r for r in (layer_rows(base).rows if base.layers else [])}
    new_rows = {r.key: r for r in (layer_rows(new).rows if new.layers else [])}
    for key in [*new_rows, *(k for k in base_rows if k not in new_rows)]:
        row = new_rows.get(key) or base_rows[key]
        label = "  " * row.depth + row.label
        d.layers.append(Change(label, base_rows[key].cycles if key in base_rows else None,
                               new_rows[key].cycles if key in new_rows else None))

    base_f = {(f.core, f.name): f.self_cycles for f in base.functions}
    new_f = {(f.core, f.name): f.self_cycles for f in new.functions}
    multi_core = len(base.cores) > 1 or len(new.cores) > 1
    changes = []
    for key in dict.fromkeys([*new_f, *base_f]):
        change = Change(f"{key[1]} ({key[0]})" if multi_core else key[1], base_f.get(key), new_f.get(key))
        if change.base != change.new:
            changes.append(change)
    changes.sort(key=lambda c: -abs((c.new or 0) - (c.base or 0)))
    d.functions = changes

    base_m = {r.name: r.peak_bytes for r in base.memory.regions}
    new_m = {r.name: r.peak_bytes for r in new.memory.regions}
    d.regions = [Change(name, base_m.get(name), new_m.get(name)) for name in dict.fromkeys([*new_m, *base_m])
                 if base_m.get(name) or new_m.get(name)]
    base_s = {s.core: s.high_water_bytes for s in base.memory.stack}
    new_s = {s.core: s.high_water_bytes for s in new.memory.stack}
    d.stacks = [Change(f"stack {core}", base_s.get(core), new_s.get(core))
                for core in dict.fromkeys([*new_s, *base_s])]
    return d


def _model(r: RunResult) -> str:
    return f"{r.timing_model.get('name')} {r.timing_model.get('version', '')} ({r.timing_model.get('mode')})"


def _num(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _style(change: Change, threshold_pct: float, worse_is_up: bool = True) -> str | None:
    if change.delta is None:
        return "yellow"
    if change.delta == 0:
        return "dim"
    pct = change.pct
    if pct is not None and abs(pct) <= threshold_pct:
        return None
    return "red" if (change.delta > 0) == worse_is_up else "green"


def _table(title: str, first: str, unit: str, changes: list[Change], threshold_pct: float) -> Table:
    table = Table(title=title, title_justify="left", padding=(0, 1))
    table.add_column(first)
    for column in (f"base ({unit})", f"new ({unit})", f"Δ ({unit})", "Δ %"):
        table.add_column(column, justify="right")
    for c in changes:
        if c.delta is None:
            delta, pct = ("added" if c.base is None else "removed"), ""
        else:
            delta = f"{c.delta:+,}"
            pct = "—" if c.pct is None else f"{c.pct:+.2f} %"
        table.add_row(c.label, _num(c.base), _num(c.new), delta, pct, style=_style(c, threshold_pct))
    return table


def print_diff(d: Diff, base_name: str, new_name: str, console: Console) -> None:
    console.print(Text(f"mcusim diff: {base_name} (base) → {new_name} (new); threshold {d.threshold_pct:g} %",
                       style="bold"))
    for warning in d.warnings:
        console.print(Text(f"note: {warning}", style="yellow"))
    console.print(_table("cycles per layer" if d.layers else "cycles", "layer", "cycles",
                         [*d.layers, d.total], d.threshold_pct))
    if d.functions:
        shown = d.functions[:FUNCTIONS_SHOWN]
        more = len(d.functions) - len(shown)
        title = "functions: largest changes of self cycles" + (f" ({more} more changed)" if more else "")
        console.print(_table(title, "function", "cycles", shown, d.threshold_pct))
    elif d.total.delta is not None:
        console.print(Text("functions: no self-cycle changes", style="dim"))
    memory = [*d.regions, *d.stacks]
    if memory:
        console.print(_table("memory: peak per region, stack high-water per core", "memory", "B", memory,
                             d.threshold_pct))
    regressions = d.regressions
    if regressions:
        parts = [f"{c.label.strip()} {c.delta:+,} cycles ({'from 0' if c.pct is None else f'{c.pct:+.2f} %'})"
                 for c in regressions]
        console.print(Text(f"REGRESSION: slower by more than {d.threshold_pct:g} %: " + "; ".join(parts) + ".",
                           style="bold red"))
    else:
        console.print(Text(f"OK: neither the total nor any layer is more than {d.threshold_pct:g} % slower.",
                           style="green"))
