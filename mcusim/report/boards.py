"""`mcusim boards`: the list of boards, or one board's memory map."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from mcusim.board import Board


def _size(n: int) -> str:
    if n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    if n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n} B"


def print_board_list(boards: list[Board], console: Console) -> None:
    table = Table(title="boards", title_justify="left")
    for column in ("board", "cores", "clock", "flash", "RAM", "description"):
        table.add_column(column)
    for b in boards:
        models: dict[str, int] = {}
        for c in b.cores:
            models[c.model] = models.get(c.model, 0) + 1
        cores = ", ".join(f"{m}" if n == 1 else f"{n}x {m}" for m, n in models.items())
        clocks = "/".join(sorted({f"{c.clock_hz / 1e6:g}" for c in b.cores}, key=float, reverse=True))
        flash = sum(r.size for r in b.regions if r.kind in ("flash", "rom"))
        ram = sum(r.size for r in b.regions if r.is_ram)
        table.add_row(b.name, cores, f"{clocks} MHz", _size(flash), _size(ram), b.description)
    console.print(table)
    console.print("`mcusim boards NAME` shows a board's memory map.")


def print_board(board: Board, console: Console) -> None:
    console.print(f"[bold]{board.name}[/]: {board.description}  ({board.path})")
    cores = Table(title="cores", title_justify="left")
    for column in ("core", "model", "clock", "FPU", "I-cache", "D-cache"):
        cores.add_column(column)
    cache = lambda c: f"{_size(c.size)} {c.ways}-way {c.line_bytes} B lines" if c else "-"
    for c in board.cores:
        cores.add_row(c.name, c.model, f"{c.clock_hz / 1e6:g} MHz", c.fpu, cache(c.icache), cache(c.dcache))
    console.print(cores)
    regions = Table(title="memory map", title_justify="left")
    for column in ("region", "kind", "start", "end", "size", "access", "timing", "aliases", "notes"):
        regions.add_column(column)
    for r in sorted(board.regions, key=lambda r: r.base):
        timing = []
        if r.wait_states:
            timing.append(f"{r.wait_states} WS")
        if r.latency_cycles:
            timing.append(f"+{r.latency_cycles} cyc")
        if r.accelerator != "none":
            timing.append(r.accelerator.upper() if r.accelerator == "art" else r.accelerator)
        if r.cacheable:
            timing.append("cached")
        regions.add_row(r.name, r.kind, f"{r.base:#010x}", f"{r.end - 1:#010x}", _size(r.size), r.access,
                        ", ".join(timing) or "-", ", ".join(f"{a:#010x}" for a in r.aliases) or "-",
                        r.description)
    console.print(regions)
